// The contact-center figures against a hand-computed fixture day: events inserted with known times, every figure
// computed by hand below, checked through GET /api/reports/contact-center for two 15-minute intervals, an hour, and
// the queue, agent, team and desk groups; the rollup job gives the same figures as live computation; CSV = JSON; roles.
import { expect } from 'chai';
import Redis from 'ioredis';
import { parse } from 'csv-parse/sync';
import { createLogger } from '../../src/logging/logger';
import { startBackground } from '../../src/background';
import type { CallControl } from '../../src/telephony/call-control';
import {
  agentStateLog,
  callHolds,
  surveyResponses,
  callbackAttempts,
  callbackRequests,
  calls,
  evaluations,
  interactions,
  queueEntries,
  recordings,
  scorecardVersions,
  staff,
  workOrders,
} from '../../src/db/schema/index';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { REPORT_ROLLUP, ReportRollup } from '../../src/reports/report-rollup';
import { ContactCenterRepo } from '../../src/reports/contact-center.repo';
import { FIGURE_COLUMNS } from '../../src/reports/contact-center-figures';
import type { ContactCenterReport, ReportRow } from '../../src/reports/contact-center-report.service';
import { REPORT_DIMENSIONS } from '../../src/db/schema/reports';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import { deleteKeys } from '../support/redis-suite';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A local time of the fixture day (Monday 23 November 2026, Shanghai, UTC+8). */
const L = (hms: string, day = '2026-11-23') => new Date(`${day}T${hms}+08:00`);
const Q1 = { from: '2026-11-23T09:00:00+08:00', to: '2026-11-23T09:15:00+08:00' };
const Q2 = { from: '2026-11-23T09:15:00+08:00', to: '2026-11-23T09:30:00+08:00' };

type Json = Record<string, unknown>;

