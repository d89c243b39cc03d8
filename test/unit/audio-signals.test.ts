import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { WaveFile } from '../support/wavefile';
import {
  AudioInputError,
  DEFAULT_AUDIO_SIGNALS_OPTIONS,
  analyseCallAudio,
  waveformPeaks,
  type AudioSignals,
  type Interval,
} from '../../src/recordings/audio-signals';
import { encodeDualChannelWav, interleavedWav, readWavFile } from '../../src/recordings/wav';
import { synthesizeCallAudio, type CallAudioScript } from '../support/synthetic-call-audio';

const TOLERANCE = 0.5;

// A two-minute call: customer on channel 0, agent on channel 1.
// Silences (neither speaks): 0-1, 10-10.5, 24-25, 44-45, 47-80 (33 s, the longest), 95-96, 118-120.
// Talk-over: 38-40 (agent starts before the customer finished) and 90-91.5 (agent cuts in).
const CALL: CallAudioScript = {
  durationSeconds: 120,
  channel0: [
    { start: 1, end: 10 },
    { start: 25, end: 40 },
    { start: 80, end: 95 },
  ],
  channel1: [
    { start: 10.5, end: 24 },
    { start: 38, end: 44 },
    { start: 45, end: 47 },
    { start: 90, end: 91.5 },
    { start: 96, end: 118 },
  ],
};
const CALL_CUSTOMER_TALK = 9 + 15 + 15;
const CALL_AGENT_TALK = 13.5 + 6 + 2 + 1.5 + 22;

