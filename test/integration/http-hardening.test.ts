// HTTP hardening through the real server: security headers, no-store, content types, bad escapes and bodies,
// the home page, and the webhook door's body limit and parameter parsing.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { expect } from 'chai';
import twilio from 'twilio';
import winston from 'winston';
import { openDatabase, type Db } from '../../src/db/client';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { seedDemoStaff, DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { createHotline, type Hotline } from '../../src/hotline';
import { callSid, OPEN_HOURS, testConfig } from '../support/hotline-fixture';
import { precompress } from '../../console/precompress';

/** A GET whose body is read as sent (fetch would decompress it), with the headers asked for. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

interface LogEntry {
  level: string;
  message: string;
  [key: string]: unknown;
}

/** No console is built here unless a test writes one: GET / is then the plain page. */
const CONSOLE_DIR = path.join(os.tmpdir(), `hotline-console-${process.pid}`);

describe('HTTP hardening (through HTTP)', () => {
  let db: Db;
  let hotline: Hotline;
  let config: Awaited<ReturnType<typeof testConfig>>;
  let base: string;
  let logged: LogEntry[];

  beforeEach(async () => {
    config = await testConfig();
    const now = new Date(OPEN_HOURS);
    db = openDatabase(':memory:');
    seedDemoData(db, { now });
    seedDemoStaff(db, { now });
    logged = [];
    const sink = new Writable({ objectMode: true, write: (info: LogEntry, _enc, done) => done(void logged.push(info)) });
    const log = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream: sink })] });
    hotline = createHotline({ config, log, db, clock: { now: () => now }, consoleDir: CONSOLE_DIR });
    await hotline.listen(config.port, '127.0.0.1');
    base = config.publicBaseUrl;
  });
  afterEach(async () => {
    await hotline.close();
    db.$client.close();
  });

  const login = async (username = 'agent1') => {
    const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
    expect(res.status).to.equal(200);
    return ((await res.json()) as { token: string }).token;
  };

  const signedPost = (path: string, params: Record<string, string>) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': twilio.getExpectedTwilioSignature(config.twilio.authToken, base + path, params) },
      body: new URLSearchParams(params).toString(),
    });

  describe('headers', () => {
    it('puts helmet security headers on the home page, /health and the API, and no X-Powered-By', async () => {
      for (const path of ['/', '/health', '/api/auth/me', '/api/no-such-route']) {
        const res = await fetch(base + path);
        expect(res.headers.get('x-content-type-options'), path).to.equal('nosniff');
        expect(res.headers.get('content-security-policy'), path).to.include("default-src 'self'");
        expect(res.headers.get('strict-transport-security'), path).to.match(/max-age=\d+/);
        expect(res.headers.get('x-frame-options'), path).to.equal('SAMEORIGIN');
        expect(res.headers.get('x-powered-by'), path).to.equal(null);
      }
    });

    it('answers Cache-Control: no-store on every /api answer: data, errors and 404s', async () => {
      const token = await login('supervisor1');
      const answers = [
        await fetch(`${base}/api/staff`, { headers: { Authorization: `Bearer ${token}` } }),
        await fetch(`${base}/api/auth/me`),
        await fetch(`${base}/api/no-such-route`),
        await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' }),
      ];
      expect(answers.map((r) => r.status)).to.deep.equal([200, 401, 404, 400]);
      for (const res of answers) expect(res.headers.get('cache-control'), res.url).to.equal('no-store');
    });

    it('answers webhooks with no-store and nosniff too', async () => {
      const res = await signedPost('/twilio/voice', { CallSid: callSid(), From: '+8613700001111', To: '+864008008888', CallStatus: 'ringing', Direction: 'inbound' });
      expect(res.status).to.equal(200);
      expect(res.headers.get('cache-control')).to.equal('no-store');
      expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    });
  });

  describe('GET /', () => {
    it('with the console built, serves its page and its hashed assets (cached for good) under the default CSP', async () => {
      fs.mkdirSync(path.join(CONSOLE_DIR, 'assets'), { recursive: true });
      fs.writeFileSync(path.join(CONSOLE_DIR, 'index.html'), '<!doctype html><div id="app"></div><script type="module" src="/assets/index-abc.js"></script>');
      fs.writeFileSync(path.join(CONSOLE_DIR, 'assets', 'index-abc.js'), 'console.log(1)');
      await hotline.close();
      hotline = createHotline({ config, log: winston.createLogger({ silent: true }), db, clock: { now: () => new Date(OPEN_HOURS) }, consoleDir: CONSOLE_DIR });
      await hotline.listen(config.port, '127.0.0.1');
      const page = await fetch(`${base}/`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.include('<div id="app">');
      expect(page.headers.get('cache-control')).to.equal('no-cache');
      expect(page.headers.get('content-security-policy')).to.include("script-src 'self'");
      const asset = await fetch(`${base}/assets/index-abc.js`);
      expect(asset.status).to.equal(200);
      expect(asset.headers.get('cache-control')).to.include('immutable');
      expect((await fetch(`${base}/assets/missing.js`)).status).to.equal(404);
      fs.rmSync(CONSOLE_DIR, { recursive: true, force: true });
    });

    it('sends the build’s brotli or gzip copies to browsers that take them (with the original’s type, Vary, and the same caching), the file itself to others', async () => {
      const js = 'export function render() { return "坐席工作台"; }\n'.repeat(300);
      const html = `<!doctype html><html lang="zh-CN"><div id="app"></div><script type="module" src="/assets/index-abc.js"></script>${' '.repeat(2000)}</html>`;
      fs.mkdirSync(path.join(CONSOLE_DIR, 'assets'), { recursive: true });
      fs.writeFileSync(path.join(CONSOLE_DIR, 'index.html'), html);
      fs.writeFileSync(path.join(CONSOLE_DIR, 'assets', 'index-abc.js'), js);
      fs.writeFileSync(path.join(CONSOLE_DIR, 'assets', 'plain-abc.js'), 'console.log(2)');
      precompress(CONSOLE_DIR);
      await hotline.close();
      hotline = createHotline({ config, log: winston.createLogger({ silent: true }), db, clock: { now: () => new Date(OPEN_HOURS) }, consoleDir: CONSOLE_DIR });
      await hotline.listen(config.port, '127.0.0.1');
      const get = (p: string, acceptEncoding?: string) => rawGet(base + p, acceptEncoding ? { 'accept-encoding': acceptEncoding } : {});
      try {
        const br = await get('/assets/index-abc.js', 'gzip, deflate, br, zstd');
        expect(br.status).to.equal(200);
        expect(br.headers['content-encoding']).to.equal('br');
        expect(br.headers['content-type']).to.match(/^(text|application)\/javascript; charset=utf-8$/i);
        expect(br.headers.vary).to.match(/Accept-Encoding/i);
        expect(br.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
        expect(Number(br.headers['content-length'])).to.equal(br.body.length).and.to.be.lessThan(js.length / 10);
        expect(zlib.brotliDecompressSync(br.body).toString()).to.equal(js);

        const gz = await get('/assets/index-abc.js', 'gzip, deflate');
        expect(gz.headers['content-encoding']).to.equal('gzip');
        expect(zlib.gunzipSync(gz.body).toString()).to.equal(js);
        expect((await get('/assets/index-abc.js', 'br;q=0, gzip')).headers['content-encoding']).to.equal('gzip');

        const plain = await get('/assets/index-abc.js');
        expect(plain.headers['content-encoding']).to.equal(undefined);
        expect(plain.headers.vary).to.match(/Accept-Encoding/i);
        expect(plain.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
        expect(plain.body.toString()).to.equal(js);
        // A file too small to shrink has no copies: sent as it is.
        const small = await get('/assets/plain-abc.js', 'br');
        expect(small.headers['content-encoding']).to.equal(undefined);
        expect(small.body.toString()).to.equal('console.log(2)');
        // The copies are not a way around the list of files (no traversal, nothing else served).
        expect((await get('/assets/..%2Findex.html', 'br')).status).to.be.oneOf([403, 404]);
        expect((await get('/assets/missing.js', 'br')).status).to.equal(404);

        // The page: compressed, revalidated every time, under the same CSP.
        const page = await get('/', 'br');
        expect(page.headers['content-encoding']).to.equal('br');
        expect(page.headers['content-type']).to.match(/^text\/html/);
        expect(page.headers['cache-control']).to.equal('no-cache');
        expect(page.headers['content-security-policy']).to.include("script-src 'self'");
        expect(zlib.brotliDecompressSync(page.body).toString()).to.equal(html);
        const plainPage = await get('/');
        expect(plainPage.headers['content-encoding']).to.equal(undefined);
        expect(plainPage.headers['cache-control']).to.equal('no-cache');
        expect(plainPage.body.toString()).to.equal(html);
      } finally {
        fs.rmSync(CONSOLE_DIR, { recursive: true, force: true });
      }
    });

    it('without a built console, answers a small self-contained page that links /health and says how to try it', async () => {
      const res = await fetch(`${base}/`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      const html = await res.text();
      expect(html).to.include('href="/health"');
      expect(html).to.include('simulator mode');
      expect(html).to.include('npm run call');
      expect(html, 'the scripts need the server\'s ports').to.include('<code>PORT=3100 SIMULATOR_PORT=4110 npm run call -- …</code>');
      expect(html).not.to.match(/<script|src=|https?:\/\//);
    });
  });

  describe('malformed percent-escapes', () => {
    for (const path of ['/api/work-orders/%zz', '/api/%E0%A4%A', '/api/queues/%zz']) {
      it(`answers 400 and logs one warn line for GET ${path}, without a token`, async () => {
        const res = await fetch(base + path);
        expect(res.status).to.equal(400);
        expect(await res.json()).to.deep.include({ error: 'bad_request' });
        expect(logged.filter((e) => e.level === 'error')).to.deep.equal([]);
        const warnings = logged.filter((e) => e.level === 'warn');
        expect(warnings).to.have.length(1);
        expect(warnings[0].message).to.include('malformed percent-escape');
        expect(JSON.stringify(warnings[0])).not.to.include('stack');
      });
    }

    it('answers 400 with a token too', async () => {
      const token = await login('supervisor1');
      const res = await fetch(`${base}/api/work-orders/%zz`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).to.equal(400);
    });
  });

  describe('request bodies', () => {
    it('answers 415 to a JSON route given another content type, and changes nothing', async () => {
      const token = await login('agent1');
      for (const [type, body] of [
        ['text/plain', JSON.stringify({ state: 'available' })],
        ['application/x-www-form-urlencoded', 'state=available'],
      ]) {
        const res = await fetch(`${base}/api/agents/me/state`, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': type }, body });
        expect(res.status, type).to.equal(415);
        expect(await res.json()).to.deep.include({ error: 'unsupported_media_type' });
      }
      const me = await fetch(`${base}/api/agents/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(((await me.json()) as { state: string }).state).to.equal('offline');
      const json = await fetch(`${base}/api/agents/me/state`, { method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify({ state: 'available' }) });
      expect(json.status).to.equal(200);
    });

    it('lets a POST without a body through (no content type needed)', async () => {
      const token = await login('agent1');
      const res = await fetch(`${base}/api/auth/logout`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).to.be.within(200, 204);
    });

    it('reads a gzip body, and answers a bad one 400 in its own words (not zlib\'s)', async () => {
      const good = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
        body: zlib.gzipSync(JSON.stringify({ username: 'agent1', password: DEMO_PASSWORD })),
      });
      expect(good.status).to.equal(200);
      for (const encoding of ['gzip', 'deflate']) {
        const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Encoding': encoding }, body: '{"username":"agent1"}' });
        expect(res.status, encoding).to.equal(400);
        const body = (await res.json()) as { error: string; message: string };
        expect(body.message, encoding).to.include('decompressed');
        expect(body.message, encoding).not.to.match(/header check|incorrect|zlib/i);
      }
      expect(logged.filter((e) => e.level === 'error')).to.deep.equal([]);
    });
  });

  describe('webhook door', () => {
    it('refuses a body declared too large at once with 413 and closes the connection', async () => {
      const { head, closed } = await rawRequest(config.port, ['POST /twilio/voice HTTP/1.1', 'Host: x', 'Content-Type: application/x-www-form-urlencoded', `Content-Length: ${50 * 1024 * 1024}`], 50 * 1024 * 1024, false);
      expect(head).to.match(/^HTTP\/1\.1 413/);
      expect(head.toLowerCase()).to.include('connection: close');
      expect(closed.bytesSent).to.be.below(20 * 1024 * 1024);
    });

    it('stops reading a chunked body at the limit: 413, connection closed long before the end', async () => {
      const total = 64 * 1024 * 1024;
      const { head, closed } = await rawRequest(config.port, ['POST /twilio/voice HTTP/1.1', 'Host: x', 'Content-Type: application/x-www-form-urlencoded', 'Transfer-Encoding: chunked'], total, true);
      expect(head).to.match(/^HTTP\/1\.1 413/);
      // The kernel's socket buffers take a few MB after the server stopped reading; the server never took 64 MB.
      expect(closed.bytesSent).to.be.below(20 * 1024 * 1024);
      expect(logged.filter((e) => e.level === 'warn').map((e) => e.message)).to.include('webhook refused: body over the limit; connection closed');
    });

    it('still answers a normal webhook right after (the server is fine)', async () => {
      const res = await signedPost('/twilio/voice', { CallSid: callSid(), From: '+8613700001111', To: '+864008008888', CallStatus: 'ringing', Direction: 'inbound' });
      expect(res.status).to.equal(200);
    });

    it('keeps parameters named like Object.prototype members as plain parameters (signature still checks out)', async () => {
      const sid = callSid();
      const params = Object.fromEntries([
        ['CallSid', sid],
        ['From', '+8613700001111'],
        ['To', '+864008008888'],
        ['CallStatus', 'ringing'],
        ['Direction', 'inbound'],
        ['toString', 'x'],
        ['constructor', 'y'],
        ['__proto__', 'z'],
        ['hasOwnProperty', 'w'],
      ]) as Record<string, string>;
      const res = await signedPost('/twilio/voice', params);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.include('<Gather');
      expect(hotline.repos.calls.get(sid)).to.include({ from: '+8613700001111', step: 1 });
    });
  });
});

/**
 * Sends a request head and then up to `total` body bytes in 64 KiB writes, as fast as the server takes them;
 * returns the response head and how many body bytes were written before the server closed the connection.
 */
function rawRequest(port: number, headLines: string[], total: number, chunked: boolean): Promise<{ head: string; closed: { bytesSent: number } }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const piece = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let response = '';
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ head: response.split('\r\n\r\n')[0], closed: { bytesSent: sent } });
    };
    const timer = setTimeout(() => {
      finished = true;
      socket.destroy();
      reject(new Error(`server still reading after ${sent} bytes`));
    }, 10_000);
    socket.on('data', (d) => (response += d.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      socket.write(headLines.join('\r\n') + '\r\n\r\n');
      const pump = () => {
        while (!finished && sent < total) {
          const chunk = chunked ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece;
          sent += piece.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        if (!finished && chunked) socket.write('0\r\n\r\n');
      };
      pump();
    });
  });
}