describe('contact-center figures: a hand-computed fixture day', function () {
  this.timeout(30_000);
  let f: Fixture;
  const ids = new Map<string, number>();
  const tokens = new Map<string, string>();

  async function api(path: string, who: string, accept = 'application/json'): Promise<{ status: number; body: Json; text: string; type: string | null }> {
    const res = await fetch(f.base + path, { headers: { authorization: `Bearer ${tokens.get(who)}`, accept } });
    const text = await res.text();
    let body: Json = {};
    try {
      body = JSON.parse(text) as Json;
    } catch {
      /* CSV */
    }
    return { status: res.status, body, text, type: res.headers.get('content-type') };
  }

  /** A token for the account, at the server's clock (moving the clock a day on expires the old ones). */
  async function signIn(username: string): Promise<void> {
    const res = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
    expect(res.status, username).to.equal(200);
    tokens.set(username, ((await res.json()) as { token: string }).token);
  }

  const query = (q: Record<string, string>) => `/api/reports/contact-center?${new URLSearchParams(q)}`;

  async function report(who: string, q: Record<string, string>): Promise<ContactCenterReport> {
    const res = await api(query(q), who);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as unknown as ContactCenterReport;
  }

  /** The row of one interval (its start, local) and key. */
  function row(r: ContactCenterReport, start: string, key: string | number): ReportRow {
    const found = r.rows.find((x) => x.intervalStart === new Date(start).toISOString() && x.key === String(key));
    expect(found, `row ${start} ${key} in ${JSON.stringify(r.rows.map((x) => [x.intervalStart, x.key]))}`).to.not.equal(undefined);
    return found!;
  }

  before(async () => {
    f = await startHotline();
    // The fixture day is long over (FCR's 72 hours too): nothing is still running.
    f.clock.set('2026-11-27T00:00:00Z');
    const db = f.hotline.db;
    for (const s of db.select().from(staff).all()) ids.set(s.username, s.id);
    for (const username of ['supervisor1', 'dispatcher1', 'lead1', 'agent1', 'qc1', 'admin1']) await signIn(username);
    const A1 = ids.get('agent1')!;
    const A2 = ids.get('agent2')!;
    const A5 = ids.get('agent5')!;

    // Agents' states. agent1: available 08:55, on a call 09:01:10-09:06, wrap-up to 09:07, available, on a call
    // 09:20-09:25, wrap-up to 09:25:30, available, break at 09:40, offline at 10:00. agent2: available 09:10, on a call
    // 09:12-09:18, wrap-up to 09:19, available, offline at 09:30.
    const states: [number, string, string, string][] = [
      [A1, 'offline', 'available', '08:55:00'],
      [A1, 'available', 'on_call', '09:01:10'],
      [A1, 'on_call', 'wrap_up', '09:06:00'],
      [A1, 'wrap_up', 'available', '09:07:00'],
      [A1, 'available', 'on_call', '09:20:00'],
      [A1, 'on_call', 'wrap_up', '09:25:00'],
      [A1, 'wrap_up', 'available', '09:25:30'],
      [A1, 'available', 'break', '09:40:00'],
      [A1, 'break', 'offline', '10:00:00'],
      [A2, 'offline', 'available', '09:10:00'],
      [A2, 'available', 'on_call', '09:12:00'],
      [A2, 'on_call', 'wrap_up', '09:18:00'],
      [A2, 'wrap_up', 'available', '09:19:00'],
      [A2, 'available', 'offline', '09:30:00'],
    ];
    for (const [staffId, from, to, at] of states) db.insert(agentStateLog).values({ staffId, from, to, at: L(at) }).run();

    // Inbound calls: [sid, caller, queue, desk, call start, enqueued, queue status, queue end, answered by, answered at, ended at].
    const inbound: [string, string, string, string, string, string, string, string | null, number | null, string | null, string | null][] = [
      ['CA01', '+8613800000001', 'front-general', 'front', '09:00:50', '09:01:00', 'bridged', '09:01:10', A1, '09:01:10', '09:06:00'],
      ['CA02', '+8613800000002', 'front-general', 'front', '09:03:00', '09:03:10', 'abandoned', '09:03:13', null, null, null],
      ['CA03', '+8613800000003', 'front-vip', 'front', '09:11:30', '09:11:40', 'bridged', '09:12:00', A2, '09:12:00', '09:18:00'],
      ['CA04', '+8613800000004', 'front-general', 'front', '09:13:50', '09:14:00', 'abandoned', '09:14:40', null, null, null],
      ['CA05', '+8613800000005', 'front-general', 'front', '09:19:30', '09:19:45', 'bridged', '09:20:00', A1, '09:20:00', '09:25:00'],
      ['CA06', '+8613800000006', 'front-general', 'front', '09:21:00', '09:21:10', 'callback', '09:22:10', null, null, null],
    ];
    const interactionOf = new Map<string, number>();
    for (const [sid, from, queue, desk, started, enqueued, status, ended, agentId, answeredAt, endedAt] of inbound) {
      db.insert(calls).values({ sid, direction: 'inbound', from, to: '+864001234567', status: 'completed', startedAt: L(started), endedAt: L(endedAt ?? ended!) }).run();
      const entry = db
        .insert(queueEntries)
        .values({ callSid: sid, queue, desk: desk as 'front', priority: 10, status: status as 'bridged', enqueuedAt: L(enqueued), endedAt: ended ? L(ended) : null })
        .returning()
        .get();
      if (agentId !== null) {
        const ix = db
          .insert(interactions)
          .values({ callSid: sid, queueEntryId: entry.id, agentId, status: 'ended', conference: `conf-${sid}`, offeredAt: L(answeredAt!), answeredAt: L(answeredAt!), endedAt: L(endedAt!) })
          .returning()
          .get();
        interactionOf.set(sid, ix.id);
      }
    }
    // CA05 rang agent2 first, who missed it: an offer that was never answered counts for nobody.
    db.insert(interactions).values({ callSid: 'CA05', queueEntryId: null, agentId: A2, status: 'missed', conference: 'conf-CA05-missed', offeredAt: L('09:19:50'), endedAt: L('09:19:58') }).run();
    // The caller of CA01 calls again the next day (within 72 hours): CA01 did not resolve it. Nobody else calls again.
    db.insert(calls).values({ sid: 'CA07', direction: 'inbound', from: '+8613800000001', to: '+864001234567', status: 'completed', startedAt: L('10:00:00', '2026-11-24') }).run();

    // A complaint work order on CA01 by agent1 at 09:05.
    // agent1 held CA01's caller 09:03:00-09:03:40: 40 s of hold inside its 290 s connected.
    db.insert(callHolds).values({ interactionId: interactionOf.get('CA01')!, callSid: 'CA01', startedAt: L('09:03:00'), endedAt: L('09:03:40'), startedBy: A1 }).run();
    // CA01's caller stayed for the post-call survey and rated the call 4 at 09:06:30.
    db.insert(surveyResponses).values({ callSid: 'CA01', interactionId: interactionOf.get('CA01')!, agentId: A1, queue: 'front-general', desk: 'front', rating: 4, answeredAt: L('09:06:30') }).run();
    db.insert(workOrders).values({ number: 'WO-FIXTURE-1', callSid: 'CA01', agentId: A1, category: 'complaint', complaintType: 'logistics', description: 'late parcel', status: 'open', createdAt: L('09:05:00'), updatedAt: L('09:05:00') }).run();
    // An inquiry work order is not a complaint.
    db.insert(workOrders).values({ number: 'WO-FIXTURE-2', callSid: 'CA05', agentId: A1, category: 'inquiry', description: 'sizes', status: 'resolved', createdAt: L('09:24:00'), updatedAt: L('09:24:00') }).run();

    // Callbacks. CB1 (CA06 chose a callback at 09:22:10): agent5 dialed at 09:26:00 and reached the customer, closed
    // 09:28. CB2 (IVR, 08:30): failed after its attempts at 09:29. CB3: cancelled at 09:10 (not the center's miss).
    const cb1 = db.insert(callbackRequests).values({ callSid: 'CA06', phone: '+8613800000006', desk: 'front', reason: 'queue', source: 'queue', requestedAt: L('09:22:10'), status: 'done', outcome: 'reached', closedAt: L('09:28:00') }).returning().get();
    db.insert(callbackAttempts).values({ callbackId: cb1.id, agentId: A5, state: 'ended', result: 'answered', createdAt: L('09:25:50'), dialedAt: L('09:26:00'), endedAt: L('09:27:30') }).run();
    const cb2 = db.insert(callbackRequests).values({ phone: '+8613800000008', desk: 'front', reason: 'ivr', requestedAt: L('08:30:00'), status: 'failed', outcome: 'max_attempts', closedAt: L('09:29:00') }).returning().get();
    db.insert(callbackAttempts).values({ callbackId: cb2.id, agentId: A2, state: 'ended', result: 'no-answer', createdAt: L('09:20:00'), dialedAt: L('09:20:00'), endedAt: L('09:20:30') }).run();
    db.insert(callbackRequests).values({ phone: '+8613800000009', desk: 'front', reason: 'ivr', requestedAt: L('08:40:00'), status: 'failed', outcome: 'cancelled', closedAt: L('09:10:00') }).run();

    // Quality: agent1's CA01 scored 85, submitted 09:20. A calibration score (40) and a draft (10) do not count.
    const version = db.select().from(scorecardVersions).get()!;
    const rec = db
      .insert(recordings)
      .values({ recordingSid: `RE${'1'.repeat(32)}`, callSid: 'CA01', interactionId: interactionOf.get('CA01')!, agentId: A1, desk: 'front', direction: 'inbound', startedAt: L('09:01:10'), status: 'stored' })
      .returning()
      .get();
    const evaluation = { recordingId: rec.id, scorecardVersionId: version.id, evaluatorId: ids.get('qc1')!, agentId: A1, createdAt: L('09:19:00') };
    db.insert(evaluations).values({ ...evaluation, status: 'submitted', score: 85, submittedAt: L('09:20:00') }).run();
    db.insert(evaluations).values({ ...evaluation, calibration: true, status: 'submitted', score: 40, submittedAt: L('09:21:00') }).run();
    db.insert(evaluations).values({ ...evaluation, status: 'draft', score: 10 }).run();
  });

  after(async () => {
    await f?.close();
  });

  /** No survey answer in the interval. */
  const NULLS = { satisfaction: null, surveys: 0 } as const;

  it('by queue, 15 minutes: each figure of 09:00 and 09:15 as computed by hand', async () => {
    const r = await report('supervisor1', { from: Q1.from, to: Q2.to, interval: '15m', groupBy: 'queue' });
    expect(r).to.include({ interval: '15m', groupBy: 'queue', timeZone: 'Asia/Shanghai', rolledThrough: null });
    // 09:00 front-general: offered CA01, CA02, CA04 = 3; answered CA01 (waited 10 s ≤ 15 s target); abandoned CA02
    // (3 s: short) and CA04 (40 s). Service level 1 / (3 − 1) = 0.5; abandon rate (2 − 1) / (3 − 1) = 0.5; ASA 10 s.
    // Handled: CA01 ended 09:06, connected 09:01:10-09:06:00 = 290 s of which 40 s on hold (talk 250 s), wrap-up
    // 09:06-09:07 = 60 s: AHT 250 + 40 + 60 = 350 s. FCR: CA01's
    // caller called again within 72 h: 0 / 1. Satisfaction: one survey, rated 4. One complaint / 1 answered = 1. Callbacks: only CB3 closed (cancelled): none.
    expect(row(r, Q1.from, 'front-general')).to.deep.include({
      offered: 3, answered: 1, abandoned: 2, shortAbandoned: 1, abandonRate: 0.5, serviceLevel: 0.5, averageSpeedOfAnswerSeconds: 10,
      handled: 1, averageHandlingSeconds: 350, averageTalkSeconds: 250, averageHoldSeconds: 40, averageWrapUpSeconds: 60, occupancy: null,
      firstContactResolution: 0, callbacksClosed: 0, callbackCompletion: null, averageTimeToCallbackSeconds: null,
      surveys: 1, satisfaction: 4, complaints: 1, complaintRate: 1, evaluations: 0, qualityScore: null,
    });
    // 09:00 front-vip (target 10 s): CA03 answered after 20 s: SL 0 / 1 = 0, ASA 20 s; it ended at 09:18 (handled in
    // the next interval). Its caller never called again: FCR 1 / 1. Complaints 0 / 1.
    expect(row(r, Q1.from, 'front-vip')).to.deep.include({
      offered: 1, answered: 1, abandoned: 0, shortAbandoned: 0, abandonRate: 0, serviceLevel: 0, averageSpeedOfAnswerSeconds: 20,
      handled: 0, averageHandlingSeconds: null, firstContactResolution: 1, complaints: 0, complaintRate: 0, qualityScore: null, ...NULLS,
    });
    // 09:15 front-general: offered CA05 (answered after 15 s: within the 15 s target) and CA06 (took a callback: neither
    // answered nor abandoned): SL 1 / 2 = 0.5, ASA 15 s. Handled CA05: talk 300 s + wrap-up 30 s = 330 s. FCR 1 / 1.
    // CB1 (from CA06) reached: completion 1 / 1, time to callback 09:22:10 → 09:26:00 = 230 s. Quality: CA01's 85.
    expect(row(r, Q2.from, 'front-general')).to.deep.include({
      offered: 2, answered: 1, abandoned: 0, shortAbandoned: 0, abandonRate: 0, serviceLevel: 0.5, averageSpeedOfAnswerSeconds: 15,
      handled: 1, averageHandlingSeconds: 330, averageTalkSeconds: 300, averageWrapUpSeconds: 30,
      firstContactResolution: 1, callbacksClosed: 1, callbacksReached: 1, callbackCompletion: 1, averageTimeToCallbackSeconds: 230,
      complaints: 0, complaintRate: 0, evaluations: 1, qualityScore: 85, surveys: 0, satisfaction: null,
    });
    // 09:15 front-vip: CA03 handled (ended 09:18): talk 360 s + wrap-up 09:18-09:19 = 60 s: AHT 420 s; nothing offered.
    expect(row(r, Q2.from, 'front-vip')).to.deep.include({ offered: 0, answered: 0, serviceLevel: null, handled: 1, averageHandlingSeconds: 420, complaintRate: null });
    // 09:15, no queue: CB2 (an IVR callback) closed unreached: completion 0 / 1.
    expect(row(r, Q2.from, 'none')).to.deep.include({ offered: 0, callbacksClosed: 1, callbacksReached: 0, callbackCompletion: 0, averageTimeToCallbackSeconds: null });
    expect(r.rows.map((x) => `${x.intervalStart} ${x.key}`)).to.have.length(5);
  });

  it('by agent, 15 minutes: answered calls, handling, occupancy from the state log, callbacks and quality per agent', async () => {
    const r = await report('supervisor1', { from: Q1.from, to: Q2.to, interval: '15m', groupBy: 'agent' });
    const [A1, A2, A5] = ['agent1', 'agent2', 'agent5'].map((u) => ids.get(u)!);
    // 09:00 agent1: CA01 (10 s, in target). Occupancy: available 09:00-09:01:10 (70 s), on a call 290 s (40 s of it on hold), wrap-up 60 s,
    // available 09:07-09:15 (480 s): busy 350 / logged in 900 = 0.3889.
    expect(row(r, Q1.from, A1)).to.deep.include({
      name: '陈静', offered: 1, answered: 1, serviceLevel: 1, averageSpeedOfAnswerSeconds: 10, handled: 1, averageHandlingSeconds: 350,
      occupancy: 0.3889, firstContactResolution: 0, complaints: 1, complaintRate: 1, averageHoldSeconds: 40, surveys: 1, satisfaction: 4,
    });
    // 09:00 agent2: CA03 (20 s > 10 s). Offline until 09:10, available 120 s, on a call 09:12-09:15 180 s: 180 / 300 = 0.6.
    expect(row(r, Q1.from, A2)).to.deep.include({ offered: 1, answered: 1, serviceLevel: 0, averageSpeedOfAnswerSeconds: 20, handled: 0, occupancy: 0.6, firstContactResolution: 1 });
    // 09:00, no agent: CA02 and CA04, abandoned before anyone answered: SL 0 / (2 − 1) = 0, abandon rate 1 / 1 = 1.
    expect(row(r, Q1.from, 'none')).to.deep.include({ offered: 2, answered: 0, abandoned: 2, shortAbandoned: 1, serviceLevel: 0, abandonRate: 1, averageSpeedOfAnswerSeconds: null });
    // 09:15 agent1: CA05 (15 s). Available 300 s, on a call 300 s, wrap-up 30 s, available 270 s: 330 / 900 = 0.3667.
    // The evaluation (85) was submitted at 09:20; the calibration and the draft are left out.
    expect(row(r, Q2.from, A1)).to.deep.include({ offered: 1, answered: 1, serviceLevel: 1, averageSpeedOfAnswerSeconds: 15, handled: 1, averageHandlingSeconds: 330, occupancy: 0.3667, firstContactResolution: 1, evaluations: 1, qualityScore: 85, complaintRate: 0 });
    // 09:15 agent2: CA03 handled, 420 s. On a call 09:15-09:18 (180 s), wrap-up 60 s, available 660 s: 240 / 900 = 0.2667.
    // The missed offer of CA05 counts nothing; neither does the unanswered attempt of CB2.
    expect(row(r, Q2.from, A2)).to.deep.include({ offered: 0, answered: 0, handled: 1, averageHandlingSeconds: 420, occupancy: 0.2667, callbacksClosed: 0 });
    // 09:15 agent5 reached CB1's customer: completion 1, 230 s. Never logged in: no occupancy.
    expect(row(r, Q2.from, A5)).to.deep.include({ callbacksClosed: 1, callbacksReached: 1, callbackCompletion: 1, averageTimeToCallbackSeconds: 230, occupancy: null, handled: 0 });
    // 09:15, no agent: CA06 (took a callback) and CB2.
    expect(row(r, Q2.from, 'none')).to.deep.include({ offered: 1, answered: 0, abandoned: 0, serviceLevel: 0, callbacksClosed: 1, callbackCompletion: 0 });
  });

  it('by team and desk, 15 minutes: the sums of their agents and queues', async () => {
    const team = await report('supervisor1', { from: Q1.from, to: Q1.to, interval: '15m', groupBy: 'team' });
    const frontTeam = f.hotline.db.select().from(staff).all().find((s) => s.username === 'agent1')!.teamId!;
    // 09:00, agent1's and agent2's team: CA01 + CA03: SL (1 + 0) / 2 = 0.5, ASA (10 + 20) / 2 = 15 s. Occupancy
    // (350 + 180) / (900 + 300) = 0.4417. FCR 1 / 2. Complaints 1 / 2 answered.
    expect(row(team, Q1.from, frontTeam)).to.deep.include({ name: '前台一组', offered: 2, answered: 2, serviceLevel: 0.5, averageSpeedOfAnswerSeconds: 15, handled: 1, averageHandlingSeconds: 350, occupancy: 0.4417, firstContactResolution: 0.5, complaintRate: 0.5 });
    const desk = await report('dispatcher1', { from: Q1.from, to: Q1.to, interval: '15m', groupBy: 'desk' });
    // 09:00, front desk: CA01-CA04: 4 offered, 2 answered (1 in its target), 2 abandoned (1 short): SL 1 / 3 = 0.3333.
    expect(row(desk, Q1.from, 'front')).to.deep.include({ offered: 4, answered: 2, abandoned: 2, shortAbandoned: 1, serviceLevel: 0.3333, abandonRate: 0.3333, averageSpeedOfAnswerSeconds: 15, occupancy: null });
  });

  it('by hour: 09:00-10:00 sums both quarters (and agent1\'s break is not logged-in time)', async () => {
    const r = await report('supervisor1', { from: '2026-11-23T09:00:00+08:00', to: '2026-11-23T10:00:00+08:00', interval: 'hour', groupBy: 'queue' });
    // front-general: offered 5, answered 2 (both in target), abandoned 2 (1 short): SL 2 / 4 = 0.5; ASA (10 + 15) / 2 =
    // 12.5 s; AHT (350 + 330) / 2 = 340 s; FCR 1 / 2; callbacks 1 / 1; complaints 1 / 2; quality 85.
    expect(row(r, '2026-11-23T09:00:00+08:00', 'front-general')).to.deep.include({
      intervalEnd: new Date('2026-11-23T10:00:00+08:00').toISOString(),
      offered: 5, answered: 2, abandoned: 2, shortAbandoned: 1, serviceLevel: 0.5, averageSpeedOfAnswerSeconds: 12.5, averageHandlingSeconds: 340,
      firstContactResolution: 0.5, callbackCompletion: 1, complaintRate: 0.5, qualityScore: 85,
    });
    const agents = await report('supervisor1', { from: '2026-11-23T09:00:00+08:00', to: '2026-11-23T10:00:00+08:00', interval: 'hour', groupBy: 'agent' });
    // agent1 09:00-10:00: logged in 09:00-09:40 = 2400 s (break from 09:40); busy 290 + 60 + 300 + 30 = 680 s: 0.2833.
    expect(row(agents, '2026-11-23T09:00:00+08:00', ids.get('agent1')!)).to.deep.include({ occupancy: 0.2833, handled: 2, averageHandlingSeconds: 340 });
    // The day's totals per group equal the hour's (nothing else happened that day).
    expect(agents.totals.find((t) => t.key === String(ids.get('agent1')))).to.deep.include({ occupancy: 0.2833, handled: 2 });
  });

  it('the rollup job gives the same figures as live computation, for every group and interval', async () => {
    const live = new Map<string, ContactCenterReport>();
    const day = { from: '2026-11-23', to: '2026-11-24' };
    for (const groupBy of REPORT_DIMENSIONS) for (const interval of ['15m', 'hour', 'day']) live.set(`${groupBy}/${interval}`, await report('supervisor1', { ...day, interval, groupBy }));
    expect(live.get('queue/day')!.rolledThrough).to.equal(null);
    // Before any rollup, more than two days of events is not computed live in the web process: 503, try later.
    const tooLong = await api(query({ from: '2026-11-23', to: '2026-11-26', interval: 'day', groupBy: 'queue' }), 'supervisor1');
    expect(tooLong.status).to.equal(503);
    expect(String(tooLong.body.message)).to.match(/not rolled up yet/);

    const done = await new ReportRollup({ repo: new ContactCenterRepo(f.hotline.db), clock: f.clock, timeZone: f.config.timeZone }).run();
    expect(done).to.include({ to: new Date('2026-11-27T00:00:00Z').toISOString() });
    for (const groupBy of REPORT_DIMENSIONS) {
      for (const interval of ['15m', 'hour', 'day']) {
        const rolled = await report('supervisor1', { ...day, interval, groupBy });
        expect(rolled.rolledThrough, 'read from the rollup').to.equal(new Date('2026-11-24T00:00:00+08:00').toISOString());
        const expected = live.get(`${groupBy}/${interval}`)!;
        expect(rolled.rows.length, `${groupBy}/${interval} rows`).to.be.greaterThan(0);
        expect(rolled.rows, `${groupBy}/${interval}`).to.deep.equal(expected.rows);
        expect(rolled.totals, `${groupBy}/${interval} totals`).to.deep.equal(expected.totals);
      }
    }
    // Partial hours at both ends of a range: their 15-minute rows, summed, next to the whole hours' own rows.
    const edges = { from: '2026-11-23T08:45:00+08:00', to: '2026-11-23T10:30:00+08:00', interval: 'hour', groupBy: 'agent' };
    const rolledEdges = await report('supervisor1', edges);
    const liveEdges = f.hotline.reports.report({ role: 'supervisor', teamId: null }, { from: new Date(edges.from), to: new Date(edges.to), interval: 'hour', groupBy: 'agent' }, { live: true });
    expect(rolledEdges.rolledThrough).to.equal(new Date(edges.to).toISOString());
    expect(JSON.parse(JSON.stringify(liveEdges.rows))).to.deep.equal(rolledEdges.rows);
    expect(rolledEdges.rows.map((x) => x.intervalStart)).to.include(new Date('2026-11-23T08:00:00+08:00').toISOString());
    // A range that starts in the rollup and ends in live time adds both: the day from 09:00 local, to after the rollup.
    const mixed = await report('supervisor1', { from: '2026-11-23', to: '2026-11-28', interval: 'day', groupBy: 'desk' });
    expect(mixed.rolledThrough).to.equal(new Date('2026-11-27T00:00:00Z').toISOString());
    expect(row(mixed, '2026-11-23T00:00:00+08:00', 'front')).to.deep.equal(row(live.get('desk/day')!, '2026-11-23T00:00:00+08:00', 'front'));
  });

  it('answers CSV (format=csv or Accept: text/csv) with the same rows as JSON', async () => {
    const q = { from: Q1.from, to: Q2.to, interval: '15m', groupBy: 'agent' };
    const json = await report('supervisor1', q);
    for (const res of [await api(query({ ...q, format: 'csv' }), 'supervisor1'), await api(query(q), 'supervisor1', 'text/csv')]) {
      expect(res.status).to.equal(200);
      expect(res.type).to.match(/^text\/csv/);
      const records = parse(res.text, { columns: true }) as Record<string, string>[];
      expect(records).to.have.length(json.rows.length);
      const columns = ['intervalStart', 'intervalEnd', 'key', 'name', ...FIGURE_COLUMNS] as const;
      expect(Object.keys(records[0])).to.deep.equal([...columns]);
      records.forEach((rec, i) => {
        for (const c of columns) expect(rec[c], `row ${i} ${c}`).to.equal(json.rows[i][c] === null ? '' : String(json.rows[i][c]));
      });
    }
    const totals = await api(query({ ...q, format: 'csv', table: 'totals' }), 'supervisor1');
    expect((parse(totals.text, { columns: true }) as unknown[]).length).to.equal(json.totals.length);
  });

  it('lets supervisors and dispatchers see all, a team lead only their team and its agents, and nobody else', async () => {
    const q = { from: Q1.from, to: Q2.to, interval: '15m' };
    const lead = await report('lead1', { ...q, groupBy: 'agent' });
    const team1 = new Set(f.hotline.db.select().from(staff).all().filter((s) => s.teamId === f.hotline.db.select().from(staff).all().find((x) => x.username === 'lead1')!.teamId).map((s) => String(s.id)));
    expect(lead.rows.length).to.be.greaterThan(0);
    expect(lead.rows.every((x) => team1.has(x.key)), 'only the lead\'s agents').to.equal(true);
    expect(lead.rows.some((x) => x.key === String(ids.get('agent5')) || x.key === 'none')).to.equal(false);
    const leadTeams = await report('lead1', { ...q, groupBy: 'team' });
    expect([...new Set(leadTeams.rows.map((x) => x.key))]).to.have.length(1);
    const byQueue = await api(query({ ...q, groupBy: 'queue' }), 'lead1');
    expect(byQueue.status).to.equal(403);
    expect(byQueue.body.message).to.match(/group by team or agent/);
    expect((await report('dispatcher1', { ...q, groupBy: 'agent' })).rows.some((x) => x.key === String(ids.get('agent5')))).to.equal(true);
    for (const who of ['agent1', 'qc1', 'admin1']) expect((await api(query({ ...q, groupBy: 'queue' }), who)).status, who).to.equal(403);
  });

  it('refuses bad input with 400 and a message', async () => {
    const bad = async (q: Record<string, string>, message: RegExp) => {
      const res = await api(query(q), 'supervisor1');
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(String(res.body.message)).to.match(message);
      expect(res.text).to.not.match(/\bat .*\.ts:\d+/);
    };
    await bad({ to: Q1.to }, /from/);
    await bad({ from: Q1.from, to: Q1.to, interval: 'week' }, /interval must be one of: 15m, hour, day/);
    await bad({ from: Q1.from, to: Q1.to, groupBy: 'floor' }, /groupBy must be one of/);
    await bad({ from: Q1.to, to: Q1.from }, /to must be after from/);
    await bad({ from: '2026-11-23T09:07:00+08:00', to: Q1.to }, /15-minute boundary/);
    await bad({ from: 'yesterday', to: Q1.to }, /ISO date/);
  });

  it('recomputes the last 73 hours on every run: a repeat call after the interval closed turns its FCR around', async () => {
    const db = f.hotline.db;
    const A3 = ids.get('agent3')!;
    const rollup = new ReportRollup({ repo: new ContactCenterRepo(db), clock: f.clock, timeZone: f.config.timeZone });
    // CA20, answered by agent3 on 27 November at 10:00; rolled up at 11:00 with nobody calling back yet: resolved.
    db.insert(calls).values({ sid: 'CA20', direction: 'inbound', from: '+8613800000020', to: '+864001234567', status: 'completed', startedAt: L('09:59:50', '2026-11-27') }).run();
    const entry = db.insert(queueEntries).values({ callSid: 'CA20', queue: 'front-returns', desk: 'front', priority: 10, status: 'bridged', enqueuedAt: L('10:00:00', '2026-11-27'), endedAt: L('10:00:05', '2026-11-27') }).returning().get();
    db.insert(interactions).values({ callSid: 'CA20', queueEntryId: entry.id, agentId: A3, status: 'ended', conference: 'conf-CA20', offeredAt: L('10:00:05', '2026-11-27'), answeredAt: L('10:00:05', '2026-11-27'), endedAt: L('10:04:05', '2026-11-27') }).run();
    const q = { from: '2026-11-27T10:00:00+08:00', to: '2026-11-27T10:15:00+08:00', interval: '15m', groupBy: 'queue' };
    f.clock.set('2026-11-27T03:05:00Z');
    await rollup.run();
    const before = await report('supervisor1', q);
    expect(before.rolledThrough).to.equal(new Date(q.to).toISOString());
    expect(row(before, q.from, 'front-returns')).to.deep.include({ answered: 1, averageSpeedOfAnswerSeconds: 5, firstContactResolution: 1 });
    // The same caller calls again that evening; the next run (a day later, still within 73 hours) recomputes CA20's interval.
    db.insert(calls).values({ sid: 'CA21', direction: 'inbound', from: '+8613800000020', to: '+864001234567', status: 'completed', startedAt: L('20:00:00', '2026-11-27') }).run();
    f.clock.set('2026-11-28T03:05:00Z');
    await signIn('supervisor1');
    await rollup.run();
    const after = await report('supervisor1', q);
    expect(after.rolledThrough).to.equal(new Date(q.to).toISOString());
    expect(row(after, q.from, 'front-returns')).to.deep.include({ answered: 1, firstContactResolution: 0 });
  });

  describe('the rollup as a bull repeatable job (real Redis)', () => {
    const prefix = `hotline-test-reports-${process.pid}-${Date.now().toString(36)}`;
    let redis: Redis;
    const stops: (() => Promise<void>)[] = [];
    before(() => {
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    });
    after(async () => {
      for (const stop of stops) await stop();
      await deleteKeys(redis, `${prefix}:*`);
      await redis.quit();
    });

    it('is scheduled every 15 minutes, and a run rolls up to the last closed interval', async () => {
      // After the tests above (whose last run rolled through 28 November 03:00).
      f.clock.set('2026-11-28T03:20:00Z');
      const bg = startBackground({ config: f.config, db: f.hotline.db, log: createLogger('error', true), callControl: {} as CallControl, clock: f.clock, prefix });
      stops.push(() => bg.stop());
      const queue = bg.queues.queue(REPORT_ROLLUP.queue);
      await eventually(async () => {
        const repeatable = await queue.getRepeatableJobs();
        expect(repeatable.map((r) => [r.name, r.cron])).to.deep.equal([[REPORT_ROLLUP.name, '1,16,31,46 * * * *']]);
      }, 5000);
      await bg.queues.add(REPORT_ROLLUP.queue, REPORT_ROLLUP.name, {}, `test-run-${Date.now()}`);
      const repo = new ContactCenterRepo(f.hotline.db);
      await eventually(() => expect(repo.rolledThrough()).to.equal(Date.parse('2026-11-28T03:15:00Z')), 10_000);
    });
  });
});
