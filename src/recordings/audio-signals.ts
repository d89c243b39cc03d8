// The automatic QA signals of a dual-channel call recording, from its PCM samples alone (no I/O): who spoke when,
// talk time per party, agent talk ratio, the longest silence, talk-over, hold time, waveform peaks, and the flags.
// Definitions and defaults are explained in docs/recordings-analysis.md.

/** Seconds from the start of the recording. */
export interface Interval {
  start: number;
  end: number;
}

export type Party = 'customer' | 'agent';

/** Samples of one channel; Int16Array is full scale at ±32768, Float32Array at ±1. */
export type ChannelSamples = Int16Array | Float32Array;

/**
 * A recording's samples: one array per channel, or the channels interleaved as in a WAV's data (frame after frame),
 * which lets an hour of audio be analysed in place in the file's bytes, without splitting it into channels first.
 */
export type CallAudio =
  | { sampleRate: number; channels: readonly ChannelSamples[] }
  | { sampleRate: number; interleaved: ChannelSamples; channelCount: number };

/** One channel: every `stride`-th sample of `data` from `offset`, `length` of them. */
export interface ChannelView {
  data: ChannelSamples;
  offset: number;
  stride: number;
  length: number;
}

function channelViews(audio: CallAudio): ChannelView[] {
  if ('channels' in audio) return audio.channels.map((data) => ({ data, offset: 0, stride: 1, length: data.length }));
  const { interleaved, channelCount } = audio;
  if (!Number.isInteger(channelCount) || channelCount < 1) throw new AudioInputError(`channelCount must be a positive integer, got ${channelCount}`);
  if (interleaved.length % channelCount !== 0) {
    throw new AudioInputError(`${interleaved.length} interleaved samples do not divide into ${channelCount} channels`);
  }
  const length = interleaved.length / channelCount;
  return Array.from({ length: channelCount }, (_, c) => ({ data: interleaved, offset: c, stride: channelCount, length }));
}

export interface AudioSignalsOptions {
  /** The channel (0 or 1) that carries the customer; the other one carries the agent. @default 0 */
  customerChannel: 0 | 1;
  /** Length of the frames whose energy decides speech or not. @default 20 */
  frameMs: number;
  /** The noise floor of a channel is this quantile of its frame levels (digital zeros left out). @default 0.1 */
  noiseFloorQuantile: number;
  /** A frame is speech when its level is at least this many dB above the channel's noise floor… @default 12 */
  speechAboveFloorDb: number;
  /** …and at least this level in dBFS, so a channel of near-digital silence does not turn its hiss into speech. @default -50 */
  minSpeechDbfs: number;
  /** A gap in one party's speech shorter than this is a pause between syllables or words, not a silence. @default 300 */
  bridgeGapMs: number;
  /** A burst of speech shorter than this (after bridging) is a click or a breath, not talk. @default 100 */
  minSpeechMs: number;
  /** Both parties speaking at once counts as talk-over only when it lasts at least this long. @default 300 */
  minTalkOverMs: number;
  /** Intervals the customer was on hold (known to the server from the hold action): excluded from talk, silence and talk-over, summed as hold time. @default [] */
  holds: readonly Interval[];
  /** Intervals the recording was paused (sensitive data) with PauseBehavior=silence: excluded like holds, summed as paused time. @default [] */
  pauses: readonly Interval[];
  /** Flag `long_silence` when the longest silence is over this. @default 30 */
  silenceFlagSeconds: number;
  /** Flag `talk_over` when there are more talk-overs than this; null: never on the count. @default 5 */
  talkOverFlagCount: number | null;
  /** Flag `talk_over` when talk-over lasts more than this in total; null: never on the length. @default 10 */
  talkOverFlagSeconds: number | null;
  /** The desk's normal agent talk ratio; null: no `agent_talk_ratio` flag. @default 0.5 */
  agentTalkRatioNorm: number | null;
  /** Flag `agent_talk_ratio` when |ratio − norm| is over this. @default 0.25 */
  agentTalkRatioTolerance: number;
  /** No `agent_talk_ratio` flag when both parties together talked less than this: the ratio of a few words says nothing. @default 10 */
  ratioMinTalkSeconds: number;
}

