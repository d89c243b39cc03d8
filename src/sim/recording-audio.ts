// The audio of a simulated recording: synthetic speech (voiced syllable bursts) where a party talks, faint line noise
// elsewhere, a low steady tone on the heard channel while the leg was on hold (it heard hold music, not the agent),
// digital silence while the recording was paused (PauseBehavior=silence) and paused stretches cut out
// (PauseBehavior=skip). Nothing is stored: the WAV is rendered at fetch time, chunk by chunk, from the recording's
// timeline (a few intervals), so memory stays bounded whatever the length of the call.
import { mulberry32 } from '../db/seed/mulberry32';
import { speechSeconds } from './sim-clock';
import type { TranscriptEntry } from './transcript';

export const RECORDING_SAMPLE_RATE = 8000;

/** Seconds from the recording's start (simulated time, paused stretches included). */
export interface TalkInterval {
  start: number;
  end: number;
}

/**
 * Who talks when on a recorded leg. `caller`: the recorded call leg's own party (the customer on the customer's leg):
 * channel 1 of a dual recording. `heard`: what that party hears (the agent, prompts): channel 2.
 */
export interface TalkPattern {
  caller: TalkInterval[];
  heard: TalkInterval[];
}

export interface RecordingPause {
  start: number;
  end?: number;
  skip: boolean;
}

/** The recorded leg was on hold (seconds from the recording's start; `end` unset while it lasts). */
export interface RecordingHold {
  start: number;
  end?: number;
}

/**
 * Amplitude of the hold tone on the heard channel (16-bit scale): a 440 Hz sine at about −53 dBFS, −52 dBFS with the
 * line noise. Real hold music is loud and would read as the agent talking; the analysis must not depend on telling
 * music from speech (the server passes its own hold intervals), so the simulator keeps the music a quiet tone: visible
 * on the waveform, below the speech threshold (−45 dBFS over this line noise). Were the hold not excluded, it would
 * read as one long silence, which is what the end-to-end test checks is not counted.
 */
export const HOLD_TONE_AMPLITUDE = 100;
const HOLD_TONE_HZ = 440;

const CONNECTED = new Set(['bridged', 'conference', 'dequeued']);

/**
 * The talk on a recording when no test gave one explicitly: from the call's transcript, the caller's scripted `say`
 * and `talk` steps (channel 1) and the prompts it heard (`<Say>`, channel 2), each lasting as long as the text takes to speak;
 * and once the call was connected to someone (bridged, conference, dequeued) and the script has nothing more to say,
 * a default conversation (see defaultConversation) until the recording's end.
 */
export function talkFromTranscript(transcript: readonly TranscriptEntry[], offset: number, length: number, seed: number, holds: readonly RecordingHold[] = []): TalkPattern {
  const pattern: TalkPattern = { caller: [], heard: [] };
  let lastTalk = 0;
  let connectedAt: number | undefined;
  for (const e of transcript) {
    const t = e.t - offset;
    if (CONNECTED.has(e.kind)) connectedAt ??= Math.max(0, t);
    if (e.kind !== 'speech' && e.kind !== 'say') continue;
    // What the hold music says is not the agent talking.
    if (e.detail?.hold) continue;
    // A `{talk: seconds}` step says how long; a `{say}` or a prompt lasts as long as its text takes to speak.
    const seconds = e.detail?.talkSeconds !== undefined ? Number(e.detail.talkSeconds) : speechSeconds(e.text ?? '');
    const iv = { start: t, end: t + seconds };
    if (iv.end <= 0 || iv.start >= length) continue;
    (e.kind === 'speech' ? pattern.caller : pattern.heard).push({ start: Math.max(0, iv.start), end: Math.min(length, iv.end) });
    lastTalk = Math.max(lastTalk, iv.end);
  }
  const nothingScripted = !pattern.caller.length && !pattern.heard.length;
  if (connectedAt !== undefined || nothingScripted) {
    // Nobody converses while the customer is on hold: the default conversation runs in the stretches between holds.
    let k = 0;
    for (const [a, b] of stretchesBetween(Math.max(connectedAt ?? 0, lastTalk), length, holds)) {
      const more = defaultConversation(k++ === 0 ? seed : seedOf(`${seed}:${k}`), a, b);
      pattern.caller.push(...more.caller);
      pattern.heard.push(...more.heard);
    }
  }
  return pattern;
}

/** The parts of [from, to) outside every hold (an open hold lasts to `to`). */
function stretchesBetween(from: number, to: number, holds: readonly RecordingHold[]): [number, number][] {
  const out: [number, number][] = [];
  let t = from;
  for (const h of [...holds].sort((x, y) => x.start - y.start)) {
    const end = h.end ?? to;
    if (end <= t) continue;
    if (h.start > t) out.push([t, Math.min(h.start, to)]);
    t = Math.max(t, end);
    if (t >= to) break;
  }
  if (t < to) out.push([t, to]);
  return out.filter(([a, b]) => b > a);
}

