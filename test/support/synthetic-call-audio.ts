// Synthetic two-party call audio with known answers: speech-like syllable bursts where the script says a party speaks,
// line noise everywhere, and a little of each party leaking into the other channel as a real line's echo does.
import { mulberry32 } from '../../src/db/seed/mulberry32';
import type { Interval } from '../../src/recordings/audio-signals';

export interface CallAudioScript {
  sampleRate?: number;
  durationSeconds: number;
  /** When each party speaks, in seconds. */
  channel0: readonly Interval[];
  channel1: readonly Interval[];
  /** Extra sounds that are not speech, e.g. hold music: a steady tone on one channel. */
  tones?: readonly (Interval & { channel: 0 | 1; hz: number; amplitude: number })[];
  /** Stretches of digital silence on both channels (a recording paused with PauseBehavior=silence). */
  zeros?: readonly Interval[];
  /** Peak of the uniform line noise. @default 80 (about −57 dBFS) */
  noiseAmplitude?: number;
  /** Share of the other party's signal heard on a channel. @default 0.02 */
  echo?: number;
  seed?: number;
}

export function synthesizeCallAudio(script: CallAudioScript): { sampleRate: number; channels: [Int16Array, Int16Array] } {
  const sampleRate = script.sampleRate ?? 8000;
  const n = Math.round(script.durationSeconds * sampleRate);
  const rand = mulberry32(script.seed ?? 7);
  // Each party's voice is written straight into its channel, then mixed in place: an hour stays at 2 × 57.6 MB.
  const channels: [Int16Array, Int16Array] = [new Int16Array(n), new Int16Array(n)];
  [script.channel0, script.channel1].forEach((intervals, c) => {
    const pitch = c === 0 ? 210 : 120;
    for (const r of intervals) speak(channels[c], sampleRate, r, pitch, rand);
  });
  for (const t of script.tones ?? []) {
    const from = Math.round(t.start * sampleRate);
    const to = Math.min(n, Math.round(t.end * sampleRate));
    const out = channels[t.channel];
    for (let i = from; i < to; i++) out[i] = clip(out[i] + t.amplitude * Math.sin((2 * Math.PI * t.hz * i) / sampleRate));
  }
  const noise = script.noiseAmplitude ?? 80;
  const echo = script.echo ?? 0.02;
  const [c0, c1] = channels;
  for (let i = 0; i < n; i++) {
    const v0 = c0[i];
    const v1 = c1[i];
    c0[i] = clip(v0 + echo * v1 + noise * (2 * rand() - 1));
    c1[i] = clip(v1 + echo * v0 + noise * (2 * rand() - 1));
  }
  for (const z of script.zeros ?? []) {
    const from = Math.round(z.start * sampleRate);
    const to = Math.min(n, Math.round(z.end * sampleRate));
    channels[0].fill(0, from, to);
    channels[1].fill(0, from, to);
  }
  return { sampleRate, channels };
}

/**
 * Syllables of 120-300 ms separated by 30-150 ms (gaps a listener does not hear as silence), at levels varying by
 * syllable, the last one ending exactly at the interval's end: a voiced pitch with two harmonics and a formant.
 */
function speak(out: Int16Array, sampleRate: number, r: Interval, pitch: number, rand: () => number): void {
  let t = r.start;
  while (t < r.end) {
    const syllable = 0.12 + 0.18 * rand();
    let end = Math.min(r.end, t + syllable);
    // No fragment shorter than a gap and a syllable left at the end: this syllable stretches to the interval's end.
    if (r.end - end < 0.3) end = r.end;
    const from = Math.round(t * sampleRate);
    const to = Math.min(out.length, Math.round(end * sampleRate));
    const amplitude = 1500 + 5000 * rand();
    const f0 = pitch * (0.9 + 0.2 * rand());
    const len = to - from;
    for (let i = from; i < to; i++) {
      const k = i - from;
      // A short fade in and out, as a syllable's energy rises and falls, without making its edges vague.
      const env = Math.min(1, k / 40, (len - k) / 40);
      const ph = (2 * Math.PI * f0 * i) / sampleRate;
      out[i] = clip(out[i] + amplitude * env * (0.6 * Math.sin(ph) + 0.3 * Math.sin(2 * ph) + 0.25 * Math.sin(5.5 * ph)));
    }
    t = end + 0.03 + 0.12 * rand();
  }
}

function clip(x: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(x)));
}