export const DEFAULT_AUDIO_SIGNALS_OPTIONS: Readonly<AudioSignalsOptions> = Object.freeze({
  customerChannel: 0,
  frameMs: 20,
  noiseFloorQuantile: 0.1,
  speechAboveFloorDb: 12,
  minSpeechDbfs: -50,
  bridgeGapMs: 300,
  minSpeechMs: 100,
  minTalkOverMs: 300,
  holds: [],
  pauses: [],
  silenceFlagSeconds: 30,
  talkOverFlagCount: 5,
  talkOverFlagSeconds: 10,
  agentTalkRatioNorm: 0.5,
  agentTalkRatioTolerance: 0.25,
  ratioMinTalkSeconds: 10,
});

export type AudioFlag = 'long_silence' | 'talk_over' | 'agent_talk_ratio';

export interface ChannelLevels {
  /** Estimated background level in dBFS (null when the channel is digital silence throughout). */
  noiseFloorDbfs: number | null;
  /** The level a frame needed to count as speech. */
  thresholdDbfs: number;
}

export interface AudioSignals {
  durationSeconds: number;
  talkSeconds: Record<Party, number>;
  /** Agent talk / (agent talk + customer talk); null when nobody spoke. */
  agentTalkRatio: number | null;
  /** The longest stretch where neither party spoke (outside holds and pauses); null when there was none. */
  longestSilence: (Interval & { seconds: number }) | null;
  /** Every silence longer than silenceFlagSeconds, for markers on the player. */
  longSilences: Interval[];
  talkOver: { count: number; seconds: number; intervals: Interval[] };
  holdSeconds: number;
  pausedSeconds: number;
  /** Each party's speech, for drawing. */
  segments: Record<Party, Interval[]>;
  levels: Record<Party, ChannelLevels>;
  flags: AudioFlag[];
}

/** Audio the analysis cannot read as a two-party call (wrong channel count, unequal lengths, bad sample rate). */
export class AudioInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AudioInputError';
  }
}

const DIGITAL_SILENCE_DBFS = -90;
const NO_ENERGY_DBFS = -120;