/**
 * The default conversation (deterministic for a seed, the CallSid's hash): from `from` + 0.5 s the heard party
 * (the agent) and the caller take turns of 1.5–6 s separated by 0.3–1.5 s of silence; every fifth turn starts 0.6 s
 * before the previous one ends (a talk-over), and after every seventh turn both are silent for 4 s.
 */
export function defaultConversation(seed: number, from: number, length: number): TalkPattern {
  const rand = mulberry32(seed);
  const out: TalkPattern = { caller: [], heard: [] };
  let t = from + 0.5;
  let previousEnd = t;
  for (let turn = 0; t < length - 0.5; turn++) {
    const len = 1.5 + 4.5 * rand();
    const start = turn > 0 && turn % 5 === 0 ? previousEnd - 0.6 : t;
    previousEnd = start + len;
    (turn % 2 === 0 ? out.heard : out.caller).push({ start, end: Math.min(length, previousEnd) });
    t = previousEnd + (turn % 7 === 6 ? 4 : 0.3 + 1.2 * rand());
  }
  return out;
}

export function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface Burst {
  from: number;
  to: number;
  amp: number;
  pitch: number;
}

/** What is needed to render a recording's samples in any order: bursts and zero stretches in file frames. */
export interface AudioPlan {
  frames: number;
  channels: 1 | 2;
  bursts: [Burst[], Burst[]];
  zeros: [number, number][];
  /** File frames [from, to) where the heard channel carries the hold tone. */
  holdTones: [number, number][];
  seed: number;
}

/** Maps a time on the recording's timeline to the file's (skipped pauses cut out); null inside a skipped pause. */
function toFile(pauses: readonly Required<RecordingPause>[], t: number): number {
  let cut = 0;
  for (const p of pauses) {
    if (!p.skip || p.start >= t) continue;
    cut += Math.min(p.end, t) - p.start;
  }
  return t - cut;
}

export function audioPlan(init: {
  seconds: number;
  channels: number;
  talk: TalkPattern;
  pauses: readonly RecordingPause[];
  /** On hold the heard channel carries no speech, only the hold tone. @default [] */
  holds?: readonly RecordingHold[];
  /** inbound: only the caller's side; outbound: only what it hears. */
  track?: 'inbound' | 'outbound' | 'both';
  seed: number;
}): AudioPlan {
  const rate = RECORDING_SAMPLE_RATE;
  const frames = Math.round(Math.max(0, Math.min(init.seconds, 4 * 3600)) * rate);
  const elapsedEnd = Number.MAX_SAFE_INTEGER;
  const pauses = init.pauses.map((p) => ({ start: p.start, end: p.end ?? elapsedEnd, skip: p.skip }));
  const holds = (init.holds ?? []).map((h) => ({ start: h.start, end: h.end ?? elapsedEnd }));
  const rand = mulberry32(init.seed ^ 0x5bd1e995);
  const sides = [init.track === 'outbound' ? [] : init.talk.caller, init.track === 'inbound' ? [] : init.talk.heard];
  const bursts = sides.map((intervals, c) => {
    const out: Burst[] = [];
    for (const iv of intervals) {
      // Speech inside a pause is not recorded: split the interval around every pause.
      let pieces: [number, number][] = [[iv.start, iv.end]];
      // …nor what the leg would have heard of the agent while it was on hold.
      for (const p of c === 1 ? [...pauses, ...holds] : pauses) pieces = pieces.flatMap(([a, b]) => (p.end <= a || p.start >= b ? [[a, b]] : [[a, Math.min(b, p.start)], [Math.max(a, p.end), b]].filter(([x, y]) => y > x) as [number, number][]));
      for (const [a, b] of pieces) syllables(out, Math.round(toFile(pauses, a) * rate), Math.min(frames, Math.round(toFile(pauses, b) * rate)), c === 0 ? 210 : 120, rand);
    }
    return out.sort((x, y) => x.from - y.from);
  }) as [Burst[], Burst[]];
  const zeros = pauses
    .filter((p) => !p.skip)
    .map((p) => [Math.round(toFile(pauses, p.start) * rate), Math.min(frames, Math.round(toFile(pauses, p.end) * rate))] as [number, number])
    .filter(([a, b]) => b > a);
  const holdTones =
    init.track === 'inbound'
      ? []
      : holds
          .map((h) => [Math.round(toFile(pauses, h.start) * rate), Math.min(frames, Math.round(toFile(pauses, h.end) * rate))] as [number, number])
          .filter(([a, b]) => b > a);
  return { frames, channels: init.channels >= 2 ? 2 : 1, bursts, zeros, holdTones, seed: init.seed };
}

