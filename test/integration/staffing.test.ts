// The staffing report over HTTP on a hand-computed fixture, and the estimated wait spoken in the queue coming from
// the same Erlang C model (signed webhooks, real SQLite).
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { eq, inArray } from 'drizzle-orm';
import { agentPresence, agentStateLog, calls, interactions, queueEntries, staff } from '../../src/db/schema/index';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { averageSpeedOfAnswer } from '../../src/staffing/erlang-c';
import { startHotline, type Fixture } from '../support/hotline-fixture';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000);
let sids = 0;
const sid = () => `CA${String(++sids).padStart(32, '0')}`;

function addCall(f: Fixture, enqueuedAt: Date, o: { queue?: string; status?: 'waiting' | 'bridged' | 'abandoned'; reservedBy?: number | null; handle?: { agentId: number; ringSeconds: number; talkSeconds: number } } = {}): string {
  const db = f.hotline.db;
  const callSid = sid();
  db.insert(calls).values({ sid: callSid, direction: 'inbound', from: '+8613700001111', to: '+864008008888', status: 'in-progress', startedAt: enqueuedAt, language: 'zh' }).run();
  const queue = o.queue ?? 'front-general';
  const status = o.status ?? (o.handle ? 'bridged' : 'waiting');
  const answeredAt = o.handle ? at(enqueuedAt.toISOString(), 20 + o.handle.ringSeconds) : undefined;
  const entry = db
    .insert(queueEntries)
    .values({ callSid, queue, desk: 'front', priority: 10, status, enqueuedAt, endedAt: answeredAt ?? null, reservedBy: o.reservedBy ?? null })
    .returning()
    .get();
  if (o.handle) {
    db.insert(interactions)
      .values({
        callSid,
        queueEntryId: entry.id,
        agentId: o.handle.agentId,
        status: 'ended',
        conference: `fixture-${entry.id}`,
        offeredAt: at(enqueuedAt.toISOString(), 20),
        answeredAt,
        endedAt: at(answeredAt!.toISOString(), o.handle.talkSeconds),
      })
      .run();
  }
  return callSid;
}

const idOf = (f: Fixture, username: string) => f.hotline.db.select({ id: staff.id }).from(staff).where(eq(staff.username, username)).get()!.id;