/** Analyses a two-channel call recording. Options not given take DEFAULT_AUDIO_SIGNALS_OPTIONS. */
export function analyseCallAudio(audio: CallAudio, options: Partial<AudioSignalsOptions> = {}): AudioSignals {
  const o = checkedOptions(options);
  const { sampleRate } = audio;
  const channels = channelViews(audio);
  if (channels.length !== 2) {
    throw new AudioInputError(`a call recording needs two channels (customer and agent), got ${channels.length}`);
  }
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new AudioInputError(`sample rate must be positive, got ${sampleRate}`);
  const n = channels[0].length;
  if (channels[1].length !== n) throw new AudioInputError(`the channels differ in length (${n} and ${channels[1].length} samples)`);

  const frameLen = Math.max(1, Math.round((sampleRate * o.frameMs) / 1000));
  const frames = Math.ceil(n / frameLen);
  const frameSec = frameLen / sampleRate;
  const duration = n / sampleRate;
  const time = (frame: number) => round3(Math.min(frame * frameLen, n) / sampleRate);

  const excluded = new Uint8Array(frames);
  markIntervals(excluded, o.holds, frameSec);
  markIntervals(excluded, o.pauses, frameSec);

  // In frames of the length actually used (at 11,025 Hz a 20 ms frame is 221 samples, not 220.5).
  const framesIn = (ms: number) => ms / 1000 / frameSec;
  const bridgeFrames = Math.round(framesIn(o.bridgeGapMs));
  const minSpeechFrames = Math.round(framesIn(o.minSpeechMs));
  const minTalkOverFrames = Math.max(1, Math.ceil(framesIn(o.minTalkOverMs) - 1e-9));
  const vad = channels.map((samples) => {
    const levels = frameLevels(samples, frameLen);
    const floor = noiseFloor(levels, o.noiseFloorQuantile);
    const threshold = Math.max(o.minSpeechDbfs, floor === null ? -Infinity : floor + o.speechAboveFloorDb);
    const speech = new Uint8Array(frames);
    for (let i = 0; i < frames; i++) speech[i] = levels[i] >= threshold ? 1 : 0;
    fillShortRuns(speech, 0, bridgeFrames, false);
    fillShortRuns(speech, 1, minSpeechFrames, true);
    for (let i = 0; i < frames; i++) if (excluded[i]) speech[i] = 0;
    return { speech, levels: { noiseFloorDbfs: floor === null ? null : round1(floor), thresholdDbfs: round1(threshold) } };
  });
  const customer = vad[o.customerChannel];
  const agent = vad[1 - o.customerChannel];

  const segments = { customer: runs(frames, (i) => customer.speech[i] === 1), agent: runs(frames, (i) => agent.speech[i] === 1) };
  const toIntervals = (rs: Run[]) => rs.map((r) => ({ start: time(r.from), end: time(r.to) }));
  const talkSamples = (rs: Run[]) => rs.reduce((sum, r) => sum + Math.min(r.to * frameLen, n) - r.from * frameLen, 0);
  const talkSeconds = { customer: round3(talkSamples(segments.customer) / sampleRate), agent: round3(talkSamples(segments.agent) / sampleRate) };
  const totalTalk = talkSeconds.customer + talkSeconds.agent;
  const agentTalkRatio = totalTalk > 0 ? round3(talkSeconds.agent / totalTalk) : null;

  const silences = runs(frames, (i) => !customer.speech[i] && !agent.speech[i] && !excluded[i]).map((r) => ({
    start: time(r.from),
    end: time(r.to),
  }));
  let longestSilence: AudioSignals['longestSilence'] = null;
  for (const s of silences) {
    const seconds = round3(s.end - s.start);
    if (seconds > 0 && (!longestSilence || seconds > longestSilence.seconds)) longestSilence = { ...s, seconds };
  }
  const longSilences = silences.filter((s) => round3(s.end - s.start) > o.silenceFlagSeconds);

  const overlaps = toIntervals(
    runs(frames, (i) => customer.speech[i] === 1 && agent.speech[i] === 1).filter((r) => r.to - r.from >= minTalkOverFrames),
  );
  const talkOver = { count: overlaps.length, seconds: round3(overlaps.reduce((sum, r) => sum + r.end - r.start, 0)), intervals: overlaps };

  const flags: AudioFlag[] = [];
  if (longestSilence && longestSilence.seconds > o.silenceFlagSeconds) flags.push('long_silence');
  if (
    (o.talkOverFlagCount !== null && talkOver.count > o.talkOverFlagCount) ||
    (o.talkOverFlagSeconds !== null && talkOver.seconds > o.talkOverFlagSeconds)
  ) {
    flags.push('talk_over');
  }
  if (
    o.agentTalkRatioNorm !== null &&
    agentTalkRatio !== null &&
    totalTalk >= o.ratioMinTalkSeconds &&
    Math.abs(agentTalkRatio - o.agentTalkRatioNorm) > o.agentTalkRatioTolerance
  ) {
    flags.push('agent_talk_ratio');
  }

  return {
    durationSeconds: round3(duration),
    talkSeconds,
    agentTalkRatio,
    longestSilence,
    longSilences,
    talkOver,
    holdSeconds: round3(unionSeconds(o.holds, duration)),
    pausedSeconds: round3(unionSeconds(o.pauses, duration)),
    segments: { customer: toIntervals(segments.customer), agent: toIntervals(segments.agent) },
    levels: { customer: customer.levels, agent: agent.levels },
    flags,
  };
}

export interface WaveformPeaks {
  /** Seconds of audio each bucket covers (the last one may cover less). */
  bucketSeconds: number;
  /** Per channel, in the file's order: the lowest and highest sample of each bucket, scaled to −1…1. */
  channels: { min: number[]; max: number[] }[];
}

/**
 * Min/max peaks of each channel in `buckets` equal slices of [start, end) seconds (the whole recording by default),
 * which is what a player needs to draw the waveform, and to redraw it zoomed in.
 */