/** Syllables of 120–300 ms separated by 30–150 ms, the last ending at `to`. */
function syllables(out: Burst[], from: number, to: number, pitch: number, rand: () => number) {
  const rate = RECORDING_SAMPLE_RATE;
  let t = from;
  while (t < to) {
    const len = Math.round((0.12 + 0.18 * rand()) * rate);
    let end = t + len;
    if (to - end < 0.15 * rate) end = to;
    out.push({ from: t, to: end, amp: 3000 + 6000 * rand(), pitch: pitch * (0.9 + 0.2 * rand()) });
    t = end + Math.round((0.03 + 0.12 * rand()) * rate);
  }
}

/** Uniform noise in [-1, 1) from a frame's index (so any chunk renders alone). */
function noiseAt(i: number, c: number, seed: number): number {
  let h = Math.imul(i ^ seed, 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 12;
  return ((h >>> 0) / 2147483648) - 1;
}

const LINE_NOISE = 80;

/** Interleaved 16-bit little-endian PCM for frames [from, to). */
export function renderFrames(plan: AudioPlan, from: number, to: number): Buffer {
  const rate = RECORDING_SAMPLE_RATE;
  const n = Math.max(0, Math.min(to, plan.frames) - from);
  const values = [new Float32Array(n), new Float32Array(n)];
  plan.bursts.forEach((bursts, c) => {
    const v = values[c];
    for (const b of bursts) {
      if (b.to <= from || b.from >= from + n) continue;
      const edge = Math.min(160, (b.to - b.from) / 4);
      // The phase advances by a fixed angle a sample: sine and cosine are rotated by it (four products) instead of
      // computed (two transcendental calls a sample were most of a busy simulator's time), and computed afresh every
      // 1024 samples so rounding never drifts far enough to change a 16-bit sample by more than one step.
      const step = (2 * Math.PI * b.pitch) / rate;
      const sinStep = Math.sin(step);
      const cosStep = Math.cos(step);
      const start = Math.max(b.from, from);
      let sin = 0;
      let cos = 1;
      for (let i = start; i < Math.min(b.to, from + n); i++) {
        if ((i - start) % 1024 === 0) {
          sin = Math.sin(step * (i - b.from));
          cos = Math.cos(step * (i - b.from));
        }
        const env = Math.min(1, (i - b.from) / edge, (b.to - i) / edge);
        // sin 2φ = 2 sin φ cos φ, sin 3φ = 3 sin φ − 4 sin³ φ: one sine and one cosine per sample for three harmonics.
        v[i - from] += b.amp * env * (0.6 * sin + 0.6 * sin * cos + 0.1 * (3 * sin - 4 * sin * sin * sin) + 0.2 * noiseAt(i, c + 2, plan.seed));
        const next = sin * cosStep + cos * sinStep;
        cos = cos * cosStep - sin * sinStep;
        sin = next;
      }
    }
    for (let i = 0; i < n; i++) v[i] += LINE_NOISE * noiseAt(from + i, c, plan.seed);
  });
  for (const [a, b] of plan.holdTones) {
    for (let i = Math.max(a, from); i < Math.min(b, from + n); i++) values[1][i - from] += HOLD_TONE_AMPLITUDE * Math.sin((2 * Math.PI * HOLD_TONE_HZ * i) / rate);
  }
  for (const [a, b] of plan.zeros) {
    for (let i = Math.max(a, from); i < Math.min(b, from + n); i++) values[0][i - from] = values[1][i - from] = 0;
  }
  // Int16Array stores in the platform's byte order: little-endian on every platform Node runs on here.
  const out = new Int16Array(n * plan.channels);
  const [c0, c1] = values;
  if (plan.channels === 2) {
    for (let i = 0, j = 0; i < n; i++, j += 2) {
      out[j] = clip(c0[i]);
      out[j + 1] = clip(c1[i]);
    }
  } else for (let i = 0; i < n; i++) out[i] = clip(c0[i] + c1[i]);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

function clip(v: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(v)));
}

export function wavHeader(plan: AudioPlan): Buffer {
  const rate = RECORDING_SAMPLE_RATE;
  const bytes = plan.frames * plan.channels * 2;
  const buf = Buffer.alloc(44);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + bytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(plan.channels, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * plan.channels * 2, 28);
  buf.writeUInt16LE(plan.channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(bytes, 40);
  return buf;
}

/** The whole WAV's size in bytes. */
export function wavBytes(plan: AudioPlan): number {
  return 44 + plan.frames * plan.channels * 2;
}
