// Call recordings in the simulator: the REST resource (checked against Twilio's OpenAPI), pause/resume/stop, the status
// callbacks, and the dual-channel WAV that follows the call's talk pattern (found again by the audio analysis).
import { expect } from 'chai';
import type twilio from 'twilio';
import { startSim, type SimTest } from './sim-fixture';
import { simRestClient } from './sim-rest-client';
import { oaiValidator, type OaiValidator } from './oai-schemas';
import { CUSTOMER, HOTLINE, ACCOUNT_SID, AUTH_TOKEN, until } from './twiml-test-server';
import { decodeWav } from '../../src/recordings/wav';
import { analyseCallAudio, type Interval } from '../../src/recordings/audio-signals';
import { audioPlan, defaultConversation, renderFrames, RECORDING_SAMPLE_RATE, seedOf, talkFromTranscript } from '../../src/sim/recording-audio';
import { frameLevels } from '../../src/recordings/audio-signals';

const xml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const AUTH = { Authorization: 'Basic ' + Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64') };

/**
 * Seconds from the recording's start: a 1 s talk-over at 5–6, a 4 s silence at 10–14, 0.5 s talk-over at 19.5–20, the
 * heard party still speaking when the recording is paused (at 22 or a little later), then two turns after the pause.
 */
const pattern = (pauseEnd: number) => ({
  caller: [{ start: 1, end: 6 }, { start: 14, end: 20 }, { start: pauseEnd + 0.5, end: pauseEnd + 2.5 }],
  heard: [{ start: 5, end: 10 }, { start: 19.5, end: pauseEnd }, { start: pauseEnd + 3, end: pauseEnd + 5.5 }],
});

describe('carrier simulator: call recordings with real dual-channel audio', function () {
  this.timeout(20000);
  let t: SimTest;
  let client: twilio.Twilio;
  let validateOai: OaiValidator | undefined;
  before(() => (validateOai = oaiValidator()));
  // 40 ms of real time per simulated second: REST latency stays well under the 0.5 s the audio checks allow.
  beforeEach(async () => {
    t = await startSim({ timeScale: 40 });
    client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
  });
  afterEach(async () => t.close());

  const json = async (path: string, schema: string, key?: string) => {
    const res = await fetch(t.sim.baseUrl + ACCOUNT + path, { headers: AUTH });
    const body = (await res.json()) as Record<string, unknown>;
    if (validateOai) for (const item of key ? (body[key] as unknown[]) : [body]) validateOai(schema, item);
    return body;
  };
  const wav = async (sid: string, query = '') => {
    const res = await fetch(`${t.sim.baseUrl}${ACCOUNT}/Recordings/${sid}.wav${query}`, { headers: AUTH });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/audio\/x-wav/);
    return decodeWav(new Uint8Array(await res.arrayBuffer()));
  };
  const recordingAge = (sid: string) => t.sim.clock.now() - t.sim.recordings.get(sid)!.startSim;
  const near = (got: Interval | undefined, want: Interval) => {
    expect(got, `expected ${JSON.stringify(want)}`).to.not.equal(undefined);
    expect(Math.abs(got!.start - want.start), `start of ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).to.be.lessThan(0.5);
    expect(Math.abs(got!.end - want.end), `end of ${JSON.stringify(got)} vs ${JSON.stringify(want)}`).to.be.lessThan(0.5);
  };

  it('records a call in two channels by REST, pauses and resumes it, and the WAV has the scripted talk, silence and talk-over', async () => {
    t.app.on('/voice', xml('<Pause length="120"/>'));
    const call = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE });
    await until(() => expect(call.status).to.equal('in-progress'));

    const created = await fetch(`${t.sim.baseUrl}${ACCOUNT}/Calls/${call.sid}/Recordings.json`, {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([
        ['RecordingChannels', 'dual'],
        ['RecordingTrack', 'both'],
        ['RecordingStatusCallback', t.app.url('/rec')],
        ['RecordingStatusCallbackEvent', 'in-progress'],
        ['RecordingStatusCallbackEvent', 'completed'],
      ]),
    });
    expect(created.status).to.equal(201);
    const body = (await created.json()) as Record<string, unknown>;
    validateOai?.('api.v2010.account.call.call_recording', body);
    expect(body).to.include({ call_sid: call.sid, status: 'in-progress', source: 'StartCallRecordingAPI', channels: 2, track: 'both' });
    const sid = body.sid as string;

    await until(() => expect(recordingAge(sid)).to.be.at.least(22), 5000);
    expect((await client.calls(call.sid).recordings('Twilio.CURRENT').update({ status: 'paused' })).status).to.equal('paused');
    expect((await json(`/Calls/${call.sid}/Recordings/${sid}.json`, 'api.v2010.account.call.call_recording')).status).to.equal('paused');
    const pauseStart = t.sim.recordings.get(sid)!.pauses[0].start;
    await until(() => expect(recordingAge(sid)).to.be.at.least(pauseStart + 5), 5000);
    expect((await client.calls(call.sid).recordings(sid).update({ status: 'in-progress' })).status).to.equal('in-progress');
    const pauseEnd = t.sim.recordings.get(sid)!.pauses[0].end!;
    // The talk pattern may be given any time before the recording completes (here once the pause is known).
    t.sim.setTalkPattern(call.sid, pattern(pauseEnd));
    await json(`/Calls/${call.sid}/Recordings.json`, 'api.v2010.account.call.call_recording', 'recordings');
    await until(() => expect(recordingAge(sid)).to.be.at.least(pauseEnd + 7), 5000);
    await client.calls(call.sid).update({ status: 'completed' });
    await call.done;

    // The callbacks, as Twilio posts them.
    const hits = t.app.hitsFor('/rec').map((h) => h.params);
    expect(hits.map((p) => p.RecordingStatus)).to.deep.equal(['in-progress', 'completed']);
    const done = hits[1];
    const meta = await json(`/Recordings/${sid}.json`, 'api.v2010.account.recording');
    expect(done).to.include({
      AccountSid: ACCOUNT_SID,
      CallSid: call.sid,
      RecordingSid: sid,
      RecordingUrl: `${t.sim.baseUrl}${ACCOUNT}/Recordings/${sid}`,
      RecordingChannels: '2',
      RecordingSource: 'StartCallRecordingAPI',
      RecordingTrack: 'both',
      RecordingDuration: meta.duration,
    });
    expect(done.RecordingStartTime).to.match(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    const duration = Number(meta.duration);
    expect(duration).to.be.closeTo(pauseEnd + 7, 2);

    // The media: 2 channels at 8 kHz with RequestedChannels=2 (mono mixed otherwise, as Twilio does), the whole duration.
    const audio = await wav(sid, '?RequestedChannels=2');
    expect(audio.channels).to.have.length(2);
    expect(audio.sampleRate).to.equal(8000);
    expect(audio.durationSeconds).to.equal(duration);
    const mono = await wav(sid);
    expect(mono.channels).to.have.length(1);
    expect(mono.durationSeconds).to.equal(duration);

    // Digital silence on both channels while paused; the pause is where the REST update put it.
    const pauses = t.sim.recordings.get(sid)!.pauses.map((p) => ({ start: p.start, end: p.end! }));
    expect(pauses).to.have.length(1);
    expect(pauses[0].start).to.be.at.least(22);
    expect(pauses[0].end - pauses[0].start).to.be.at.least(5);
    const from = Math.ceil(pauses[0].start * 8000);
    const to = Math.floor(pauses[0].end * 8000);
    for (const ch of audio.channels) expect(ch.subarray(from, to).every((v) => v === 0)).to.equal(true);

    // The analysis finds the scripted talk, the 4 s silence and both talk-overs within 0.5 s.
    const signals = analyseCallAudio({ sampleRate: audio.sampleRate, channels: audio.channels }, { pauses });
    near(signals.longestSilence ?? undefined, { start: 10, end: 14 });
    expect(signals.talkOver.count, JSON.stringify({ pauses, to: signals.talkOver.intervals, seg: signals.segments })).to.equal(2);
    near(signals.talkOver.intervals[0], { start: 5, end: 6 });
    near(signals.talkOver.intervals[1], { start: 19.5, end: 20 });
    // What was said during the pause is not in the recording: the heard party's turn from 19.5 stops at the pause.
    const clipped = (ivs: Interval[]) => ivs.flatMap((iv) => [{ start: iv.start, end: Math.min(iv.end, pauses[0].start) }, { start: Math.max(iv.start, pauses[0].end), end: iv.end }]).filter((iv) => iv.end > iv.start);
    const want = pattern(pauseEnd);
    expect(signals.segments.customer).to.have.length(3);
    expect(signals.segments.agent).to.have.length(3);
    clipped(want.caller).forEach((iv, i) => near(signals.segments.customer[i], iv));
    clipped(want.heard).forEach((iv, i) => near(signals.segments.agent[i], iv));
    expect(signals.pausedSeconds).to.be.closeTo(pauses[0].end - pauses[0].start, 0.1);
    // Nobody is heard in the paused stretch even without telling the analysis about it.
    const blind = analyseCallAudio({ sampleRate: audio.sampleRate, channels: audio.channels });
    for (const s of [...blind.segments.customer, ...blind.segments.agent]) expect(s.end <= pauses[0].start + 0.1 || s.start >= pauses[0].end - 0.1).to.equal(true);
  });

  it('stopping the recording completes it (callback completed), PauseBehavior=skip cuts the pause out, and the WAV follows the default conversation', async () => {
    t.app.on('/voice', xml('<Pause length="120"/>'));
    const call = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE });
    await until(() => expect(call.status).to.equal('in-progress'));
    const rec = await client.calls(call.sid).recordings.create({ recordingChannels: 'dual', recordingStatusCallback: t.app.url('/rec') });
    await until(() => expect(recordingAge(rec.sid)).to.be.at.least(20), 5000);
    await fetch(`${t.sim.baseUrl}${ACCOUNT}/Calls/${call.sid}/Recordings/${rec.sid}.json`, {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Status: 'paused', PauseBehavior: 'skip' }),
    });
    await until(() => expect(recordingAge(rec.sid)).to.be.at.least(30), 5000);
    await client.calls(call.sid).recordings(rec.sid).update({ status: 'in-progress' });
    await until(() => expect(recordingAge(rec.sid)).to.be.at.least(35), 5000);
    const stopped = await client.calls(call.sid).recordings('Twilio.CURRENT').update({ status: 'stopped' });
    expect(stopped.status).to.equal('stopped');
    await until(() => expect(t.app.hitsFor('/rec').map((h) => h.params.RecordingStatus)).to.deep.equal(['completed']));
    expect(call.status).to.equal('in-progress');
    const r = t.sim.recordings.get(rec.sid)!;
    expect(r.status).to.equal('completed');
    const skipped = r.pauses[0].end! - r.pauses[0].start;
    const elapsed = r.endSim! - r.startSim;
    expect(r.duration).to.equal(Math.round(elapsed - skipped));
    expect(t.app.hitsFor('/rec')[0].params.RecordingDuration).to.equal(String(r.duration));

    const audio = await wav(rec.sid, '?RequestedChannels=2');
    expect(audio.durationSeconds).to.equal(r.duration);
    // Nothing scripted: the default conversation seeded by the CallSid, the same as defaultConversation computes, up to the skipped pause.
    const expected = defaultConversation(seedOf(call.sid), 0, elapsed);
    const signals = analyseCallAudio({ sampleRate: audio.sampleRate, channels: audio.channels });
    const before = (ivs: Interval[]) => ivs.filter((s) => s.end < r.pauses[0].start - 0.5);
    const wantAgent = before(expected.heard);
    const wantCustomer = before(expected.caller);
    expect(wantAgent.length + wantCustomer.length).to.be.at.least(3);
    wantAgent.forEach((iv, i) => near(signals.segments.agent[i], iv));
    wantCustomer.forEach((iv, i) => near(signals.segments.customer[i], iv));
    await client.calls(call.sid).update({ status: 'completed' });
    await call.done;
  });

  it('refuses a recording on a call that is not in progress, an unknown RecordingTrack, and Twilio.CURRENT with nothing recording', async () => {
    t.app.on('/voice', xml('<Pause length="120"/>'));
    const call = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE });
    await until(() => expect(call.status).to.equal('in-progress'));
    const post = (path: string, form: Record<string, string>) =>
      fetch(`${t.sim.baseUrl}${ACCOUNT}${path}`, { method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    expect((await post(`/Calls/${call.sid}/Recordings.json`, { RecordingTrack: 'sideways' })).status).to.equal(400);
    expect((await post(`/Calls/${call.sid}/Recordings/Twilio.CURRENT.json`, { Status: 'paused' })).status).to.equal(404);
    await client.calls(call.sid).update({ status: 'completed' });
    await call.done;
    expect((await post(`/Calls/${call.sid}/Recordings.json`, { RecordingChannels: 'dual' })).status).to.equal(400);
  });
});

describe('carrier simulator: the talk on a recording when no test gives a pattern', () => {
  it("takes the caller's scripted speech and the prompts it heard from the transcript, then the default conversation once connected", () => {
    const transcript = [
      { t: 1, kind: 'say' as const, text: 'welcome to the hotline' }, // 22 characters: 1.54 s
      { t: 4, kind: 'speech' as const, text: 'my order is late' }, // 16 characters: 1.12 s
      { t: 6, kind: 'enqueue' as const, text: 'support' },
      { t: 10, kind: 'bridged' as const, text: 'client:agent' },
    ];
    // The recording started 0.5 s into the call and lasted 40 s.
    const talk = talkFromTranscript(transcript, 0.5, 40, 42);
    const conversation = defaultConversation(42, 9.5, 40);
    expect(talk.heard[0].start).to.equal(0.5);
    expect(talk.heard[0].end).to.be.closeTo(2.04, 1e-9);
    expect(talk.caller[0].start).to.equal(3.5);
    expect(talk.caller[0].end).to.be.closeTo(4.62, 1e-9);
    expect(talk.heard.slice(1)).to.deep.equal(conversation.heard);
    expect(talk.caller.slice(1)).to.deep.equal(conversation.caller);
  });

  it('the default conversation alternates turns from the agent, with a talk-over every fifth turn and a 4 s silence after every seventh', () => {
    const c = defaultConversation(seedOf('CA' + 'a'.repeat(32)), 0, 120);
    expect(c).to.deep.equal(defaultConversation(seedOf('CA' + 'a'.repeat(32)), 0, 120));
    expect(c.heard[0].start).to.equal(0.5);
    const turns = [...c.heard.map((iv) => ({ ...iv, who: 'heard' })), ...c.caller.map((iv) => ({ ...iv, who: 'caller' }))].sort((a, b) => a.start - b.start);
    turns.forEach((turn, i) => {
      if (i === 0) return;
      expect(turn.who).to.not.equal(turns[i - 1].who);
      const gap = turn.start - turns[i - 1].end;
      if (i % 5 === 0) expect(gap).to.be.closeTo(-0.6, 1e-9);
      else if (i % 7 === 0) expect(gap).to.equal(4);
      else expect(gap).to.be.within(0.3, 1.5);
    });
    expect(turns.length).to.be.greaterThan(15);
  });
});

describe('carrier simulator: a held leg on its recording', () => {
  it('the default conversation pauses for a hold, and the hold music announcement is not agent talk', () => {
    const transcript = [
      { t: 2, kind: 'conference' as const, text: 'interaction-1' },
      { t: 20, kind: 'say' as const, text: 'please hold, your agent will be right back', detail: { hold: 'true' } },
    ];
    const talk = talkFromTranscript(transcript, 0, 90, 7, [{ start: 20, end: 60 }]);
    const inHold = (iv: { start: number; end: number }) => iv.end > 20 && iv.start < 60;
    expect(talk.heard.filter(inHold)).to.deep.equal([]);
    expect(talk.caller.filter(inHold)).to.deep.equal([]);
    expect(talk.heard.some((iv) => iv.start < 20)).to.equal(true);
    expect(talk.heard.some((iv) => iv.start >= 60.5)).to.equal(true);
  });

  it('on hold the heard channel has no speech, only a quiet tone below the speech threshold; the caller channel keeps its own talk', () => {
    const plan = audioPlan({ seconds: 30, channels: 2, talk: { caller: [{ start: 12, end: 14 }], heard: [{ start: 0, end: 30 }] }, pauses: [], holds: [{ start: 10, end: 20 }], seed: 1 });
    const pcm = renderFrames(plan, 0, plan.frames);
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2);
    const frame = RECORDING_SAMPLE_RATE / 50;
    const level = (channel: number, from: number, to: number) => {
      const levels = frameLevels({ data: samples, offset: channel, stride: 2, length: plan.frames }, frame);
      return Math.max(...levels.slice(from * 50, to * 50));
    };
    expect(level(1, 2, 8), 'agent speech before the hold').to.be.above(-30);
    expect(level(1, 11, 19), 'hold tone').to.be.within(-56, -48);
    expect(level(1, 22, 28), 'agent speech after the hold').to.be.above(-30);
    expect(level(0, 12.2, 13.8), 'the customer still talks on their own channel').to.be.above(-30);
  });
});

describe('carrier simulator: POST /sim/calls/:sid/talk', function () {
  this.timeout(20000);
  let t: SimTest;
  beforeEach(async () => (t = await startSim({ timeScale: 40 })));
  afterEach(async () => t.close());

  it("sets a call's talk pattern for its recordings, and refuses bad intervals or an unknown call", async () => {
    t.app.on('/voice', xml('<Pause length="120"/>'));
    const call = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE });
    await until(() => expect(call.status).to.equal('in-progress'));
    const post = (sid: string, body: unknown) => fetch(`${t.sim.baseUrl}/sim/calls/${sid}/talk`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post(call.sid, { caller: [{ start: 3, end: 1 }] })).status).to.equal(400);
    expect((await post('CA' + '0'.repeat(32), { caller: [] })).status).to.equal(404);
    expect((await post(call.sid, { caller: [{ start: 1, end: 3 }], heard: [{ start: 4, end: 6 }] })).status).to.equal(204);
    const client = simRestClient(t.sim.baseUrl, ACCOUNT_SID, AUTH_TOKEN);
    const rec = await client.calls(call.sid).recordings.create({ recordingChannels: 'dual' });
    const started = t.sim.recordings.get(rec.sid)!.startSim;
    await until(() => expect(t.sim.clock.now() - started).to.be.at.least(9), 5000);
    await client.calls(call.sid).update({ status: 'completed' });
    await call.done;
    const res = await fetch(`${t.sim.baseUrl}${ACCOUNT}/Recordings/${rec.sid}?RequestedChannels=2`, { headers: AUTH });
    const audio = decodeWav(new Uint8Array(await res.arrayBuffer()));
    const signals = analyseCallAudio({ sampleRate: audio.sampleRate, channels: audio.channels });
    expect(signals.segments.customer.map((s) => [Math.round(s.start), Math.round(s.end)])).to.deep.equal([[1, 3]]);
    expect(signals.segments.agent.map((s) => [Math.round(s.start), Math.round(s.end)])).to.deep.equal([[4, 6]]);
    expect(signals.longestSilence?.seconds).to.be.at.least(3);
  });
});

describe("carrier simulator: a recording follows the caller's script", function () {
  this.timeout(20000);
  let t: SimTest;
  beforeEach(async () => (t = await startSim({ timeScale: 40 })));
  afterEach(async () => t.close());

  it('{talk: seconds} steps while connected are the customer channel, where the transcript put them', async () => {
    t.app.on('/voice', xml('<Dial><Number>+8613911112222</Number></Dial>'));
    const call = t.sim.placeCall({ from: CUSTOMER, to: HOTLINE, script: [{ wait: 6 }, { talk: 3 }, { wait: 4 }, { talk: 2 }, { hangup: true }] });
    await until(() => expect(call.status).to.equal('in-progress'));
    const res = await fetch(`${t.sim.baseUrl}${ACCOUNT}/Calls/${call.sid}/Recordings.json`, {
      method: 'POST',
      headers: { ...AUTH, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ RecordingChannels: 'dual' }),
    });
    const sid = ((await res.json()) as { sid: string }).sid;
    await call.done;
    const rec = t.sim.recordings.get(sid)!;
    expect(rec.status).to.equal('completed');
    // Talk intervals on the recording's timeline, from the transcript (its times count from the call's creation).
    const recStartInCall = rec.startSim - (t.sim.clock.now() - t.sim.getCall(call.sid)!.now());
    const talks = call.transcript.filter((e) => e.detail?.talkSeconds).map((e) => ({ start: e.t - recStartInCall, end: e.t - recStartInCall + Number(e.detail!.talkSeconds) }));
    expect(talks).to.have.length(2);
    const wav = await fetch(`${t.sim.baseUrl}${ACCOUNT}/Recordings/${sid}.wav?RequestedChannels=2`, { headers: AUTH });
    const audio = decodeWav(new Uint8Array(await wav.arrayBuffer()));
    const signals = analyseCallAudio({ sampleRate: audio.sampleRate, channels: audio.channels });
    expect(signals.segments.customer).to.have.length(2);
    talks.forEach((iv, i) => {
      expect(Math.abs(signals.segments.customer[i].start - iv.start)).to.be.lessThan(0.5);
      expect(Math.abs(signals.segments.customer[i].end - iv.end)).to.be.lessThan(0.5);
    });
    // Nobody speaks on the agent's side (no script for it; the default conversation would start after the caller's
    // last scripted talk), so the longest silence is the wait before the caller's first talk.
    expect(signals.segments.agent).to.deep.equal([]);
    expect(Math.abs(signals.longestSilence!.end - talks[0].start)).to.be.lessThan(0.5);
  });
});
