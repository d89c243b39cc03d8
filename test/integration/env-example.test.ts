// A fresh clone as the README has it: `.env.example` copied to `.env` works as it is, a bad value in it is blamed on the
// file, the web process then listens on loopback only (demo accounts with a published password), and ENV_FILE decides.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEnv, promisify } from 'node:util';
import { expect } from 'chai';
import { loadConfig, ConfigError } from '../../src/config/config';
import { envFilePath } from '../../src/config/env-file';
import { startServerProcess, type ServerProcess } from '../support/server-process';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/tsx/dist/cli.mjs');
const LIVE = { TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'not-a-real-token', PUBLIC_BASE_URL: 'https://hotline.example.com' };

/** The config without the random simulator credentials, to compare two loads. */
const comparable = (c: ReturnType<typeof loadConfig>) => JSON.stringify({ ...c, twilio: undefined });

describe('.env.example as a new user copies it', () => {
  let dir: string;
  let example: string;
  beforeEach(async () => {
    dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-env-example-')));
    example = await fs.readFile(path.join(ROOT, '.env.example'), 'utf8');
    await fs.writeFile(path.join(dir, '.env'), example);
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('loads as it is: its empty values (PUBLIC_BASE_URL=, TWILIO_*=, SIMULATOR_*=) mean unset, and simulator mode binds to 127.0.0.1', () => {
    const config = loadConfig(parseEnv(example) as NodeJS.ProcessEnv);
    expect(config.simulator).to.not.equal(undefined);
    expect(config.publicBaseUrl).to.equal('http://127.0.0.1:3000');
    expect(config.host).to.equal('127.0.0.1');
    expect(config.simulator!.url).to.equal(undefined);
    expect(config.simulator!.shuffleSeed).to.equal(undefined);
  });

  it('treats every setting of .env.example left empty as unset: the defaults, as with no setting at all', () => {
    const names = Object.keys(parseEnv(example));
    expect(names).to.include.members(['PORT', 'HOST', 'PUBLIC_BASE_URL', 'NODE_ENV', 'TRUST_PROXY', 'SEED_DEMO_DATA', 'SIMULATOR_PORT']);
    const empty = Object.fromEntries(names.map((n) => [n, '']));
    expect(comparable(loadConfig(empty))).to.equal(comparable(loadConfig({})));
    expect(loadConfig({ PORT: ' ', TRUST_PROXY: '' }).port).to.equal(3000);
  });

  it('a bad value read from .env is reported in one line naming the file (npm run migrate in that directory)', async function () {
    this.timeout(15_000); // one child process through tsx: about 2.5 s
    await fs.writeFile(path.join(dir, '.env'), example.replace(/^PORT=.*$/m, 'PORT=abc'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const err = await run(process.execPath, [TSX, path.join(ROOT, 'scripts/migrate.ts')], { cwd: dir, env }).then(
      () => expect.fail('migrate accepted PORT=abc'),
      (e: { code: number; stderr: string }) => e,
    );
    expect(err.code).to.equal(1);
    expect(err.stderr.trim()).to.match(new RegExp(`^Invalid PORT="abc": .* \\(from ${path.join(dir, '.env').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)$`));
  });

  describe('npm start with it', () => {
    let server: ServerProcess | undefined;
    afterEach(async () => {
      server?.child.kill('SIGTERM');
      await server?.exited;
      server = undefined;
    });

    it('starts in simulator mode listening on 127.0.0.1 only (HOST unset), says so, and answers /health there', async function () {
      this.timeout(20_000);
      server = startServerProcess({ ENV_FILE: path.join(dir, '.env'), PORT: '0', SIMULATOR_PORT: '0', DATABASE_FILE: path.join(dir, 'hotline.sqlite'), SEED_DEMO_DATA: 'false' });
      const line = await server.waitFor(/hotline listening on/);
      const m = /hotline listening on http:\/\/([^ ]+):(\d+) \(this machine only; set HOST to change\)/.exec(line);
      expect(m, line).to.not.equal(null);
      expect(m![1]).to.equal('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${m![2]}/health`);
      expect(((await res.json()) as { simulator: boolean }).simulator).to.equal(true);
      // From another interface of this machine (if it has one), nothing answers.
      const lan = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
      if (lan) {
        const code = await fetch(`http://${lan.address}:${m![2]}/health`).then(
          () => 'answered',
          (e: { cause?: { code?: string } }) => e.cause?.code,
        );
        expect(code).to.equal('ECONNREFUSED');
      }
    });
  });
});

describe('HOST and ENV_FILE', () => {
  it('HOST defaults to 127.0.0.1 in simulator mode and to every interface with live credentials; PUBLIC_BASE_URL follows a specific HOST', () => {
    expect(loadConfig({}).host).to.equal('127.0.0.1');
    expect(loadConfig(LIVE).host).to.equal(undefined);
    expect(loadConfig({ HOST: '0.0.0.0' }).host).to.equal('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }).publicBaseUrl).to.equal('http://127.0.0.1:3000');
    expect(loadConfig({ HOST: '192.168.1.20', PORT: '3001' }).publicBaseUrl).to.equal('http://192.168.1.20:3001');
    expect(loadConfig({ HOST: '::1' }).publicBaseUrl).to.equal('http://[::1]:3000');
    expect(() => loadConfig({ HOST: 'my box' })).to.throw(ConfigError, /^Invalid HOST="my box": must be an IP address/);
  });

  it('reads .env from the working directory, nothing under NODE_ENV=test, ENV_FILE when given (even under test), nothing with ENV_FILE empty', () => {
    expect(envFilePath({})).to.equal(path.resolve('.env'));
    expect(envFilePath({ NODE_ENV: 'development' })).to.equal(path.resolve('.env'));
    expect(envFilePath({ NODE_ENV: 'test' })).to.equal(undefined);
    expect(envFilePath({ NODE_ENV: 'test', ENV_FILE: '/etc/hotline.env' })).to.equal('/etc/hotline.env');
    expect(envFilePath({ ENV_FILE: '' })).to.equal(undefined);
    expect(process.env.NODE_ENV, 'mocha runs with NODE_ENV=test (test/support/test-env.ts)').to.equal('test');
  });
});
