// Quality control through the server: scorecards and their versions, evaluations (critical items, comments at
// moments, acknowledge, dispute and resolution with history), who sees what, calibration, sampling into the work list
// without double assignment, and the figures as JSON and CSV. Recordings are inserted as the pipeline stores them.
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { calls, qaAssignments, recordings, staff, workOrders } from '../../src/db/schema/index';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { hashPasswordSync } from '../../src/auth/password';
import { StaffRepo } from '../../src/auth/staff.repo';
import { DEFAULT_SCORECARD, DEFAULT_SCORECARD_NAME, items } from '../../src/quality/scorecards';
import type { DomainEvent } from '../../src/events/domain-events';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { TEST_PASSWORD_COST } from '../support/password-cost';

type Json = Record<string, any>;

/** Every item at its maximum, but `overrides`. */
function answersWith(overrides: Record<string, number | null> = {}) {
  return items(DEFAULT_SCORECARD).map((i) => ({ itemId: i.id, score: i.id in overrides ? overrides[i.id] : i.scale.max }));
}

describe('quality control (through the server)', function () {
  this.timeout(30_000);
  let f: Fixture;
  const tokens = new Map<string, string>();
  const ids = new Map<string, number>();
  const teamOf = new Map<string, number | null>();
  let scorecardId: number;
  const events: DomainEvent[] = [];
  let n = 0;

  async function api(method: string, path: string, who: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; text: string; headers: Headers }> {
    const h: Record<string, string> = { ...headers };
    if (who) h.authorization = `Bearer ${tokens.get(who)}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(f.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: Json = {};
    try {
      json = JSON.parse(text) as Json;
    } catch {
      /* CSV */
    }
    return { status: res.status, body: json, text, headers: res.headers };
  }

  /** A stored recording of `agent`'s call, as the pipeline leaves it. */
  function recording(agent: string, o: { startedAt?: string; duration?: number; flags?: string[]; callSid?: string; analysed?: Partial<typeof recordings.$inferInsert> } = {}): number {
    n += 1;
    const callSid = o.callSid ?? `CA${String(n).padStart(32, '0')}`;
    return f.hotline.db
      .insert(recordings)
      .values({
        recordingSid: `RE${String(n).padStart(32, '0')}`,
        callSid,
        agentId: ids.get(agent)!,
        teamId: teamOf.get(agent)!,
        desk: agent === 'agent5' ? 'middle' : 'front',
        direction: 'inbound',
        startedAt: new Date(o.startedAt ?? '2026-11-23T04:00:00Z'),
        durationSeconds: o.duration ?? 120,
        status: 'stored',
        storageKey: `2026/11/23/${callSid}.wav`,
        flags: JSON.stringify(o.flags ?? []),
        analysedAt: new Date('2026-11-23T05:00:00Z'),
        agentTalkRatio: 0.5,
        longestSilenceSeconds: 4,
        talkOverCount: 1,
        talkOverSeconds: 0.8,
        ...o.analysed,
      })
      .returning()
      .get().id;
  }

  /** Opens, answers and submits a counted evaluation by qc1; returns it. */
  async function evaluate(recordingId: number, overrides: Record<string, number | null> = {}, who = 'qc1', calibration = false): Promise<Json> {
    const opened = await api('POST', `/api/recordings/${recordingId}/evaluations`, who, calibration ? { calibration } : {});
    expect(opened.status, JSON.stringify(opened.body)).to.equal(201);
    const answered = await api('PUT', `/api/evaluations/${opened.body.id}/answers`, who, { answers: answersWith(overrides) });
    expect(answered.status, JSON.stringify(answered.body)).to.equal(200);
    const submitted = await api('POST', `/api/evaluations/${opened.body.id}/submit`, who);
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
    return submitted.body;
  }

  before(async () => {
    f = await startHotline();
    f.hotline.events.subscribe((e) => events.push(e));
    new StaffRepo(f.hotline.db).createStaff({ username: 'qc2', displayName: '第二质控', role: 'quality_controller', department: null, passwordHash: hashPasswordSync(DEMO_PASSWORD, TEST_PASSWORD_COST), createdAt: new Date() });
    for (const s of f.hotline.db.select().from(staff).all()) {
      ids.set(s.username, s.id);
      teamOf.set(s.username, s.teamId);
    }
    for (const username of ['agent1', 'agent2', 'agent5', 'lead1', 'lead2', 'qc1', 'qc2', 'supervisor1', 'dispatcher1']) {
      const res = await api('POST', '/api/auth/login', undefined, { username, password: DEMO_PASSWORD });
      expect(res.status, username).to.equal(200);
      tokens.set(username, res.body.token as string);
    }
  });

  after(async () => {
    await f?.close();
  });

  describe('scorecards', () => {
    it('has the service standard scorecard from the first start, created once', async () => {
      const list = await api('GET', '/api/scorecards', 'qc1');
      expect(list.status).to.equal(200);
      expect(list.body).to.have.length(1);
      const card = (list.body as unknown as Json[])[0];
      expect(card).to.include({ name: DEFAULT_SCORECARD_NAME, currentVersion: 1, active: true });
      expect(card.current.definition).to.deep.equal(DEFAULT_SCORECARD);
      scorecardId = card.id as number;
      expect(f.hotline.quality.scorecards.ensureDefault(), 'a second start creates nothing').to.equal(false);
      expect((await api('GET', '/api/scorecards', 'lead1')).status).to.equal(200);
      expect((await api('GET', '/api/scorecards', 'agent1')).status).to.equal(403);
    });

    it('lets a supervisor create a scorecard and refuses a bad definition with the field named', async () => {
      const bad = await api('POST', '/api/scorecards', 'supervisor1', { name: 'Outbound', definition: { sections: [{ id: 's', title: 'S', items: [{ id: 'a', title: 'A', weight: 1, scale: { min: 2, max: 2 } }] }] } });
      expect(bad.status).to.equal(400);
      expect(bad.body.message).to.contain('item a: scale.max must be above scale.min');
      const made = await api('POST', '/api/scorecards', 'supervisor1', { name: 'Outbound', active: false, definition: { sections: [{ id: 's', title: 'S', items: [{ id: 'a', title: 'A', weight: 1, scale: { min: 0, max: 1 } }] }] } });
      expect(made.status).to.equal(201);
      expect(made.body.current.definition.sections[0]).to.include({ weight: 1 });
      expect((await api('POST', '/api/scorecards', 'supervisor1', { name: 'Outbound', definition: DEFAULT_SCORECARD })).status, 'same name').to.equal(409);
      expect((await api('POST', '/api/scorecards', 'qc1', { name: 'Mine', definition: DEFAULT_SCORECARD })).status).to.equal(403);
    });
  });

  describe('evaluations', () => {
    let critical: Json;

    it('scores 0 when the critical item failed, with everything else at its best; the agent is told', async () => {
      const rec = recording('agent1');
      const opened = await api('POST', `/api/recordings/${rec}/evaluations`, 'qc1', {});
      expect(opened.status).to.equal(201);
      expect(opened.body).to.include({ status: 'draft', agentId: ids.get('agent1'), calibration: false });
      expect(opened.body.scorecard).to.include({ scorecardId, version: 1 });
      const again = await api('POST', `/api/recordings/${rec}/evaluations`, 'qc1', {});
      expect(again.status, 'the own draft comes back').to.equal(200);
      expect(again.body.id).to.equal(opened.body.id);
      expect((await api('POST', `/api/recordings/${rec}/evaluations`, 'qc2', {})).status, 'one counted evaluation per call').to.equal(409);

      const offScale = await api('PUT', `/api/evaluations/${opened.body.id}/answers`, 'qc1', { answers: [{ itemId: 'greeting', score: 3 }] });
      expect(offScale.status).to.equal(400);
      expect(offScale.body.message).to.contain('item greeting takes a whole score from 0 to 2, got 3');
      expect((await api('PUT', `/api/evaluations/${opened.body.id}/answers`, 'qc2', { answers: [] })).status, "another controller's draft").to.equal(403);

      await api('PUT', `/api/evaluations/${opened.body.id}/answers`, 'qc1', { answers: [{ itemId: 'greeting', score: 2 }] });
      const early = await api('POST', `/api/evaluations/${opened.body.id}/submit`, 'qc1');
      expect(early.status).to.equal(400);
      expect(early.body.message).to.contain('missing: asking');

      await api('PUT', `/api/evaluations/${opened.body.id}/answers`, 'qc1', { answers: answersWith({ problem_solved: 0 }), summary: 'Friendly, but the refund was never arranged' });
      const submitted = await api('POST', `/api/evaluations/${opened.body.id}/submit`, 'qc1');
      expect(submitted.status).to.equal(200);
      expect(submitted.body).to.include({ status: 'submitted', score: 0, criticalFailed: true });
      expect(events.filter((e) => e.type === 'EvaluationSubmitted').map((e) => (e as Json).evaluationId)).to.deep.equal([opened.body.id]);
      critical = submitted.body;
    });

    it('ties comments to moments of the recording (within its length) and to items', async () => {
      const at = await api('POST', `/api/evaluations/${critical.id}/comments`, 'qc1', { atSeconds: 95.5, itemId: 'problem_solved', text: 'No refund offered here' });
      expect(at.status).to.equal(201);
      await api('POST', `/api/evaluations/${critical.id}/comments`, 'qc1', { atSeconds: 3, itemId: 'greeting', text: 'Good greeting' });
      const beyond = await api('POST', `/api/evaluations/${critical.id}/comments`, 'qc1', { atSeconds: 121, text: 'after the end' });
      expect(beyond.status).to.equal(400);
      expect(beyond.body.message).to.contain('atSeconds');
      expect((await api('POST', `/api/evaluations/${critical.id}/comments`, 'qc1', { atSeconds: 5, itemId: 'nonsense', text: 'x' })).status).to.equal(400);
      const detail = await api('GET', `/api/evaluations/${critical.id}`, 'agent1');
      expect(detail.body.comments.map((c: Json) => [c.atSeconds, c.itemId])).to.deep.equal([
        [3, 'greeting'],
        [95.5, 'problem_solved'],
      ]);
    });

    it('shows the agent their own evaluations, which they acknowledge; other agents and teams get 404', async () => {
      const mine = await api('GET', '/api/evaluations?agent=me', 'agent1');
      expect(mine.status).to.equal(200);
      expect((mine.body as unknown as Json[]).map((e) => e.id)).to.deep.equal([critical.id]);
      expect((await api('GET', `/api/evaluations/${critical.id}`, 'agent2')).status).to.equal(404);
      expect((await api('POST', `/api/evaluations/${critical.id}/acknowledge`, 'agent2')).status).to.equal(404);
      expect((await api('GET', `/api/evaluations/${critical.id}`, 'lead2')).status, 'another team').to.equal(404);
      expect((await api('GET', `/api/evaluations/${critical.id}`, 'lead1')).status, 'the agent’s team lead').to.equal(200);
      expect(((await api('GET', '/api/evaluations', 'lead2')).body as unknown as Json[]).map((e) => e.id)).to.not.include(critical.id);
      expect((await api('GET', `/api/evaluations?agent=${ids.get('agent2')}`, 'agent1')).status).to.equal(403);

      const ack = await api('POST', `/api/evaluations/${critical.id}/acknowledge`, 'agent1');
      expect(ack.status).to.equal(200);
      expect(ack.body.status).to.equal('acknowledged');
      expect((await api('POST', `/api/evaluations/${critical.id}/dispute`, 'agent1', { reason: 'late' })).status, 'acknowledged is final').to.equal(409);
      expect(ack.body.history.map((h: Json) => [h.action, h.actorId])).to.deep.equal([
        ['opened', ids.get('qc1')],
        ['submitted', ids.get('qc1')],
        ['acknowledged', ids.get('agent1')],
      ]);
    });

    it('sends a dispute to the supervisor, who changes the answers: rescored, the old answers and score kept in the history', async () => {
      const rec = recording('agent1', { startedAt: '2026-11-24T02:00:00Z' });
      const e = await evaluate(rec, { courtesy: 1, accuracy: 1 });
      expect(e.score).to.equal(80.8); // courtesy and accuracy (weights 10 + 15) at their minimum: (85 + 0 + 20) / 130
      expect((await api('POST', `/api/evaluations/${e.id}/dispute`, 'agent1', { reason: '' })).status, 'a reason is required').to.equal(400);
      const disputed = await api('POST', `/api/evaluations/${e.id}/dispute`, 'agent1', { reason: 'The customer was rude first; I stayed polite' });
      expect(disputed.body).to.include({ status: 'disputed', disputeReason: 'The customer was rude first; I stayed polite' });

      const queue = await api('GET', '/api/evaluations?status=disputed', 'supervisor1');
      expect((queue.body as unknown as Json[]).map((x) => x.id)).to.deep.equal([e.id]);
      expect((await api('POST', `/api/evaluations/${e.id}/resolve`, 'qc1', { resolution: 'upheld', note: 'x' })).status).to.equal(403);
      expect((await api('POST', `/api/evaluations/${e.id}/resolve`, 'supervisor1', { resolution: 'changed', note: 'x' })).status, 'changed needs answers').to.equal(400);

      const resolved = await api('POST', `/api/evaluations/${e.id}/resolve`, 'supervisor1', { resolution: 'changed', note: 'Courtesy was fine on replay', answers: [{ itemId: 'courtesy', score: 5 }] });
      expect(resolved.status, JSON.stringify(resolved.body)).to.equal(200);
      expect(resolved.body).to.include({ status: 'resolved', resolution: 'changed', resolutionNote: 'Courtesy was fine on replay', resolvedBy: ids.get('supervisor1'), score: 88.5 });
      expect(resolved.body.answers.find((a: Json) => a.itemId === 'courtesy').score).to.equal(5);
      const steps = resolved.body.history as Json[];
      expect(steps.map((h) => [h.action, h.actorId])).to.deep.equal([
        ['opened', ids.get('qc1')],
        ['submitted', ids.get('qc1')],
        ['disputed', ids.get('agent1')],
        ['resolved_changed', ids.get('supervisor1')],
      ]);
      expect(steps[3].data.previous.score).to.equal(80.8);
      // The ruling is in the one audit trail too: who changed whose score, from where, and by how much.
      const ruling = f.hotline.db.$client.prepare("SELECT * FROM audit_log WHERE action = 'evaluation.resolved_changed' AND subject_id = ?").get(String(e.id)) as Json;
      expect(ruling).to.include({ actor_id: ids.get('supervisor1'), subject_type: 'evaluation', reason: 'Courtesy was fine on replay', outcome: 'success' });
      expect(ruling.ip).to.match(/127\.0\.0\.1/);
      expect(JSON.parse(ruling.detail)).to.include({ agentId: ids.get('agent1'), scoreBefore: 80.8, scoreAfter: 88.5 });
      expect(steps[3].data.previous.answers.find((a: Json) => a.itemId === 'courtesy').score).to.equal(1);
      expect((await api('GET', `/api/evaluations/${e.id}`, 'agent2')).status).to.equal(404);
    });

    it('keeps an evaluation on the version it was scored with when the scorecard gets a new version', async () => {
      const before = ((await api('GET', '/api/evaluations?agent=me', 'agent1')).body as unknown as Json[])[0];
      const changed = { sections: DEFAULT_SCORECARD.sections.map((s) => (s.id === 'outcome' ? s : { ...s, items: s.items.filter((i) => i.id !== 'farewell') })) };
      const put = await api('PUT', `/api/scorecards/${scorecardId}`, 'supervisor1', { definition: changed });
      expect(put.status).to.equal(200);
      expect(put.body.currentVersion).to.equal(2);
      const card = await api('GET', `/api/scorecards/${scorecardId}`, 'qc1');
      expect(card.body.versions.map((v: Json) => v.version)).to.deep.equal([1, 2]);
      expect((await api('GET', `/api/scorecards/${scorecardId}/versions/1`, 'lead1')).body.definition).to.deep.equal(DEFAULT_SCORECARD);
      expect((await api('GET', `/api/scorecards/${scorecardId}/versions/3`, 'qc1')).status).to.equal(404);

      const old = await api('GET', `/api/evaluations/${before.id}`, 'qc1');
      expect(old.body.scorecard.version).to.equal(1);
      expect(old.body.scorecard.definition).to.deep.equal(DEFAULT_SCORECARD);
      const fresh = await api('POST', `/api/recordings/${recording('agent2')}/evaluations`, 'qc1', {});
      expect(fresh.body.scorecard.version).to.equal(2);
      const farewell = await api('PUT', `/api/evaluations/${fresh.body.id}/answers`, 'qc1', { answers: [{ itemId: 'farewell', score: 2 }] });
      expect(farewell.status, 'not on version 2').to.equal(400);
      // Back to the service standard as it was, as version 3, for the tests below.
      expect((await api('PUT', `/api/scorecards/${scorecardId}`, 'supervisor1', { definition: DEFAULT_SCORECARD })).body.currentVersion).to.equal(3);
    });

    it('calibration: several controllers score one call; the spread per item and of the totals; not counted for the agent', async () => {
      const rec = recording('agent2', { startedAt: '2026-11-25T02:00:00Z' });
      await evaluate(rec, { greeting: 0, courtesy: 5 }, 'qc1', true);
      await evaluate(rec, { greeting: 2, courtesy: 2 }, 'qc2', true);
      await evaluate(rec, { greeting: 1, courtesy: 5 }, 'supervisor1', true);
      const report = await api('GET', `/api/recordings/${rec}/calibration`, 'qc1');
      expect(report.status).to.equal(200);
      const greeting = report.body.items.find((i: Json) => i.itemId === 'greeting');
      expect(greeting.scores.map((s: Json) => s.score)).to.deep.equal([0, 2, 1]);
      expect(greeting).to.include({ spread: 2, standardDeviation: 0.82 });
      const courtesy = report.body.items.find((i: Json) => i.itemId === 'courtesy');
      expect(courtesy).to.include({ spread: 3, standardDeviation: 1.41 });
      expect(report.body.items.find((i: Json) => i.itemId === 'asking')).to.include({ spread: 0, standardDeviation: 0 });
      // Totals of 130: 96.2 (greeting 0: 5 lost), 94.2 (courtesy 2 of 1–5: 7.5 lost), 98.1 (greeting 1: 2.5 lost).
      expect(report.body.evaluators.map((e: Json) => e.score)).to.deep.equal([96.2, 94.2, 98.1]);
      expect(report.body.total).to.deep.equal({ spread: 3.9, standardDeviation: 1.59, mean: 96.2 });
      const agentView = await api('GET', '/api/evaluations?agent=me', 'agent2');
      expect((agentView.body as unknown as Json[]).filter((e) => e.recordingId === rec)).to.deep.equal([]);
      expect((await api('GET', `/api/recordings/${rec}/calibration`, 'agent2')).status).to.equal(403);
    });
  });

  describe('sampling and the work list', () => {
    let complaintRec: number;
    let flaggedRec: number;

    it('picks complaints, flagged calls, outliers and N random per agent for the week; a rerun adds nothing', async () => {
      // agent5 (middle desk): six calls of 200 s, one of 20 s (outlier), one flagged, one complaint, in week 48.
      const plain = Array.from({ length: 6 }, (_, i) => recording('agent5', { startedAt: `2026-11-2${3 + (i % 5)}T03:0${i}:00Z`, duration: 200 }));
      const short = recording('agent5', { duration: 20 });
      flaggedRec = recording('agent5', { flags: ['long_silence'], duration: 200 });
      const complaintSid = `CA${'c'.repeat(32)}`;
      f.hotline.db.insert(calls).values({ sid: complaintSid, direction: 'inbound', from: '+8613800000000', to: '+864000000000', status: 'completed', startedAt: new Date('2026-11-26T02:00:00Z') }).run();
      f.hotline.db.insert(workOrders).values({ number: 'WO202611260001', callSid: complaintSid, agentId: ids.get('agent5')!, category: 'complaint', complaintType: 'service_attitude', description: 'rude', status: 'open', createdAt: new Date(), updatedAt: new Date() }).run();
      complaintRec = recording('agent5', { callSid: complaintSid, startedAt: '2026-11-26T02:00:00Z', duration: 200 });
      // Next week: not a candidate for week 48.
      const nextWeek = recording('agent5', { startedAt: '2026-11-30T02:00:00Z', flags: ['talk_over'] });

      const run = await api('POST', '/api/qa/sampling', 'supervisor1', { period: '2026-W48' });
      expect(run.status, JSON.stringify(run.body)).to.equal(200);
      const rows = f.hotline.db.select().from(qaAssignments).where(eq(qaAssignments.period, '2026-W48')).all();
      const reasonOf = new Map(rows.map((r) => [r.recordingId, r.reason]));
      expect(reasonOf.get(complaintRec)).to.equal('complaint');
      expect(reasonOf.get(flaggedRec)).to.equal('flagged');
      expect(reasonOf.get(short)).to.equal('outlier');
      expect(reasonOf.has(nextWeek)).to.equal(false);
      expect(plain.filter((id) => reasonOf.get(id) === 'random')).to.have.length(3);
      expect(run.body).to.include({ period: '2026-W48', added: rows.length });
      expect(run.body.byReason).to.include({ complaint: 1, outlier: 1 });

      const rerun = await api('POST', '/api/qa/sampling', 'supervisor1', { period: '2026-W48' });
      expect(rerun.body.added).to.equal(0);
      expect(f.hotline.db.select().from(qaAssignments).all()).to.have.length(rows.length);
      expect((await api('POST', '/api/qa/sampling', 'supervisor1', { period: '2026-W99' })).status).to.equal(400);
    });

    it('shares the work list: two controllers taking one entry at once, one gets 409; an evaluation marks it done', async () => {
      const list = await api('GET', '/api/qa/work-list', 'qc1');
      expect(list.status).to.equal(200);
      const entry = (list.body.open as Json[]).find((e) => e.recordingId === complaintRec)!;
      expect(entry).to.include({ reason: 'complaint', status: 'open' });
      expect(entry.recording).to.include({ agentId: ids.get('agent5'), desk: 'middle' });

      const [a, b] = await Promise.all([api('POST', `/api/qa/assignments/${entry.id}/take`, 'qc1'), api('POST', `/api/qa/assignments/${entry.id}/take`, 'qc2')]);
      expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
      const [winner, loser] = a.status === 200 ? ['qc1', 'qc2'] : ['qc2', 'qc1'];
      expect((await api('GET', '/api/qa/work-list', winner)).body.mine.map((e: Json) => e.id)).to.deep.equal([entry.id]);
      expect((await api('GET', '/api/qa/work-list', loser)).body.open.map((e: Json) => e.id)).to.not.include(entry.id);
      expect((await api('POST', `/api/recordings/${complaintRec}/evaluations`, loser, {})).status, 'held by the other').to.equal(409);
      expect((await api('POST', `/api/qa/assignments/${entry.id}/release`, loser)).status).to.equal(409);

      await evaluate(complaintRec, {}, winner);
      const done = f.hotline.db.select().from(qaAssignments).where(eq(qaAssignments.id, entry.id)).get()!;
      expect(done).to.include({ status: 'done', assignedTo: ids.get(winner) });
      expect(done.evaluationId).to.be.a('number');

      // Opening an evaluation on an open entry takes it for that controller.
      const flaggedEntry = (list.body.open as Json[]).find((e) => e.recordingId === flaggedRec)!;
      await api('POST', `/api/recordings/${flaggedRec}/evaluations`, 'qc2', {});
      expect(f.hotline.db.select().from(qaAssignments).where(eq(qaAssignments.id, flaggedEntry.id)).get()).to.include({ status: 'assigned', assignedTo: ids.get('qc2') });
      expect((await api('POST', `/api/qa/assignments/${flaggedEntry.id}/release`, 'qc2')).body.status).to.equal('open');
    });
  });

  describe('figures', () => {
    it('gives the average score, dispute rate, most failed items and signals per agent; calibration not counted', async () => {
      const res = await api('GET', '/api/reports/quality?from=2026-11-16&to=2026-12-07&groupBy=agent', 'supervisor1');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      const agent1 = (res.body.groups as Json[]).find((g) => g.key === String(ids.get('agent1')))!;
      // 0 (critical) and 88.5 (after the change): mean 44.3 (rounded from 44.25); one of two disputed, changed.
      expect(agent1).to.include({ evaluations: 2, averageScore: 44.3, criticalFailed: 1, disputed: 1, disputeRate: 0.5, upheld: 0, changed: 1, recordings: 2, averageAgentTalkRatio: 0.5, averageLongestSilenceSeconds: 4 });
      const agent2 = (res.body.groups as Json[]).find((g) => g.key === String(ids.get('agent2')))!;
      expect(agent2.evaluations, 'calibration and drafts are not counted').to.equal(0);
      const agent5 = (res.body.groups as Json[]).find((g) => g.key === String(ids.get('agent5')))!;
      expect(agent5.flags).to.deep.equal({ long_silence: 1, talk_over: 1 });
      // Of the three counted evaluations: the critical one, the disputed one (accuracy stayed at 1), the complaint call's.
      expect(res.body.mostFailedItems.map((i: Json) => [i.itemId, i.fails, i.scored, i.share])).to.deep.equal([
        ['accuracy', 1, 3, 0.333],
        ['problem_solved', 1, 3, 0.333],
      ]);

      // Days are the center's: every evaluation was submitted at 11:00 on 23 November in Shanghai (03:00 UTC).
      const total = async (query: string) => ((await api('GET', `/api/reports/quality?${query}&groupBy=team`, 'supervisor1')).body.groups as Json[]).reduce((a, g) => a + (g.evaluations as number), 0);
      expect(await total('from=2026-11-23&to=2026-11-24')).to.equal(3);
      expect(await total('from=2026-11-23T11:00:01%2B08:00&to=2026-11-24')).to.equal(0);
      expect(await total('from=2026-11-22&to=2026-11-23')).to.equal(0);
      expect((await api('GET', '/api/reports/quality?from=2026-11-24&to=2026-11-23', 'supervisor1')).body.message).to.contain('to must be after from');

      const byWeek = await api('GET', '/api/reports/quality?from=2026-11-16&to=2026-12-07&groupBy=week', 'qc1');
      expect((byWeek.body.groups as Json[]).map((g) => g.key)).to.deep.equal(['2026-W48', '2026-W49']);
    });

    it('gives team leads their team only', async () => {
      const lead2 = await api('GET', '/api/reports/quality?from=2026-11-16&to=2026-12-07&groupBy=team', 'lead2');
      expect((lead2.body.groups as Json[]).map((g) => g.key)).to.deep.equal([String(teamOf.get('agent5'))]);
      expect((await api('GET', '/api/reports/quality?from=2026-11-16&to=2026-12-07', 'agent1')).status).to.equal(403);
      const bad = await api('GET', '/api/reports/quality?from=yesterday&to=2026-12-07', 'supervisor1');
      expect(bad.status).to.equal(400);
      expect(bad.body.message).to.contain('from');
    });

    it('answers CSV by ?format=csv or Accept: text/csv', async () => {
      const csv = await api('GET', '/api/reports/quality?from=2026-11-16&to=2026-12-07&groupBy=agent&format=csv', 'supervisor1');
      expect(csv.status).to.equal(200);
      expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).to.equal('key,evaluations,averageScore,criticalFailed,disputed,disputeRate,upheld,changed,recordings,averageAgentTalkRatio,averageLongestSilenceSeconds,averageTalkOverCount,averageTalkOverSeconds,flagged,flags');
      expect(lines).to.include(`${ids.get('agent1')},2,44.3,1,1,0.5,0,1,2,0.5,4,1,0.8,0,{}`);
      const accepted = await api('GET', '/api/reports/quality?from=2026-11-16&to=2026-12-07&table=items', 'qc1', undefined, { accept: 'text/csv' });
      expect(accepted.headers.get('content-type')).to.match(/^text\/csv/);
      expect(accepted.text.split('\r\n')[0]).to.equal('itemId,title,fails,scored,share');
      expect(accepted.text).to.contain('problem_solved,问题解决 / Problem solved,1,');
    });
  });
});
