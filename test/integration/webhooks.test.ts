import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { startHotline, callSid, type Fixture } from '../support/hotline-fixture';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const parse = (body: string) => xml.parse(body).Response;

function inbound(sid: string, from = '+8613700001111') {
  return { CallSid: sid, AccountSid: 'AC' + '0'.repeat(32), From: from, To: '+864008008888', CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };
}

describe('carrier webhooks (signed, through HTTP)', () => {
  let f: Fixture;
  beforeEach(async () => (f = await startHotline()));
  afterEach(async () => f.close());

  it('answers a new call with the welcome and the language menu', async () => {
    const sid = callSid();
    const res = await f.post('/twilio/voice', inbound(sid));
    expect(res.status).to.equal(200);
    const r = parse(res.body);
    expect(r.Say['#text']).to.include('欢迎致电');
    expect(r.Gather.action).to.equal(`${f.base}/twilio/ivr?s=1`);
    const call = f.hotline.repos.calls.get(sid)!;
    // Answered when its first TwiML is asked for: the number's status callback will only say how it ended.
    expect(call).to.include({ from: '+8613700001111', status: 'in-progress', step: 1, flowId: 'hotline' });
    expect(call.answeredAt).to.deep.equal(f.clock.now());
    expect(call.customerId).to.be.a('number');
  });

  it('refuses a forged signature with 403 and stores nothing', async () => {
    const sid = callSid();
    const res = await f.post('/twilio/voice', inbound(sid), { signature: 'bm90IGEgc2lnbmF0dXJl' });
    expect(res.status).to.equal(403);
    expect(f.hotline.repos.calls.get(sid)).to.equal(undefined);
  });

  it('refuses an unsigned request with 403', async () => {
    const res = await f.post('/twilio/voice/status', { ...inbound(callSid()), CallStatus: 'completed' }, { signature: null });
    expect(res.status).to.equal(403);
  });

  it('refuses a signature made for another URL (the query string counts)', async () => {
    const sid = callSid();
    await f.post('/twilio/voice', inbound(sid));
    const twilio = (await import('twilio')).default;
    const params = { ...inbound(sid), Digits: '1' };
    const signedForStep9 = twilio.getExpectedTwilioSignature(f.config.twilio.authToken, `${f.base}/twilio/ivr?s=9`, params);
    const res = await f.post('/twilio/ivr?s=1', params, { signature: signedForStep9 });
    expect(res.status).to.equal(403);
  });

  it('answers junk parameters with valid fallback TwiML, never a 5xx', async () => {
    for (const [path, params] of [
      ['/twilio/voice', { CallSid: 'not-a-sid', From: '<script>' }],
      ['/twilio/ivr?s=abc', inbound(callSid())],
      ['/twilio/ivr?s=1', { ...inbound(callSid()), Digits: '1' }], // unknown CallSid
      ['/twilio/queue/result', { CallSid: callSid(), QueueResult: 'banana' }],
    ] as const) {
      const res = await f.post(path, params as Record<string, string>);
      expect(res.status, path).to.equal(200);
      const r = parse(res.body);
      expect(r, path).to.be.an('object');
    }
    const res = await f.post('/twilio/ivr?s=1', { ...inbound(callSid()), Digits: '1' });
    const r = parse(res.body);
    expect(r.Say[0]['#text']).to.include('非常抱歉');
    expect(r.Enqueue['#text']).to.equal('front-general');
  });

  it('puts a caller whose webhook failed in the general queue, visible in the database', async () => {
    const sid = callSid();
    await f.post('/twilio/ivr?s=5', { ...inbound(sid), Digits: '1' });
    expect(f.hotline.repos.queue.forCall(sid)).to.include({ queue: 'front-general', status: 'waiting', reason: 'fallback' });
  });

  it('does not duplicate rows when the carrier retries a webhook', async () => {
    const sid = callSid();
    const first = await f.post('/twilio/voice', inbound(sid));
    const again = await f.post('/twilio/voice', inbound(sid));
    expect(again.body).to.equal(first.body);
    const step1 = await f.post('/twilio/ivr?s=1', { ...inbound(sid), CallStatus: 'in-progress', Digits: '1' });
    const step1Retry = await f.post('/twilio/ivr?s=1', { ...inbound(sid), CallStatus: 'in-progress', Digits: '1' });
    expect(step1Retry.body).to.equal(step1.body);
    for (let i = 0; i < 2; i++) await f.post('/twilio/voice/status', { ...inbound(sid), CallStatus: 'completed', CallDuration: '42' });
    const events = f.hotline.repos.calls.events(sid);
    expect(events.map((e) => e.dedupeKey)).to.deep.equal(['step:0', 'step:1', 'status:completed']);
    expect(f.hotline.repos.calls.get(sid)).to.include({ step: 2, status: 'completed', durationSeconds: 42 });
  });

  it('keeps the answer time from the first webhook and takes the end and duration from the final status callback alone', async () => {
    const sid = callSid();
    await f.post('/twilio/voice', inbound(sid));
    f.clock.set('2026-11-23T03:01:30Z');
    await f.post('/twilio/voice/status', { ...inbound(sid), CallStatus: 'completed', CallDuration: '90', SequenceNumber: '0' });
    const call = f.hotline.repos.calls.get(sid)!;
    expect(call).to.include({ status: 'completed', durationSeconds: 90 });
    expect(call.answeredAt!.toISOString()).to.equal('2026-11-23T03:00:00.000Z');
    expect(call.endedAt!.toISOString()).to.equal('2026-11-23T03:01:30.000Z');
  });

  it('a call known only from its final status callback gets its answer time from CallDuration', async () => {
    const sid = callSid();
    await f.post('/twilio/voice/status', { ...inbound(sid), CallStatus: 'completed', CallDuration: '30' });
    const call = f.hotline.repos.calls.get(sid)!;
    expect(call.answeredAt!.getTime()).to.equal(f.clock.now().getTime() - 30_000);
    const busy = callSid();
    await f.post('/twilio/voice/status', { ...inbound(busy), CallStatus: 'busy', CallDuration: '0' });
    expect(f.hotline.repos.calls.get(busy)).to.include({ status: 'busy', answeredAt: null, durationSeconds: 0 });
  });

  it('records an abandoned caller when they hang up while waiting', async () => {
    const sid = callSid();
    await f.post('/twilio/voice', inbound(sid, '+8615000000000'));
    await f.post('/twilio/ivr?s=1', { ...inbound(sid), Digits: '1' });
    const menu = await f.post('/twilio/ivr?s=2', { ...inbound(sid), Digits: '0' });
    expect(parse(menu.body).Enqueue['#text']).to.equal('front-general');
    expect(f.hotline.repos.queue.forCall(sid)).to.include({ status: 'waiting', priority: 10 });
    const wait = await f.post('/twilio/queue/wait', { ...inbound(sid), QueuePosition: '1', QueueTime: '3' });
    const gather = parse(wait.body).Gather;
    expect(gather.action).to.equal(`${f.base}/twilio/queue/key`);
    expect([gather.Say].flat().map((s: { '#text': string }) => s['#text']).join(' ')).to.include('您是下一位').and.include('请按1');
    f.clock.set('2026-11-23T03:01:05Z');
    await f.post('/twilio/queue/result', { ...inbound(sid), QueueResult: 'hangup', QueueTime: '65' });
    await f.post('/twilio/voice/status', { ...inbound(sid), CallStatus: 'completed' });
    expect(f.hotline.repos.queue.forCall(sid)).to.include({ status: 'abandoned', waitSeconds: 65 });
  });
});
