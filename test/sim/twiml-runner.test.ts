// Calls through the simulator's TwiML runner against a signature-checking app: what the caller heard and what the app received.
import { expect } from 'chai';
import { APPLICATION_ERROR } from '../../src/sim/index';
import { startSim, type SimTest } from './sim-fixture';
import { HOTLINE, CUSTOMER, ACCOUNT_SID } from './twiml-test-server';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

describe('carrier simulator: TwiML runner', function () {
  this.timeout(10000);
  let t: SimTest;
  beforeEach(async () => (t = await startSim()));
  afterEach(async () => t.close());

  const place = async (script: Parameters<typeof t.sim.placeCall>[0]['script'] = []) => {
    const c = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE, script });
    await c.done;
    return c;
  };
  const errors = (c: { transcript: { kind: string }[] }) => c.transcript.filter((e) => e.kind === 'error');

  it('signs every webhook as Twilio does and sends the standard parameters', async () => {
    t.app.on('/voice', xml('<Say>hello</Say><Redirect>/next?step=2</Redirect>'));
    t.app.on('/next', xml('<Say>bye</Say><Hangup/>'));
    const c = await place();
    expect(t.app.hits.length).to.equal(3);
    expect(t.app.hits.every((h) => h.signatureValid)).to.equal(true);
    const first = t.app.hitsFor('/voice')[0].params;
    expect(first).to.include({ CallSid: c.sid, AccountSid: ACCOUNT_SID, From: CUSTOMER, To: HOTLINE, Caller: CUSTOMER, Called: HOTLINE, CallStatus: 'ringing', ApiVersion: '2010-04-01', Direction: 'inbound' });
    expect(c.sid).to.match(/^CA[0-9a-f]{32}$/);
    expect(t.app.hitsFor('/next')[0].params.CallStatus).to.equal('in-progress');
    expect(c.heard()).to.deep.equal(['hello', 'bye']);
    expect(c.transcript.at(-1)).to.deep.include({ kind: 'hangup', text: 'server' });
    expect(c.status).to.equal('completed');
  });

  it("posts only the final status to the number's own status callback, with SequenceNumber and durations", async () => {
    t.app.on('/voice', xml('<Pause length="3"/>'));
    await place();
    const status = t.app.hitsFor('/status').map((h) => h.params);
    expect(status.map((p) => p.CallStatus)).to.deep.equal(['completed']);
    expect(status[0]).to.include({ SequenceNumber: '0', CallbackSource: 'call-progress-events', SipResponseCode: '200', Duration: '1' });
    expect(status[0].Timestamp).to.match(/\+0000$/);
    expect(Number(status[0].CallDuration)).to.be.at.least(3);
  });

  it('a `hear` step keeps the caller silent until the words are said: keys before them are not pressed', async () => {
    t.app.on('/voice', (p) => {
      if (p.Digits) return xml(`<Say>got ${p.Digits}</Say>`);
      return xml('<Gather numDigits="1" timeout="2"><Say>first menu</Say></Gather><Gather numDigits="1" timeout="2"><Say>rate us now</Say></Gather>');
    });
    const c = await place([{ hear: 'rate us' }, { press: '4' }]);
    expect(c.heard()).to.deep.equal(['first menu', 'rate us now', 'got 4']);
    expect(c.transcript.filter((e) => e.kind === 'silence').map((e) => e.text)).to.deep.equal(['no input after 2s']);
    // Words never said: the caller stays silent to the end.
    t.app.on('/voice', xml('<Gather numDigits="1" timeout="2"><Say>menu</Say></Gather><Say>bye</Say>'));
    const silent = await place([{ hear: 'never said' }, { press: '1' }]);
    expect(silent.heard()).to.deep.equal(['menu', 'bye']);
    expect(silent.transcript.some((e) => e.kind === 'press')).to.equal(false);
  });

  it('gathers keys: numDigits, finishOnKey, the current URL as default action, and timeouts that fall through', async () => {
    t.app.on('/voice2', xml('<Gather finishOnKey="#" timeout="3" action="order"><Say>order number</Say></Gather>'));
    let menu = 0;
    t.app.on('/voice', (p) => {
      if (p.Digits === '1') return xml('<Redirect>/voice2</Redirect>');
      menu++;
      return xml('<Gather numDigits="1"><Say>主菜单，请按1</Say></Gather><Say>no choice</Say><Redirect>/voice</Redirect>');
    });
    t.app.on('/order', (p) => xml(`<Say>order ${p.Digits}</Say>`));
    const c = await place([{ wait: 6 }, { press: '1' }, { press: '1234#' }]);
    expect(menu).to.equal(2);
    expect(c.heard()).to.deep.equal(['主菜单，请按1', 'no choice', '主菜单，请按1', 'order number', 'order 1234']);
    expect(t.app.hitsFor('/voice').map((h) => h.params.Digits)).to.deep.equal([undefined, undefined, '1']);
    expect(t.app.hitsFor('/order')[0].params.Digits).to.equal('1234');
    expect(errors(c)).to.deep.equal([]);
  });

  it('gathers speech only when the input allows it, and calls the action on an empty result when asked', async () => {
    t.app.on('/voice', xml('<Gather input="dtmf speech" action="/said"><Say>say something</Say></Gather>'));
    t.app.on('/said', (p) => (p.SpeechResult ? xml('<Gather input="dtmf" action="/empty" actionOnEmptyResult="true" timeout="2"/>') : xml('')));
    t.app.on('/empty', xml('<Say>nothing</Say>'));
    const c = await place([{ say: '我要投诉' }, { say: 'ignored speech' }]);
    const said = t.app.hitsFor('/said')[0].params;
    expect(said.SpeechResult).to.equal('我要投诉。');
    expect(Number(said.Confidence)).to.be.within(0.5, 0.99);
    expect(t.app.hitsFor('/empty')[0].params.Digits).to.equal('');
    expect(c.transcript.some((e) => e.kind === 'speech' && e.text === 'ignored speech' && e.detail?.ignored)).to.equal(true);
    expect(c.heard()).to.include('nothing');
  });

  it('records a message: action gets RecordingUrl, RecordingDuration, RecordingSid and Digits; the WAV is served', async () => {
    t.app.on('/voice', xml('<Say>leave a message</Say><Record action="/recorded" maxLength="60" recordingStatusCallback="/rec-status"/>'));
    t.app.on('/recorded', xml('<Say>thanks</Say><Hangup/>'));
    const c = await place([{ say: '请给我回电话，我的订单还没到' }, { press: '#' }]);
    const p = t.app.hitsFor('/recorded')[0].params;
    expect(p.RecordingSid).to.match(/^RE[0-9a-f]{32}$/);
    expect(p.RecordingUrl).to.equal(`${t.sim.baseUrl}/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${p.RecordingSid}`);
    expect(Number(p.RecordingDuration)).to.be.greaterThan(0);
    expect(p.Digits).to.equal('#');
    const cb = t.app.hitsFor('/rec-status')[0].params;
    expect(cb).to.include({ CallSid: c.sid, RecordingSid: p.RecordingSid, RecordingStatus: 'completed', RecordingSource: 'RecordVerb', RecordingChannels: '1' });
    const wav = Buffer.from(await (await fetch(p.RecordingUrl)).arrayBuffer());
    expect(wav.subarray(0, 4).toString()).to.equal('RIFF');
    expect(wav.readUInt32LE(24)).to.equal(8000);
    expect(wav.length).to.equal(44 + Number(p.RecordingDuration) * 8000 * 2);
    expect(c.heard()).to.deep.equal(['leave a message', 'thanks']);
  });

  it('requests the fallback URL with ErrorCode/ErrorUrl for invalid TwiML, and notes the error', async () => {
    await t.close();
    t = await startSim((app) => ({ numbers: { [HOTLINE]: { voiceUrl: app.url('/voice'), fallbackUrl: app.url('/fallback') } } }));
    t.app.on('/voice', '<Response><Say>broken</Response>');
    t.app.on('/fallback', xml('<Say>fallback speaking</Say>'));
    const c = await place();
    expect(t.app.hitsFor('/fallback')[0].params).to.include({ ErrorCode: '12100', ErrorUrl: t.app.url('/voice') });
    expect(c.heard()).to.deep.equal(['fallback speaking']);
    expect(errors(c)).to.have.length(1);
  });

  for (const [what, reply] of [
    ['an unknown verb', xml('<Dance/>')],
    ['an HTTP 500', { status: 500, body: 'oops' }],
  ] as const) {
    it(`without a fallback URL, answers ${what} with the application-error announcement and hangs up`, async () => {
      t.app.on('/voice', reply);
      const c = await place();
      expect(c.heard()).to.deep.equal([APPLICATION_ERROR]);
      expect(errors(c)).to.have.length(1);
      expect(c.transcript.at(-1)?.kind).to.equal('hangup');
    });
  }

  it('rejects a call before answering it: busy, no answered callback', async () => {
    t.app.on('/voice', xml('<Reject reason="busy"/>'));
    const c = await place();
    expect(c.status).to.equal('busy');
    expect(t.app.hitsFor('/status').map((h) => h.params)).to.have.length(1);
    expect(t.app.hitsFor('/status')[0].params).to.include({ CallStatus: 'busy', CallDuration: '0', SipResponseCode: '486' });
  });

  it('hangs up a runaway Redirect loop after 500 requests, at least a simulated second per round', async () => {
    await t.close();
    t = await startSim({ timeScale: 0.2, maxCallSeconds: 100000 });
    t.app.on('/voice', xml('<Redirect>/voice</Redirect>'));
    const c = await place();
    expect(t.app.hitsFor('/voice')).to.have.length(500);
    expect(errors(c)[0]).to.deep.include({ kind: 'error' });
    const redirects = c.transcript.filter((e) => e.kind === 'redirect');
    expect(redirects.at(-1)!.t - redirects[0].t).to.be.at.least(490);
  });
});
