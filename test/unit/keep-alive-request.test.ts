import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { KeepAlivePool } from '../../src/net/keep-alive-request';

describe('keep-alive requests (a real HTTP server on 127.0.0.1)', () => {
  let server: http.Server;
  let base: string;
  let pool: KeepAlivePool;
  let connections: number;
  /** What the server does with the nth request on a connection (1-based): answer, or drop the connection. */
  let onRequest: (nth: number, req: http.IncomingMessage, res: http.ServerResponse) => void;

  beforeEach(async () => {
    connections = 0;
    onRequest = (_n, req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`${req.method} ${req.url} ${body}`));
    };
    const served = new WeakMap<object, number>();
    server = http.createServer((req, res) => {
      const nth = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, nth);
      onRequest(nth, req, res);
    });
    server.on('connection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    pool = new KeepAlivePool();
  });
  afterEach(async () => {
    pool.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const post = (body: string, timeoutMs = 5000) =>
    pool.request(new URL(`${base}/hook?x=1`), { method: 'POST', headers: { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) }, body, timeoutMs });

  it('sends and reads the whole answer, reusing one connection', async () => {
    const a = await post('one');
    const b = await post('two');
    expect(a).to.include({ status: 200, body: 'POST /hook?x=1 one' });
    expect(a.headers['content-type']).to.equal('text/plain');
    expect(b.body).to.equal('POST /hook?x=1 two');
    expect(connections).to.equal(1);
  });

  it('sends again, once, on a new connection when a reused connection is dropped', async () => {
    await post('one');
    const answer = onRequest;
    onRequest = (n, req, res) => (n >= 2 ? req.socket.destroy() : answer(n, req, res));
    const again = await post('two');
    expect(again.body).to.equal('POST /hook?x=1 two');
    expect(connections).to.equal(2);
  });

  it('does not send again when a new connection is dropped (the request may have been seen)', async () => {
    onRequest = (_n, req) => req.socket.destroy();
    const err = await post('one').then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(err?.code).to.equal('ECONNRESET');
    expect(connections).to.equal(1);
  });

  it('gives up after the timeout with ETIMEDOUT', async () => {
    onRequest = () => undefined; // never answers
    const err = await post('slow', 100).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e,
    );
    expect(err?.code).to.equal('ETIMEDOUT');
    expect(err?.message).to.equal('timeout of 100 ms exceeded');
  });

  it('refuses a protocol it has no pool for', async () => {
    const err = await pool.request(new URL('ftp://127.0.0.1/x'), { method: 'GET', headers: {}, timeoutMs: 100 }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).to.equal('unsupported protocol ftp:');
  });
});