export function waveformPeaks(
  audio: CallAudio,
  buckets: number,
  range: { start?: number; end?: number } = {},
): WaveformPeaks {
  if (!Number.isInteger(buckets) || buckets < 1) throw new AudioInputError(`buckets must be a positive integer, got ${buckets}`);
  const { sampleRate } = audio;
  const channels = channelViews(audio);
  if (!Number.isFinite(sampleRate) || sampleRate <= 0) throw new AudioInputError(`sample rate must be positive, got ${sampleRate}`);
  const n = Math.max(0, ...channels.map((c) => c.length));
  const from = clamp(Math.floor((range.start ?? 0) * sampleRate), 0, n);
  const to = clamp(Math.ceil((range.end ?? n / sampleRate) * sampleRate), from, n);
  const span = to - from;
  return {
    bucketSeconds: round3(span / buckets / sampleRate),
    channels: channels.map(({ data, offset, stride, length }) => {
      const scale = data instanceof Int16Array ? 1 / 32768 : 1;
      const min = new Array<number>(buckets);
      const max = new Array<number>(buckets);
      for (let b = 0; b < buckets; b++) {
        const lo = from + Math.floor((b * span) / buckets);
        const hi = Math.min(from + Math.floor(((b + 1) * span) / buckets), length);
        let mn = 0;
        let mx = 0;
        if (lo < hi) {
          mn = Infinity;
          mx = -Infinity;
          for (let i = offset + lo * stride, end = offset + hi * stride; i < end; i += stride) {
            const s = data[i];
            if (s < mn) mn = s;
            if (s > mx) mx = s;
          }
        }
        min[b] = round3(mn * scale);
        max[b] = round3(mx * scale);
      }
      return { min, max };
    }),
  };
}

/** Each frame's mean-square level in dBFS (a full-scale sine is −3 dBFS); a last partial frame is measured on what it has. */
export function frameLevels(samples: ChannelSamples | ChannelView, frameLen: number): Float32Array {
  const { data, offset, stride, length } = 'data' in samples ? samples : { data: samples, offset: 0, stride: 1, length: samples.length };
  const frames = Math.ceil(length / frameLen);
  const out = new Float32Array(frames);
  // Two loops rather than one generic loop, so each stays monomorphic and fast on an hour of audio.
  if (data instanceof Int16Array) sumSquaresInt16(data, offset, stride, length, frameLen, out);
  else sumSquaresFloat32(data, offset, stride, length, frameLen, out);
  const fullScale = data instanceof Int16Array ? 32768 * 32768 : 1;
  for (let f = 0; f < frames; f++) {
    const len = Math.min(frameLen, length - f * frameLen);
    const meanSquare = out[f] / len / fullScale;
    out[f] = meanSquare > 0 ? Math.max(NO_ENERGY_DBFS, 10 * Math.log10(meanSquare)) : NO_ENERGY_DBFS;
  }
  return out;
}

function sumSquaresInt16(data: Int16Array, offset: number, stride: number, length: number, frameLen: number, out: Float32Array): void {
  const last = offset + length * stride;
  const step = frameLen * stride;
  for (let f = 0, i = offset; i < last; f++) {
    const end = Math.min(i + step, last);
    let sum = 0;
    for (; i < end; i += stride) sum += data[i] * data[i];
    out[f] = sum;
  }
}

function sumSquaresFloat32(data: Float32Array, offset: number, stride: number, length: number, frameLen: number, out: Float32Array): void {
  const last = offset + length * stride;
  const step = frameLen * stride;
  for (let f = 0, i = offset; i < last; f++) {
    const end = Math.min(i + step, last);
    let sum = 0;
    for (; i < end; i += stride) sum += data[i] * data[i];
    out[f] = sum;
  }
}

/**
 * The given quantile of the frame levels, ignoring digital silence (paused or padded stretches); null if nothing else.
 * Counted in 0.1 dB bins rather than sorted: an hour is 180,000 frames, and the floor needs no finer grain.
 */
function noiseFloor(levels: Float32Array, quantile: number): number | null {
  const binsPerDb = 10;
  const lowest = DIGITAL_SILENCE_DBFS;
  const bins = new Uint32Array((0 - lowest) * binsPerDb + 1);
  let live = 0;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l <= lowest) continue;
    bins[Math.min(bins.length - 1, Math.floor((l - lowest) * binsPerDb))]++;
    live++;
  }
  if (live === 0) return null;
  const rank = Math.min(live - 1, Math.floor(quantile * live));
  let seen = 0;
  for (let b = 0; b < bins.length; b++) {
    seen += bins[b];
    if (seen > rank) return lowest + b / binsPerDb;
  }
  return 0;
}

