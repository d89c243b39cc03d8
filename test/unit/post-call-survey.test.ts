// PostCallSurvey's rules on a real SQLite database, with its carrier port scripted: which conversations end in a
// survey, and what happens when the agent's leg ends (redirect, caller already gone, carrier failure).
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor } from '../../src/db/transaction';
import { staff } from '../../src/db/schema/index';
import { seedDemoStaff } from '../../src/db/seed/demo-staff';
import { CallsRepo } from '../../src/calls/calls.repo';
import { InteractionsRepo } from '../../src/acd/interactions.repo';
import { QueueEntriesRepo } from '../../src/acd/queue-entries.repo';
import { QueueSettingsRepo, defaultQueueSettings } from '../../src/acd/queue-settings.repo';
import { CallGone } from '../../src/acd/dispatcher';
import { OutboxRepo } from '../../src/jobs/outbox.repo';
import { EventBus } from '../../src/events/domain-events';
import { createLogger } from '../../src/logging/logger';
import { SurveyResponsesRepo } from '../../src/surveys/survey-responses.repo';
import { PostCallSurvey, type SurveyCarrier } from '../../src/surveys/post-call-survey';
import { TEST_PASSWORD_COST } from '../support/password-cost';

const T0 = new Date('2026-11-23T03:00:00Z');

