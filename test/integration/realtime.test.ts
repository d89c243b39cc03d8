import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { WebSocket, type ClientOptions } from 'ws';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { seedDemoData } from '../../src/db/seed/demo-data';
import { seedDemoStaff, DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { interactions, staff } from '../../src/db/schema/index';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService, tokenHash } from '../../src/auth/auth.service';
import { hashPassword } from '../../src/auth/password';
import { SessionRevocations } from '../../src/auth/session-revocations';
import { WsTickets } from '../../src/auth/ws-tickets';
import { AuditRepo } from '../../src/audit/audit.repo';
import { StaffAdminRepo } from '../../src/staff/staff-admin.repo';
import { StaffAdminService } from '../../src/staff/staff-admin.service';
import { TEST_PASSWORD_COST } from '../support/password-cost';
import { CallsRepo } from '../../src/calls/calls.repo';
import { QueueEntriesRepo } from '../../src/acd/queue-entries.repo';
import { ScreenPopRepo } from '../../src/acd/screen-pop.repo';
import { ScreenPopService } from '../../src/acd/screen-pop';
import { EventBus, type DomainEvent } from '../../src/events/domain-events';
import { RealtimeServer, CLOSE_SESSION_ENDED, type PresenceSink, type RealtimeOptions } from '../../src/realtime/realtime-server';
import type { ServerMessage } from '../../src/realtime/messages';
import { eventually } from '../support/eventually';

type Msg = ServerMessage & Record<string, unknown>;

