// Separation of duties in quality control: nobody scores a call they took themselves (a controller or supervisor who
// used to be an agent), and a dispute is settled by a supervisor other than the one who scored the call. And what a
// team lead reads of the controllers' work: never their drafts or calibration scores.
import { expect } from 'chai';
import { recordings, staff } from '../../src/db/schema/index';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { hashPasswordSync } from '../../src/auth/password';
import { StaffRepo } from '../../src/auth/staff.repo';
import { DEFAULT_SCORECARD, items } from '../../src/quality/scorecards';
import { startHotline, type Fixture } from '../support/hotline-fixture';
import { TEST_PASSWORD_COST } from '../support/password-cost';

type Json = Record<string, any>;

const allAtMax = () => items(DEFAULT_SCORECARD).map((i) => ({ itemId: i.id, score: i.scale.max }));

describe('quality control: separation of duties (through the server)', function () {
  this.timeout(30_000);
  let f: Fixture;
  const tokens = new Map<string, string>();
  const ids = new Map<string, number>();
  const teams = new Map<string, number | null>();
  let n = 0;

  async function api(method: string, path: string, who: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const h: Record<string, string> = { authorization: `Bearer ${tokens.get(who)}` };
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await fetch(f.base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json };
  }

  /** A stored recording whose call `agent` took. */
  function recording(agent: string, teamId: number | null = null): number {
    n += 1;
    const callSid = `CA${String(n).padStart(32, '0')}`;
    return f.hotline.db
      .insert(recordings)
      .values({ recordingSid: `RE${String(n).padStart(32, '0')}`, callSid, agentId: ids.get(agent)!, teamId, desk: 'front', direction: 'inbound', startedAt: new Date('2026-10-05T04:00:00Z'), durationSeconds: 120, status: 'stored', storageKey: `2026/10/05/${callSid}.wav` })
      .returning()
      .get().id;
  }

  before(async () => {
    f = await startHotline();
    const repo = new StaffRepo(f.hotline.db);
    for (const [username, role] of [['qc2', 'quality_controller'], ['supervisor2', 'supervisor']] as const) {
      repo.createStaff({ username, displayName: username, role, department: null, passwordHash: hashPasswordSync(DEMO_PASSWORD, TEST_PASSWORD_COST), createdAt: new Date() });
    }
    for (const s of f.hotline.db.select().from(staff).all()) (ids.set(s.username, s.id), teams.set(s.username, s.teamId));
    for (const username of ['agent1', 'lead1', 'qc1', 'qc2', 'supervisor1', 'supervisor2']) {
      const res = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
      expect(res.status, username).to.equal(200);
      tokens.set(username, ((await res.json()) as Json).token as string);
    }
  });

  after(async () => {
    await f?.close();
  });

  it('refuses a controller or supervisor an evaluation (counted or calibration) of a call they took themselves; a colleague may', async () => {
    const own = recording('qc1');
    for (const body of [{}, { calibration: true }]) {
      const mine = await api('POST', `/api/recordings/${own}/evaluations`, 'qc1', body);
      expect(mine.status, JSON.stringify(mine.body)).to.equal(403);
      expect(mine.body.message).to.contain('own call');
    }
    const supervisorsOwn = recording('supervisor1');
    expect((await api('POST', `/api/recordings/${supervisorsOwn}/evaluations`, 'supervisor1', {})).status).to.equal(403);

    const colleague = await api('POST', `/api/recordings/${own}/evaluations`, 'qc2', {});
    expect(colleague.status, JSON.stringify(colleague.body)).to.equal(201);
    expect(colleague.body).to.include({ agentId: ids.get('qc1'), evaluatorId: ids.get('qc2') });
  });

  it('lets only a supervisor other than the evaluator settle a dispute', async () => {
    const rec = recording('agent1');
    const opened = await api('POST', `/api/recordings/${rec}/evaluations`, 'supervisor1', {});
    expect(opened.status).to.equal(201);
    expect((await api('PUT', `/api/evaluations/${opened.body.id}/answers`, 'supervisor1', { answers: allAtMax() })).status).to.equal(200);
    expect((await api('POST', `/api/evaluations/${opened.body.id}/submit`, 'supervisor1')).status).to.equal(200);
    expect((await api('POST', `/api/evaluations/${opened.body.id}/dispute`, 'agent1', { reason: 'The line was bad' })).status).to.equal(200);

    const ownScore = await api('POST', `/api/evaluations/${opened.body.id}/resolve`, 'supervisor1', { resolution: 'upheld', note: 'I stand by it' });
    expect(ownScore.status, JSON.stringify(ownScore.body)).to.equal(403);
    expect(ownScore.body.message).to.contain('another supervisor');
    const still = await api('GET', `/api/evaluations/${opened.body.id}`, 'supervisor2');
    expect(still.body.status).to.equal('disputed');

    const other = await api('POST', `/api/evaluations/${opened.body.id}/resolve`, 'supervisor2', { resolution: 'upheld', note: 'Replayed: the score stands' });
    expect(other.status, JSON.stringify(other.body)).to.equal(200);
    expect(other.body).to.include({ status: 'resolved', resolution: 'upheld', resolvedBy: ids.get('supervisor2') });
  });

  it('shows a team lead their team\'s submitted evaluations but never a calibration one (as the recordings library does)', async () => {
    expect(teams.get('agent1'), 'agent1 is in lead1\'s team').to.equal(teams.get('lead1')).and.to.not.equal(null);
    const rec = recording('agent1', teams.get('agent1')!);
    const opened = await api('POST', `/api/recordings/${rec}/evaluations`, 'qc1', { calibration: true });
    expect(opened.status).to.equal(201);
    await api('PUT', `/api/evaluations/${opened.body.id}/answers`, 'qc1', { answers: allAtMax() });
    expect((await api('POST', `/api/evaluations/${opened.body.id}/submit`, 'qc1')).status).to.equal(200);

    expect((await api('GET', `/api/evaluations/${opened.body.id}`, 'lead1')).status).to.equal(404);
    for (const query of ['', '?calibration=1', `?recording=${rec}`]) {
      const list = await api('GET', `/api/evaluations${query}`, 'lead1');
      expect(list.status).to.equal(200);
      expect((list.body as unknown as Json[]).map((e) => e.id), query).to.not.include(opened.body.id);
    }
    const detail = await api('GET', `/api/recordings/${rec}`, 'lead1');
    expect(detail.status).to.equal(200);
    expect(detail.body.evaluations).to.deep.equal([]);
    expect((await api('GET', `/api/evaluations/${opened.body.id}`, 'qc2')).status, 'quality staff see it').to.equal(200);
  });
});
