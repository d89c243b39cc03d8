// Startup reconciliation when the carrier died with the server (the embedded simulator): nothing the database thinks
// is live survives, agents are freed, and no stale waiting entry is offered to anyone as a ghost call.
import { expect } from 'chai';
import { startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { callSid, startHotline, type Fixture } from '../support/hotline-fixture';
import type { CarrierCall, CarrierReads } from '../../src/telephony/call-control';
import { eventually } from '../support/eventually';
import { planRepairs, type CarrierSnapshot, type DbSnapshot } from '../../src/acd/carrier-reconciliation';

describe('startup reconciliation with a carrier that has none of our calls (simulator mode restart)', () => {
  let f: SimFixture;
  beforeEach(async () => {
    f = await startHotlineWithSimulator({}, { acdTickMs: 10 });
  });
  afterEach(async () => {
    await f.close();
  });

  it('closes every call, abandons stale waiting entries, ends the stale conversation, frees the agents, and offers no ghost call', async () => {
    const h = f.hotline;
    // As the server starts after a crash: the ACD holds its offers until reconciled.
    h.dispatcher.hold();
    const now = f.clock.now();
    const ids = h.db.$client.prepare("select id, username from staff where username in ('agent1', 'agent2', 'agent3')").all() as { id: number; username: string }[];
    const id = (u: string) => ids.find((r) => r.username === u)!.id;
    const stale = callSid();
    const talked = callSid();
    const rang = callSid();
    for (const sid of [stale, talked, rang]) h.repos.calls.insert({ sid, direction: 'inbound', from: '+8615000000001', to: '+864008008888', status: 'in-progress', startedAt: now });
    h.repos.queue.enqueue({ callSid: stale, queue: 'front-general', desk: 'front', priority: 10, reason: null, status: 'waiting', enqueuedAt: now });
    h.repos.queue.enqueue({ callSid: rang, queue: 'front-general', desk: 'front', priority: 10, reason: null, status: 'waiting', enqueuedAt: now });
    h.repos.queue.enqueue({ callSid: talked, queue: 'front-general', desk: 'front', priority: 10, reason: null, status: 'bridged', enqueuedAt: now });
    // agent1 talks (on_call, interaction connected), agent2 rings (reserved, offered), agent3 is available.
    const sql = h.db.$client;
    sql.prepare("update agent_presence set state = 'on_call', last_heartbeat = ? where staff_id = ?").run(now.getTime(), id('agent1'));
    sql.prepare("update agent_presence set state = 'reserved', last_heartbeat = ? where staff_id = ?").run(now.getTime(), id('agent2'));
    sql.prepare("update agent_presence set state = 'available', idle_since = ?, last_heartbeat = ? where staff_id = ?").run(now.getTime(), now.getTime(), id('agent3'));
    sql.prepare("insert into interactions (call_sid, agent_id, status, conference, offered_at, answered_at) values (?, ?, 'connected', 'interaction-x', ?, ?)").run(talked, id('agent1'), now.getTime(), now.getTime());
    const rangEntry = h.repos.queue.forCall(rang)!;
    h.repos.queue.reserve(rangEntry.id, id('agent2'));
    h.acdRepos.interactions.offer({ callSid: rang, queueEntryId: rangEntry.id, agentId: id('agent2'), at: now });

    const report = await h.reconcile();
    expect(report?.repairs.map((r) => r.kind).sort()).to.include.members(['abandon-entry', 'close-call', 'end-interaction', 'withdraw-offer']);
    for (const sid of [stale, talked, rang]) expect(h.repos.calls.get(sid)!.endedAt, sid).to.be.an.instanceOf(Date);
    expect(h.repos.queue.forCall(stale)!.status).to.equal('abandoned');
    expect(h.repos.queue.forCall(rang)!.status).to.equal('abandoned');
    expect(h.acdRepos.interactions.forCall(talked)[0].status).to.equal('ended');
    expect(h.acdRepos.interactions.forCall(rang)[0].status).to.equal('withdrawn');
    expect(h.presence.get(id('agent1')).state).to.equal('wrap_up');
    expect(h.presence.get(id('agent2')).state).to.equal('available');

    // The ACD runs again and finds nothing to offer: no ghost call rings agent3 (or anyone).
    await new Promise((r) => setTimeout(r, 100));
    expect(h.presence.get(id('agent3')).state).to.equal('available');
    const live = sql.prepare("select count(*) as n from interactions where status in ('offered', 'connected')").get() as { n: number };
    expect(live.n).to.equal(0);
  });
});

describe('planRepairs (pure)', () => {
  const T = new Date('2026-11-23T03:00:00Z');
  const later = new Date('2026-11-23T03:05:00Z');
  const carrier = (o: Partial<CarrierSnapshot> = {}): CarrierSnapshot => ({ live: new Map(), gone: new Map(), queued: new Set(), conferences: new Map(), ...o });
  const db = (o: Partial<DbSnapshot> = {}): DbSnapshot => ({ openCalls: [], waiting: [], live: [], busyAgents: [], ...o });
  const live = (sid: string) => [sid, { sid, status: 'in-progress', endTime: null, durationSeconds: null }] as const;

  it('keeps a live waiting caller and a live conversation; touches nobody', () => {
    const r = planRepairs(
      db({
        openCalls: [{ sid: 'CAw', startedAt: T }, { sid: 'CAc', startedAt: T }, { sid: 'CAleg', startedAt: T }],
        waiting: [{ id: 1, callSid: 'CAw', reservedBy: null }],
        live: [{ id: 7, callSid: 'CAc', agentId: 3, status: 'connected', agentCallSid: 'CAleg', conference: 'interaction-7', queueEntryId: 2 }],
        busyAgents: [{ staffId: 3, state: 'on_call' }],
      }),
      carrier({ live: new Map([live('CAw'), live('CAc'), live('CAleg')]), queued: new Set(['CAw']), conferences: new Map([['interaction-7', new Set(['CAc', 'CAleg'])]]) }),
      later,
    );
    expect(r).to.deep.equal([]);
  });

  it('closes a call that ended while down with the carrier end time, and the conversation with its first leg to end', () => {
    const callerEnd = new Date('2026-11-23T03:01:00Z');
    const legEnd = new Date('2026-11-23T03:01:02Z');
    const r = planRepairs(
      db({
        openCalls: [{ sid: 'CAc', startedAt: T }],
        live: [{ id: 7, callSid: 'CAc', agentId: 3, status: 'connected', agentCallSid: 'CAleg', conference: 'interaction-7', queueEntryId: 2 }],
        busyAgents: [{ staffId: 3, state: 'on_call' }, { staffId: 9, state: 'reserved' }],
      }),
      carrier({
        gone: new Map([
          ['CAc', { sid: 'CAc', status: 'completed', endTime: callerEnd, durationSeconds: 60 }],
          ['CAleg', { sid: 'CAleg', status: 'completed', endTime: legEnd, durationSeconds: 50 }],
        ]),
      }),
      later,
    );
    expect(r).to.deep.equal([
      { kind: 'close-call', callSid: 'CAc', status: 'completed', endedAt: callerEnd, durationSeconds: 60 },
      { kind: 'end-interaction', interactionId: 7, agentId: 3, endedAt: callerEnd },
      { kind: 'free-agent', agentId: 9, event: 'withdrawn', at: later },
    ]);
  });

  it('puts a caller stuck in the queue after the answer back to waiting, and hangs up the agent leg', () => {
    const r = planRepairs(
      db({ live: [{ id: 8, callSid: 'CAq', agentId: 4, status: 'connected', agentCallSid: 'CAleg', conference: 'interaction-8', queueEntryId: 3 }] }),
      carrier({ live: new Map([live('CAq'), live('CAleg')]), queued: new Set(['CAq']) }),
      later,
    );
    expect(r).to.deep.equal([{ kind: 'requeue-caller', interactionId: 8, agentId: 4, callSid: 'CAq', hangupLeg: 'CAleg' }]);
  });
});

describe('startup reconciliation against a carrier that answers late or not at first', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  /** A carrier with `sids` up (in progress); `gate` lets a test act while its call list is being read. */
  function carrier(o: { sids?: string[]; queued?: string[]; failures?: number; gate?: Promise<void>; fetchFails?: boolean } = {}): CarrierReads & { reads: number } {
    let failures = o.failures ?? 0;
    const c = {
      reads: 0,
      async liveCalls(): Promise<CarrierCall[]> {
        c.reads++;
        if (failures > 0) {
          failures--;
          throw new Error('carrier unreachable: connect ECONNREFUSED');
        }
        await o.gate;
        return (o.sids ?? []).map((sid) => ({ sid, status: 'in-progress', startTime: null, endTime: null, durationSeconds: null }));
      },
      fetchCall: async () => {
        if (o.fetchFails) throw new Error('carrier unreachable: timeout');
        return undefined;
      },
      queueMembers: async () => (o.queued ?? []).map((callSid, i) => ({ queue: 'front-general', callSid, position: i + 1 })),
      liveConferences: async () => [],
    };
    return c;
  }

  const idOf = (h: Fixture['hotline'], username: string) => (h.db.$client.prepare('select id from staff where username = ?').get(username) as { id: number }).id;

  it('tries again until the carrier answers, then frees the agent left on a call that ended in the outage', async () => {
    const reads = carrier({ failures: 2 });
    f = await startHotline({}, { acdTickMs: 10, carrierReads: reads });
    const h = f.hotline;
    h.dispatcher.hold();
    const now = f.clock.now();
    const agent = idOf(h, 'agent1');
    const stale = callSid();
    h.repos.calls.insert({ sid: stale, direction: 'inbound', from: '+8615000000701', to: '+864008008888', status: 'in-progress', startedAt: now });
    h.db.$client.prepare("update agent_presence set state = 'on_call', last_heartbeat = ? where staff_id = ?").run(now.getTime(), agent);
    h.db.$client
      .prepare("insert into interactions (call_sid, agent_id, status, conference, offered_at, answered_at) values (?, ?, 'connected', 'interaction-r', ?, ?)")
      .run(stale, agent, now.getTime(), now.getTime());

    expect(await h.reconcile(20), 'the first attempt fails').to.equal(undefined);
    await eventually(() => {
      expect(reads.reads, 'tried three times').to.equal(3);
      expect(h.acdRepos.interactions.forCall(stale)[0].status).to.equal('ended');
      expect(h.presence.get(agent).state).to.equal('wrap_up');
      expect(h.repos.calls.get(stale)!.endedAt).to.be.an.instanceOf(Date);
    }, 3000);
  });

  it('leaves alone what a webhook changed while the carrier was read: an offer answered meanwhile stays connected', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const caller = callSid();
    // The carrier was read before the agent's answer reached it: the caller still in its queue, the agent leg not listed.
    f = await startHotline({}, { acdTickMs: 10, carrierReads: carrier({ sids: [caller], queued: [caller], gate }) });
    const h = f.hotline;
    h.dispatcher.hold();
    const now = f.clock.now();
    const agent = idOf(h, 'agent2');
    h.repos.calls.insert({ sid: caller, direction: 'inbound', from: '+8615000000702', to: '+864008008888', status: 'in-progress', startedAt: now });
    h.repos.queue.enqueue({ callSid: caller, queue: 'front-general', desk: 'front', priority: 10, reason: null, status: 'waiting', enqueuedAt: now });
    const entry = h.repos.queue.forCall(caller)!;
    h.repos.queue.reserve(entry.id, agent);
    h.db.$client.prepare("update agent_presence set state = 'reserved', last_heartbeat = ? where staff_id = ?").run(now.getTime(), agent);
    const ix = h.acdRepos.interactions.offer({ callSid: caller, queueEntryId: entry.id, agentId: agent, at: now });

    const running = h.reconcile();
    await new Promise((r) => setTimeout(r, 20));
    // The agent-answered webhook, while the carrier's list is on its way.
    const leg = callSid();
    h.db.$client.prepare("update interactions set status = 'connected', answered_at = ?, agent_call_sid = ? where id = ?").run(now.getTime(), leg, ix.id);
    h.db.$client.prepare("update queue_entries set status = 'bridged', ended_at = ? where id = ?").run(now.getTime(), entry.id);
    h.db.$client.prepare("update agent_presence set state = 'on_call' where staff_id = ?").run(agent);
    open();
    const report = await running;

    expect(report?.repairs, JSON.stringify(report?.repairs)).to.deep.equal([]);
    expect(h.acdRepos.interactions.get(ix.id)!.status).to.equal('connected');
    expect(h.presence.get(agent).state).to.equal('on_call');
    expect(h.repos.queue.forCall(caller)!.status).to.equal('bridged');
  });

  it('refuses a force-end with 503 when the carrier cannot say whether the call is up, and changes nothing', async () => {
    f = await startHotline({}, { carrierReads: carrier({ fetchFails: true }) });
    const h = f.hotline;
    const sql = h.db.$client;
    const now = f.clock.now();
    const sid = callSid();
    h.repos.calls.insert({ sid, direction: 'inbound', from: '+8615000000704', to: '+864008008888', status: 'in-progress', startedAt: now });
    const ix = sql
      .prepare("insert into interactions (call_sid, agent_id, status, conference, offered_at, answered_at) values (?, ?, 'connected', 'interaction-u', ?, ?) returning id")
      .get(sid, idOf(h, 'agent1'), now.getTime(), now.getTime()) as { id: number };
    const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'supervisor1', password: 'hotline-demo' }) });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${f.base}/api/interactions/${ix.id}/force-end`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ reason: 'stuck after the outage' }),
    });
    expect(res.status).to.equal(503);
    expect(res.headers.get('retry-after')).to.equal('10');
    expect(((await res.json()) as { message: string }).message).to.match(/could not be asked/);
    expect(h.acdRepos.interactions.get(ix.id)!.status).to.equal('connected');
    // Sign-ins are audited too (auth.*); besides them only the attempt, as failed (the carrier could not be asked).
    expect(sql.prepare("select action, outcome, reason from audit_log where action not like 'auth.%'").all()).to.deep.equal([{ action: 'interaction.force-end', outcome: 'failed', reason: 'stuck after the outage' }]);
  });

  it('does not take the server’s outage for the agents’ silence: nobody signed in is put offline by the first sweeps after a restart', async () => {
    const caller = callSid();
    const leg = callSid();
    f = await startHotline({}, { acdTickMs: 10, carrierReads: carrier({ sids: [caller, leg] }) });
    const h = f.hotline;
    // As after a kill -9 that lasted a minute: the last heartbeats are older than the 30 s heartbeat timeout.
    h.dispatcher.hold();
    const now = f.clock.now();
    const longAgo = now.getTime() - 60_000;
    const idle = idOf(h, 'agent1');
    const talking = idOf(h, 'agent3');
    const sql = h.db.$client;
    sql.prepare("update agent_presence set state = 'available', idle_since = ?, last_heartbeat = ? where staff_id = ?").run(longAgo, longAgo, idle);
    sql.prepare("update agent_presence set state = 'on_call', last_heartbeat = ? where staff_id = ?").run(longAgo, talking);
    h.repos.calls.insert({ sid: caller, direction: 'inbound', from: '+8615000000703', to: '+864008008888', status: 'in-progress', startedAt: now });
    sql
      .prepare("insert into interactions (call_sid, agent_id, status, conference, offered_at, answered_at, agent_call_sid) values (?, ?, 'connected', 'interaction-g', ?, ?, ?)")
      .run(caller, talking, now.getTime(), now.getTime(), leg);

    await new Promise((r) => setTimeout(r, 60));
    expect(h.presence.get(idle).state, 'no sweep judges anyone before reconciliation').to.equal('available');
    const report = await h.reconcile();
    expect(report?.kept.connected).to.equal(1);
    await new Promise((r) => setTimeout(r, 60));
    expect(h.presence.get(idle)).to.include({ state: 'available', nextState: null });
    expect(h.presence.get(talking), 'still on the call, and not due to go offline after it').to.include({ state: 'on_call', nextState: null });
  });
});

describe('the supervisor’s last resort: force an agent offline, end a call record with no live call (audited)', () => {
  let f: SimFixture;
  beforeEach(async () => {
    f = await startHotlineWithSimulator({}, { acdTickMs: 10 });
  });
  afterEach(async () => {
    await f.close();
  });

  async function api(method: string, p: string, token: string | undefined, body?: unknown) {
    const res = await fetch(f.base + p, {
      method,
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  }

  it('refuses to log out an agent on a connected call, ends the stale record, then logs the agent out; a live call cannot be force-ended', async () => {
    const h = f.hotline;
    const sql = h.db.$client;
    const token = (await api('POST', '/api/auth/login', undefined, { username: 'supervisor1', password: 'hotline-demo' })).body.token as string;
    const agent = (sql.prepare("select id from staff where username = 'agent1'").get() as { id: number }).id;
    const now = f.clock.now();
    const stale = callSid();
    h.repos.calls.insert({ sid: stale, direction: 'inbound', from: '+8615000000501', to: '+864008008888', status: 'in-progress', startedAt: now });
    sql.prepare("update agent_presence set state = 'on_call' where staff_id = ?").run(agent);
    const ix = sql.prepare("insert into interactions (call_sid, agent_id, status, conference, offered_at, answered_at) values (?, ?, 'connected', 'interaction-s', ?, ?) returning id").get(stale, agent, now.getTime(), now.getTime()) as { id: number };

    const refused = await api('POST', `/api/agents/${agent}/force-state`, token, { state: 'offline', reason: 'stuck after the outage' });
    expect(refused.status).to.equal(409);
    expect(refused.body.message).to.match(/force-end/);
    expect((await api('POST', `/api/interactions/${ix.id}/force-end`, token, {})).status, 'a reason is required').to.equal(400);

    const ended = await api('POST', `/api/interactions/${ix.id}/force-end`, token, { reason: 'stuck after the outage' });
    expect(ended.status, JSON.stringify(ended.body)).to.equal(200);
    expect(ended.body.status).to.equal('ended');
    expect(h.presence.get(agent).state).to.equal('wrap_up');
    expect(h.repos.calls.get(stale)!.endedAt).to.be.an.instanceOf(Date);

    const out = await api('POST', `/api/agents/${agent}/force-state`, token, { state: 'offline', reason: 'left without signing out' });
    expect(out.status).to.equal(200);
    expect(out.body).to.include({ state: 'offline', reason: 'left without signing out' });
    const audit = sql.prepare("select action, subject_id, reason, actor_id, outcome from audit_log where action not like 'auth.%' order by id").all() as Record<string, unknown>[];
    const supervisorId = (sql.prepare("select id from staff where username = 'supervisor1'").get() as { id: number }).id;
    // The refused attempt is written too (denied); the 400 for a missing reason never reached the service.
    expect(audit).to.deep.equal([
      { action: 'agent.force-state', subject_id: String(agent), reason: 'stuck after the outage', actor_id: supervisorId, outcome: 'denied' },
      { action: 'interaction.force-end', subject_id: String(ix.id), reason: 'stuck after the outage', actor_id: supervisorId, outcome: 'success' },
      { action: 'agent.force-state', subject_id: String(agent), reason: 'left without signing out', actor_id: supervisorId, outcome: 'success' },
    ]);

    // A call the carrier still has up is a live call, not a stale record: refused.
    const live = f.dial('+8615000000502', [{ wait: 900 }]);
    await eventually(() => expect(h.repos.calls.get(live.sid)).to.not.equal(undefined), 5000);
    const agent2 = (sql.prepare("select id from staff where username = 'agent2'").get() as { id: number }).id;
    const ix2 = sql.prepare("insert into interactions (call_sid, agent_id, status, conference, offered_at, answered_at) values (?, ?, 'connected', 'interaction-l', ?, ?) returning id").get(live.sid, agent2, now.getTime(), now.getTime()) as { id: number };
    const liveRefused = await api('POST', `/api/interactions/${ix2.id}/force-end`, token, { reason: 'trying' });
    expect(liveRefused.status).to.equal(409);
    expect(liveRefused.body.message).to.match(/still has/);
    live.hangup();
  });

  it('shows the audit trail to supervisors and admins (GET /api/audit): filters by action, subject and time, pages newest first', async () => {
    const h = f.hotline;
    const sql = h.db.$client;
    const login = async (username: string) => (await api('POST', '/api/auth/login', undefined, { username, password: 'hotline-demo' })).body.token as string;
    const supervisor = await login('supervisor1');
    const id = (u: string) => (sql.prepare('select id from staff where username = ?').get(u) as { id: number }).id;
    const t0 = f.clock.now().getTime();
    for (const [i, [u, reason]] of [['agent1', 'left without signing out'], ['agent2', 'headset broken'], ['agent1', 'second time today']].entries()) {
      f.clock.set(new Date(t0 + (i + 1) * 60_000).toISOString());
      expect((await api('POST', `/api/agents/${id(u)}/force-state`, supervisor, { state: 'offline', reason })).status).to.equal(200);
    }
    const get = async (q: string, token = supervisor) => {
      const res = await fetch(`${f.base}/api/audit${q}`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: res.status, cache: res.headers.get('cache-control'), body: (await res.json()) as Record<string, any> };
    };

    // The sign-ins above are in the trail too (auth.*): the force-state entries are read by their prefix.
    const all = await get('?actionPrefix=agent.');
    expect(all.status).to.equal(200);
    expect(all.cache).to.equal('no-store');
    expect(all.body.entries.map((e: { reason: string }) => e.reason)).to.deep.equal(['second time today', 'headset broken', 'left without signing out']);
    expect(all.body.entries[0]).to.include({ action: 'agent.force-state', subjectType: 'agent', subjectId: String(id('agent1')), actorId: id('supervisor1') });
    expect(all.body.entries[0].detail).to.include({ to: 'offline' });
    expect(all.body.entries[0].ip).to.be.a('string');
    expect(all.body.nextOffset).to.equal(null);

    const first = await get('?actionPrefix=agent.&limit=2');
    expect(first.body.entries).to.have.length(2);
    expect(first.body.nextOffset).to.equal(2);
    const second = await get('?actionPrefix=agent.&limit=2&offset=2');
    expect(second.body.entries.map((e: { reason: string }) => e.reason)).to.deep.equal(['left without signing out']);
    expect(second.body.nextOffset).to.equal(null);

    const agent1 = await get(`?action=agent.force-state&subjectType=agent&subjectId=${id('agent1')}`);
    expect(agent1.body.entries).to.have.length(2);
    const middle = all.body.entries[1].at as string;
    expect(middle).to.equal(new Date(t0 + 2 * 60_000).toISOString());
    const reasons = (r: { body: Record<string, any> }) => r.body.entries.map((e: { reason: string }) => e.reason);
    expect(reasons(await get(`?actionPrefix=agent.&from=${middle}`)), 'from is inclusive').to.deep.equal(['second time today', 'headset broken']);
    expect(reasons(await get(`?actionPrefix=agent.&to=${middle}`)), 'to is exclusive').to.deep.equal(['left without signing out']);
    expect((await get('?action=staff.password_reset')).body.entries).to.deep.equal([]);

    expect((await get('?from=yesterday')).status).to.equal(400);
    expect((await get('?limit=0')).status).to.equal(400);
    expect((await get('?color=red')).status, 'an unknown filter is refused, not ignored').to.equal(400);
    expect((await get('', await login('admin1'))).status).to.equal(200);
    expect((await get('', await login('dispatcher1'))).status).to.equal(403);
  });
});
