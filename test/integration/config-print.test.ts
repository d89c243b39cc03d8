// `npm run config:print`: the effective configuration (environment over .env over defaults), every secret masked.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { maskSecret, maskUrl, printableConfig, SECRET_NAME } from '../../src/config/config-print';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const AUTH_TOKEN = 'f3c1a9e07b5d4c2e8a6b0d9e1f2a3b4c';
const API_SECRET = 'api-secret-value-0123456789abcdef';
const METRICS_TOKEN = 'metrics-secret-token-zz98';

describe('npm run config:print', () => {
  it('prints every setting of a live configuration with the auth token, API secret, metrics token and Redis password masked', async function () {
    this.timeout(15_000);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-config-print-'));
    try {
      // Part of it from an .env file, part from the environment (which wins).
      await fs.writeFile(path.join(dir, 'hotline.env'), `TWILIO_AUTH_TOKEN=${AUTH_TOKEN}\nPORT=3999\nMETRICS_PORT=9464\n`);
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ENV_FILE: path.join(dir, 'hotline.env'),
        PORT: '3100',
        TWILIO_ACCOUNT_SID: 'AC' + 'b'.repeat(32),
        TWILIO_API_KEY: 'SK' + 'c'.repeat(32),
        TWILIO_API_SECRET: API_SECRET,
        PUBLIC_BASE_URL: 'https://hotline.example.com',
        METRICS_TOKEN,
        REDIS_URL: 'redis://:redis-password-42@10.0.0.5:6379/2',
      };
      const { stdout } = await run(process.execPath, [TSX, path.join(ROOT, 'scripts/config-print.ts')], { cwd: ROOT, env });
      for (const secret of [AUTH_TOKEN, API_SECRET, METRICS_TOKEN, 'redis-password-42']) expect(stdout).to.not.include(secret);
      const printed = JSON.parse(stdout) as Record<string, unknown> & { twilio: Record<string, unknown>; metrics: Record<string, unknown> };
      expect(printed).to.include({ envFile: path.join(dir, 'hotline.env'), mode: 'live', port: 3100, publicBaseUrl: 'https://hotline.example.com', redisUrl: 'redis://:****@10.0.0.5:6379/2' });
      expect(printed.twilio).to.deep.equal({ accountSid: 'AC' + 'b'.repeat(32), authToken: `****${AUTH_TOKEN.slice(-4)}`, apiKey: 'SK' + 'c'.repeat(32), apiSecret: `****${API_SECRET.slice(-4)}`, twimlAppSid: null });
      expect(printed.metrics).to.deep.equal({ token: `****${METRICS_TOKEN.slice(-4)}`, port: 9464, host: '127.0.0.1', workerPort: null });
      expect(printed).to.have.property('simulator', null);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a bad setting fails in one line, as npm start would', async function () {
    this.timeout(15_000);
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test', METRICS_PORT: 'ninety' };
    const err = await run(process.execPath, [TSX, path.join(ROOT, 'scripts/config-print.ts')], { cwd: ROOT, env }).then(
      () => expect.fail('accepted METRICS_PORT=ninety'),
      (e: { code: number; stderr: string }) => e,
    );
    expect(err.code).to.equal(1);
    expect(err.stderr.trim()).to.match(/^Invalid METRICS_PORT="ninety": /);
  });

  it('masks short secrets entirely and leaves unset ones unset; the simulator credentials are masked too', () => {
    expect(maskSecret('short')).to.equal('****');
    expect(maskSecret(undefined)).to.equal(undefined);
    const config = loadConfig({});
    const printed = printableConfig(config) as { twilio: { authToken: string; apiSecret: string } };
    expect(printed.twilio.authToken).to.equal(`****${config.twilio.authToken.slice(-4)}`);
    expect(printed.twilio.apiSecret).to.equal(`****${config.twilio.apiSecret!.slice(-4)}`);
  });
  it('masks every secret whatever setting holds it: names like a secret anywhere in the config, URL passwords and signed query parameters', () => {
    const secrets = {
      TWILIO_AUTH_TOKEN: 'auth-token-aaaaaaaaaaaaaaaa1111',
      TWILIO_API_SECRET: 'api-secret-bbbbbbbbbbbbbbbb2222',
      METRICS_TOKEN: 'metrics-token-cccccccccccc3333',
    };
    const config = loadConfig({
      ...secrets,
      TWILIO_ACCOUNT_SID: 'AC' + 'b'.repeat(32),
      TWILIO_API_KEY: 'SK' + 'c'.repeat(32),
      PUBLIC_BASE_URL: 'https://ops:base-url-password-4444@hotline.example.com',
      REDIS_URL: 'rediss://default:redis-password-5555@redis.internal:6380/1',
      HOLD_MUSIC_URL: 'https://bucket.example.com/hold.mp3?X-Amz-Credential=AKIA6666&X-Amz-Signature=deadbeef7777&X-Amz-Expires=3600',
    });
    const printed = printableConfig(config);
    const text = JSON.stringify(printed);
    for (const raw of [...Object.values(secrets), 'base-url-password-4444', 'redis-password-5555', 'AKIA6666', 'deadbeef7777']) expect(text, raw).to.not.include(raw);
    // What is not a secret stays readable: the account and key SIDs, hosts, the expiry of the signed URL.
    expect(text).to.include('AC' + 'b'.repeat(32)).and.include('SK' + 'c'.repeat(32)).and.include('redis.internal:6380').and.include('X-Amz-Expires=3600');
    // Every leaf named like a secret is masked (or unset): a new secret setting cannot slip through unmasked.
    const leaves: [string, unknown][] = [];
    const walk = (o: unknown, at: string) => {
      if (o && typeof o === 'object') for (const [k, v] of Object.entries(o)) walk(v, at ? `${at}.${k}` : k);
      else leaves.push([at, o]);
    };
    walk(printed, '');
    const named = leaves.filter(([p]) => SECRET_NAME.test(p.split('.').at(-1)!));
    expect(named.map(([p]) => p)).to.include.members(['twilio.authToken', 'twilio.apiSecret', 'metrics.token']);
    for (const [p, v] of named) expect(v === null || /^\*{4}.{0,4}$/.test(String(v)), `${p}=${String(v)}`).to.equal(true);
  });

  it('maskUrl: password and credential query parameters only; other URLs and plain text unchanged', () => {
    expect(maskUrl('redis://:pw@127.0.0.1:6379')).to.equal('redis://:****@127.0.0.1:6379');
    expect(maskUrl('https://a.example/x?token=abc&page=2')).to.equal('https://a.example/x?token=****&page=2');
    expect(maskUrl('https://a.example/hold.mp3')).to.equal('https://a.example/hold.mp3');
    expect(maskUrl('not a url')).to.equal('not a url');
    expect(maskUrl('Asia/Shanghai')).to.equal('Asia/Shanghai');
  });
});
