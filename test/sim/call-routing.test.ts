// Queues, dialing, softphones and conferences through the simulator: what each side heard and the parameters the app received.
import { expect } from 'chai';
import { startSim, voiceToken, type SimTest } from './sim-fixture';
import { simRestClient } from './sim-rest-client';
import { HOTLINE, CUSTOMER, ACCOUNT_SID, AUTH_TOKEN, until } from './twiml-test-server';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('carrier simulator: queues, dialing, softphones, conferences', function () {
  this.timeout(10000);
  let t: SimTest;
  beforeEach(async () => (t = await startSim()));
  afterEach(async () => t.close());

  const place = (script: Parameters<typeof t.sim.placeCall>[0]['script'] = [], from = CUSTOMER) => t.sim.placeCall({ from, to: HOTLINE, script });
  const errors = (c: { transcript: { kind: string }[] }) => c.transcript.filter((e) => e.kind === 'error');

  it('Enqueue: the waitUrl gets the queue parameters each round; hanging up while waiting posts QueueResult=hangup', async () => {
    t.app.on('/voice', xml('<Enqueue waitUrl="/wait" action="/queue-result">support</Enqueue>'));
    t.app.on('/wait', xml('<Say>您是下一位</Say><Pause length="2"/>'));
    const joined: unknown[] = [];
    t.sim.events.on('queue-joined', (e) => joined.push(e));
    const c = place([{ wait: 20 }, { hangup: true }]);
    await c.done;
    const waits = t.app.hitsFor('/wait').map((h) => h.params);
    expect(waits.length).to.be.at.least(2);
    expect(waits[0]).to.include({ QueuePosition: '1', CurrentQueueSize: '1', MaxQueueSize: '1000' });
    expect(waits[0].QueueSid).to.match(/^QU[0-9a-f]{32}$/);
    expect(Number(waits.at(-1)!.QueueTime)).to.be.greaterThan(Number(waits[0].QueueTime));
    expect(waits[0]).to.have.property('AvgQueueTime');
    const result = t.app.hitsFor('/queue-result')[0].params;
    expect(result).to.include({ QueueResult: 'hangup', QueueSid: waits[0].QueueSid, CallStatus: 'completed' });
    expect(Number(result.QueueTime)).to.be.at.least(20);
    expect(c.transcript.find((e) => e.kind === 'enqueue')?.text).to.equal('support');
    expect(c.heard()[0]).to.equal('您是下一位');
    expect(c.transcript.at(-1)).to.deep.include({ kind: 'hangup', text: 'caller' });
    expect(joined).to.have.length(1);
    expect(errors(c)).to.deep.equal([]);
  });

  it('Enqueue: a Gather in the wait music takes the caller\'s key; <Leave> posts QueueResult=leave and runs the action', async () => {
    t.app.on('/voice', xml('<Enqueue waitUrl="/wait" action="/queue-result">support</Enqueue>'));
    t.app.on('/wait', xml('<Gather numDigits="1" action="/wait-choice"><Say>press 1 for a callback</Say></Gather>'));
    t.app.on('/wait-choice', (p) => xml(p.Digits === '1' ? '<Leave/>' : ''));
    t.app.on('/queue-result', xml('<Say>we will call you back</Say>'));
    const c = place([{ press: '1' }]);
    await c.done;
    expect(t.app.hitsFor('/wait-choice')[0].params).to.include({ Digits: '1', QueuePosition: '1' });
    expect(t.app.hitsFor('/queue-result')[0].params).to.include({ QueueResult: 'leave' });
    expect(c.heard()).to.deep.equal(['press 1 for a callback', 'we will call you back']);
    expect(t.sim.queues.byName('support')!.size).to.equal(0);
  });

  it('Dial>Queue from an agent softphone bridges the front caller; their action gets QueueResult=bridged after the agent hangs up', async () => {
    const alice = t.sim.registerSoftphone({ identity: 'alice', token: voiceToken('alice'), answerAfter: 1, script: [{ wait: 5 }, { hangup: true }] });
    t.app.on('/voice', xml('<Enqueue waitUrl="/wait" action="/queue-result">support</Enqueue>'));
    t.app.on('/wait', xml('<Play>http://example.com/music.mp3</Play>'));
    t.app.on('/queue-result', xml('<Say>thanks for calling</Say>'));
    t.app.on('/agent', xml('<Dial action="/agent-dial"><Queue url="/whisper">support</Queue></Dial>'));
    t.app.on('/whisper', xml('<Say>connecting you to an agent</Say>'));
    const ringing: { identity: string }[] = [];
    t.sim.events.on('softphone-ringing', (e) => ringing.push(e));
    const customer = place();
    await until(() => expect(t.sim.queues.byName('support')?.size).to.equal(1));
    const client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
    const agentCall = await client.calls.create({ to: 'client:alice', from: HOTLINE, url: t.app.url('/agent') });
    await customer.done;
    const agent = t.sim.call(agentCall.sid)!;
    await agent.done;
    expect(ringing.map((r) => r.identity)).to.deep.equal(['alice']);
    expect(t.app.hitsFor('/whisper')[0].params).to.include({ CallSid: customer.sid, DequeingCallSid: agentCall.sid });
    expect(t.app.hitsFor('/queue-result')[0].params).to.include({ QueueResult: 'bridged', CallSid: customer.sid });
    expect(t.app.hitsFor('/agent-dial')[0].params).to.include({ DialCallStatus: 'completed', DialCallSid: customer.sid, CallSid: agentCall.sid });
    expect(Number(t.app.hitsFor('/agent-dial')[0].params.DialCallDuration)).to.be.at.least(4);
    expect(customer.heard()).to.deep.equal(['connecting you to an agent', 'thanks for calling']);
    expect(customer.transcript.some((e) => e.kind === 'bridged' && e.text === 'client:alice')).to.equal(true);
    expect(agent.transcript.some((e) => e.kind === 'bridged' && e.text === CUSTOMER)).to.equal(true);
    expect(alice.calls.map((c) => c.sid)).to.deep.equal([agentCall.sid]);
    expect([...errors(customer), ...errors(agent)]).to.deep.equal([]);
  });

  it('Dial>Client: the softphone answers and the dial action gets the child leg; never answering gives no-answer, rejecting busy', async () => {
    t.sim.registerSoftphone({ identity: 'bob', token: voiceToken('bob'), answerAfter: 2, script: [{ wait: 3 }, { hangup: true }] });
    t.sim.registerSoftphone({ identity: 'carol', token: voiceToken('carol'), answerAfter: 'never' });
    t.sim.registerSoftphone({ identity: 'dave', token: voiceToken('dave'), reject: true });
    t.app.on('/voice', (p) => xml(`<Dial action="/dialed" timeout="6"><Client>${p.From === CUSTOMER ? 'bob' : p.From === '+8613900000001' ? 'carol' : 'dave'}</Client></Dial>`));
    t.app.on('/dialed', xml('<Say>after the dial</Say>'));
    const [answered, unanswered, rejected] = [place(), place([], '+8613900000001'), place([], '+8613900000002')];
    await Promise.all([answered.done, unanswered.done, rejected.done]);
    const result = (c: { sid: string }) => t.app.hits.find((h) => h.path === '/dialed' && h.params.CallSid === c.sid)!.params;
    const child = t.sim.call(result(answered).DialCallSid)!;
    expect(result(answered)).to.include({ DialCallStatus: 'completed' });
    expect(Number(result(answered).DialCallDuration)).to.be.at.least(3);
    expect(child.to).to.equal('client:bob');
    expect((child as unknown as { direction: string; parentCallSid: string })).to.include({ direction: 'outbound-dial', parentCallSid: answered.sid });
    expect(child.transcript.at(-1)).to.deep.include({ kind: 'hangup', text: 'caller' });
    expect(result(unanswered).DialCallStatus).to.equal('no-answer');
    expect(result(rejected).DialCallStatus).to.equal('busy');
    for (const c of [answered, unanswered, rejected]) expect(c.heard()).to.deep.equal(['after the dial']);
  });

  it('Dial>Conference: participants join with labels, conference events are posted, endConferenceOnExit ends it for all', async () => {
    t.app.on('/voice', (p) =>
      xml(
        `<Dial><Conference statusCallback="/conf-events" statusCallbackEvent="start end join leave" participantLabel="${p.From === CUSTOMER ? 'customer' : 'agent'}" endConferenceOnExit="${p.From === CUSTOMER}">room-1</Conference></Dial><Say>conference over</Say>`,
      ),
    );
    const customer = place([{ wait: 8 }, { hangup: true }]);
    const agent = place([], '+8613900000003');
    await Promise.all([customer.done, agent.done]);
    const events = t.app.hitsFor('/conf-events').map((h) => h.params);
    expect(events.map((e) => e.StatusCallbackEvent)).to.deep.equal(['participant-join', 'participant-join', 'conference-start', 'participant-leave', 'participant-leave', 'conference-end']);
    expect(events.filter((e) => e.StatusCallbackEvent === 'participant-join').map((e) => e.ParticipantLabel)).to.have.members(['customer', 'agent']);
    expect(events.at(-1)).to.include({ ReasonConferenceEnded: 'participant-with-end-conference-on-exit-left', CallSidEndingConference: customer.sid, FriendlyName: 'room-1' });
    expect(events.every((e) => /^CF[0-9a-f]{32}$/.test(e.ConferenceSid))).to.equal(true);
    expect(agent.heard()).to.deep.equal(['conference over']);
    expect(customer.heard()).to.deep.equal([]);
  });

  it('a caller who hangs up while a Dial rings cancels the child leg; the action still hears DialCallStatus=canceled', async () => {
    t.sim.registerSoftphone({ identity: 'carol', token: voiceToken('carol'), answerAfter: 'never' });
    t.app.on('/voice', xml('<Dial action="/dialed" timeout="60"><Client>carol</Client></Dial>'));
    const c = place([{ wait: 3 }, { hangup: true }]);
    await c.done;
    const dialed = t.app.hitsFor('/dialed')[0].params;
    expect(dialed).to.include({ DialCallStatus: 'canceled', CallStatus: 'completed' });
    const child = t.sim.calls().find((x) => x.to === 'client:carol')!;
    await child.done;
    expect(child.status).to.equal('canceled');
  });

  it('a caller with nothing left to do waits in the queue until maxCallSeconds, then hangs up', async () => {
    await t.close();
    t = await startSim({ maxCallSeconds: 40 });
    t.app.on('/voice', xml('<Enqueue waitUrl="" action="/queue-result">support</Enqueue>'));
    const c = place();
    await c.done;
    expect(c.transcript.at(-1)).to.deep.include({ kind: 'hangup', text: 'caller', detail: { status: 'completed', reason: 'max-call-seconds' } });
    expect(t.app.hitsFor('/queue-result')[0].params.QueueResult).to.equal('hangup');
  });

  it('REST call to a registered phone runs its script against the Url TwiML; status callbacks follow the requested events', async () => {
    t.sim.registerPhone({ number: '+8613911112222', answerAfter: 1, script: [{ press: '2' }] });
    t.app.on('/outbound', xml('<Gather numDigits="1" action="/outbound-choice"><Say>press 2 to confirm</Say></Gather>'));
    t.app.on('/outbound-choice', (p) => xml(`<Say>you chose ${p.Digits}</Say>`));
    const client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
    const created = await client.calls.create({
      to: '+8613911112222', from: HOTLINE, url: t.app.url('/outbound'),
      statusCallback: t.app.url('/out-status'), statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
    });
    expect(created.status).to.equal('queued');
    const call = t.sim.call(created.sid)!;
    await call.done;
    expect(call.heard()).to.deep.equal(['press 2 to confirm', 'you chose 2']);
    expect(t.app.hitsFor('/outbound')[0].params).to.include({ Direction: 'outbound-api', CallStatus: 'in-progress', To: '+8613911112222' });
    expect(t.app.hitsFor('/out-status').map((h) => h.params.CallStatus)).to.deep.equal(['initiated', 'ringing', 'in-progress', 'completed']);
  });

  it('verifies softphone access tokens: wrong key secret, expired, another identity, no incoming grant are refused', () => {
    expect(() => t.sim.registerSoftphone({ identity: 'eve', token: voiceToken('eve', { secret: 'wrong' }) })).to.throw(/signature/);
    expect(() => t.sim.registerSoftphone({ identity: 'eve', token: voiceToken('eve', { ttl: -10 }) })).to.throw(/expired/);
    expect(() => t.sim.registerSoftphone({ identity: 'eve', token: voiceToken('mallory') })).to.throw(/mallory/);
    expect(() => t.sim.registerSoftphone({ identity: 'eve', token: voiceToken('eve', { incoming: false }) })).to.throw(/incoming/);
    expect(t.sim.registerSoftphone({ identity: 'eve', token: voiceToken('eve') }).identity).to.equal('eve');
  });

  it('control API: POST /sim/calls waits for the call and returns its transcript; GET /sim/calls/:sid looks it up', async () => {
    t.app.on('/voice', xml('<Gather numDigits="1"><Say>press</Say></Gather><Say>bye</Say>'));
    const res = await fetch(`${t.sim.baseUrl}/sim/calls`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: CUSTOMER, to: HOTLINE, script: [{ press: '5' }] }) });
    const body = (await res.json()) as { callSid: string; status: string; transcript: { kind: string; text?: string }[] };
    expect(body.status).to.equal('completed');
    expect(body.transcript.filter((e) => e.kind === 'press').map((e) => e.text)).to.deep.equal(['5']);
    const again = (await (await fetch(`${t.sim.baseUrl}/sim/calls/${body.callSid}`)).json()) as { status: string };
    expect(again.status).to.equal('completed');
    const bad = await fetch(`${t.sim.baseUrl}/sim/calls`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: CUSTOMER, to: HOTLINE, script: [{ jump: 1 }] }) });
    expect(bad.status).to.equal(400);
  });
});
