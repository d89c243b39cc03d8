import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { Writable } from 'node:stream';
import express from 'express';
import winston from 'winston';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { seedDemoStaff, DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { HashGate } from '../../src/auth/hash-gate';
import { WsTickets } from '../../src/auth/ws-tickets';
import { authRoutes } from '../../src/http/auth.routes';
import { currentStaff, requireAuth, requireRole } from '../../src/http/auth-middleware';
import { apiErrorHandler } from '../../src/http/api-errors';
import { TEST_PASSWORD_COST } from '../support/password-cost';

describe('auth API (through HTTP)', () => {
  let db: Db;
  let server: http.Server;
  let base: string;
  let logged: string[];

  beforeEach(async () => {
    db = openDatabase(':memory:');
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    const auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db), options: { passwordCost: TEST_PASSWORD_COST } });
    const app = express();
    app.use(express.json());
    app.use(authRoutes({ auth, tickets: new WsTickets({ maxPending: 6 }) }));
    app.get('/api/reports/summary', requireAuth(auth), requireRole('supervisor'), (_req, res) => {
      res.json({ for: currentStaff(res).username });
    });
    app.get('/api/boom', () => {
      throw new Error('secret internals at /srv/app.ts:42');
    });
    logged = [];
    const sink = new Writable({ write: (chunk, _enc, done) => done(void logged.push(String(chunk))) });
    app.use(apiErrorHandler(winston.createLogger({ format: winston.format.json(), transports: [new winston.transports.Stream({ stream: sink })] })));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.$client.close();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const get = (path: string, token?: string) => fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const login = async (username: string, password = DEMO_PASSWORD) => {
    const res = await post('/api/auth/login', { username, password });
    expect(res.status).to.equal(200);
    return (await res.json()) as { token: string; expiresAt: string; staff: Record<string, unknown> };
  };

  it('logs in with 200, a token and the staff member (no password hash)', async () => {
    const res = await post('/api/auth/login', { username: 'supervisor1', password: DEMO_PASSWORD });
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const body = await res.json();
    expect(body.token).to.be.a('string').with.length(43);
    expect(Date.parse(body.expiresAt) - Date.now()).to.be.within(12 * 3600_000 - 60_000, 12 * 3600_000);
    expect(body.staff).to.deep.equal({ id: body.staff.id, username: 'supervisor1', displayName: '黄蕾', role: 'supervisor', teamId: null });
    expect(body.mustChangePassword).to.equal(false);

    const me = await get('/api/auth/me', body.token);
    expect(me.status).to.equal(200);
    expect(await me.json()).to.deep.equal(body.staff);
    const summary = await get('/api/reports/summary', body.token);
    expect(summary.status).to.equal(200);
    expect(await summary.json()).to.deep.equal({ for: 'supervisor1' });
  });

  it('answers a bad password with 401 JSON, and the 6th attempt with 429 and Retry-After', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await post('/api/auth/login', { username: 'agent1', password: 'guess' + i });
      expect(res.status).to.equal(401);
      expect(await res.json()).to.deep.equal({ error: 'unauthorized', message: 'Wrong username or password' });
    }
    const res = await post('/api/auth/login', { username: 'agent1', password: DEMO_PASSWORD });
    expect(res.status).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.within(890, 900);
    expect((await res.json()).error).to.equal('too_many_attempts');
  });

  it('refuses a missing or unknown token with 401 JSON and a wrong role with 403 JSON', async () => {
    const none = await get('/api/reports/summary');
    expect(none.status).to.equal(401);
    expect((await none.json()).error).to.equal('unauthorized');
    const unknown = await get('/api/auth/me', 'x'.repeat(43));
    expect(unknown.status).to.equal(401);

    const { token } = await login('agent1');
    const res = await get('/api/reports/summary', token);
    expect(res.status).to.equal(403);
    expect(await res.json()).to.deep.equal({ error: 'forbidden', message: 'This needs one of the roles: supervisor' });
  });

  it('logs out with 204, after which the token is refused with 401', async () => {
    const { token } = await login('lead1');
    expect((await get('/api/auth/me', token)).status).to.equal(200);
    const out = await post('/api/auth/logout', {}, { authorization: `Bearer ${token}` });
    expect(out.status).to.equal(204);
    const after = await get('/api/auth/me', token);
    expect(after.status).to.equal(401);
    expect((await after.json()).error).to.equal('unauthorized');
    expect((await post('/api/auth/logout', {})).status).to.equal(401);
  });

  it('answers malformed JSON and missing fields with 400 and a message', async () => {
    const broken = await post('/api/auth/login', '{"username": "agent1", ');
    expect(broken.status).to.equal(400);
    expect(await broken.json()).to.deep.equal({ error: 'invalid_json', message: 'The request body is not valid JSON' });

    const missing = await post('/api/auth/login', { username: 'agent1' });
    expect(missing.status).to.equal(400);
    const body = await missing.json();
    expect(body.error).to.equal('invalid');
    expect(body.message).to.equal('password: password is required');

    const noBody = await fetch(base + '/api/auth/login', { method: 'POST' });
    expect(noBody.status).to.equal(400);
    expect((await noBody.json()).message).to.include('username is required');
  });

  it('never logs the body parser\'s message, which quotes the body (a password) for malformed JSON', async () => {
    const broken = await post('/api/auth/login', '{"username": "agent1", "password": "Tr0ub4dor&3-secret" oops}');
    expect(broken.status).to.equal(400);
    expect(logged).to.have.length(1);
    expect(JSON.parse(logged[0])).to.include({ level: 'warn', message: 'api request refused', status: 400, type: 'entity.parse.failed' });
    for (const fragment of ['Tr0ub4dor', 'secret', 'oops', 'Unexpected']) expect(logged[0]).not.to.include(fragment);
  });

  it('answers sign-ins beyond the queue of password checks with 503 busy and Retry-After', async () => {
    const gate = new HashGate({ maxConcurrent: 1, maxQueued: 0 });
    const auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db), hashGate: gate, options: { passwordCost: TEST_PASSWORD_COST } });
    const app = express().use(express.json()).use(authRoutes({ auth }));
    app.use(apiErrorHandler(winston.createLogger({ silent: true })));
    const busyServer = http.createServer(app);
    await new Promise<void>((resolve) => busyServer.listen(0, '127.0.0.1', resolve));
    try {
      // One check holds the only slot; the next sign-in finds no room to wait.
      let release!: () => void;
      const held = gate.run(() => new Promise<void>((r) => (release = r)));
      const res = await fetch(`http://127.0.0.1:${(busyServer.address() as AddressInfo).port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'agent1', password: DEMO_PASSWORD }),
      });
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.equal('2');
      expect(await res.json()).to.deep.equal({ error: 'busy', message: 'The server is busy; try again in a moment' });
      release();
      await held;
    } finally {
      busyServer.closeAllConnections();
      await new Promise<void>((resolve) => busyServer.close(() => resolve()));
    }
  });

  it('keeps at most 5 WebSocket tickets per person (their oldest dropped) and refuses new ones at the global cap with 503', async () => {
    const ticket = async (token: string) => {
      const res = await fetch(base + '/api/auth/ws-ticket', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
    };
    const agent = (await login('agent1')).token;
    for (let i = 0; i < 7; i++) expect((await ticket(agent)).status).to.equal(200); // only 5 of these stay
    expect((await ticket((await login('supervisor1')).token)).status).to.equal(200);
    const refused = await ticket((await login('dispatcher1')).token);
    expect(refused).to.deep.include({ status: 503, retryAfter: '30' });
    expect(refused.body.error).to.equal('busy');
  });

  it('answers an unexpected failure with a 500 that reveals nothing', async () => {
    const res = await get('/api/boom');
    expect(res.status).to.equal(500);
    const text = await res.text();
    expect(JSON.parse(text)).to.deep.equal({ error: 'internal', message: 'Something went wrong; it has been logged' });
    expect(text).not.to.include('secret');
    expect(logged).to.have.length(1);
    expect(JSON.parse(logged[0])).to.include({ level: 'error', path: '/api/boom', err: 'secret internals at /srv/app.ts:42' });
  });
});
