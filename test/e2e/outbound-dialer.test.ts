// The outbound dialer end to end: the ACD offers a callback to a free agent, rings their softphone, and once they answer
// a bull job (real Redis) dials the customer from the hotline number into the agent's conference, through the simulator.
import { expect } from 'chai';
import type { CallControl } from '../../src/telephony/call-control';
import { createLogger } from '../../src/logging/logger';
import { callbackSettings, doNotCall, recordings, type CallbackType } from '../../src/db/schema/index';
import { eq } from 'drizzle-orm';
import { Dialer, dialerLimiter } from '../../src/outbound/dialer';
import { CallbackRequestsRepo } from '../../src/outbound/callback-requests.repo';
import { CallbackAttemptsRepo } from '../../src/outbound/callback-attempts.repo';
import { CallsRepo } from '../../src/calls/calls.repo';
import { transactor } from '../../src/db/transaction';
import { freePort } from '../support/hotline-fixture';
import { simulatorControl as simulatorControlOf, startOutboundHotline, startWorker, warmUpOutbound, type OutboundFixture } from '../support/outbound-fixture';
import { redisSuite } from '../support/redis-suite';
import { AgentDesk, api } from '../support/agent-desk';
import { eventually } from '../support/eventually';
import { RedisLink } from '../support/redis-link';

const CUSTOMER = '+8613812340001';
const CALLER = '+8613911112222';
const customer = (n: number) => `+86138123401${String(n).padStart(2, '0')}`;

interface Created {
  callSid: string;
  from: string;
  to: string;
  direction: string;
  at: number;
}

