import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { startHotline, callSid, type Fixture } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import type { LoadReport } from '../../src/telephony/load-shedding';

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const parse = (body: string) => xml.parse(body).Response;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inbound(sid: string, from = '+8613700001111') {
  return { CallSid: sid, AccountSid: 'AC' + '0'.repeat(32), From: from, To: '+864008008888', CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' };
}

/** Holds the event loop (and so the server in this process) for `ms`: what an overloaded process looks like. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

describe('load shedding (signed webhooks through HTTP)', () => {
  let f: Fixture;
  const load = async () => (await (await fetch(`${f.base}/health/load`)).json()) as LoadReport;
  // A 100 ms bound on the event loop's p99 lag (calm under 50 ms, even on a busy test machine); the gauge judges every
  // 500 ms and stops after 4 calm windows.
  beforeEach(async () => (f = await startHotline({ LOAD_SHED_MAX_LAG_MS: '100' })));
  afterEach(async () => f.close());

  it('answers new callers normally while the event loop keeps up', async () => {
    await sleep(600);
    expect((await load()).shedding).to.equal(false);
    const res = await f.post('/twilio/voice', inbound(callSid()));
    expect(parse(res.body).Say['#text']).to.include('欢迎致电');
  });

  it('past the lag bound a new caller hears a short notice and waits in the general queue, with no IVR, on music that takes a key for a callback', async () => {
    // Three blocks of 300 ms: the window's p99 lag is far over 100 ms.
    for (let i = 0; i < 3; i++) {
      blockEventLoop(300);
      await sleep(20);
    }
    await eventually(async () => expect((await load()).shedding).to.equal(true), 2000);

    const sid = callSid();
    const res = await f.post('/twilio/voice', inbound(sid));
    expect(res.status).to.equal(200);
    const r = parse(res.body);
    const says = ([] as { '#text': string }[]).concat(r.Say).map((s) => s['#text']);
    expect(says[0]).to.include('现在来电较多');
    expect(says[0]).to.include('如需回电，请随时按1');
    expect(says[1]).to.include('press 1 at any time to be called back');
    expect(r.Gather).to.equal(undefined);
    expect(r.Enqueue['#text']).to.equal('front-general');
    expect(r.Enqueue.waitUrl).to.equal(`${f.base}/twilio/queue/wait`);
    expect(r.Enqueue.action).to.equal(`${f.base}/twilio/queue/result`);

    // Stored: the call (answered now) and one waiting queue entry marked as shed; a retried webhook adds nothing.
    const call = f.hotline.repos.calls.get(sid)!;
    expect(call).to.include({ status: 'in-progress', from: '+8613700001111' });
    expect(call.answeredAt).to.deep.equal(f.clock.now());
    const entry = f.hotline.repos.queue.forCall(sid)!;
    expect(entry).to.include({ queue: 'front-general', desk: 'front', reason: 'shed', status: 'waiting', priority: 10 });
    const again = await f.post('/twilio/voice', inbound(sid));
    expect(again.body).to.equal(res.body);
    const rows = f.hotline.db.$client.prepare('SELECT count(*) AS n FROM queue_entries WHERE call_sid = ?').get(sid) as { n: number };
    expect(rows.n).to.equal(1);
    const report = await load();
    expect(report.shedCalls).to.equal(2);
    expect(report.shedEpisodes).to.be.greaterThanOrEqual(1);

    // While shedding, the wait loop is music only (three rounds a request, nothing read or written); a key still counts.
    const wait = parse((await f.post('/twilio/queue/wait', { ...inbound(sid), QueuePosition: '1', QueueTime: '0' })).body);
    expect(wait.Gather.Say).to.equal(undefined);
    expect(wait.Gather.Play).to.include({ loop: '3', '#text': f.config.holdMusicUrl });
    expect(wait.Gather.action).to.equal(`${f.base}/twilio/queue/key`);
    expect(f.hotline.repos.queue.forCall(sid)!.announcedAt).to.equal(null);
    const key = await f.post('/twilio/queue/key', { ...inbound(sid), Digits: '1' });
    expect(parse(key.body)).to.have.property('Leave');
    expect(f.hotline.repos.queue.forCall(sid)!.status).to.equal('callback');
  });

  it("a carrier queue that is full (QueueResult queue-full) ends the wait as a callback that keeps the caller's place, not a hang-up", async () => {
    for (let i = 0; i < 3; i++) {
      blockEventLoop(300);
      await sleep(20);
    }
    await eventually(async () => expect((await load()).shedding).to.equal(true), 2000);
    const sid = callSid();
    await f.post('/twilio/voice', inbound(sid, '+8615000000000'));
    const res = await f.post('/twilio/queue/result', { ...inbound(sid, '+8615000000000'), CallStatus: 'in-progress', QueueResult: 'queue-full' });
    const r = parse(res.body);
    expect(r.Say['#text']).to.include('线路已满');
    expect(r).to.have.property('Hangup');
    expect(f.hotline.repos.queue.forCall(sid)!.status).to.equal('callback');
    const cb = f.hotline.db.$client.prepare('SELECT phone, source, desk, priority FROM callback_requests WHERE call_sid = ?').get(sid);
    expect(cb).to.deep.equal({ phone: '+8615000000000', source: 'queue', desk: 'front', priority: 10 });
  });

  it('stops shedding once the event loop has been calm for a while (no flapping)', async () => {
    for (let i = 0; i < 3; i++) {
      blockEventLoop(300);
      await sleep(20);
    }
    await eventually(async () => expect((await load()).shedding).to.equal(true), 2000);
    // Four calm windows of 500 ms.
    await eventually(async () => expect((await load()).shedding).to.equal(false), 15_000);
    const res = await f.post('/twilio/voice', inbound(callSid()));
    expect(parse(res.body).Say['#text']).to.include('欢迎致电');
    expect((await load()).shedCalls).to.equal(0);
  });

  it('GET /health/load needs no token and carries no personal data', async () => {
    const res = await fetch(`${f.base}/health/load`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const body = (await res.json()) as LoadReport;
    expect(Object.keys(body).sort()).to.deep.equal(['eventLoopLagMs', 'inFlightWebhooks', 'lastWindowLagMs', 'maxInFlightWebhooks', 'shedCalls', 'shedEpisodes', 'shedding', 'webhookMs']);
  });
});