describe('audio signals (pure, on synthetic WAVs with known answers)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audio-signals-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function throughWavFile(script: CallAudioScript, name: string) {
    const { sampleRate, channels } = synthesizeCallAudio(script);
    const file = path.join(dir, `${name}.wav`);
    fs.writeFileSync(file, encodeDualChannelWav(channels[0], channels[1], sampleRate));
    return readWavFile(file);
  }

  function expectCallFigures(s: AudioSignals) {
    expect(s.durationSeconds).to.equal(120);
    expect(s.talkSeconds.customer).to.be.closeTo(CALL_CUSTOMER_TALK, TOLERANCE);
    expect(s.talkSeconds.agent).to.be.closeTo(CALL_AGENT_TALK, TOLERANCE);
    expect(s.agentTalkRatio).to.be.closeTo(CALL_AGENT_TALK / (CALL_AGENT_TALK + CALL_CUSTOMER_TALK), 0.01);
    expect(s.longestSilence!.start).to.be.closeTo(47, TOLERANCE);
    expect(s.longestSilence!.end).to.be.closeTo(80, TOLERANCE);
    expect(s.longestSilence!.seconds).to.be.closeTo(33, TOLERANCE);
    expect(s.longSilences).to.have.length(1);
    expect(s.talkOver.count).to.equal(2);
    expect(s.talkOver.seconds).to.be.closeTo(3.5, TOLERANCE);
    expectIntervals(s.talkOver.intervals, [
      { start: 38, end: 40 },
      { start: 90, end: 91.5 },
    ]);
    expectIntervals(s.segments.customer, CALL.channel0);
    expectIntervals(s.segments.agent, CALL.channel1);
    expect(s.flags).to.deep.equal(['long_silence']);
  }

  it('finds the talk times, the longest silence, the talk-over and the segments the script made', async () => {
    const wav = await throughWavFile(CALL, 'call');
    expect(wav.encoding).to.equal('pcm16');
    expectCallFigures(analyseCallAudio(wav));
  });

  it('gives the same answers from a µ-law and an A-law file (as a carrier may deliver)', async () => {
    const { sampleRate, channels } = synthesizeCallAudio(CALL);
    for (const [encoding, convert] of [
      ['mulaw', (wf: WaveFile) => wf.toMuLaw()],
      ['alaw', (wf: WaveFile) => wf.toALaw()],
    ] as const) {
      const wf = new WaveFile();
      wf.fromScratch(2, sampleRate, '16', [channels[0], channels[1]]);
      convert(wf);
      const file = path.join(dir, `call-${encoding}.wav`);
      fs.writeFileSync(file, wf.toBuffer());
      const wav = await readWavFile(file);
      expect(wav.encoding).to.equal(encoding);
      expectCallFigures(analyseCallAudio(wav));
    }
  });

  it('gives the same answers analysing the WAV in place (interleaved), without splitting the channels', async () => {
    const { sampleRate, channels } = synthesizeCallAudio(CALL);
    const bytes = encodeDualChannelWav(channels[0], channels[1], sampleRate);
    const inPlace = interleavedWav(bytes);
    expect(inPlace.inPlace).to.equal(true);
    const s = analyseCallAudio(inPlace);
    expectCallFigures(s);
    expect(s).to.deep.equal(analyseCallAudio({ sampleRate, channels }));
    expect(waveformPeaks(inPlace, 300)).to.deep.equal(waveformPeaks({ sampleRate, channels }, 300));
    expect(analyseCallAudio(inPlace, { customerChannel: 1 }).talkSeconds.agent).to.be.closeTo(CALL_CUSTOMER_TALK, TOLERANCE);
  });

  it('follows the channel mapping: customer on channel 1 swaps the parties', async () => {
    const wav = await throughWavFile(CALL, 'call-swapped');
    const s = analyseCallAudio(wav, { customerChannel: 1 });
    expect(s.talkSeconds.agent).to.be.closeTo(CALL_CUSTOMER_TALK, TOLERANCE);
    expect(s.talkSeconds.customer).to.be.closeTo(CALL_AGENT_TALK, TOLERANCE);
    expect(s.agentTalkRatio).to.be.closeTo(CALL_CUSTOMER_TALK / (CALL_AGENT_TALK + CALL_CUSTOMER_TALK), 0.01);
    expectIntervals(s.segments.agent, CALL.channel0);
  });

  it('reads the same figures at 16 kHz and 11,025 Hz (frames follow the sample rate)', async () => {
    expectCallFigures(analyseCallAudio(await throughWavFile({ ...CALL, sampleRate: 16000 }, 'call-16k')));
    expectCallFigures(analyseCallAudio(await throughWavFile({ ...CALL, sampleRate: 11025 }, 'call-11k')));
  });

  describe('the silence flag', () => {
    const withGap = (gap: number): CallAudioScript => ({
      durationSeconds: 20 + gap + 20,
      channel0: [
        { start: 0.5, end: 10 },
        { start: 20 + gap, end: 30 + gap },
      ],
      channel1: [
        { start: 10, end: 20 },
        { start: 30 + gap, end: 39.5 + gap },
      ],
    });

    it('does not fire on 29 s of silence', async () => {
      const s = analyseCallAudio(await throughWavFile(withGap(29), 'gap-29'));
      expect(s.longestSilence!.seconds).to.be.closeTo(29, TOLERANCE);
      expect(s.longestSilence!.start).to.be.closeTo(20, TOLERANCE);
      expect(s.flags).to.not.include('long_silence');
      expect(s.longSilences).to.deep.equal([]);
    });

    it('fires on 31 s of silence', async () => {
      const s = analyseCallAudio(await throughWavFile(withGap(31), 'gap-31'));
      expect(s.longestSilence!.seconds).to.be.closeTo(31, TOLERANCE);
      expect(s.flags).to.deep.equal(['long_silence']);
      expect(s.longSilences).to.have.length(1);
      expect(s.longSilences[0].start).to.be.closeTo(20, TOLERANCE);
    });

    it('follows silenceFlagSeconds', async () => {
      const wav = await throughWavFile(withGap(29), 'gap-29b');
      expect(analyseCallAudio(wav, { silenceFlagSeconds: 20 }).flags).to.deep.equal(['long_silence']);
    });
  });

  describe('the agent talk ratio flag', () => {
    // The agent speaks 40 s, the customer 10 s: a ratio of 0.8.
    const agentHeavy: CallAudioScript = {
      durationSeconds: 52,
      channel0: [{ start: 1, end: 11 }],
      channel1: [{ start: 11.5, end: 51.5 }],
    };
    // 20 s each: a ratio of 0.5.
    const balanced: CallAudioScript = {
      durationSeconds: 42,
      channel0: [{ start: 1, end: 21 }],
      channel1: [{ start: 21.5, end: 41.5 }],
    };

    it('fires when the ratio is further than the tolerance from the desk norm, and only then', async () => {
      const heavy = await throughWavFile(agentHeavy, 'agent-heavy');
      const even = await throughWavFile(balanced, 'balanced');
      const heavyDefault = analyseCallAudio(heavy);
      expect(heavyDefault.agentTalkRatio).to.be.closeTo(0.8, 0.01);
      expect(heavyDefault.flags).to.deep.equal(['agent_talk_ratio']);
      expect(analyseCallAudio(even).agentTalkRatio).to.be.closeTo(0.5, 0.01);
      expect(analyseCallAudio(even).flags).to.deep.equal([]);
      // A desk where agents are expected to talk most of the call.
      expect(analyseCallAudio(heavy, { agentTalkRatioNorm: 0.7 }).flags).to.deep.equal([]);
      expect(analyseCallAudio(even, { agentTalkRatioNorm: 0.8 }).flags).to.deep.equal(['agent_talk_ratio']);
      expect(analyseCallAudio(heavy, { agentTalkRatioTolerance: 0.35 }).flags).to.deep.equal([]);
      expect(analyseCallAudio(heavy, { agentTalkRatioNorm: null }).flags).to.deep.equal([]);
    });

    it('does not fire on a call with too little talk to judge', async () => {
      const short = await throughWavFile({ durationSeconds: 8, channel0: [{ start: 0.5, end: 1.5 }], channel1: [{ start: 2, end: 7.5 }] }, 'short');
      const s = analyseCallAudio(short);
      expect(s.agentTalkRatio).to.be.closeTo(5.5 / 6.5, 0.02);
      expect(s.flags).to.deep.equal([]);
      expect(analyseCallAudio(short, { ratioMinTalkSeconds: 5 }).flags).to.deep.equal(['agent_talk_ratio']);
    });
  });

  describe('talk-over', () => {
    // Six interruptions of 1 s each, and four brief backchannels ("mm-hm") of 0.2 s that are not talk-over.
    const interrupted: CallAudioScript = {
      durationSeconds: 70,
      channel0: [{ start: 0.5, end: 60 }],
      channel1: [
        ...[5, 14, 23, 32, 41, 50].map((t) => ({ start: t, end: t + 1 })),
        ...[8, 17, 26, 35].map((t) => ({ start: t, end: t + 0.2 })),
        { start: 60.5, end: 69 },
      ],
    };

    it('counts overlaps of at least minTalkOverMs and flags above the count threshold', async () => {
      const wav = await throughWavFile(interrupted, 'interrupted');
      const s = analyseCallAudio(wav);
      expect(s.talkOver.count).to.equal(6);
      expect(s.talkOver.seconds).to.be.closeTo(6, TOLERANCE);
      expect(s.flags).to.include('talk_over'); // 6 > 5
      expect(analyseCallAudio(wav, { talkOverFlagCount: 6 }).flags).to.not.include('talk_over');
      expect(analyseCallAudio(wav, { talkOverFlagCount: null, talkOverFlagSeconds: 5 }).flags).to.include('talk_over');
      expect(analyseCallAudio(wav, { talkOverFlagCount: null, talkOverFlagSeconds: 7 }).flags).to.not.include('talk_over');
      // With a minimum below the backchannels' length, they count too.
      expect(analyseCallAudio(wav, { minTalkOverMs: 100 }).talkOver.count).to.equal(10);
    });
  });

  describe('holds and pauses', () => {
    it('excludes given hold intervals from silence and talk (hold music on the agent channel included), and sums them', async () => {
      const onHold: CallAudioScript = {
        ...CALL,
        tones: [{ start: 50, end: 78, channel: 1, hz: 440, amplitude: 3000 }],
      };
      const wav = await throughWavFile(onHold, 'hold');
      const unheld = analyseCallAudio(wav);
      expect(unheld.talkSeconds.agent).to.be.closeTo(CALL_AGENT_TALK + 28, TOLERANCE); // music heard as the agent talking
      const s = analyseCallAudio(wav, { holds: [{ start: 49, end: 79 }] });
      expect(s.holdSeconds).to.equal(30);
      expect(s.talkSeconds.agent).to.be.closeTo(CALL_AGENT_TALK, TOLERANCE);
      expect(s.talkSeconds.customer).to.be.closeTo(CALL_CUSTOMER_TALK, TOLERANCE);
      // What is left of the 47-80 silence is 47-49 and 79-80; the longest is now 118-120.
      expect(s.longestSilence!.seconds).to.be.closeTo(2, TOLERANCE);
      expect(s.flags).to.deep.equal([]);
    });

    it('treats a paused stretch (digital silence) as neither silence nor talk, and still finds the speech around it', async () => {
      const paused: CallAudioScript = { ...CALL, channel0: [...CALL.channel0, { start: 50, end: 70 }], zeros: [{ start: 55, end: 65 }] };
      const wav = await throughWavFile(paused, 'paused');
      const s = analyseCallAudio(wav, { pauses: [{ start: 55, end: 65 }] });
      expect(s.pausedSeconds).to.equal(10);
      expect(s.holdSeconds).to.equal(0);
      expect(s.talkSeconds.customer).to.be.closeTo(CALL_CUSTOMER_TALK + 10, TOLERANCE);
      expectIntervals(s.segments.customer, [...CALL.channel0.slice(0, 2), { start: 50, end: 55 }, { start: 65, end: 70 }, CALL.channel0[2]]);
      expect(s.longestSilence!.start).to.be.closeTo(70, TOLERANCE);
      expect(s.longestSilence!.seconds).to.be.closeTo(10, TOLERANCE);
      // Digital silence does not drag the noise floor down to -120 dBFS.
      expect(s.levels.customer.noiseFloorDbfs).to.be.above(-70);
    });
  });

  describe('edge cases', () => {
    it('an empty recording: zeros, no ratio, no silence, no flags', () => {
      const s = analyseCallAudio({ sampleRate: 8000, channels: [new Int16Array(0), new Int16Array(0)] });
      expect(s.durationSeconds).to.equal(0);
      expect(s.talkSeconds).to.deep.equal({ customer: 0, agent: 0 });
      expect(s.agentTalkRatio).to.equal(null);
      expect(s.longestSilence).to.equal(null);
      expect(s.talkOver).to.deep.equal({ count: 0, seconds: 0, intervals: [] });
      expect(s.flags).to.deep.equal([]);
    });

    it('an empty WAV file reads and analyses to the same', async () => {
      const wav = await throughWavFile({ durationSeconds: 0, channel0: [], channel1: [] }, 'empty');
      expect(wav.channels.map((c) => c.length)).to.deep.equal([0, 0]);
      expect(analyseCallAudio(wav).longestSilence).to.equal(null);
    });

    it('all line noise and no speech: no talk, one silence the whole length, flagged', async () => {
      const s = analyseCallAudio(await throughWavFile({ durationSeconds: 45, channel0: [], channel1: [], noiseAmplitude: 300 }, 'noise'));
      expect(s.talkSeconds).to.deep.equal({ customer: 0, agent: 0 });
      expect(s.agentTalkRatio).to.equal(null);
      expect(s.longestSilence).to.deep.equal({ start: 0, end: 45, seconds: 45 });
      expect(s.flags).to.deep.equal(['long_silence']);
    });

    it('digital silence throughout: no noise floor, no speech', () => {
      const s = analyseCallAudio({ sampleRate: 8000, channels: [new Int16Array(80000), new Int16Array(80000)] });
      expect(s.levels.customer).to.deep.equal({ noiseFloorDbfs: null, thresholdDbfs: DEFAULT_AUDIO_SIGNALS_OPTIONS.minSpeechDbfs });
      expect(s.talkSeconds).to.deep.equal({ customer: 0, agent: 0 });
      expect(s.longestSilence!.seconds).to.equal(10);
    });

    it('one party silent throughout: ratio 0 or 1', async () => {
      const s = analyseCallAudio(await throughWavFile({ durationSeconds: 30, channel0: [], channel1: [{ start: 2, end: 28 }] }, 'monologue'));
      expect(s.agentTalkRatio).to.equal(1);
      expect(s.talkSeconds.customer).to.equal(0);
      expect(s.talkSeconds.agent).to.be.closeTo(26, TOLERANCE);
      expect(s.flags).to.deep.equal(['agent_talk_ratio']);
    });

    it('one channel only, or channels of different lengths: a clear error', () => {
      expect(() => analyseCallAudio({ sampleRate: 8000, channels: [new Int16Array(800)] })).to.throw(AudioInputError, /two channels.*got 1/);
      expect(() => analyseCallAudio({ sampleRate: 8000, channels: [new Int16Array(800), new Int16Array(700)] })).to.throw(
        AudioInputError,
        /differ in length/,
      );
      expect(() => analyseCallAudio({ sampleRate: 0, channels: [new Int16Array(8), new Int16Array(8)] })).to.throw(AudioInputError, /sample rate/);
      expect(() => analyseCallAudio({ sampleRate: 8000, interleaved: new Int16Array(8), channelCount: 1 })).to.throw(AudioInputError, /got 1/);
      expect(() => analyseCallAudio({ sampleRate: 8000, interleaved: new Int16Array(9), channelCount: 2 })).to.throw(
        AudioInputError,
        /9 interleaved samples do not divide into 2 channels/,
      );
    });

    it('bad options: a clear error naming the option', () => {
      const audio = { sampleRate: 8000, channels: [new Int16Array(8), new Int16Array(8)] };
      expect(() => analyseCallAudio(audio, { customerChannel: 2 as 0 })).to.throw(AudioInputError, /customerChannel/);
      expect(() => analyseCallAudio(audio, { frameMs: 0 })).to.throw(AudioInputError, /frameMs/);
      expect(() => analyseCallAudio(audio, { holds: [{ start: 5, end: 1 }] })).to.throw(AudioInputError, /holds/);
    });

    it('Float32 samples (full scale ±1) give the same answers as Int16', () => {
      const { sampleRate, channels } = synthesizeCallAudio(CALL);
      const asFloat = channels.map((c) => Float32Array.from(c, (x) => x / 32768));
      const a = analyseCallAudio({ sampleRate, channels });
      const b = analyseCallAudio({ sampleRate, channels: asFloat });
      expect(b.segments).to.deep.equal(a.segments);
      expect(b.longestSilence).to.deep.equal(a.longestSilence);
    });
  });

  describe('waveform peaks', () => {
    it('gives each bucket its min and max, scaled to -1..1, per channel', () => {
      const ch0 = new Int16Array([0, 16384, -8192, 0, 32767, -32768, 0, 0]);
      const ch1 = new Int16Array([1, 2, 3, 4, 5, 6, 7, 8].map((x) => x * 1024));
      const p = waveformPeaks({ sampleRate: 8, channels: [ch0, ch1] }, 4);
      expect(p.bucketSeconds).to.equal(0.25);
      expect(p.channels[0]).to.deep.equal({ min: [0, -0.25, -1, 0], max: [0.5, 0, 1, 0] });
      expect(p.channels[1].max).to.deep.equal([0.063, 0.125, 0.188, 0.25]);
    });

    it('zooms into a range, and leaves buckets past the samples at zero', () => {
      const ch = new Int16Array([0, 0, 0, 0, 32767, -16384, 0, 0]);
      const zoomed = waveformPeaks({ sampleRate: 8, channels: [ch, ch] }, 2, { start: 0.5, end: 1 });
      expect(zoomed.channels[0]).to.deep.equal({ min: [-0.5, 0], max: [1, 0] });
      const tiny = waveformPeaks({ sampleRate: 8, channels: [new Int16Array([16384]), new Int16Array([16384])] }, 3);
      expect(tiny.channels[0].max).to.deep.equal([0, 0, 0.5]);
    });

    it('finds a party speaking on its own channel in an hour-long draw', () => {
      const { sampleRate, channels } = synthesizeCallAudio(CALL);
      const p = waveformPeaks({ sampleRate, channels }, 120);
      expect(p.bucketSeconds).to.equal(1);
      // Second 60 is inside the 47-80 silence: only line noise on both channels; second 5 is the customer speaking.
      expect(p.channels[0].max[60]).to.be.below(0.01);
      expect(p.channels[1].max[60]).to.be.below(0.01);
      expect(p.channels[0].max[5]).to.be.above(0.04);
      expect(p.channels[1].max[5]).to.be.below(0.01 + 0.02 * 0.2); // only the customer's echo
    });
  });
});

function expectIntervals(actual: readonly Interval[], expected: readonly Interval[]) {
  expect(actual.length, `${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`).to.equal(expected.length);
  actual.forEach((r, i) => {
    expect(r.start, `start of #${i}`).to.be.closeTo(expected[i].start, TOLERANCE);
    expect(r.end, `end of #${i}`).to.be.closeTo(expected[i].end, TOLERANCE);
  });
}