describe('outbound dialer end to end: blend, ring the agent first, dial through bull, AMD, retries, limits', function () {
  this.timeout(60000);
  let f: OutboundFixture;
  const run = redisSuite('dialer', () => f?.close());
  let created: Created[];

  before(async () => {
    await start();
    await warmUpOutbound(f, customer(99));
    await f.close();
  });

  /** The hotline and the simulator on simulated time, with short retries; every call the carrier places is noted. */
  async function start(env: Record<string, string> = {}) {
    f = await startOutboundHotline(env);
    created = [];
    f.sim.events.on('call-created', (e: Omit<Created, 'at'>) => created.push({ ...e, at: Date.now() }));
    // Short retries: one simulated minute, doubling.
    f.hotline.db.update(callbackSettings).set({ retryMinutes: 1, maxAttempts: 4 }).run();
    f.hotline.repos.callbacks.reloadSettings();
    return f;
  }

  function background(o: { callControl?: CallControl; redisUrl?: string } = {}) {
    const bg = startWorker(f, { prefix: run.prefix, ...o });
    run.cleanups.push(() => bg.stop());
    return bg;
  }
  const simulatorControl = () => simulatorControlOf(f);

  const signIn = async (username: string, script: Record<string, unknown>[] = [{ wait: 600 }, { hangup: true }]) => {
    const d = await AgentDesk.signIn(f, username, { script });
    run.desks.push(d);
    return d;
  };
  const addCallback = (o: { phone: string; type?: CallbackType; desk?: 'front' | 'middle' | 'back'; timeZone?: string; question?: string }) =>
    f.hotline.repos.callbacks.add({
      phone: o.phone,
      source: o.type ?? 'need_info',
      desk: o.desk ?? 'middle',
      reason: 'order held: need the invoice title',
      question: o.question ?? '发票抬头是什么？',
      timeZone: o.timeZone ?? 'Asia/Shanghai',
      requestedAt: f.clock.now(),
    })!;
  const customerCalls = (phone: string) => created.filter((c) => c.to === phone);
  const attempts = (id: number) => f.hotline.attempts.forCallback(id);

  it('a middle-desk agent is rung first, answers, and the customer is dialed from the hotline number into their conference', async () => {
    await start();
    background();
    f.sim.scriptNumber(CUSTOMER, { outcomes: ['human'], talkSeconds: 20 });
    const id = addCallback({ phone: CUSTOMER });
    const agent = await signIn('agent5');
    expect((await agent.setState('available')).status).to.equal(200);

    const a = await eventually(() => {
      const [x] = attempts(id);
      expect(x?.state).to.equal('ended');
      return x!;
    }, 15000);
    expect(a).to.include({ result: 'answered', answeredBy: 'human', agentId: agent.id });
    expect(a.dialedAt).to.be.instanceOf(Date);
    // The agent's softphone rang before the customer's phone, and the customer saw the hotline's number.
    const agentLeg = created.find((c) => c.to.startsWith('client:'))!;
    const [customerLeg] = customerCalls(CUSTOMER);
    expect(customerLeg).to.include({ from: f.config.hotlineNumber, direction: 'outbound-api', callSid: a.callSid });
    expect(agentLeg.at).to.be.lessThan(customerLeg.at);
    // Both met in the attempt's conference: an outbound interaction, recorded like an inbound one.
    const ix = f.hotline.acdRepos.interactions.get(a.interactionId!)!;
    expect(ix).to.include({ direction: 'outbound', callbackId: id, attemptId: a.id, agentId: agent.id, callSid: a.callSid, conference: `callback-attempt-${a.id}`, status: 'ended' });
    expect(f.hotline.repos.calls.get(a.callSid!)).to.include({ direction: 'outbound-api', from: f.config.hotlineNumber, to: CUSTOMER });
    const sim = f.sim.call(a.callSid!)!;
    expect(sim.transcript.some((t) => t.kind === 'dial' && String(t.text).includes(`conference:callback-attempt-${a.id}`))).to.equal(true);
    // The customer's own leg was recorded for QA in two channels (src/recordings/call-recorder.ts).
    const rec = await eventually(() => {
      const r = f.hotline.db.select().from(recordings).where(eq(recordings.callSid, a.callSid!)).get();
      expect(r?.status).to.be.oneOf(['awaiting_media', 'stored']);
      return r!;
    }, 5000);
    expect(rec).to.include({ direction: 'outbound', interactionId: ix.id, agentId: agent.id, customerPhone: CUSTOMER, desk: 'middle', channels: 2 });
    // The desktop was shown the callback (with its question) when it rang, and its result.
    const offered = agent.messages.find((m) => m.type === 'CallbackOffered') as Record<string, any> | undefined;
    expect(offered?.callback).to.include({ id, phone: CUSTOMER, question: '发票抬头是什么？', type: 'need_info' });
    // The item waits for the agent's outcome; then it is done.
    expect(f.hotline.repos.callbacks.get(id)).to.include({ status: 'in_progress', attempts: 1 });
    // A repeated (or late, contradictory) status callback changes nothing: idempotent by the attempt's state.
    for (const CallStatus of ['completed', 'busy']) {
      const r = await f.post(`/twilio/outbound/status?attempt=${a.id}`, { CallSid: a.callSid!, AccountSid: f.config.twilio.accountSid, From: f.config.hotlineNumber, To: CUSTOMER, CallStatus, Direction: 'outbound-api', ApiVersion: '2010-04-01' });
      expect(r.status).to.equal(200);
    }
    expect(attempts(id)).to.have.length(1);
    expect(attempts(id)[0]).to.include({ state: 'ended', result: 'answered' });
    expect(f.hotline.repos.callbacks.get(id)).to.include({ status: 'in_progress', attempts: 1 });
    const r = await agent.request('POST', `/api/callbacks/${id}/outcome`, { outcome: 'reached', note: '抬头：某某公司' });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.include({ status: 'done', outcome: 'reached' });
    expect(attempts(id)[0].note).to.equal('抬头：某某公司');
    // Someone else's outcome is refused; a bad body names the field.
    const other = await signIn('agent1');
    expect((await other.request('POST', `/api/callbacks/${id}/outcome`, { outcome: 'reached' })).status).to.equal(403);
    const bad = await agent.request('POST', `/api/callbacks/${id}/outcome`, { outcome: 'maybe' });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body)).to.include('outcome');
  });

  it('busy, then an answering machine, then a person: three attempts with those results, retried after backoff, reached at last', async () => {
    await start();
    background();
    f.sim.scriptNumber(CUSTOMER, { outcomes: ['busy', 'machine', 'human'], talkSeconds: 10 });
    const id = addCallback({ phone: CUSTOMER });
    const agent = await signIn('agent5');
    await agent.setState('available');
    const all = await eventually(() => {
      const xs = attempts(id).filter((x) => x.result !== 'agent_missed');
      expect(xs.map((x) => x.result)).to.deep.equal(['busy', 'machine', 'answered']);
      return xs;
    }, 30000);
    expect(all.map((x) => x.answeredBy)).to.deep.equal([null, 'machine_start', 'human']);
    // Each retry waited for its backoff (1 then 2 simulated minutes) after the previous attempt ended.
    expect(all[1].createdAt.getTime() - all[0].endedAt!.getTime()).to.be.at.least(60_000);
    expect(all[2].createdAt.getTime() - all[1].endedAt!.getTime()).to.be.at.least(120_000);
    expect(customerCalls(CUSTOMER)).to.have.length(3);
    const r = await agent.request('POST', `/api/callbacks/${id}/outcome`, { outcome: 'reached' });
    expect(r.body).to.include({ status: 'done', outcome: 'reached', attempts: 3 });
    expect((r.body.attemptList as unknown[]).length).to.equal(3);
  });

  it('front-desk blending: with a caller waiting, a free front-desk agent gets the inbound call, not the work-order callback', async () => {
    await start();
    background();
    const caller = f.dial(CALLER, [{ press: '1' }, { press: '0' }, { wait: 60 }, { hangup: true }]);
    await eventually(() => expect(f.hotline.repos.queue.forCall(caller.sid)?.status).to.equal('waiting'), 10000);
    const id = addCallback({ phone: CUSTOMER, type: 'work_order', desk: 'front' });
    const agent = await signIn('agent2', [{ wait: 5 }, { hangup: true }]);
    await agent.setState('available');
    const [ix] = await eventually(() => {
      const xs = f.hotline.acdRepos.interactions.forCall(caller.sid);
      expect(xs).to.have.length(1);
      return xs;
    }, 10000);
    expect(ix.agentId).to.equal(agent.id);
    const first = attempts(id)[0];
    // The callback came only after the inbound conversation.
    if (first) expect(first.createdAt.getTime()).to.be.at.least(ix.answeredAt!.getTime());
    await eventually(() => expect(attempts(id)).to.have.length.at.least(1), 15000);
  });

  it('calling hours under a controlled clock: a customer at 22:00 local is not dialed; at 09:00 they are', async () => {
    await start();
    background();
    // 03:00Z is 22:00 in New York (EST).
    f.sim.scriptNumber(CUSTOMER, { outcomes: ['human'], talkSeconds: 5 });
    const id = addCallback({ phone: CUSTOMER, timeZone: 'America/New_York' });
    const agent = await signIn('agent5');
    await agent.setState('available');
    await new Promise((r) => setTimeout(r, 1000));
    expect(attempts(id)).to.deep.equal([]);
    expect(customerCalls(CUSTOMER)).to.deep.equal([]);
    // 11 hours later it is 09:00 in New York.
    f.shift(11 * 3600_000);
    // Eleven hours without a heartbeat may put the agent offline before their next heartbeat lands (a race the sweep
    // wins only on a busy machine): then they come back, as an agent would.
    await eventually(async () => {
      if (f.hotline.presence.get(agent.id).state === 'offline') await agent.setState('available');
      expect(attempts(id).map((x) => x.result)).to.deep.equal(['answered']);
    }, 15000);
    expect(customerCalls(CUSTOMER)).to.have.length(1);
  });

  it('a do-not-call number is never dialed: closed on the list, and refused again by the dial job itself', async () => {
    await start();
    background();
    f.hotline.db.insert(doNotCall).values({ phone: CUSTOMER, reason: 'asked', addedAt: f.clock.now() }).run();
    const id = addCallback({ phone: CUSTOMER });
    expect(f.hotline.repos.callbacks.get(id)).to.include({ status: 'failed', outcome: 'do_not_call' });
    // A number put on the list after it was offered and answered: the dial job checks again.
    const other = customer(2);
    const id2 = addCallback({ phone: other });
    const agent = await signIn('agent5', [{ wait: 30 }, { hangup: true }]);
    agent.softphone.answerAfter = 'never';
    await agent.setState('available');
    await eventually(() => expect(agent.softphone.ringing).to.not.equal(undefined), 10000);
    f.hotline.db.insert(doNotCall).values({ phone: other, reason: 'asked', addedAt: f.clock.now() }).run();
    agent.softphone.answer();
    await eventually(() => expect(attempts(id2).map((x) => [x.result, x.note])).to.deep.equal([['not_dialed', 'the number is on the do-not-call list']]), 10000);
    expect(f.hotline.repos.callbacks.get(id2)).to.include({ status: 'failed', outcome: 'do_not_call' });
    // The agent heard why, and the carrier never saw a call to either number.
    await eventually(() => expect(agent.softphone.calls.at(-1)?.heard().join(' ')).to.include('cannot be called now'), 5000);
    expect(customerCalls(CUSTOMER)).to.deep.equal([]);
    expect(customerCalls(other)).to.deep.equal([]);
  });

  it('the rate limit holds: six agents, six callbacks, calls placed at most two a second', async () => {
    await start({ DIALER_CALLS_PER_SECOND: '2' });
    // When the dial job hands each call to the carrier (real time), measured at the CallControl port.
    const placedAt: number[] = [];
    const real = simulatorControl();
    background({ callControl: Object.assign(Object.create(real) as CallControl, { placeCall: (o: Parameters<CallControl['placeCall']>[0]) => (placedAt.push(Date.now()), real.placeCall(o)) }) });
    const phones = [1, 2, 3, 4, 5, 6].map(customer);
    for (const p of phones) {
      f.sim.scriptNumber(p, { outcomes: ['human'], talkSeconds: 5 });
      addCallback({ phone: p, type: 'work_order', desk: 'front' });
    }
    for (const name of ['agent1', 'agent2', 'agent3', 'agent4', 'agent5', 'agent6']) await (await signIn(name)).setState('available');
    await eventually(() => expect(phones.flatMap((p) => customerCalls(p))).to.have.length(6), 20000);
    const times = [...placedAt].sort((a, b) => a - b);
    expect(times).to.have.length(6);
    // Any three consecutive calls span at least a second (bull's limiter: 2 per 1000 ms; a little slack for timers).
    for (let i = 2; i < times.length; i++) expect(times[i] - times[i - 2], `calls ${i - 2}..${i}`).to.be.at.least(900);
    expect(dialerLimiter(0.5)).to.deep.equal({ max: 1, duration: 2000 });
    expect(dialerLimiter(1.5)).to.deep.equal({ max: 2, duration: 1333 });
  });

  it('Redis stopped and started mid-run: the dial job waits in the outbox, then dials once', async () => {
    await start();
    const link = new RedisLink(await freePort());
    await link.up();
    run.cleanups.push(() => link.down());
    background({ redisUrl: link.url });
    f.sim.scriptNumber(CUSTOMER, { outcomes: ['human'], talkSeconds: 5 });
    const id = addCallback({ phone: CUSTOMER });
    const agent = await signIn('agent5');
    await link.down();
    await agent.setState('available');
    // The phones work without Redis: the agent is rung and answers; the job is stored, not lost.
    await eventually(() => expect(attempts(id)[0]?.state).to.equal('pending'), 10000);
    const row = f.hotline.repos.outbox.byJobId(`attempt:${attempts(id)[0].id}`)!;
    expect(row).to.include({ queue: 'dialer', name: 'dial' });
    await new Promise((r) => setTimeout(r, 800));
    expect(f.hotline.repos.outbox.byJobId(row.jobId)!.dispatchedAt).to.equal(null);
    expect(customerCalls(CUSTOMER)).to.deep.equal([]);
    await link.up();
    await eventually(() => expect(attempts(id).map((x) => x.result)).to.deep.equal(['answered']), 20000);
    await new Promise((r) => setTimeout(r, 500));
    expect(customerCalls(CUSTOMER)).to.have.length(1);
  });

  it('a worker that dies after dialing but before recording: the retry finds the call at the carrier and does not dial again', async () => {
    await start();
    f.sim.scriptNumber(CUSTOMER, { outcomes: ['human'], talkSeconds: 5 });
    const id = addCallback({ phone: CUSTOMER });
    // An attempt the agent answered (pending), made by hand: this test drives the dial job itself.
    const db = f.hotline.db;
    const attemptsRepo = new CallbackAttemptsRepo(db);
    expect(f.hotline.repos.callbacks.reserve(id, 5, f.clock.now())).to.equal(true);
    const a = attemptsRepo.offer({ callbackId: id, agentId: 5, at: f.clock.now() });
    attemptsRepo.update(a.id, { state: 'pending' });
    const real = simulatorControl();
    let dies = true;
    // The carrier places the call, then the worker "dies" before the CallSid is stored. Its status callbacks are lost
    // too (they name an attempt that does not exist), so only the carrier's call list can tell the retry.
    const control: CallControl = Object.assign(Object.create(real) as CallControl, {
      async placeCall(o: Parameters<CallControl['placeCall']>[0]) {
        const sid = await real.placeCall({ ...o, statusCallback: o.statusCallback.replace(/attempt=\d+/, 'attempt=999999'), url: o.url.replace(/attempt=\d+/, 'attempt=999999') });
        if (dies) {
          dies = false;
          throw Object.assign(new Error(`worker died after placing ${sid}`), { code: 'ECONNRESET' });
        }
        return sid;
      },
    });
    const dialer = new Dialer({ attempts: attemptsRepo, callbacks: new CallbackRequestsRepo(db), calls: new CallsRepo(db), control, lookup: real, transact: transactor(db), clock: f.clock, log: createLogger('error', true), base: f.config.publicBaseUrl, hotlineNumber: f.config.hotlineNumber });
    let failed: unknown;
    await dialer.run({ attemptId: a.id }).catch((err: unknown) => (failed = err));
    expect(String(failed)).to.include('worker died');
    expect(attemptsRepo.get(a.id)).to.include({ state: 'dialing', callSid: null });
    await eventually(() => expect(customerCalls(CUSTOMER)).to.have.length(1), 5000);
    // bull retries the job: it adopts the call the carrier has, and places none.
    await dialer.run({ attemptId: a.id });
    const after = attemptsRepo.get(a.id)!;
    expect(after).to.include({ state: 'placed', callSid: customerCalls(CUSTOMER)[0].callSid });
    await dialer.run({ attemptId: a.id });
    await new Promise((r) => setTimeout(r, 300));
    expect(customerCalls(CUSTOMER)).to.have.length(1);
  });


  it('a dial job that gave up (the carrier kept failing) leaves no stuck attempt: the sweep ends it not dialed, the callback keeps its place, and a late retry dials nothing', async () => {
    await start();
    const id = addCallback({ phone: CUSTOMER });
    const db = f.hotline.db;
    const attemptsRepo = new CallbackAttemptsRepo(db);
    const callbacks = new CallbackRequestsRepo(db);
    const placeOfItem = callbacks.get(id)!.eligibleAt.getTime();
    expect(callbacks.reserve(id, 5, f.clock.now())).to.equal(true);
    const a = attemptsRepo.offer({ callbackId: id, agentId: 5, at: f.clock.now() });
    attemptsRepo.update(a.id, { state: 'pending' });
    const real = simulatorControl();
    let carrierDown = true;
    let placed = 0;
    const control: CallControl = Object.assign(Object.create(real) as CallControl, {
      async placeCall(o: Parameters<CallControl['placeCall']>[0]) {
        if (carrierDown) throw Object.assign(new Error('carrier 503'), { status: 503 });
        placed++;
        return real.placeCall(o);
      },
    });
    const dialer = new Dialer({ attempts: attemptsRepo, callbacks, calls: new CallsRepo(db), control, lookup: real, transact: transactor(db), clock: f.clock, log: createLogger('error', true), base: f.config.publicBaseUrl, hotlineNumber: f.config.hotlineNumber });
    // Every retry of the job fails the same way; bull gives up and the attempt stays 'dialing'.
    for (let i = 0; i < 3; i++) await dialer.run({ attemptId: a.id }).catch(() => undefined);
    expect(attemptsRepo.get(a.id)).to.include({ state: 'dialing', callSid: null });
    expect(await dialer.sweepStalled(), 'too young to sweep').to.equal(0);
    f.shift(4 * 60_000);
    expect(await dialer.sweepStalled()).to.equal(1);
    expect(attemptsRepo.get(a.id)).to.include({ state: 'ended', result: 'not_dialed' });
    const item = callbacks.get(id)!;
    expect(item).to.include({ status: 'open', attempts: 0, reservedBy: null });
    expect(item.eligibleAt.getTime(), 'keeps its place in line').to.equal(placeOfItem);
    carrierDown = false;
    await dialer.run({ attemptId: a.id });
    expect(placed, 'a late retry of the job dials nothing').to.equal(0);
    expect(customerCalls(CUSTOMER)).to.have.length(0);
  });
  it('preview mode: the agent presses call on an item of their desk; anonymous 401, another desk 403', async () => {
    await start();
    background();
    f.hotline.db.update(callbackSettings).set({ mode: 'preview' }).run();
    f.hotline.repos.callbacks.reloadSettings();
    f.sim.scriptNumber(CUSTOMER, { outcomes: ['human'], talkSeconds: 5 });
    const id = addCallback({ phone: CUSTOMER });
    const agent = await signIn('agent5');
    await agent.setState('available');
    await new Promise((r) => setTimeout(r, 500));
    // Preview items are never offered by themselves.
    expect(attempts(id)).to.deep.equal([]);
    expect((await api(f, 'POST', `/api/callbacks/${id}/call`)).status).to.equal(401);
    const back = await signIn('agent6');
    await back.setState('available');
    expect((await back.request('POST', `/api/callbacks/${id}/call`)).status).to.equal(403);
    const r = await agent.request('POST', `/api/callbacks/${id}/call`);
    expect(r.status, JSON.stringify(r.body)).to.equal(202);
    await eventually(() => expect(attempts(id).map((x) => x.result)).to.deep.equal(['answered']), 15000);
    expect(customerCalls(CUSTOMER)).to.have.length(1);
    // "Call me tomorrow": back on the list, due then (inside calling hours), the note on the attempt.
    const dueAt = new Date(f.clock.now().getTime() + 86_400_000).toISOString();
    const retry = await agent.request('POST', `/api/callbacks/${id}/outcome`, { outcome: 'retry', dueAt, note: '明天再打' });
    expect(retry.status, JSON.stringify(retry.body)).to.equal(200);
    expect(retry.body).to.include({ status: 'open', dueAt });
    expect(f.hotline.repos.callbacks.get(id)!.eligibleAt.getTime()).to.be.at.least(Date.parse(dueAt));
    expect(attempts(id)[0].note).to.equal('明天再打');
  });

  it('bull-board shows the dialer queue to an admin at /admin/queues', async () => {
    await start();
    const bg = background();
    await eventually(() => expect(bg.queues.all().map((q) => q.name)).to.include('dialer'), 5000);
    f.hotline.setJobQueues(bg.queues.all());
    const admin = await api(f, 'POST', '/api/auth/login', undefined, { username: 'admin1', password: 'hotline-demo' });
    const token = admin.body.token as string;
    const page = await fetch(`${f.base}/admin/queues/`, { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).to.equal(200);
    expect(await page.text()).to.include('__UI_CONFIG__');
    const queues = await fetch(`${f.base}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${token}` } });
    expect(queues.status).to.equal(200);
    const names = ((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).to.include('dialer');
    expect((await fetch(`${f.base}/admin/queues/api/queues`)).status).to.equal(401);
  });
});
