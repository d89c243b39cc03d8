// Account lifecycle through the real wiring (createHotline): HTTP and WebSocket, TRUST_PROXY, tickets, revocation.
import { expect } from 'chai';
import { WebSocket } from 'ws';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { AuditRepo } from '../../src/audit/audit.repo';
import { CLOSE_SESSION_ENDED } from '../../src/realtime/realtime-server';

type Json = Record<string, any>;

describe('accounts through the running hotline (HTTP and WebSocket)', () => {
  let f: Fixture;
  afterEach(async () => f?.close());

  async function call(method: string, path: string, o: { token?: string; body?: unknown; forwardedFor?: string } = {}): Promise<{ status: number; body: Json }> {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.forwardedFor) headers['x-forwarded-for'] = o.forwardedFor;
    const res = await fetch(f.base + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  }

  async function login(username: string, password = DEMO_PASSWORD, forwardedFor?: string): Promise<Json> {
    const res = await call('POST', '/api/auth/login', { body: { username, password }, forwardedFor });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  /** Opens /ws with a ticket; resolves after `hello` with the socket, its messages and its close. */
  async function openSocket(token: string) {
    const t = await call('POST', '/api/auth/ws-ticket', { token });
    expect(t.status).to.equal(200);
    expect(Date.parse(t.body.expiresAt) - f.clock.now().getTime()).to.equal(30_000);
    const ws = new WebSocket(`${f.base.replace('http', 'ws')}/ws?ticket=${t.body.ticket}`);
    const messages: Json[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => ws.once('open', () => resolve()).once('error', reject));
    return { ws, messages, closed, ticket: t.body.ticket as string };
  }

  const until = async (check: () => boolean, what: string) => {
    const deadline = Date.now() + 2000;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('a guesser behind the load balancer cannot lock the user out: with TRUST_PROXY the client is X-Forwarded-For', async () => {
    f = await startHotline({ TRUST_PROXY: '127.0.0.1' });
    for (let i = 0; i < 5; i++) expect((await call('POST', '/api/auth/login', { body: { username: 'agent1', password: `guess-${i}` }, forwardedFor: '203.0.113.5' })).status).to.equal(401);
    const locked = await call('POST', '/api/auth/login', { body: { username: 'agent1', password: DEMO_PASSWORD }, forwardedFor: '203.0.113.5' });
    expect(locked.status).to.equal(429);
    // The real agent at another address still signs in (slowed down, not refused).
    const started = Date.now();
    const user = await login('agent1', DEMO_PASSWORD, '198.51.100.7');
    expect(user.staff.username).to.equal('agent1');
    expect(Date.now() - started).to.be.at.least(450);
  });

  it('with TRUST_PROXY=0 X-Forwarded-For is not believed: every request is the socket peer', async () => {
    f = await startHotline({ TRUST_PROXY: '0' });
    for (let i = 0; i < 5; i++) await call('POST', '/api/auth/login', { body: { username: 'agent1', password: `guess-${i}` }, forwardedFor: '203.0.113.5' });
    const spoofed = await call('POST', '/api/auth/login', { body: { username: 'agent1', password: DEMO_PASSWORD }, forwardedFor: '198.51.100.7' });
    expect(spoofed.status).to.equal(429);
  });

  it('an admin reset answers the old token with 401 and closes its socket with 4401; the audit has the forwarded address', async () => {
    f = await startHotline({ TRUST_PROXY: '1' });
    const admin = await login('admin1');
    const agent = await login('agent2');
    const socket = await openSocket(agent.token);
    await until(() => socket.messages.some((m) => m.type === 'hello'), 'hello');
    // A ticket is single use.
    const reused = new WebSocket(`${f.base.replace('http', 'ws')}/ws?ticket=${socket.ticket}`);
    const status = await new Promise<number>((resolve) => reused.once('unexpected-response', (_req, res) => resolve(res.statusCode!)));
    expect(status).to.equal(401);

    const reset = await call('POST', `/api/staff/${agent.staff.id}/password-reset`, { token: admin.token, body: {}, forwardedFor: '192.0.2.44' });
    expect(reset.status).to.equal(200);
    expect(await socket.closed).to.equal(CLOSE_SESSION_ENDED);
    expect((await call('GET', '/api/auth/me', { token: agent.token })).status).to.equal(401);
    const entry = new AuditRepo(f.hotline.db).list({ action: 'staff.password_reset' })[0];
    expect(entry).to.include({ actorId: admin.staff.id, subjectId: String(agent.staff.id), ip: '192.0.2.44' });

    const pending = await login('agent2', reset.body.temporaryPassword);
    expect(pending.mustChangePassword).to.equal(true);
    expect((await call('POST', '/api/auth/ws-ticket', { token: pending.token })).status).to.equal(403);
    const refused = new WebSocket(`${f.base.replace('http', 'ws')}/ws`, ['bearer', pending.token]);
    expect(await new Promise<number>((resolve) => refused.once('unexpected-response', (_req, res) => resolve(res.statusCode!)))).to.equal(403);
  });

  it('a role change closes the socket and the floor feed stops; ?token= is refused', async () => {
    f = await startHotline();
    const admin = await login('admin1');
    const dispatcher = await login('dispatcher1');
    const socket = await openSocket(dispatcher.token);
    f.hotline.events.publish({ type: 'CallQueued', callSid: 'CA1', queue: 'front-general', desk: 'front', priority: 5, at: new Date() });
    await until(() => socket.messages.some((m) => m.type === 'CallQueued'), 'the floor event');

    const changed = await call('PATCH', `/api/staff/${dispatcher.staff.id}`, { token: admin.token, body: { role: 'quality_controller' } });
    expect(changed.status).to.equal(200);
    expect(await socket.closed).to.equal(CLOSE_SESSION_ENDED);
    const received = socket.messages.length;
    f.hotline.events.publish({ type: 'CallQueued', callSid: 'CA2', queue: 'front-general', desk: 'front', priority: 5, at: new Date() });
    expect(socket.messages).to.have.length(received);
    expect((await call('GET', '/api/floor', { token: dispatcher.token })).status).to.equal(401);

    const inUrl = new WebSocket(`${f.base.replace('http', 'ws')}/ws?token=${admin.token}`);
    expect(await new Promise<number>((resolve) => inUrl.once('unexpected-response', (_req, res) => resolve(res.statusCode!)))).to.equal(400);
  });
});