/**
 * Sets to 1 − value every run of `value` shorter than `maxLen` frames. With `atEdges` false, only runs with the other
 * value on both sides are filled (a gap inside speech), not a run that touches the start or the end.
 */
function fillShortRuns(a: Uint8Array, value: 0 | 1, maxLen: number, atEdges: boolean): void {
  if (maxLen <= 0) return;
  const n = a.length;
  let i = 0;
  while (i < n) {
    if (a[i] !== value) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && a[j] === value) j++;
    const inside = i > 0 && j < n;
    if (j - i < maxLen && (atEdges || inside)) a.fill(1 - value, i, j);
    i = j;
  }
}

interface Run {
  from: number;
  /** Exclusive. */
  to: number;
}

/** The runs of frames 0 … frames − 1 for which `on` holds. */
function runs(frames: number, on: (i: number) => boolean): Run[] {
  const out: Run[] = [];
  let start = -1;
  for (let i = 0; i < frames; i++) {
    if (on(i)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.push({ from: start, to: i });
      start = -1;
    }
  }
  if (start >= 0) out.push({ from: start, to: frames });
  return out;
}

/** Marks the frames whose middle falls inside one of the intervals. */
function markIntervals(mask: Uint8Array, intervals: readonly Interval[], frameSec: number): void {
  for (const { start, end } of intervals) {
    const first = Math.max(0, Math.ceil(start / frameSec - 0.5));
    const last = Math.min(mask.length, Math.ceil(end / frameSec - 0.5));
    if (last > first) mask.fill(1, first, last);
  }
}

/** Total length of the union of the intervals, clipped to [0, duration]. */
function unionSeconds(intervals: readonly Interval[], duration: number): number {
  const clipped = intervals
    .map((r) => ({ start: clamp(r.start, 0, duration), end: clamp(r.end, 0, duration) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let curStart = -1;
  let curEnd = -1;
  for (const r of clipped) {
    if (r.start > curEnd) {
      total += curEnd - curStart;
      curStart = r.start;
      curEnd = r.end;
    } else {
      curEnd = Math.max(curEnd, r.end);
    }
  }
  return total + curEnd - curStart;
}

function checkedOptions(given: Partial<AudioSignalsOptions>): AudioSignalsOptions {
  const o: AudioSignalsOptions = { ...DEFAULT_AUDIO_SIGNALS_OPTIONS };
  for (const [key, value] of Object.entries(given) as [keyof AudioSignalsOptions, unknown][]) {
    if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  const problems: string[] = [];
  if (o.customerChannel !== 0 && o.customerChannel !== 1) problems.push(`customerChannel must be 0 or 1, got ${String(o.customerChannel)}`);
  for (const key of ['frameMs'] as const) if (!(o[key] > 0)) problems.push(`${key} must be positive, got ${o[key]}`);
  for (const key of ['bridgeGapMs', 'minSpeechMs', 'minTalkOverMs', 'silenceFlagSeconds', 'agentTalkRatioTolerance', 'ratioMinTalkSeconds'] as const) {
    if (!(o[key] >= 0)) problems.push(`${key} must be zero or more, got ${o[key]}`);
  }
  if (!(o.noiseFloorQuantile >= 0 && o.noiseFloorQuantile < 1)) problems.push(`noiseFloorQuantile must be in [0, 1), got ${o.noiseFloorQuantile}`);
  if (!Number.isFinite(o.speechAboveFloorDb) || !Number.isFinite(o.minSpeechDbfs)) problems.push('speechAboveFloorDb and minSpeechDbfs must be numbers');
  for (const key of ['talkOverFlagCount', 'talkOverFlagSeconds', 'agentTalkRatioNorm'] as const) {
    const v = o[key];
    if (v !== null && !(v >= 0)) problems.push(`${key} must be zero or more, or null, got ${v}`);
  }
  for (const key of ['holds', 'pauses'] as const) {
    if (!Array.isArray(o[key]) || o[key].some((r) => !(Number.isFinite(r.start) && Number.isFinite(r.end) && r.end >= r.start))) {
      problems.push(`${key} must be intervals with start <= end, in seconds`);
    }
  }
  if (problems.length > 0) throw new AudioInputError(`bad analysis options: ${problems.join('; ')}`);
  return o;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