describe('post-call survey: planning and the end of the conversation (SQLite in memory, scripted carrier)', () => {
  let db: Db;
  let events: EventBus;
  let carrier: SurveyCarrier & { redirects: string[]; hangups: string[]; stops: string[]; fail?: Error };
  let survey: PostCallSurvey;
  let seq = 0;

  const repos = () => ({ calls: new CallsRepo(db), interactions: new InteractionsRepo(db), queue: new QueueEntriesRepo(db), settings: new QueueSettingsRepo(db) });

  function build(flowLoaded = true) {
    const r = repos();
    survey = new PostCallSurvey({
      calls: r.calls,
      interactions: r.interactions,
      queue: r.queue,
      rules: r.settings,
      responses: new SurveyResponsesRepo(db),
      outbox: new OutboxRepo(db),
      carrier,
      stopRecording: async (sid) => void carrier.stops.push(sid),
      flowLoaded,
      transact: transactor(db),
      clock: { now: () => T0 },
      events,
      log: createLogger('error', true),
    });
  }

  beforeEach(() => {
    db = openDatabase(':memory:');
    seedDemoStaff(db, { now: T0, passwordCost: TEST_PASSWORD_COST });
    new QueueSettingsRepo(db).upsert({ ...defaultQueueSettings('front-general'), postCallSurvey: true });
    new QueueSettingsRepo(db).upsert(defaultQueueSettings('front-vip'));
    events = new EventBus((err) => {
      throw err;
    });
    carrier = {
      redirects: [],
      hangups: [],
      stops: [],
      async redirectToSurvey(sid, ix) {
        if (carrier.fail) throw carrier.fail;
        carrier.redirects.push(`${sid}:${ix}`);
      },
      async hangup(sid) {
        carrier.hangups.push(sid);
      },
    };
    build();
  });
  afterEach(() => db.$client.close());

  /** A conversation of agent1 answered from `queue`. */
  function conversation(queue: string) {
    const r = repos();
    const sid = `CA${String(++seq).padStart(32, '0')}`;
    r.calls.insert({ sid, direction: 'inbound', from: '+8613911112222', to: '+864008001234', status: 'in-progress', startedAt: T0 });
    r.queue.enqueue({ callSid: sid, queue, desk: 'front', priority: 10, reason: 'agent', status: 'waiting', enqueuedAt: T0 });
    const agentId = db.select().from(staff).where(eq(staff.username, 'agent1')).get()!.id;
    const live = r.interactions.liveForAgent(agentId);
    if (live) r.interactions.update(live.id, { status: 'ended', endedAt: T0 });
    const ix = r.interactions.offer({ callSid: sid, queueEntryId: r.queue.forCall(sid)!.id, agentId, at: T0 });
    r.interactions.update(ix.id, { status: 'connected', answeredAt: T0 });
    return { sid, ix: ix.id, agentId };
  }
  /** The agent's leg ended: the interaction ends and CallEnded is published, as the dispatcher does. */
  async function agentHangsUp(c: { sid: string; ix: number; agentId: number }) {
    repos().interactions.update(c.ix, { status: 'ended', endedAt: T0 });
    events.publish({ type: 'CallEnded', interactionId: c.ix, callSid: c.sid, agentId: c.agentId, at: T0 });
    await survey.idle();
  }

  it('plans the survey for a queue with it on, once, and not for a queue with it off or without a survey flow', () => {
    const on = conversation('front-general');
    expect(survey.planFor(on.ix)).to.equal(true);
    expect(survey.planFor(on.ix)).to.equal(true);
    expect(repos().calls.events(on.sid).filter((e) => e.type === 'survey.planned')).to.have.length(1);
    // Turned off after the answer: the conversation keeps what was decided when it started.
    new QueueSettingsRepo(db).upsert(defaultQueueSettings('front-general'));
    expect(survey.planFor(on.ix)).to.equal(true);
    const off = conversation('front-vip');
    expect(survey.planFor(off.ix)).to.equal(false);
    new QueueSettingsRepo(db).upsert({ ...defaultQueueSettings('front-general'), postCallSurvey: true });
    build(false);
    expect(survey.planFor(conversation('front-general').ix)).to.equal(false);
    expect(survey.planFor(9999)).to.equal(false);
  });

  it('when the agent leaves a planned conversation, redirects the caller to the survey and then stops the QA recording', async () => {
    const c = conversation('front-general');
    survey.planFor(c.ix);
    await agentHangsUp(c);
    expect(carrier.redirects).to.deep.equal([`${c.sid}:${c.ix}`]);
    expect(carrier.stops).to.deep.equal([c.sid]);
    expect(carrier.hangups).to.deep.equal([]);
  });

  it('does nothing when the survey was not planned, or the caller is known to have hung up', async () => {
    const unplanned = conversation('front-vip');
    await agentHangsUp(unplanned);
    const gone = conversation('front-general');
    survey.planFor(gone.ix);
    repos().calls.update(gone.sid, { status: 'completed', endedAt: T0 });
    await agentHangsUp(gone);
    expect(carrier.redirects).to.deep.equal([]);
    expect(carrier.stops).to.deep.equal([]);
  });

  it('a caller the carrier no longer has (hung up first) is left alone; any other failure ends their call', async () => {
    const first = conversation('front-general');
    survey.planFor(first.ix);
    carrier.fail = new CallGone(first.sid);
    await agentHangsUp(first);
    expect(carrier.hangups).to.deep.equal([]);
    expect(carrier.stops).to.deep.equal([]);

    const stuck = conversation('front-general');
    survey.planFor(stuck.ix);
    carrier.fail = Object.assign(new Error('carrier down'), { status: 503 });
    await agentHangsUp(stuck);
    expect(carrier.hangups).to.deep.equal([stuck.sid]);
  });

  it('stores a rating once per conversation, with the queue, desk and team; a comment once; another call’s conversation not at all', () => {
    const c = conversation('front-general');
    const responses = new SurveyResponsesRepo(db);
    survey.rated({ callSid: c.sid, interactionId: c.ix, customerId: undefined, rating: 4, at: T0 });
    survey.rated({ callSid: c.sid, interactionId: c.ix, rating: 1, at: T0 });
    survey.rated({ callSid: 'CA' + 'f'.repeat(32), interactionId: c.ix, rating: 2, at: T0 });
    const [row] = responses.forCall(c.sid);
    expect(row).to.include({ rating: 4, queue: 'front-general', desk: 'front', agentId: c.agentId, customerId: null });
    expect(row.teamId).to.be.a('number');
    expect(responses.forCall('CA' + 'f'.repeat(32))).to.deep.equal([]);
    const rec = (n: string) => 'RE' + n.repeat(32);
    survey.commented({ callSid: c.sid, interactionId: c.ix, recordingUrl: 'https://api.twilio.com/r/1', recordingSid: rec('1'), durationSeconds: 7, at: T0 });
    survey.commented({ callSid: c.sid, interactionId: c.ix, recordingUrl: 'https://api.twilio.com/r/2', recordingSid: rec('2'), durationSeconds: 3, at: T0 });
    expect(responses.forCall(c.sid)[0]).to.include({ commentRecordingSid: rec('1'), commentSeconds: 7 });
    expect(new OutboxRepo(db).pending(10).map((j) => [j.name, j.jobId])).to.deep.equal([['survey-comment-download', `survey-comment:${rec('1')}`]]);
  });
});
