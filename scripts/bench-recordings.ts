// Benchmarks the recordings' audio analysis on one synthetic hour of 8 kHz dual-channel call audio, and checks its
// answers against the talk pattern the audio was made from.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyseCallAudio, waveformPeaks, type Interval } from '../src/recordings/audio-signals';
import { decodeWav, encodeDualChannelWav, interleavedWav, readWavFile } from '../src/recordings/wav';
import { synthesizeCallAudio } from '../test/support/synthetic-call-audio';
import { prng } from './bench/seeded';
import { benchPlayback } from './bench/playback';

const USAGE = `Usage: npm run bench:recordings -- [options]

Synthesizes --seconds of dual-channel call audio (customer on channel 0, agent on channel 1) following a seeded,
realistic talk pattern: turns of a few seconds, short gaps, some talk-over, a few long silences while the agent looks
something up, and a hold with music on the agent channel. Then times, in this process, after one warm-up run:

  a) analyseCallAudio on the decoded channels (the pure analysis: voice activity, talk, silence, talk-over, flags)
  a′) analyseCallAudio in place on the WAV's bytes (interleavedWav: a view, no copy), and the whole path of a
     worker: read the file, view it, analyse
  b) decodeWav of the 16-bit PCM WAV held in memory into two channel arrays, and readWavFile from a file
  c) waveformPeaks for the player (--buckets buckets over the whole recording)

and compares the figures found with the ones the pattern made (talk per party, longest silence, talk-over).

Then the playback part: the hotline server in this process (createHotline, 127.0.0.1 only) with that WAV stored,
and --listeners concurrent listeners (a worker thread, keep-alive connections) each asking GET
/api/recordings/:id/audio for the next --chunk bytes with a Range header as soon as the last arrived, for
--listen-seconds: requests/s, bytes/s, p50/p99 latency and errors (target: no errors).

Options:
  --seconds <n>   length of the recording (default 3600)
  --rate <hz>     sample rate (default 8000)
  --runs <n>      measured runs of each step (default 5; the median and the best are printed)
  --buckets <n>   waveform buckets (default 2000)
  --seed <n>      seed of the talk pattern and the noise (default 1)
  --listeners <n> concurrent playback listeners (default 200; 0 skips the playback part)
  --listen-seconds <n>  how long they listen (default 15)
  --chunk <bytes> bytes per Range request (default 65536)
  -h, --help      print this help
`;

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3600' },
    rate: { type: 'string', default: '8000' },
    runs: { type: 'string', default: '5' },
    buckets: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    listeners: { type: 'string', default: '200' },
    'listen-seconds': { type: 'string', default: '15' },
    chunk: { type: 'string', default: '65536' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const seconds = positive('seconds');
const sampleRate = positive('rate');
const runs = positive('runs');
const buckets = positive('buckets');
const seed = Number(args.seed);
const listeners = positive('listeners', 0);
const listenSeconds = positive('listen-seconds');
const chunkBytes = positive('chunk');

function positive(name: 'seconds' | 'rate' | 'runs' | 'buckets' | 'listeners' | 'listen-seconds' | 'chunk', min = 1): number {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min) {
    process.stderr.write(`--${name} must be a positive integer, got ${args[name]}\n\n${USAGE}`);
    process.exit(2);
  }
  return v;
}

