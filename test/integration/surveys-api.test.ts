// The survey answers through HTTP: filters by queue, agent and dates with their average, a team lead's view of their
// own team, bad input as 400s; and the figures the reports read (satisfactionBetween).
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { jobOutbox, staff } from '../../src/db/schema/index';
import { XMLParser } from 'fast-xml-parser';
import { callSid, startHotline, type Fixture } from '../support/hotline-fixture';

const parse = (body: string) => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(body).Response;

type Json = Record<string, any>;

describe('post-call survey answers: GET /api/surveys and satisfactionBetween (SQLite, real HTTP)', function () {
  this.timeout(20000);
  let f: Fixture;
  const tokens = new Map<string, string>();

  before(async () => {
    f = await startHotline();
  });
  after(async () => {
    await f.close();
  });

  async function get(path: string, as: string): Promise<{ status: number; body: Json }> {
    let token = tokens.get(as);
    if (!token) {
      const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: as, password: 'hotline-demo' }) });
      token = ((await login.json()) as { token: string }).token;
      tokens.set(as, token);
    }
    const res = await fetch(f.base + path, { headers: { Authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Json };
  }
  const staffId = (username: string) => f.hotline.db.select().from(staff).where(eq(staff.username, username)).get()!.id;

  /** A conversation of `agent` from `queue` that the caller rated `rating` at `at`, through the survey service. */
  function rated(agent: string, queue: string, rating: number, at: string): { callSid: string; interactionId: number } {
    const sid = callSid();
    const { calls, queue: entries } = f.hotline.repos;
    const when = new Date(at);
    calls.insert({ sid, direction: 'inbound', from: '+8613911112222', to: f.config.hotlineNumber, status: 'in-progress', startedAt: when });
    entries.enqueue({ callSid: sid, queue, desk: queue.startsWith('middle-') ? 'middle' : 'front', priority: 10, reason: 'agent', status: 'waiting', enqueuedAt: when });
    const ix = f.hotline.acdRepos.interactions.offer({ callSid: sid, queueEntryId: entries.forCall(sid)!.id, agentId: staffId(agent), at: when });
    f.hotline.acdRepos.interactions.update(ix.id, { status: 'ended', answeredAt: when, endedAt: when });
    f.hotline.surveys.postCall.rated({ callSid: sid, interactionId: ix.id, rating, at: when });
    return { callSid: sid, interactionId: ix.id };
  }

  let first: { callSid: string; interactionId: number };
  before(() => {
    // Shanghai is UTC+8: 2026-11-23 runs from 2026-11-22T16:00Z to 2026-11-23T16:00Z.
    first = rated('agent1', 'front-general', 5, '2026-11-23T02:00:00Z');
    rated('agent1', 'front-vip', 3, '2026-11-23T15:59:00Z');
    rated('agent2', 'front-general', 4, '2026-11-24T01:00:00Z');
    rated('agent5', 'middle-review', 1, '2026-11-22T10:00:00Z');
  });

  it('stores one answer per conversation with the agent, their team, the queue and the desk; a repeat changes nothing', () => {
    const [row] = f.hotline.surveys.responses.forCall(first.callSid);
    expect(row).to.include({ interactionId: first.interactionId, agentId: staffId('agent1'), queue: 'front-general', desk: 'front', rating: 5 });
    expect(row.teamId).to.equal(f.hotline.db.select().from(staff).where(eq(staff.username, 'agent1')).get()!.teamId);
    f.hotline.surveys.postCall.rated({ callSid: first.callSid, interactionId: first.interactionId, rating: 1, at: new Date() });
    expect(f.hotline.surveys.responses.forCall(first.callSid).map((r) => r.rating)).to.deep.equal([5]);
  });

  it('a comment is attached once and its download is queued in the outbox, like a voicemail', () => {
    const rec = 'RE' + 'a'.repeat(32);
    const at = new Date('2026-11-23T02:01:00Z');
    f.hotline.surveys.postCall.commented({ callSid: first.callSid, interactionId: first.interactionId, recordingUrl: `https://api.twilio.com/x/${rec}`, recordingSid: rec, durationSeconds: 9, at });
    f.hotline.surveys.postCall.commented({ callSid: first.callSid, interactionId: first.interactionId, recordingUrl: 'https://api.twilio.com/x/other', recordingSid: 'RE' + 'b'.repeat(32), durationSeconds: 3, at });
    expect(f.hotline.surveys.responses.forInteraction(first.interactionId)).to.include({ commentRecordingSid: rec, commentSeconds: 9 });
    const job = f.hotline.db.select().from(jobOutbox).where(eq(jobOutbox.jobId, `survey-comment:${rec}`)).get();
    expect(job).to.include({ queue: 'recordings', name: 'survey-comment-download' });
    expect(f.hotline.db.select().from(jobOutbox).where(eq(jobOutbox.jobId, `survey-comment:RE${'b'.repeat(32)}`)).get()).to.equal(undefined);
  });

  it('a supervisor sees every answer, newest first, with the count and the average', async () => {
    const res = await get('/api/surveys', 'supervisor1');
    expect(res.status).to.equal(200);
    expect(res.body.total).to.equal(4);
    expect(res.body.average).to.equal(3.25);
    expect(res.body.answers.map((a: Json) => a.rating)).to.deep.equal([4, 3, 5, 1]);
    const answer = res.body.answers.find((a: Json) => a.interactionId === first.interactionId);
    expect(answer).to.deep.include({ agentName: '陈静', queue: 'front-general', answeredAt: '2026-11-23T02:00:00.000Z' });
    expect(answer.comment).to.deep.equal({ seconds: 9, recordedAt: '2026-11-23T02:01:00.000Z', stored: false });
  });

  it('filters by queue, agent and a date range (a day is the center’s day, `to` included)', async () => {
    const byQueue = await get('/api/surveys?queue=front-general', 'dispatcher1');
    expect(byQueue.body).to.include({ total: 2, average: 4.5 });
    const byAgent = await get(`/api/surveys?agentId=${staffId('agent1')}`, 'supervisor1');
    expect(byAgent.body).to.include({ total: 2, average: 4 });
    const day = await get('/api/surveys?from=2026-11-23&to=2026-11-23', 'supervisor1');
    expect(day.body.answers.map((a: Json) => a.rating)).to.deep.equal([3, 5]);
    const instant = await get(`/api/surveys?from=${encodeURIComponent('2026-11-23T10:30:00+08:00')}&to=${encodeURIComponent('2026-11-24T10:00:00+08:00')}`, 'supervisor1');
    expect(instant.body.answers.map((a: Json) => a.rating)).to.deep.equal([4, 3]);
    const none = await get('/api/surveys?queue=back-rma', 'supervisor1');
    expect(none.body).to.deep.equal({ total: 0, average: null, answers: [] });
    const paged = await get('/api/surveys?limit=1&offset=1', 'supervisor1');
    expect(paged.body.total).to.equal(4);
    expect(paged.body.answers.map((a: Json) => a.rating)).to.deep.equal([3]);
  });

  it('a team lead sees their own team only, whatever they ask for', async () => {
    const lead1 = await get('/api/surveys', 'lead1');
    expect(lead1.status).to.equal(200);
    expect(lead1.body.answers.map((a: Json) => a.rating)).to.deep.equal([4, 3, 5]);
    const lead2 = await get('/api/surveys', 'lead2');
    expect(lead2.body).to.include({ total: 1, average: 1 });
    const otherTeam = await get(`/api/surveys?agentId=${staffId('agent1')}`, 'lead2');
    expect(otherTeam.body).to.include({ total: 0 });
  });

  it('bad filters are 400s that say what is wrong; an agent or a quality controller is refused', async () => {
    const cases: [string, string][] = [
      ['agentId=abc', 'agentId must be a number'],
      ['from=yesterday', 'from must be an ISO date (2026-11-23) or time'],
      ['from=2026-11-24&to=2026-11-22', 'to must be after from'],
      ['queue=Front%20General', 'queue must be a queue name like front-general'],
      ['limit=0', 'limit: at least 1'],
      ['rating=5', 'Unrecognized key: "rating"'],
    ];
    for (const [query, message] of cases) {
      const res = await get(`/api/surveys?${query}`, 'supervisor1');
      expect(res.status, query).to.equal(400);
      expect(String(res.body.message), query).to.include(message);
      expect(JSON.stringify(res.body), query).to.not.match(/\.ts:\d|stack/);
    }
    expect((await get('/api/surveys', 'agent1')).status).to.equal(403);
    expect((await get('/api/surveys', 'qc1')).status).to.equal(403);
  });

  it('satisfactionBetween groups the answers of an interval by center, desk, queue, team or agent', () => {
    const repo = f.hotline.surveys.responses;
    const from = new Date('2026-11-22T00:00:00Z');
    const to = new Date('2026-11-25T00:00:00Z');
    expect(repo.satisfactionBetween(from, to, 'center')).to.deep.equal([{ key: 'center', responses: 4, average: 3.25, satisfied: 2 }]);
    expect(repo.satisfactionBetween(from, to, 'desk')).to.deep.equal([
      { key: 'front', responses: 3, average: 4, satisfied: 2 },
      { key: 'middle', responses: 1, average: 1, satisfied: 0 },
    ]);
    expect(repo.satisfactionBetween(from, to, 'queue').map((g) => [g.key, g.responses, g.average])).to.deep.equal([
      ['front-general', 2, 4.5],
      ['front-vip', 1, 3],
      ['middle-review', 1, 1],
    ]);
    const byAgent = repo.satisfactionBetween(from, to, 'agent');
    expect(byAgent.find((g) => g.key === String(staffId('agent1')))).to.deep.equal({ key: String(staffId('agent1')), responses: 2, average: 4, satisfied: 1 });
    expect(repo.satisfactionBetween(from, to, 'team')).to.have.length(2);
    // The interval is half open: an answer at `to` belongs to the next one.
    expect(repo.satisfactionBetween(new Date('2026-11-23T02:00:00Z'), new Date('2026-11-23T15:59:00Z'), 'center')).to.deep.equal([{ key: 'center', responses: 1, average: 5, satisfied: 1 }]);
    expect(repo.satisfactionBetween(new Date('2027-01-01T00:00:00Z'), new Date('2027-01-02T00:00:00Z'), 'queue')).to.deep.equal([]);
  });

  describe('the survey webhook /twilio/survey (signed)', () => {
    it('starts the survey flow on the caller’s call in their language, answers a retry the same, and refuses an unsigned request', async () => {
      const sid = callSid();
      const params = { CallSid: sid, AccountSid: f.config.twilio.accountSid, From: '+8618612345678', To: f.config.hotlineNumber, CallStatus: 'in-progress', Direction: 'inbound', ApiVersion: '2010-04-01' };
      expect((await f.post('/twilio/voice', { ...params, CallStatus: 'ringing' })).status).to.equal(200);
      expect((await f.post('/twilio/ivr?s=1', { ...params, Digits: '2' })).status).to.equal(200); // English
      const { queue: entries } = f.hotline.repos;
      entries.enqueue({ callSid: sid, queue: 'front-general', desk: 'front', priority: 10, reason: 'agent', status: 'waiting', enqueuedAt: new Date() });
      const ix = f.hotline.acdRepos.interactions.offer({ callSid: sid, queueEntryId: entries.forCall(sid)!.id, agentId: staffId('agent2'), at: new Date() });
      const step = f.hotline.repos.calls.get(sid)!.step;

      expect((await f.post(`/twilio/survey?ix=${ix.id}`, params, { signature: null })).status).to.equal(403);
      const res = await f.post(`/twilio/survey?ix=${ix.id}`, params);
      expect(res.status).to.equal(200);
      const r = parse(res.body);
      expect(r.Gather).to.include({ numDigits: '1', action: `${f.base}/twilio/ivr?s=${step + 1}` });
      expect(r.Gather.Say['#text']).to.include('Please rate our service');
      const again = await f.post(`/twilio/survey?ix=${ix.id}`, params);
      expect(again.body).to.equal(res.body);
      expect(f.hotline.repos.calls.events(sid).filter((e) => e.type === 'survey.started')).to.have.length(1);

      // The caller presses 5: the answer is agent2's, from front-general.
      const rated = await f.post(`/twilio/ivr?s=${step + 1}`, { ...params, Digits: '5' });
      expect(parse(rated.body).Gather.Say['#text']).to.include('To leave a short comment, press 1');
      expect(f.hotline.surveys.responses.forInteraction(ix.id)).to.include({ rating: 5, agentId: staffId('agent2'), queue: 'front-general' });
    });
  });
});