/** A test client that queues every message so tests await them in order, with a deadline. */
class TestClient {
  private readonly inbox: Msg[] = [];
  private waiter?: () => void;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as Msg);
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** The next message; fails after `timeoutMs` if none arrives. */
  async next(timeoutMs = 1000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    return this.inbox.shift()!;
  }

  /** The next message, which must be of `type`. */
  async expect(type: string, timeoutMs?: number): Promise<Msg> {
    const m = await this.next(timeoutMs);
    expect(m.type, JSON.stringify(m)).to.equal(type);
    return m;
  }

  send(data: unknown): void {
    this.ws.send(typeof data === 'string' ? data : JSON.stringify(data));
  }

  async closeAndWait(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

class RecordingPresence implements PresenceSink {
  readonly heartbeats: number[] = [];
  readonly lost: number[] = [];
  heartbeat(agentId: number): void {
    this.heartbeats.push(agentId);
  }
  connectionLost(agentId: number): void {
    this.lost.push(agentId);
  }
}

const LI_NA = '+8613911112222';

describe('realtime WebSocket server (real ws on 127.0.0.1)', () => {
  let db: Db;
  let auth: AuthService;
  let tickets: WsTickets;
  let revocations: SessionRevocations;
  let staffAdmin: StaffAdminService;
  let events: EventBus;
  let presence: RecordingPresence;
  let server: http.Server;
  let realtime: RealtimeServer;
  let url: string;
  let ids: Record<string, number>;
  let tokens: Record<string, string>;
  const open: WebSocket[] = [];

  async function start(options: RealtimeOptions = {}) {
    events = new EventBus((err) => {
      throw err;
    });
    presence = new RecordingPresence();
    server = http.createServer((_req, res) => res.end('api'));
    realtime = new RealtimeServer({ auth, tickets, revocations, events, presence, screenPops: new ScreenPopService({ repo: new ScreenPopRepo(db) }), options });
    realtime.attach(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  before(async () => {
    // One database and one login per person for the whole suite: scrypt is slow on purpose.
    db = openDatabase(':memory:');
    seedDemoData(db);
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    tickets = new WsTickets();
    revocations = new SessionRevocations((err) => {
      throw err;
    });
    auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db), revocations, options: { passwordCost: TEST_PASSWORD_COST } });
    staffAdmin = new StaffAdminService({
      staff: new StaffAdminRepo(db),
      transact: transactor(db),
      events: new EventBus(),
      audit: new AuditRepo(db),
      revocations,
      hash: (p) => hashPassword(p, TEST_PASSWORD_COST),
    });
    ids = Object.fromEntries(db.select({ id: staff.id, username: staff.username }).from(staff).all().map((s) => [s.username, s.id]));
    tokens = {};
    for (const u of ['agent1', 'agent2', 'dispatcher1', 'supervisor1', 'lead1', 'qc1']) tokens[u] = (await auth.login(u, DEMO_PASSWORD, '127.0.0.1', new Date())).token;
    const calls = new CallsRepo(db);
    calls.insert({ sid: 'CA100', direction: 'inbound', from: LI_NA, to: '+864008008888', status: 'in-progress', startedAt: new Date() });
    new QueueEntriesRepo(db).enqueue({ callSid: 'CA100', queue: 'front-returns', desk: 'front', priority: 5, reason: 'returns', status: 'waiting', enqueuedAt: new Date() });
  });

  after(() => db.$client.close());

  beforeEach(() => start());

  afterEach(async () => {
    for (const ws of open.splice(0)) ws.terminate();
    await realtime.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Opens a socket; resolves with the client after `hello`, or rejects with the HTTP status of a refused upgrade. */
  function connect(o: { token?: string; via?: 'header' | 'protocol' | 'query' | 'ticket'; path?: string; options?: ClientOptions } = {}): Promise<TestClient> {
    const via = o.via ?? 'header';
    const query = o.token && via === 'query' ? `?token=${encodeURIComponent(o.token)}` : o.token && via === 'ticket' ? `?ticket=${encodeURIComponent(o.token)}` : '';
    const headers: Record<string, string> = o.token && via === 'header' ? { authorization: `Bearer ${o.token}` } : {};
    const protocols = o.token && via === 'protocol' ? ['bearer', o.token] : [];
    const ws = new WebSocket(`${url}${o.path ?? '/ws'}${query}`, protocols, { headers, ...o.options });
    open.push(ws);
    const client = new TestClient(ws);
    return new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
      });
      ws.once('error', reject);
      ws.once('open', () => resolve(client));
    });
  }

  async function connectAs(username: string, via?: 'header' | 'protocol' | 'query'): Promise<TestClient> {
    const c = await connect({ token: tokens[username], via });
    const hello = await c.expect('hello');
    expect(hello.staff).to.include({ id: ids[username], username });
    return c;
  }

  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => expect.fail('the upgrade was accepted'),
      (err: { status?: number; body?: string }) => err,
    );

  const at = new Date('2026-11-23T03:00:00.000Z');
  const marker = (agentId: number): DomainEvent => ({ type: 'AgentStateChanged', agentId, from: 'available', to: 'break', reason: 'marker', at });

  describe('authentication before the upgrade', () => {
    it('refuses a missing or unknown token with HTTP 401 and accepts no socket', async () => {
      const none = await refusal(connect());
      expect(none.status).to.equal(401);
      expect(JSON.parse(none.body!)).to.include({ error: 'unauthorized' });
      const bad = await refusal(connect({ token: 'x'.repeat(43) }));
      expect(bad.status).to.equal(401);
      const badProtocol = await refusal(connect({ token: 'nope', via: 'protocol' }));
      expect(badProtocol.status).to.equal(401);
      const badTicket = await refusal(connect({ token: 'nope', via: 'ticket' }));
      expect(badTicket.status).to.equal(401);
      expect(JSON.parse(badTicket.body!).message).to.match(/ticket is unknown, used or expired/);
      expect(realtime.connectedStaff()).to.deep.equal([]);
    });

    it('refuses a token in the URL (?token=) with 400, even a valid one, and says what to send instead', async () => {
      const inUrl = await refusal(connect({ token: tokens.supervisor1, via: 'query' }));
      expect(inUrl.status).to.equal(400);
      expect(JSON.parse(inUrl.body!)).to.deep.include({ error: 'bad_request' });
      expect(JSON.parse(inUrl.body!).message).to.match(/^Tokens are not accepted in URLs/);
      expect(realtime.connectedStaff()).to.deep.equal([]);
    });

    it('accepts a ticket once, and not after 30 s', async () => {
      const { ticket } = tickets.issue(tokens.supervisor1, ids.supervisor1, new Date());
      const c = await connect({ token: ticket, via: 'ticket' });
      expect((await c.expect('hello')).staff).to.include({ username: 'supervisor1' });
      expect((await refusal(connect({ token: ticket, via: 'ticket' }))).status).to.equal(401);
      const stale = tickets.issue(tokens.supervisor1, ids.supervisor1, new Date(Date.now() - 30_001));
      expect((await refusal(connect({ token: stale.ticket, via: 'ticket' }))).status).to.equal(401);
      expect(realtime.connectedStaff()).to.deep.equal([ids.supervisor1]);
    });

    it('accepts the token in the Authorization header, as `bearer, <token>` subprotocols (echoing bearer), or as a ticket', async () => {
      const byHeader = await connectAs('agent1', 'header');
      const byProtocol = await connectAs('dispatcher1', 'protocol');
      expect(byProtocol.ws.protocol).to.equal('bearer');
      const byTicket = await connect({ token: tickets.issue(tokens.supervisor1, ids.supervisor1, new Date()).ticket, via: 'ticket' });
      const hello = await byTicket.expect('hello');
      expect(hello).to.deep.equal({
        type: 'hello',
        staff: { id: ids.supervisor1, username: 'supervisor1', displayName: '黄蕾', role: 'supervisor' },
        channels: ['own', 'floor'],
        heartbeatSeconds: 10,
      });
      expect(byHeader.ws.readyState).to.equal(WebSocket.OPEN);
      expect(realtime.connectedStaff().sort()).to.deep.equal([ids.agent1, ids.dispatcher1, ids.supervisor1].sort());
    });

    it('answers another path with 404 when nothing else handles upgrades', async () => {
      const other = await refusal(connect({ token: tokens.agent1, path: '/elsewhere' }));
      expect(other.status).to.equal(404);
    });

    it('ends the socket (4401) at the next heartbeat once the session was revoked without an announcement', async () => {
      const { token } = await auth.login('lead1', DEMO_PASSWORD, '127.0.0.1', new Date());
      const c = await connect({ token });
      await c.expect('hello');
      new StaffRepo(db).revokeToken(tokenHash(token), new Date());
      c.send({ type: 'heartbeat' });
      expect((await c.expect('error')).message).to.match(/Sign in first/);
      expect((await c.closed).code).to.equal(CLOSE_SESSION_ENDED);
    });
  });

  describe('sessions that end', () => {
    let n = 0;
    /** A fresh account of its own, so ending its sessions leaves the suite's shared tokens alone. */
    async function freshAccount(role: 'dispatcher' | 'agent'): Promise<{ id: number; token: string }> {
      const username = `rt-${role}-${++n}`;
      const created = await staffAdmin.create({ username, displayName: username, role, password: 'fresh-password-1' });
      const { token } = await auth.login(username, 'fresh-password-1', '127.0.0.1', new Date());
      return { id: created.id, token };
    }

    it('a password reset revokes the old token (401 from then on) and closes every socket of that person at once with 4401', async () => {
      const me = await freshAccount('agent');
      const a = await connect({ token: me.token });
      const b = await connect({ token: me.token, via: 'protocol' });
      await a.expect('hello');
      await b.expect('hello');
      const bystander = await connectAs('agent2');
      await staffAdmin.resetPassword(me.id, undefined, { id: ids.admin1 });
      for (const c of [a, b]) {
        expect((await c.expect('error')).message).to.equal('Your session ended (password reset); sign in again');
        expect((await c.closed).code).to.equal(CLOSE_SESSION_ENDED);
      }
      expect(() => auth.authenticate(me.token, new Date())).to.throw(/Sign in first/);
      expect((await refusal(connect({ token: me.token }))).status).to.equal(401);
      bystander.send({ type: 'heartbeat' });
      await bystander.expect('heartbeat');
    });

    it('a deactivation and a password change close the sockets too; a logout closes only the sockets of that token', async () => {
      const one = await freshAccount('dispatcher');
      const s1 = await connect({ token: one.token });
      await s1.expect('hello');
      await staffAdmin.update(one.id, { active: false }, { id: ids.admin1 });
      expect((await s1.closed).code).to.equal(CLOSE_SESSION_ENDED);

      const two = await freshAccount('dispatcher');
      const second = await auth.login(`rt-dispatcher-${n}`, 'fresh-password-1', '127.0.0.1', new Date());
      const kept = await connect({ token: two.token });
      const dropped = await connect({ token: second.token });
      await kept.expect('hello');
      await dropped.expect('hello');
      auth.logout(second.token, new Date());
      expect((await dropped.closed).code).to.equal(CLOSE_SESSION_ENDED);
      kept.send({ type: 'heartbeat' });
      await kept.expect('heartbeat');
      await auth.changePassword({ id: two.id, username: `rt-dispatcher-${n}` }, 'fresh-password-1', 'another-password', '127.0.0.1', new Date());
      expect((await kept.closed).code).to.equal(CLOSE_SESSION_ENDED);
    });

    it('a dispatcher moved to another role stops receiving the floor feed at once', async () => {
      const watcher = await freshAccount('dispatcher');
      const c = await connect({ token: watcher.token });
      await c.expect('hello');
      events.publish(marker(ids.agent2));
      expect(await c.expect('AgentStateChanged')).to.include({ reason: 'marker' });
      await staffAdmin.update(watcher.id, { role: 'quality_controller' }, { id: ids.admin1 });
      expect((await c.expect('error')).message).to.equal('Your session ended (role changed); sign in again');
      expect((await c.closed).code).to.equal(CLOSE_SESSION_ENDED);
      await eventually(() => expect(realtime.connectedStaff()).not.to.include(watcher.id));
    });

    it('re-reads the role at each heartbeat, not keeping the one from connect time', async () => {
      const watcher = await freshAccount('dispatcher');
      const c = await connect({ token: watcher.token });
      await c.expect('hello');
      // A role written behind the service's back (no revocation): the next session check still picks it up.
      db.update(staff).set({ role: 'quality_controller' }).where(eq(staff.id, watcher.id)).run();
      c.send({ type: 'heartbeat' });
      await c.expect('heartbeat');
      events.publish(marker(ids.agent2));
      c.send({ type: 'heartbeat' });
      // Had the floor event been sent, it would arrive before this answer.
      await c.expect('heartbeat');
    });
  });

  describe('channels by role', () => {
    it('pops the screen of the offered agent only, with the customer; the floor sees the offer without customer data', async () => {
      const agent1 = await connectAs('agent1');
      const agent2 = await connectAs('agent2');
      const dispatcher = await connectAs('dispatcher1');
      const qc = await connectAs('qc1');

      events.publish({ type: 'CallOffered', interactionId: 7, callSid: 'CA100', agentId: ids.agent1, queue: 'front-returns', at });

      const pop = await agent1.expect('screenPop');
      expect(pop).to.include({ interactionId: 7, callSid: 'CA100', queue: 'front-returns', callerNumber: LI_NA });
      expect(pop.customer).to.include({ name: '李娜', accountNumber: 'YT00000002', tier: 'returning' });
      expect((pop.openRmas as { number: string }[]).map((r) => r.number)).to.deep.equal(['RMA20261101']);
      expect((pop.recentOrders as { number: string; placedAt: string }[])[0]).to.include({ number: 'YT202611100002' });
      expect((pop.recentOrders as { placedAt: string }[])[0].placedAt).to.match(/^\d{4}-\d\d-\d\dT.*Z$/);
      expect(pop.queueEntry).to.include({ queue: 'front-returns', reason: 'returns' });

      const offered = await dispatcher.expect('CallOffered');
      expect(offered).to.deep.equal({ type: 'CallOffered', interactionId: 7, callSid: 'CA100', agentId: ids.agent1, queue: 'front-returns', at: at.toISOString() });

      // Messages arrive in order: if agent2 or qc had been sent anything, it would come before these markers.
      events.publish(marker(ids.agent2));
      expect(await agent2.expect('AgentStateChanged')).to.include({ agentId: ids.agent2, reason: 'marker' });
      expect(realtime.sendTo(ids.qc1, { type: 'notice', text: 'marker' })).to.equal(1);
      expect(await qc.next()).to.deep.equal({ type: 'notice', text: 'marker' });
    });

    it('sends the floor feed to dispatcher, team lead and supervisor; an agent gets only its own state', async () => {
      const agent1 = await connectAs('agent1');
      const lead = await connectAs('lead1');
      const supervisor = await connectAs('supervisor1');

      const floor: DomainEvent[] = [
        { type: 'CallQueued', callSid: 'CA100', queue: 'front-returns', desk: 'front', priority: 5, at },
        { type: 'AgentStateChanged', agentId: ids.agent2, from: 'offline', to: 'available', reason: null, at },
        { type: 'AgentDesksChanged', agentId: ids.agent2, desks: [{ desk: 'back', skill: 3 }], at },
        { type: 'CallAbandoned', callSid: 'CA100', queue: 'front-returns', waitSeconds: 42, at },
        { type: 'CallbackRequested', callbackId: 3, desk: 'front', source: 'queue', at },
      ];
      for (const e of floor) events.publish(e);
      events.publish({ type: 'WorkOrderUpdated', workOrderId: 1, number: 'WO-1', status: 'open', agentId: ids.agent2, at });
      events.publish({ type: 'AgentStateChanged', agentId: ids.agent1, from: 'available', to: 'on_call', reason: null, at });

      const wire = (e: DomainEvent) => JSON.parse(JSON.stringify(e));
      for (const watcher of [lead, supervisor]) {
        for (const e of floor) expect(await watcher.next()).to.deep.equal(wire(e));
        expect(await watcher.next()).to.deep.include({ type: 'AgentStateChanged', agentId: ids.agent1, to: 'on_call' });
      }
      // The agent's first message is its own state change: nothing about the queue or other agents came before it.
      expect(await agent1.next()).to.deep.equal({ type: 'AgentStateChanged', agentId: ids.agent1, from: 'available', to: 'on_call', reason: null, at: at.toISOString() });
    });

    it('re-sends the pop of a call still ringing when the agent reconnects', async () => {
      const { id } = db.insert(interactions).values({ callSid: 'CA100', agentId: ids.agent2, status: 'offered', conference: 'interaction-x', offeredAt: at }).returning().get();
      try {
        const agent2 = await connectAs('agent2');
        const pop = await agent2.expect('screenPop');
        expect(pop).to.include({ interactionId: id, callSid: 'CA100', queue: 'front-returns' });
        expect(pop.customer).to.include({ name: '李娜' });
      } finally {
        db.update(interactions).set({ status: 'ended', endedAt: at }).where(eq(interactions.id, id)).run();
      }
    });

    it('pushes with sendTo to every socket of one staff member', async () => {
      const a = await connectAs('agent1');
      const b = await connectAs('agent1');
      expect(realtime.sendTo(ids.agent1, { type: 'workOrderAssigned', number: 'WO-9', at })).to.equal(2);
      for (const c of [a, b]) expect(await c.next()).to.deep.equal({ type: 'workOrderAssigned', number: 'WO-9', at: at.toISOString() });
      expect(realtime.sendTo(ids.agent2, { type: 'nobody' })).to.equal(0);
    });
  });

  describe('heartbeats and presence', () => {
    it("records an agent's heartbeats (message and ws ping) and answers them; other roles touch no presence", async () => {
      const agent = await connectAs('agent1');
      expect(presence.heartbeats).to.deep.equal([ids.agent1]); // connecting counts as a sign of life
      agent.send({ type: 'heartbeat' });
      const beat = await agent.expect('heartbeat');
      expect(Date.parse(beat.at as string)).to.be.closeTo(Date.now(), 5000);
      expect(presence.heartbeats).to.deep.equal([ids.agent1, ids.agent1]);

      await new Promise<void>((resolve) => {
        agent.ws.once('pong', () => resolve());
        agent.ws.ping();
      });
      expect(presence.heartbeats).to.deep.equal([ids.agent1, ids.agent1, ids.agent1]);

      const sup = await connectAs('supervisor1');
      sup.send({ type: 'heartbeat' });
      await sup.expect('heartbeat');
      expect(presence.heartbeats).to.deep.equal([ids.agent1, ids.agent1, ids.agent1]);
    });

    it("reports connectionLost only when an agent's last socket closes", async () => {
      const a = await connectAs('agent1');
      const b = await connectAs('agent1');
      const sup = await connectAs('supervisor1');
      await a.closeAndWait();
      // b still works, so the close of a has been handled by now.
      b.send({ type: 'heartbeat' });
      await b.expect('heartbeat');
      expect(presence.lost).to.deep.equal([]);
      await b.closeAndWait();
      await sup.closeAndWait();
      await eventually(() => expect(realtime.connectedStaff()).to.deep.equal([]));
      expect(presence.lost).to.deep.equal([ids.agent1]);
    });

    it('drops a socket that stops answering pings, and the agent counts as lost', async () => {
      await realtime.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await start({ pingIntervalMs: 50 });
      const c = await connect({ token: tokens.agent2, options: { autoPong: false } });
      await c.expect('hello');
      const closed = await c.closed;
      expect(closed.code).to.equal(1006);
      await eventually(() => expect(presence.lost).to.deep.equal([ids.agent2]));
    });
  });

  describe('bad input and shutdown', () => {
    it('answers bad messages with an error and keeps the socket', async () => {
      const c = await connectAs('dispatcher1');
      c.send('not json {');
      expect((await c.expect('error')).message).to.match(/JSON/);
      c.send({ type: 'dance' });
      expect((await c.expect('error')).message).to.match(/Unknown message type "dance"/);
      c.send({ kind: 'heartbeat' });
      expect((await c.expect('error')).message).to.match(/"type"/);
      c.send('[1,2]');
      expect((await c.expect('error')).message).to.match(/JSON objects/);
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      expect((await c.expect('error')).message).to.match(/Binary/);
      c.send({ type: 'heartbeat' });
      await c.expect('heartbeat');
    });

    it('closes every socket with 1001 on close(), without marking agents lost, and stops taking events', async () => {
      const agent = await connectAs('agent1');
      const sup = await connectAs('supervisor1');
      await realtime.close();
      expect((await agent.closed).code).to.equal(1001);
      expect((await sup.closed).code).to.equal(1001);
      expect(presence.lost).to.deep.equal([]);
      expect(() => events.publish(marker(ids.agent1))).not.to.throw();
      expect(realtime.sendTo(ids.agent1, { type: 'late' })).to.equal(0);
    });
  });
});