/** The pattern: who speaks when, and the hold; made so that the answers are known. */
function talkPattern(duration: number) {
  const rng = prng(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rng.next();
  const speech: [Interval[], Interval[]] = [[], []];
  const holdAt = duration / 3;
  const hold: Interval = { start: holdAt, end: holdAt + Math.min(60, duration / 10) };
  let held = false;
  let speaker: 0 | 1 = 1; // the agent greets
  let t = 0.8;
  while (t < duration - 3) {
    if (!held && t >= hold.start - 1) {
      held = true;
      t = hold.end + 1;
      continue;
    }
    const end = Math.min(duration - 1, t + Math.min(25, 0.8 + rng.exponential(5)));
    speech[speaker].push({ start: t, end });
    const r = rng.next();
    if (r < 0.08) {
      // The other party cuts in before this one has finished.
      speaker = speaker === 0 ? 1 : 0;
      t = end - between(0.4, 1.5);
    } else if (r < 0.095) {
      // Dead air: the agent looks something up, or the customer fetches a document.
      t = end + between(5, 40);
      speaker = 1;
    } else if (r < 0.25) {
      t = end + between(0.5, 1.5); // the same party goes on after a breath
    } else {
      speaker = speaker === 0 ? 1 : 0;
      t = end + between(0.2, 1.5);
    }
  }
  return { speech, hold };
}

function expectedFigures(speech: [Interval[], Interval[]], hold: Interval, duration: number) {
  const talk = speech.map((xs) => xs.reduce((s, r) => s + r.end - r.start, 0));
  const overlaps: Interval[] = [];
  for (const a of speech[0]) {
    for (const b of speech[1]) {
      const start = Math.max(a.start, b.start);
      const end = Math.min(a.end, b.end);
      if (end - start >= 0.3) overlaps.push({ start, end });
    }
  }
  const busy = [...speech[0], ...speech[1], hold].sort((a, b) => a.start - b.start);
  let longest: Interval = { start: 0, end: 0 };
  let cursor = 0;
  for (const r of [...busy, { start: duration, end: duration }]) {
    if (r.start - cursor > longest.end - longest.start) longest = { start: cursor, end: r.start };
    cursor = Math.max(cursor, r.end);
  }
  return {
    customerTalk: talk[0],
    agentTalk: talk[1],
    longestSilence: longest,
    talkOverCount: overlaps.length,
    talkOverSeconds: overlaps.reduce((s, r) => s + r.end - r.start, 0),
  };
}

function time<T>(fn: () => T): { result: T; ms: number[] } {
  fn(); // warm-up: the first run also compiles
  const ms: number[] = [];
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { result, ms };
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<number[]> {
  await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms.sort((a, b) => a - b);
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);
const median = (ms: number[]) => ms[Math.floor(ms.length / 2)];
const line = (label: string, ms: number[], samples: number) =>
  `${label.padEnd(44)} median ${fmt(median(ms)).padStart(7)} ms  best ${fmt(ms[0]).padStart(7)} ms  ` +
  `${fmt(samples / (median(ms) / 1000) / 1e6)} M samples/s`;

async function main() {
  const { speech, hold } = talkPattern(seconds);
  console.log(`synthesizing ${seconds} s of audio (not timed; about 15 s for an hour)…`);
  const t0 = Date.now();
  const audio = synthesizeCallAudio({
    sampleRate,
    durationSeconds: seconds,
    channel0: speech[0],
    channel1: speech[1],
    tones: [{ start: hold.start + 0.5, end: hold.end - 0.5, channel: 1, hz: 440, amplitude: 2500 }],
    seed,
  });
  const samples = audio.channels[0].length * 2;
  const wav = encodeDualChannelWav(audio.channels[0], audio.channels[1], sampleRate);
  console.log(
    `${seconds} s of ${sampleRate} Hz dual-channel audio: ${samples.toLocaleString('en')} samples, WAV ${fmt(wav.length / 1e6)} MB; ` +
      `${speech[0].length} customer and ${speech[1].length} agent turns (synthesized in ${Date.now() - t0} ms)`,
  );

  const options = { holds: [hold] };
  const a = time(() => analyseCallAudio(audio, options));
  const inPlace = time(() => analyseCallAudio(interleavedWav(wav), options));
  const b = time(() => decodeWav(wav));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-recordings-'));
  const file = path.join(dir, 'call.wav');
  fs.writeFileSync(file, wav);
  const fromFile = await timeAsync(() => readWavFile(file));
  const workerPath = await timeAsync(async () => analyseCallAudio(interleavedWav(await fs.promises.readFile(file)), options));
  const readOnly = await timeAsync(() => fs.promises.readFile(file));
  fs.rmSync(dir, { recursive: true, force: true });
  const c = time(() => waveformPeaks(audio, buckets));

  console.log(line('a) analyseCallAudio', a.ms, samples));
  console.log(line("a′) analyse in place (interleavedWav view)", inPlace.ms, samples));
  console.log(line('    read file + view + analyse (a worker)', workerPath, samples));
  console.log(line('    of which fs.readFile alone', readOnly, samples));
  console.log(line('b) decodeWav (16-bit PCM, in memory)', b.ms, samples));
  console.log(line('   readWavFile (from a file, page cache)', fromFile, samples));
  console.log(line(`c) waveformPeaks (${buckets} buckets)`, c.ms, samples));
  console.log(line('   decode + analyse', [median(b.ms) + median(a.ms)], samples));
  const mem = process.memoryUsage();
  console.log(`memory: rss ${fmt(mem.rss / 1e6, 0)} MB, array buffers ${fmt(mem.arrayBuffers / 1e6, 0)} MB (the WAV, its channels, and decoded copies not yet collected)`);

  // PLAYBACK BENCH: issue 8 point 9, Range playback to concurrent listeners from one process, `wav` as the stored file.
  let playbackOk = true;
  if (listeners > 0) {
    const megabytes = (b: number) => `${fmt(b / 1e6)} MB/s`;
    for (const paced of [true, false]) {
      const how = paced ? 'paced at the playback rate, as players' : 'back to back, as fast as served (capacity)';
      console.log(`\nplayback: ${listeners} listeners, ${chunkBytes}-byte Range requests ${how}, for ${listenSeconds} s (server in this process)…`);
      const p = await benchPlayback(wav, { listeners, seconds: listenSeconds, chunkBytes, paced });
      console.log(
        `playback: ${p.requests.toLocaleString('en')} requests in ${fmt(p.seconds)} s = ${fmt(p.requestsPerSecond, 0)} requests/s, ` +
          `${megabytes(p.bytesPerSecond)}; latency p50 ${fmt(p.p50Ms)} ms, p99 ${fmt(p.p99Ms)} ms, max ${fmt(p.maxMs)} ms; errors ${p.errors}` +
          (p.errorSamples.length ? ` (${p.errorSamples.join('; ')})` : ''),
      );
      if (paced) console.log(`playback: once each player has its first 3 chunks of buffer: p50 ${fmt(p.steadyP50Ms)} ms, p99 ${fmt(p.steadyP99Ms)} ms`);
      else {
        console.log(
          `playback: one listener in real time needs ${fmt(p.realTimeBytesPerSecond / 1e3)} kB/s, so the rate served would feed ` +
            `${fmt(p.realTimeListenersFed, 0)} listeners playing in real time`,
        );
      }
      playbackOk &&= p.errors === 0 && p.requests > 0;
    }
    console.log(`playback: ${listeners} concurrent listeners from one process: ${playbackOk ? 'met' : 'MISSED'} (target: no errors)`);
  }

  const want = expectedFigures(speech, hold, seconds);
  const got = a.result;
  if (JSON.stringify(inPlace.result) !== JSON.stringify(got)) {
    console.log('OFF: the analysis in place differs from the analysis of the split channels');
    process.exitCode = 1;
  }
  const rows: [string, number, number, number][] = [
    ['customer talk (s)', want.customerTalk, got.talkSeconds.customer, Math.max(0.5, want.customerTalk * 0.01)],
    ['agent talk (s)', want.agentTalk, got.talkSeconds.agent, Math.max(0.5, want.agentTalk * 0.01)],
    ['longest silence (s)', want.longestSilence.end - want.longestSilence.start, got.longestSilence?.seconds ?? 0, 0.5],
    ['longest silence start (s)', want.longestSilence.start, got.longestSilence?.start ?? 0, 0.5],
    ['talk-over count', want.talkOverCount, got.talkOver.count, 0],
    ['talk-over (s)', want.talkOverSeconds, got.talkOver.seconds, Math.max(0.5, want.talkOverCount * 0.05)],
    ['hold (s)', hold.end - hold.start, got.holdSeconds, 0],
  ];
  console.log('\nfigure                      made by the pattern   found     within');
  let off = 0;
  for (const [label, made, found, tolerance] of rows) {
    const ok = Math.abs(made - found) <= tolerance + 1e-9;
    if (!ok) off++;
    console.log(`${label.padEnd(28)}${fmt(made, 2).padStart(12)}${fmt(found, 2).padStart(13)}   ±${fmt(tolerance, 2)} ${ok ? 'ok' : 'OFF'}`);
  }
  console.log(`flags: ${got.flags.join(', ') || 'none'}; agent talk ratio ${got.agentTalkRatio}`);
  const target = median(a.ms) < 1000;
  console.log(`\nanalysis of ${seconds} s: ${fmt(median(a.ms))} ms (target < 1000 ms: ${target ? 'met' : 'MISSED'}); answers ${off ? `${off} OFF` : 'all within tolerance'}`);
  if (off || !target || !playbackOk) process.exitCode = 1;
}

await main();
