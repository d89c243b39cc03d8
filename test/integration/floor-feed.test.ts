// The floor feed over real WebSockets: snapshots on connect and on request, team leads scoped to their team,
// alerts raised and cleared once to the right people, the alerts API, and a slow client dropped to a fresh snapshot.
import { expect } from 'chai';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { FloorWatcher } from '../support/floor-watcher';
import { eventually } from '../support/eventually';
import { HotlineMetrics } from '../../src/metrics/hotline-metrics';

/** One series' value in a registry (its first sample). */
async function metric(m: HotlineMetrics, name: string): Promise<number | undefined> {
  return (await m.registry.getMetricsAsJSON()).find((x) => x.name === name)?.values[0]?.value;
}

async function login(f: Fixture, username: string): Promise<{ token: string; id: number }> {
  const res = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: 'hotline-demo' }) });
  const body = (await res.json()) as { token: string; staff: { id: number } };
  return { token: body.token, id: body.staff.id };
}

async function call(f: Fixture, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(f.base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

describe('floor feed over WebSockets (real server, SQLite, ws)', function () {
  this.timeout(60000);
  let f: Fixture;
  let metrics: HotlineMetrics;
  const open: FloorWatcher[] = [];
  const watch = async (username: string) => {
    const w = await FloorWatcher.connect(f.base, username);
    open.push(w);
    return w;
  };

  beforeEach(async () => {
    metrics = new HotlineMetrics({ process: 'web' });
    f = await startHotline({}, { metrics, floor: { minIntervalMs: 20, refreshMs: 50 }, realtime: { floorBufferBytes: 64 << 10, drainCheckMs: 20, snapshotRequestMs: 200 } });
  });
  afterEach(async () => {
    for (const w of open.splice(0)) w.close();
    await f.close();
    metrics.close();
  });

  it('sends a floor watcher the whole floor on connect and on request; an agent asking is refused', async () => {
    const d = await watch('dispatcher1');
    await d.until((w) => expect(w.snapshots).to.equal(1));
    const snap = d.messages.find((m) => m.type === 'floorSnapshot')!;
    expect(snap).to.include.keys('queues', 'desks', 'roster', 'alerts', 'agents', 'at', 'seq');
    expect([...d.queues.keys()]).to.include.members(['front-vip', 'front-complaints', 'front-returns', 'front-general']);
    const q = d.queue('front-general');
    expect(q).to.include({ waiting: 0, longestWaitSeconds: 0, callbacksDue: 0 });
    expect(q.today).to.include({ offered: 0, serviceLevel: null });
    // At most one snapshot per snapshotRequestMs (200 ms here): asking again at once is refused, later served.
    d.send({ type: 'floorSnapshot' });
    await d.until((w) => expect(w.messages.at(-1)).to.include({ type: 'error', message: 'At most one floorSnapshot every 200 ms; the floorUpdates that follow a snapshot keep it current' }));
    await new Promise((r) => setTimeout(r, 250));
    d.send({ type: 'floorSnapshot' });
    await d.until((w) => expect(w.snapshots).to.equal(2));

    const agent = await watch('agent1');
    agent.send({ type: 'floorSnapshot' });
    const err = await agent.until((w) => {
      const m = w.messages.find((x) => x.type === 'error');
      expect(m).to.not.equal(undefined);
      return m!;
    });
    expect(err.message).to.match(/dispatchers, team leads and supervisors/);
    expect(agent.snapshots).to.equal(0);
  });

  it("shows a team lead their own team's agents and events only, and every queue", async () => {
    const dispatcher = await watch('dispatcher1');
    const lead1 = await watch('lead1'); // 前台一组: agent1-4
    const lead2 = await watch('lead2'); // 中后台组: agent5, agent6
    for (const w of [dispatcher, lead1, lead2]) await w.until((x) => expect(x.snapshots).to.equal(1));
    const agent1 = await login(f, 'agent1');
    const agent5 = await login(f, 'agent5');
    expect((await call(f, 'PUT', '/api/agents/me/state', agent1.token, { state: 'available' })).status).to.equal(200);
    expect((await call(f, 'PUT', '/api/agents/me/state', agent5.token, { state: 'available' })).status).to.equal(200);

    await dispatcher.until((w) => expect([...w.roster.keys()]).to.include.members([agent1.id, agent5.id]));
    await lead1.until((w) => expect(w.roster.get(agent1.id)?.state).to.equal('available'));
    await lead2.until((w) => expect(w.roster.get(agent5.id)?.state).to.equal('available'));
    expect(lead1.roster.has(agent5.id)).to.equal(false);
    expect(lead2.roster.has(agent1.id)).to.equal(false);
    // The raw events too: a lead hears of their own team's agents only.
    const stateEvents = (w: FloorWatcher) => w.messages.filter((m) => m.type === 'AgentStateChanged').map((m) => m.agentId);
    expect(stateEvents(dispatcher)).to.include.members([agent1.id, agent5.id]);
    expect(stateEvents(lead1)).to.deep.equal([agent1.id]);
    expect(stateEvents(lead2)).to.deep.equal([agent5.id]);
    expect([...lead1.queues.keys()]).to.deep.equal([...dispatcher.queues.keys()]);

    // GET /api/floor is scoped the same way, and the desks count everyone.
    const lead1Floor = await call(f, 'GET', '/api/floor', lead1.token);
    expect(lead1Floor.status).to.equal(200);
    expect(lead1Floor.body.roster.map((a: { id: number }) => a.id)).to.deep.equal([agent1.id]);
    expect(lead1Floor.body.desks.find((d: { desk: string }) => d.desk === 'front')).to.include({ available: 2, staffed: 2 });
    expect(lead1Floor.body.roster[0]).to.include({ username: 'agent1', state: 'available', call: null });

    // Signing out takes the agent off the board of those who saw them.
    expect((await call(f, 'PUT', '/api/agents/me/state', agent5.token, { state: 'offline' })).status).to.equal(200);
    await lead2.until((w) => expect(w.roster.has(agent5.id)).to.equal(false));
    await dispatcher.until((w) => expect(w.roster.has(agent5.id)).to.equal(false));
    const gone = (w: FloorWatcher) => w.messages.filter((m) => m.type === 'floorUpdate').flatMap((m) => m.rosterGone as number[]);
    expect(gone(lead1)).to.deep.equal([]);
  });

  it('raises an agent alert once to dispatchers, supervisors and that team lead, clears it once, and keeps its history', async () => {
    const supervisor = await login(f, 'supervisor1');
    const dispatcher = await watch('dispatcher1');
    const sup = await watch('supervisor1');
    const lead1 = await watch('lead1');
    const lead2 = await watch('lead2');
    for (const w of [dispatcher, sup, lead1, lead2]) await w.until((x) => expect(x.snapshots).to.equal(1));

    // Thresholds: bad ones are refused with the reason, good ones stored (and audited).
    const bad = await call(f, 'PUT', '/api/alerts/settings', supervisor.token, { break_too_long: { raiseAt: 60, clearAt: 90 } });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.match(/clearAt: must be at or below raiseAt/);
    expect((await call(f, 'PUT', '/api/alerts/settings', supervisor.token, { nonsense: {} })).status).to.equal(400);
    const lead = await login(f, 'lead1');
    expect((await call(f, 'PUT', '/api/alerts/settings', lead.token, { break_too_long: { raiseAt: 60 } })).status).to.equal(403);
    const ok = await call(f, 'PUT', '/api/alerts/settings', supervisor.token, { break_too_long: { raiseAt: 60, clearAt: 60, holdSeconds: 0 } });
    expect(ok.status).to.equal(200);
    expect(ok.body.settings.break_too_long).to.include({ raiseAt: 60, clearAt: 60, holdSeconds: 0, enabled: true });
    expect((await call(f, 'GET', '/api/alerts/settings', lead.token)).body.settings.break_too_long.raiseAt).to.equal(60);
    const audit = await call(f, 'GET', '/api/audit?action=alert_settings.changed', supervisor.token);
    expect(audit.body.entries.map((e: { subjectId: string; actorId: number }) => [e.subjectId, e.actorId])).to.deep.equal([['break_too_long', supervisor.id]]);

    // agent5 (lead2's team) goes on a break at 11:00 and is still on it at 11:02.
    const agent5 = await login(f, 'agent5');
    expect((await call(f, 'PUT', '/api/agents/me/state', agent5.token, { state: 'break', reason: 'lunch' })).status).to.equal(200);
    f.clock.set('2026-11-23T03:02:00Z');
    // (Only the break alerts here: the desks' agents_available alerts have their own hold time and come later.)
    const breaks = <T extends { kind: string }>(alerts: T[]) => alerts.filter((a) => a.kind === 'break_too_long');
    await dispatcher.until((w) => expect(breaks(w.raised).map((a) => a.kind)).to.deep.equal(['break_too_long']));
    const alert = breaks(dispatcher.raised)[0];
    expect(alert).to.include({ subject: `agent:${agent5.id}`, agentId: agent5.id });
    expect(alert.message).to.match(/刘洋: on break for 120 s \(over 60 s\)/);
    await sup.until((w) => expect(breaks(w.raised).map((a) => a.id)).to.deep.equal([alert.id]));
    await lead2.until((w) => expect(w.raised.map((a) => a.id)).to.deep.equal([alert.id]));
    // Active alerts are in a new snapshot and in GET /api/alerts, scoped like the feed.
    const late = await watch('dispatcher1');
    await late.until((w) => expect(breaks([...w.alerts.values()]).map((a) => a.id)).to.deep.equal([alert.id]));
    expect((await call(f, 'GET', '/api/alerts', lead.token)).body.active).to.deep.equal([]);
    expect((await call(f, 'GET', '/api/alerts', lead2.token)).body.active.map((a: { id: number }) => a.id)).to.deep.equal([alert.id]);

    // More time on the break raises nothing more; the end of the break clears it once.
    f.clock.set('2026-11-23T03:05:00Z');
    await new Promise((r) => setTimeout(r, 200));
    expect((await call(f, 'PUT', '/api/agents/me/state', agent5.token, { state: 'available' })).status).to.equal(200);
    await dispatcher.until((w) => expect(breaks(w.cleared).map((a) => a.id)).to.deep.equal([alert.id]));
    await lead2.until((w) => expect(w.cleared.map((a) => a.id)).to.deep.equal([alert.id]));
    await new Promise((r) => setTimeout(r, 200));
    for (const w of [dispatcher, sup, lead2]) expect([breaks(w.raised).length, breaks(w.cleared).length]).to.deep.equal([1, 1]);
    // A team lead gets their team's agent alerts, never the desks' or queues'.
    expect(lead2.raised.every((a) => a.agentId === agent5.id)).to.equal(true);
    expect([lead1.raised.length, lead1.cleared.length]).to.deep.equal([0, 0]);
    const history = await call(f, 'GET', '/api/alerts?from=2026-11-23T00:00:00Z', supervisor.token);
    expect(breaks(history.body.active)).to.deep.equal([]);
    expect(breaks(history.body.history)).to.have.length(1);
    expect(breaks(history.body.history)[0]).to.include({ id: alert.id, kind: 'break_too_long', clearedAt: '2026-11-23T03:05:00.000Z' });
    expect((await call(f, 'GET', '/api/alerts?from=yesterday', supervisor.token)).status).to.equal(400);
  });

  it('drops a client that stops reading to a fresh snapshot once it drains, never holding up the others or queueing its messages', async () => {
    const fast = await watch('dispatcher1');
    const slow = await watch('supervisor1');
    for (const w of [fast, slow]) await w.until((x) => expect(x.snapshots).to.equal(1));
    // The slow client stops reading its socket: the kernel's buffers fill, then the server's.
    slow.ws.pause();
    const N = 5000;
    const padding = 'x'.repeat(4000);
    // Published 20 at a time (80 kB, what loopback's buffers take at once), each batch once the fast client has read
    // the previous one: it keeps up however busy the machine, while the slow one reads nothing.
    const leftQueue = () => fast.messages.filter((m) => m.type === 'CallLeftQueue').length;
    for (let i = 0; i < N; i++) {
      f.hotline.events.publish({ type: 'CallLeftQueue', callSid: `CA${i}-${padding}`, queue: 'front-general', waitSeconds: 1, outcome: 'callback', at: f.clock.now() });
      if (i % 20 === 19) await fast.until(() => expect(leftQueue()).to.equal(i + 1), 10000);
    }
    // ~20 MB went out to the fast client, which got every message; the server held at most its bound for the slow one.
    expect(leftQueue()).to.equal(N);
    const stats = f.hotline.realtime.floorDelivery();
    expect(stats.fellBehind).to.equal(1);
    expect(stats.staleNow).to.equal(1);
    expect(stats.discarded).to.be.greaterThan(N / 2);
    expect(f.hotline.realtime.bufferedBytes()).to.be.below((64 << 10) + 3 * 4200);
    // What Prometheus sees meanwhile: one watcher behind, the messages it missed; nobody closed.
    expect(await metric(metrics, 'hotline_websocket_floor_watchers_behind')).to.equal(1);
    expect(await metric(metrics, 'hotline_websocket_floor_fell_behind_total')).to.equal(1);
    expect(await metric(metrics, 'hotline_websocket_floor_messages_discarded_total')).to.equal(stats.discarded);
    expect(await metric(metrics, 'hotline_websocket_slow_clients_dropped_total')).to.equal(0);
    expect(await metric(metrics, 'hotline_websocket_clients')).to.equal(2);

    slow.ws.resume();
    await slow.until((w) => expect(w.snapshots).to.equal(2), 20000);
    const got = slow.messages.filter((m) => m.type === 'CallLeftQueue').length;
    expect(got).to.be.below(N);
    // The fresh snapshot came after everything the slow client had been sent before it fell behind.
    const lastSnapshot = slow.messages.map((m) => m.type).lastIndexOf('floorSnapshot');
    expect(slow.messages.slice(lastSnapshot + 1).filter((m) => m.type === 'CallLeftQueue')).to.deep.equal([]);
    await eventually(() => expect(f.hotline.realtime.floorDelivery()).to.include({ resynced: 1, staleNow: 0 }));
    expect(await metric(metrics, 'hotline_websocket_floor_resyncs_total')).to.equal(1);
    expect(await metric(metrics, 'hotline_websocket_floor_watchers_behind')).to.equal(0);
    // Caught up, it follows the feed again.
    f.hotline.events.publish({ type: 'CallLeftQueue', callSid: 'CA-after', queue: 'front-general', waitSeconds: 1, outcome: 'callback', at: f.clock.now() });
    await slow.until((w) => expect(w.messages.at(-1)).to.include({ type: 'CallLeftQueue', callSid: 'CA-after' }));
  });
});
