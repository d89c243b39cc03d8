// The post-call survey end to end through the carrier simulator: the agent hangs up, the caller stays on the line,
// rates the call on the keypad and may record a comment (downloaded by a bull job on real Redis); hanging up, silence,
// a wrong key and a queue with the survey off each do what the caller would expect.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { CALLBACK_MODES, startHotlineWithSimulator, startWorker, type SimFixture } from '../support/sim-fixture';
import { redisSuite } from '../support/redis-suite';
import { AgentDesk, api } from '../support/agent-desk';
import { eventually } from '../support/eventually';

const LI_NA = '+8613911112222';
const ZHANG_WEI = '+8613700001111';

/** Language 1, then 0 (an agent, front-general: the demo queue with the survey on). */
const TO_AGENT = [{ press: '1' }, { press: '0' }];
const RATE_PROMPT = '请为本次服务打分';
const COMMENT_OFFER = '如需留下您的意见';
const COMMENT_PROMPT = '请在提示音后留下您的意见';
const INVALID = '抱歉，请按1到5之间的数字键';
const THANKS = '感谢您的宝贵意见';
const GOODBYE = '感谢您的来电，再见';

for (const mode of CALLBACK_MODES) describe(`post-call survey end to end through the carrier simulator (${mode.name})`, function () {
  this.timeout(60000);
  let f: SimFixture;
  const run = redisSuite('survey', () => f.close());
  let dir: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'survey-'));
    f = await startHotlineWithSimulator({}, { timeScale: 20, simulatedServerClock: true, acdTickMs: 10, callbackOrder: mode.order });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function background() {
    const bg = startWorker(f, { prefix: run.prefix, recordingsDir: dir });
    run.cleanups.push(() => bg.stop());
    return bg;
  }

  /** agent1 answers, talks `talkSeconds`, then hangs up. */
  async function agentWhoHangsUp(talkSeconds = 10) {
    const agent = await AgentDesk.signIn(f, 'agent1', { script: [{ wait: talkSeconds }, { hangup: true }] });
    run.desks.push(agent);
    expect((await agent.setState('available')).status).to.equal(200);
    return agent;
  }
  async function token(username: string): Promise<string> {
    const login = await api(f, 'POST', '/api/auth/login', undefined, { username, password: 'hotline-demo' });
    expect(login.status).to.equal(200);
    return login.body.token as string;
  }
  /** The conversation the caller had (an offer may have been withdrawn first when the machine is slow). */
  const interactionOf = (callSid: string) => {
    const ix = f.hotline.acdRepos.interactions.forCall(callSid).filter((i) => i.answeredAt).at(-1);
    expect(ix, 'interaction').to.not.equal(undefined);
    return ix!;
  };
  const surveyEvents = (callSid: string) => f.hotline.repos.calls.events(callSid).filter((e) => e.type.startsWith('survey.'));

  it('the agent hangs up, the caller presses 4 and records a comment: one answer tied to the call, the interaction and the agent', async () => {
    background();
    const agent = await agentWhoHangsUp();
    const call = f.dial(LI_NA, [...TO_AGENT, { hear: RATE_PROMPT }, { press: '4' }, { hear: COMMENT_OFFER }, { press: '1' }, { hear: COMMENT_PROMPT }, { say: '客服态度很好，问题解决了' }, { press: '#' }]);
    await call.done;

    const ix = interactionOf(call.sid);
    expect(ix).to.include({ status: 'ended', agentId: agent.id });
    // The caller heard the survey after the conversation, in order, and the call ended by our goodbye, not the conference.
    const heard = call.heard().join(' | ');
    expect(heard.indexOf(RATE_PROMPT)).to.be.greaterThan(-1);
    expect(heard.indexOf(COMMENT_PROMPT)).to.be.greaterThan(heard.indexOf(RATE_PROMPT));
    expect(heard).to.include(THANKS);
    expect(call.transcript.filter((t) => t.kind === 'error')).to.deep.equal([]);
    const last = call.transcript[call.transcript.length - 1];
    expect(last).to.deep.include({ kind: 'hangup', text: 'server' });
    // The agent left first: the conference did not end the caller's call, the survey came by a REST redirect.
    expect(call.transcript.some((t) => t.kind === 'redirect' && String(t.text).includes(`/twilio/survey?ix=${ix.id}`))).to.equal(true);

    const answer = await eventually(() => {
      const [r] = f.hotline.surveys.responses.forCall(call.sid);
      expect(r?.commentRecordingSid, 'comment').to.match(/^RE[0-9a-f]{32}$/);
      return r;
    });
    expect(answer).to.include({ rating: 4, callSid: call.sid, interactionId: ix.id, agentId: agent.id, queue: 'front-general', desk: 'front' });
    expect(answer.commentSeconds).to.be.greaterThan(0);
    expect(answer.teamId).to.be.a('number');
    expect(answer.customerId).to.be.a('number');

    // The comment's audio is fetched from the carrier by the job (outbox → bull on Redis), like a voicemail.
    const stored = await eventually(() => {
      const r = f.hotline.surveys.responses.get(answer.id)!;
      expect(r.commentLocalPath).to.equal(`survey-comment-${answer.commentRecordingSid}.wav`);
      return r;
    }, 15000);
    expect(fs.statSync(path.join(dir, stored.commentLocalPath!)).size).to.be.greaterThan(44);

    // Supervisors read it through the API, with the average; the recording's detail shows it too.
    const sup = await token('supervisor1');
    const list = await fetch(`${f.base}/api/surveys?queue=front-general&agentId=${agent.id}`, { headers: { Authorization: `Bearer ${sup}` } });
    expect(list.status).to.equal(200);
    const body = (await list.json()) as { total: number; average: number; answers: { rating: number; interactionId: number; comment: { seconds: number; stored: boolean } | null }[] };
    expect(body).to.include({ total: 1, average: 4 });
    expect(body.answers[0]).to.deep.include({ rating: 4, interactionId: ix.id });
    expect(body.answers[0].comment).to.include({ stored: true });
    const recording = await eventually(() => {
      const r = f.hotline.acdRepos.interactions.get(ix.id)!;
      expect(r.recordingSid).to.match(/^RE/);
      return f.hotline.db.$client.prepare('select id from recordings where interaction_id = ?').get(ix.id) as { id: number };
    });
    // The QA recording of the caller's leg was stopped when the survey began: it holds the conversation, not the survey.
    const qa = await eventually(() => {
      const row = f.hotline.db.$client.prepare('select duration_seconds as d from recordings where interaction_id = ?').get(ix.id) as { d: number | null };
      expect(row.d).to.be.a('number');
      return row.d!;
    });
    // In the caller's timeline (simulated seconds): joined the agent, sent to the survey, hung up. The recording holds
    // the conversation and not the survey after it, whatever the REST round trips cost on a loaded machine.
    const at = (pred: (t: (typeof call.transcript)[number]) => boolean) => call.transcript.find(pred)!.t;
    const joined = at((t) => t.kind === 'conference' && t.text === `interaction-${ix.id}`);
    const toSurvey = at((t) => t.kind === 'redirect' && String(t.text).includes('/twilio/survey'));
    const surveySeconds = call.transcript[call.transcript.length - 1].t - toSurvey;
    expect(surveySeconds).to.be.greaterThan(20);
    expect(qa).to.be.greaterThan(0);
    expect(qa).to.be.below(toSurvey - joined + surveySeconds / 2);
    const detail = await fetch(`${f.base}/api/recordings/${recording.id}`, { headers: { Authorization: `Bearer ${sup}` } });
    expect(detail.status).to.equal(200);
    expect(((await detail.json()) as { survey: { rating: number } | null }).survey).to.include({ rating: 4, interactionId: ix.id });

    // The agent wraps up as after any call: the survey does not keep them on it.
    await eventually(() => expect(f.hotline.presence.get(agent.id).state).to.be.oneOf(['wrap_up', 'available']), 5000);
  });

  it('a key out of range is asked again; silence at the comment offer is a goodbye; the rating stays', async () => {
    const agent = await agentWhoHangsUp();
    const call = f.dial(ZHANG_WEI, [...TO_AGENT, { hear: RATE_PROMPT }, { press: '9' }, { hear: INVALID }, { press: '2' }]);
    await call.done;
    const heard = call.heard().join(' | ');
    expect(heard).to.include(INVALID);
    expect(heard).to.include(COMMENT_OFFER);
    expect(heard).to.not.include(COMMENT_PROMPT);
    const [answer] = f.hotline.surveys.responses.forCall(call.sid);
    expect(answer).to.include({ rating: 2, agentId: agent.id, commentRecordingSid: null });
  });

  it('the caller hangs up during the survey before rating: nothing is stored', async () => {
    await agentWhoHangsUp();
    const call = f.dial(LI_NA, [...TO_AGENT, { hear: RATE_PROMPT }, { hangup: true }]);
    await call.done;
    expect(call.heard().join(' ')).to.include(RATE_PROMPT);
    expect(surveyEvents(call.sid).map((e) => e.type)).to.include('survey.started');
    expect(f.hotline.surveys.responses.forCall(call.sid)).to.deep.equal([]);
  });

  it('silence at the rating: a safe goodbye and no answer stored', async () => {
    await agentWhoHangsUp();
    const call = f.dial(LI_NA, [...TO_AGENT]);
    await call.done;
    const heard = call.heard();
    expect(heard.join(' ')).to.include(RATE_PROMPT);
    expect(heard[heard.length - 1]).to.include(GOODBYE);
    expect(call.transcript.filter((t) => t.kind === 'silence').length).to.be.at.least(1);
    expect(f.hotline.surveys.responses.forCall(call.sid)).to.deep.equal([]);
  });

  it('the caller hangs up first: no survey, nothing stored, the agent is freed as usual', async () => {
    const agent = await agentWhoHangsUp(120);
    const call = f.dial(LI_NA, [...TO_AGENT, { wait: 5 }, { hangup: true }]);
    await call.done;
    await eventually(() => expect(f.hotline.presence.get(agent.id).state).to.be.oneOf(['wrap_up', 'available']), 10000);
    await f.hotline.surveys.postCall.idle();
    expect(call.heard().join(' ')).to.not.include(RATE_PROMPT);
    expect(surveyEvents(call.sid).map((e) => e.type)).to.deep.equal(['survey.planned']);
    expect(f.hotline.surveys.responses.forCall(call.sid)).to.deep.equal([]);
  });

  it('a queue with the survey off (set through the queues API): the caller’s call ends with the agent’s', async () => {
    const sup = await token('supervisor1');
    const put = await fetch(`${f.base}/api/queues/front-general`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${sup}` },
      body: JSON.stringify({ postCallSurvey: false }),
    });
    expect(put.status).to.equal(200);
    expect(await put.json()).to.include({ name: 'front-general', postCallSurvey: false });
    await agentWhoHangsUp();
    const call = f.dial(LI_NA, [...TO_AGENT, { hear: RATE_PROMPT }, { press: '5' }]);
    await call.done;
    expect(call.heard().join(' ')).to.not.include(RATE_PROMPT);
    expect(surveyEvents(call.sid)).to.deep.equal([]);
    expect(f.hotline.surveys.responses.forCall(call.sid)).to.deep.equal([]);
    // Ended by the conference's end when the agent left (the agent's leg ends the conference again).
    expect(call.transcript.some((t) => t.kind === 'conference' && String(t.text).startsWith('ended'))).to.equal(true);
    expect(call.transcript.some((t) => t.kind === 'redirect' && String(t.text).includes('/twilio/survey'))).to.equal(false);
  });
});