async function get(f: Fixture, path: string, token: string, accept = 'application/json') {
  const res = await fetch(f.base + path, { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function login(f: Fixture, username: string): Promise<string> {
  const res = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  expect(res.status, `login ${username}`).to.equal(200);
  return ((await res.json()) as { token: string }).token;
}

describe('staffing: the report and the estimated wait', () => {
  describe('GET /api/reports/staffing on a fixture half hour (front-general: 15 s threshold, 30 s wrap-up; 80% target)', () => {
    let f: Fixture;
    let supervisor: string;
    const T0 = '2026-11-23T01:00:00Z';

    before(async () => {
      // The floor's board would ask (and cache) the same desk figures before this test has written its rows.
      f = await startHotline({}, { floor: { estimateWait: () => undefined } });
      supervisor = await login(f, 'supervisor1');
      const [a1, a2, a3] = ['agent1', 'agent2', 'agent3'].map((u) => idOf(f, u));
      // 01:00-01:15: 20 callers, one every 40 s; 16 talked 120 s (answered in the interval), 4 hung up.
      for (let i = 0; i < 20; i++) {
        addCall(f, at(T0, i * 40), i < 16 ? { handle: { agentId: [a1, a2, a3][i % 3], ringSeconds: 2, talkSeconds: 120 } } : { status: 'abandoned' });
      }
      // 01:15-01:30: 2 front-general callers hang up before anyone answers; 3 front-returns callers too (a queue with no
      // call handled in the whole range).
      for (const i of [0, 1]) addCall(f, at(T0, 1200 + i * 60), { status: 'abandoned' });
      for (const i of [0, 1, 2]) addCall(f, at(T0, 1200 + i * 60), { queue: 'front-returns', status: 'abandoned' });
      // Agents: agent1 available since before the range; agent2 signs in half-way through the first interval; agent3
      // was available since before and goes on a break at 01:15. The other front-desk agents stay offline, unlogged.
      f.hotline.db
        .insert(agentStateLog)
        .values([
          { staffId: a1, from: 'offline', to: 'available', at: at(T0, -600) },
          { staffId: a3, from: 'offline', to: 'available', at: at(T0, -3600) },
          { staffId: a2, from: 'offline', to: 'available', at: at(T0, 450) },
          { staffId: a3, from: 'available', to: 'break', at: at(T0, 900) },
        ])
        .run();
    });
    after(() => f.close());

    it('counts the offered calls, their handling time, the agents staffed and needed, per 15 minutes', async () => {
      const res = await get(f, `/api/reports/staffing?from=${T0}&to=2026-11-23T01:30:00Z&queue=front-general`, supervisor);
      expect(res.status, res.text).to.equal(200);
      const report = JSON.parse(res.text) as { rows: Record<string, unknown>[]; serviceLevelTarget: number; intervalMinutes: number };
      expect(report).to.include({ serviceLevelTarget: 0.8, intervalMinutes: 15 });
      const queueRows = report.rows.filter((r) => r.scope === 'queue');
      expect(queueRows).to.have.length(2);
      // By hand: AHT = 120 s talk + 30 s wrap-up = 150 s; A = 20 × 150 / 900 = 3.333 Erlangs. With 5 agents
      // C = 0.3267 and SL(15 s) = 1 − 0.3267·e^(−1.667·15/150) = 72.4%; with 6, C = 0.1482 and SL = 88.6%: 6 needed.
      // Staffed: agent1 all 15 min, agent2 half, agent3 all = 2.5 agents.
      expect(queueRows[0]).to.deep.equal({
        scope: 'queue',
        name: 'front-general',
        desk: 'front',
        intervalStart: '2026-11-23T01:00:00.000Z',
        intervalEnd: '2026-11-23T01:15:00.000Z',
        offered: 20,
        handled: 16,
        averageHandleSeconds: 150,
        handleTimeFrom: 'interval',
        erlangs: 3.333,
        serviceLevelSeconds: 15,
        serviceLevelTarget: 0.8,
        staffed: 2.5,
        needed: 6,
        difference: -3.5,
      });
      // 01:15-01:30: 2 callers, none handled: the queue's handling time over the range (150 s); A = 2 × 150 / 900 =
      // 0.333. One agent: C = 0.333, SL = 1 − 0.333·e^(−0.667·0.1) = 68.8%; two: C = 0.0476, SL = 96.0%: 2 needed.
      // agent1 and agent2 staffed, agent3 on a break.
      expect(queueRows[1]).to.include({ offered: 2, handled: 0, averageHandleSeconds: 150, handleTimeFrom: 'range', erlangs: 0.333, staffed: 2, needed: 2, difference: 0 });
      // The desk row pools the desk's queues (only front-general had calls here).
      const desk = report.rows.filter((r) => r.scope === 'desk');
      expect(desk.map((r) => [r.name, r.offered, r.needed, r.staffed])).to.deep.equal([
        ['front', 20, 6, 2.5],
        ['front', 2, 2, 2],
      ]);
    });

    it('assumes 180 s for a queue with calls but none handled in the whole range', async () => {
      const res = await get(f, `/api/reports/staffing?from=2026-11-23T01:15:00Z&to=2026-11-23T01:30:00Z&queue=front-returns`, supervisor);
      // A = 3 × 180 / 900 = 0.6. One agent: SL = 1 − 0.6·e^(−0.4·15/180) = 42.0%; two: C = 0.1385, SL = 87.7%.
      const row = (JSON.parse(res.text) as { rows: Record<string, unknown>[] }).rows[0];
      expect(row).to.include({ name: 'front-returns', offered: 3, handled: 0, averageHandleSeconds: 180, handleTimeFrom: 'default', erlangs: 0.6, needed: 2 });
    });

    it('takes another target and an occupancy cap, and answers CSV', async () => {
      const json = await get(f, `/api/reports/staffing?from=${T0}&to=2026-11-23T01:15:00Z&queue=front-general&serviceLevel=0.7`, supervisor);
      // 5 agents answer 72.4% within 15 s: enough for 70%.
      expect((JSON.parse(json.text) as { rows: { needed: number }[] }).rows[0].needed).to.equal(5);
      const capped = await get(f, `/api/reports/staffing?from=${T0}&to=2026-11-23T01:15:00Z&queue=front-general&serviceLevel=0.7&maxOccupancy=0.5`, supervisor);
      // At most 50% busy: ceil(3.333 / 0.5) = 7.
      expect((JSON.parse(capped.text) as { rows: { needed: number }[] }).rows[0].needed).to.equal(7);
      const csv = await get(f, `/api/reports/staffing?from=${T0}&to=2026-11-23T01:15:00Z&queue=front-general&format=csv`, supervisor);
      expect(csv.type).to.match(/^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).to.equal('scope,name,desk,intervalStart,intervalEnd,offered,handled,averageHandleSeconds,handleTimeFrom,erlangs,serviceLevelSeconds,serviceLevelTarget,staffed,needed,difference');
      expect(lines[1]).to.equal('queue,front-general,front,2026-11-23T01:00:00.000Z,2026-11-23T01:15:00.000Z,20,16,150,interval,3.333,15,0.8,2.5,6,-3.5');
      const byAccept = await get(f, `/api/reports/staffing?from=${T0}&to=2026-11-23T01:15:00Z&queue=front-general`, supervisor, 'text/csv');
      expect(byAccept.text).to.equal(csv.text);
    });

    it('lists every queue and desk without a queue filter, with the intervals aligned to 15 minutes', async () => {
      const res = await get(f, '/api/reports/staffing?from=2026-11-23T01:05:00Z&to=2026-11-23T01:20:00Z', supervisor);
      const report = JSON.parse(res.text) as { from: string; to: string; rows: { scope: string; name: string }[] };
      expect([report.from, report.to]).to.deep.equal(['2026-11-23T01:00:00.000Z', '2026-11-23T01:30:00.000Z']);
      expect([...new Set(report.rows.filter((r) => r.scope === 'queue').map((r) => r.name))]).to.deep.equal(['front-complaints', 'front-general', 'front-returns', 'front-vip']);
      expect(report.rows.filter((r) => r.scope === 'desk').map((r) => r.name)).to.deep.equal(['front', 'front']);
      // 01:15-01:30 pooled: 2 front-general (150 s) + 3 front-returns (180 s) = 5 calls, AHT (300 + 540) / 5 = 168 s,
      // A = 0.333 + 0.6 = 0.933. Two agents: C = 0.297, SL = 1 − 0.297·e^(−1.067·15/168) = 73.0%; three: C = 0.0767,
      // SL = 93.6%: 3 agents for the desk, where the two queues apart need 2 each.
      const pooled = (report.rows as unknown as Record<string, unknown>[]).find((r) => r.scope === 'desk' && r.intervalStart === '2026-11-23T01:15:00.000Z');
      expect(pooled).to.include({ offered: 5, averageHandleSeconds: 168, erlangs: 0.933, needed: 3 });
    });

    it('refuses bad input with a message, and an unknown queue with 404', async () => {
      const cases: [string, number, string][] = [
        ['/api/reports/staffing?to=2026-11-23', 400, 'from is required'],
        ['/api/reports/staffing?from=2026-11-23&to=2026-11-22', 400, 'to must be after from'],
        ['/api/reports/staffing?from=yesterday&to=2026-11-23', 400, 'from must be an ISO date'],
        ['/api/reports/staffing?from=2026-10-01&to=2026-11-23', 400, 'at most 31 days'],
        ['/api/reports/staffing?from=2026-11-22&to=2026-11-23&serviceLevel=80', 400, 'serviceLevel must be below 1'],
        ['/api/reports/staffing?from=2026-11-22&to=2026-11-23&maxOccupancy=0', 400, 'maxOccupancy must be above 0'],
        ['/api/reports/staffing?from=2026-11-22&to=2026-11-23&queue=Front%20General', 400, 'queue: a queue name'],
        ['/api/reports/staffing?from=2026-11-22&to=2026-11-23&queue=front-nothing', 404, 'no queue named front-nothing'],
      ];
      for (const [path, status, message] of cases) {
        const res = await get(f, path, supervisor);
        expect(res.status, `${path}: ${res.text}`).to.equal(status);
        expect((JSON.parse(res.text) as { message: string }).message, path).to.include(message);
      }
    });
  });

  describe('the estimated wait spoken in the queue', () => {
    let f: Fixture;
    const NOW = '2026-11-23T03:00:00Z';

    before(async () => {
      // The floor's board would ask (and cache) the same desk figures before this test has written its rows.
      f = await startHotline({}, { floor: { estimateWait: () => undefined } });
      const [a1, a2, a3, a4] = ['agent1', 'agent2', 'agent3', 'agent4'].map((u) => idOf(f, u));
      // The last hour on the front desk: 10 calls, each 2 s ringing and 300 s talking (agent time 302 s), plus the
      // queue's 30 s wrap-up: AHT 332 s. Queued 40-50 minutes ago: not in the 15-minute arrival window.
      for (let i = 0; i < 10; i++) addCall(f, at(NOW, -3000 + i * 60), { handle: { agentId: a1, ringSeconds: 2, talkSeconds: 300 } });
      // Now: agent1 on a call, agent2 being rung for the first caller in line; agent3 and agent4 offline.
      f.hotline.db.update(agentPresence).set({ state: 'on_call' }).where(eq(agentPresence.staffId, a1)).run();
      f.hotline.db.update(agentPresence).set({ state: 'reserved' }).where(eq(agentPresence.staffId, a2)).run();
      f.hotline.db.update(agentPresence).set({ state: 'offline' }).where(inArray(agentPresence.staffId, [a3, a4])).run();
      addCall(f, at(NOW, -300), { reservedBy: a2 });
      for (let i = 1; i < 6; i++) addCall(f, at(NOW, -300 + i * 10));
    });
    after(() => f.close());

    it('feeds the model the desk’s handling time, agents staffed and arrival rate', () => {
      const figures = f.hotline.queueWait.deskFigures('front-general');
      expect(figures).to.deep.equal({ staffed: 2, averageHandleSeconds: 332, handleTimeFrom: 'recent', arrivalsPerSecond: 6 / 900 });
    });

    it('announces the model’s expected wait: 4 agents to come free before the 5th in line, one every 332 / 2 s', async () => {
      // The 5th in line (the first is being rung): 4 releases × 332 / 2 = 664 s, spoken as about 11 minutes.
      const fifth = f.hotline.db.select().from(queueEntries).where(eq(queueEntries.status, 'waiting')).orderBy(queueEntries.enqueuedAt).all()[4];
      const res = await f.post('/twilio/queue/wait', { CallSid: fifth.callSid, AccountSid: 'AC' + '0'.repeat(32), From: '+8613700001111', To: '+864008008888', CallStatus: 'in-progress', QueuePosition: '5', QueueTime: '260' });
      const says = [xml.parse(res.body).Response.Gather.Say].flat().map((s: { '#text': string }) => s['#text']);
      expect(says).to.include('您前面还有4位客户。').and.include('预计等待时间约11分钟。');
      // The 6th: 5 releases × 166 s = 830 s.
      const sixth = f.hotline.db.select().from(queueEntries).where(eq(queueEntries.status, 'waiting')).orderBy(queueEntries.enqueuedAt).all()[5];
      expect(f.hotline.queueWait.turn(sixth.callSid).announce).to.deep.equal({ position: 6, estimatedWaitSeconds: 830 });
      // The caller being rung waits for no one.
      const first = f.hotline.db.select().from(queueEntries).where(eq(queueEntries.status, 'waiting')).orderBy(queueEntries.enqueuedAt).all()[0];
      expect(f.hotline.queueWait.turn(first.callSid).announce).to.deep.equal({ position: 1, estimatedWaitSeconds: 0 });
    });

    it('gives a new caller Erlang C’s average speed of answer, or the wait behind the line when overloaded', () => {
      // 6 arrivals in 15 min × 332 s = 2.21 Erlangs on 2 agents: overloaded, so behind the 6 waiting (1 being rung): 6 × 166 s.
      expect(f.hotline.queueWait.expectedWaitForNewCaller('front-general', 6)).to.equal(996);
      // Two more agents sign in (available, so the figures are read again once the 5 s cache runs out).
      const [a3, a4] = ['agent3', 'agent4'].map((u) => idOf(f, u));
      f.hotline.db.update(agentPresence).set({ state: 'wrap_up' }).where(inArray(agentPresence.staffId, [a3, a4])).run();
      f.clock.set('2026-11-23T03:00:06Z');
      const erlangs = (6 / 900) * 332;
      expect(f.hotline.queueWait.expectedWaitForNewCaller('front-general', 6)).to.equal(Math.round(averageSpeedOfAnswer(4, erlangs, 332)));
      expect(Math.round(averageSpeedOfAnswer(4, erlangs, 332))).to.be.within(30, 60);
    });

    it('counts calls still going for their time so far, and takes the wrap-up the agents actually logged', async () => {
      const g = await startHotline({}, { floor: { estimateWait: () => undefined } });
      try {
        const [a1, a2] = ['agent1', 'agent2'].map((u) => idOf(g, u));
        g.hotline.db.update(agentPresence).set({ state: 'on_call' }).where(inArray(agentPresence.staffId, [a1, a2])).run();
        // Two calls of 100 s agent time ended; one offered 200 s ago is still going: (100 + 100 + 200) / 2 ended = 200 s.
        for (const ago of [1200, 900]) addCall(g, at(NOW, -ago - 20), { handle: { agentId: a1, ringSeconds: 0, talkSeconds: 100 } });
        const live = addCall(g, at(NOW, -220), { status: 'bridged' });
        const entry = g.hotline.db.select().from(queueEntries).where(eq(queueEntries.callSid, live)).get()!;
        g.hotline.db.insert(interactions).values({ callSid: live, queueEntryId: entry.id, agentId: a2, status: 'connected', conference: 'fixture-live', offeredAt: at(NOW, -200), answeredAt: at(NOW, -198) }).run();
        // Wrap-ups as logged: 20 s and 10 s (the queue's rule says 30 s).
        g.hotline.db
          .insert(agentStateLog)
          .values([
            { staffId: a1, from: 'on_call', to: 'wrap_up', at: at(NOW, -1000) },
            { staffId: a1, from: 'wrap_up', to: 'available', at: at(NOW, -980) },
            { staffId: a1, from: 'on_call', to: 'wrap_up', at: at(NOW, -700) },
            { staffId: a1, from: 'wrap_up', to: 'available', at: at(NOW, -690) },
          ])
          .run();
        expect(g.hotline.queueWait.deskFigures('front-general')).to.include({ handleTimeFrom: 'recent', averageHandleSeconds: 215, staffed: 2 });
      } finally {
        await g.close();
      }
    });

    it('falls back to the older history, then to the default, when the last hour has no calls', async () => {
      const g = await startHotline({}, { floor: { estimateWait: () => undefined } });
      try {
        const a1 = idOf(g, 'agent1');
        g.hotline.db.update(agentPresence).set({ state: 'on_call' }).where(eq(agentPresence.staffId, a1)).run();
        expect(g.hotline.queueWait.deskFigures('front-general')).to.include({ handleTimeFrom: 'default', averageHandleSeconds: 180, staffed: 1 });
        addCall(g, at(NOW, -2 * 86_400), { handle: { agentId: a1, ringSeconds: 0, talkSeconds: 100 } });
        g.clock.set('2026-11-23T03:00:10Z');
        expect(g.hotline.queueWait.deskFigures('front-general')).to.include({ handleTimeFrom: 'history', averageHandleSeconds: 130 });
      } finally {
        await g.close();
      }
    });
  });
});
