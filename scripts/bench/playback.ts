// The Range-playback bench of issue 8: one hotline process serves a stored recording to many listeners at once, each
// asking for the next chunk as soon as it has the last one (a player catching up; a real one needs far less).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { eq } from 'drizzle-orm';
import { startHotline } from '../../test/support/hotline-fixture';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { recordings, staff } from '../../src/db/schema/index';
import { DEMO_PASSWORD } from '../../src/db/seed/demo-staff';
import { wavInfo } from '../../src/recordings/wav';

export interface PlaybackBenchOptions {
  /** Listeners playing at once, each on its own keep-alive connection. @default 200 */
  listeners?: number;
  /** How long they listen. @default 15 */
  seconds?: number;
  /** Bytes per Range request, as a player's buffer refill. @default 65536 */
  chunkBytes?: number;
  /**
   * Paced: each listener asks for its next chunk when playback in real time would need it (after two chunks of
   * buffer), as a player does. Unpaced: back to back, as fast as the server answers (the capacity). @default false
   */
  paced?: boolean;
}

export interface PlaybackBenchResult {
  listeners: number;
  seconds: number;
  requests: number;
  bytes: number;
  requestsPerSecond: number;
  bytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Latency once each listener has its first three chunks (the buffer a player fills at once when it starts). */
  steadyP50Ms: number;
  steadyP99Ms: number;
  maxMs: number;
  errors: number;
  /** The first few errors, to say what went wrong. */
  errorSamples: string[];
  paced: boolean;
  /** Bytes per second one listener needs to play in real time (the file's byte rate). */
  realTimeBytesPerSecond: number;
  /** Listeners served per second of wall time: listeners playing in real time that the measured rate would feed. */
  realTimeListenersFed: number;
}

/**
 * The load runs on a worker thread (its own event loop) so the server's loop in this thread is measured alone;
 * plain JavaScript, as a worker does not go through tsx. Each listener starts at its own offset, checks every answer
 * is a 206 of exactly the asked length, and wraps around at the end of the file.
 */
const LOAD = `
const http = require('node:http');
const { parentPort, workerData: w } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: w.listeners });
const latencies = [];
const steady = [];
let bytes = 0, errors = 0;
const samples = [];
const fail = (m) => { errors++; if (samples.length < 5) samples.push(m); };
const until = Date.now() + w.seconds * 1000;
function get(start, end, settled) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.get(w.url, { agent, headers: { authorization: 'Bearer ' + w.token, range: 'bytes=' + start + '-' + end } }, (res) => {
      let n = 0;
      res.on('data', (c) => { n += c.length; });
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        latencies.push(ms);
        if (settled) steady.push(ms);
        if (res.statusCode !== 206) fail('status ' + res.statusCode);
        else if (n !== end - start + 1) fail('got ' + n + ' bytes for ' + (end - start + 1));
        else bytes += n;
        resolve();
      });
      res.on('error', (e) => { fail(String(e)); resolve(); });
    });
    req.on('error', (e) => { fail(String(e)); resolve(); });
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function listener(i) {
  let pos = Math.floor((i / w.listeners) * w.size / w.chunk) * w.chunk;
  // Paced listeners start spread over one chunk's play time, then keep to the playback clock.
  const start = Date.now() + (w.paceMs ? (i / w.listeners) * w.paceMs : 0);
  for (let k = 0; Date.now() < until; k++) {
    if (w.paceMs) {
      const due = start + Math.max(0, k - 2) * w.paceMs;
      if (due > Date.now()) await sleep(due - Date.now());
      if (Date.now() >= until) break;
    }
    if (pos >= w.size) pos = 0;
    const end = Math.min(w.size, pos + w.chunk) - 1;
    await get(pos, end, k >= 3);
    pos = end + 1;
  }
}
const t0 = Date.now();
Promise.all(Array.from({ length: w.listeners }, (_, i) => listener(i))).then(() => {
  agent.destroy();
  parentPort.postMessage({ latencies, steady, bytes, errors, samples, elapsed: (Date.now() - t0) / 1000 });
});
`;

export async function benchPlayback(wav: Buffer, o: PlaybackBenchOptions = {}): Promise<PlaybackBenchResult> {
  const listeners = o.listeners ?? 200;
  const seconds = o.seconds ?? 15;
  const chunk = o.chunkBytes ?? 65536;
  const paced = o.paced ?? false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-playback-'));
  const key = '2026/11/30/CA00000000000000000000000000000b01-RE00000000000000000000000000000b01.wav';
  const store = new LocalRecordingStore(dir);
  await store.put(key, wav);
  const f = await startHotline({}, { recordingStore: store });
  try {
    const db = f.hotline.db;
    const agent = db.select({ id: staff.id, teamId: staff.teamId }).from(staff).where(eq(staff.username, 'agent1')).get()!;
    const info = wavInfo(wav.subarray(0, 4096));
    const { id } = db
      .insert(recordings)
      .values({
        recordingSid: 'RE00000000000000000000000000000b01',
        callSid: 'CA00000000000000000000000000000b01',
        agentId: agent.id,
        teamId: agent.teamId,
        direction: 'inbound',
        startedAt: f.clock.now(),
        durationSeconds: Math.round(wav.length / (info.sampleRate * info.channels * (info.bitsPerSample / 8))),
        status: 'stored',
        storageKey: key,
        contentType: 'audio/wav',
        sizeBytes: wav.length,
        storedAt: f.clock.now(),
      })
      .returning({ id: recordings.id })
      .get();
    const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'qc1', password: DEMO_PASSWORD }) });
    const { token } = (await login.json()) as { token: string };
    const url = `${f.base}/api/recordings/${id}/audio`;
    const realTime = info.sampleRate * info.channels * (info.bitsPerSample / 8);
    const paceMs = paced ? (chunk / realTime) * 1000 : 0;
    const out = await new Promise<{ latencies: number[]; steady: number[]; bytes: number; errors: number; samples: string[]; elapsed: number }>((resolve, reject) => {
      const worker = new Worker(LOAD, { eval: true, workerData: { url, token, listeners, seconds, chunk, size: wav.length, paceMs } });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const sorted = Float64Array.from(out.latencies).sort();
    const settled = Float64Array.from(out.steady).sort();
    const pct = (p: number, xs = sorted) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);
    const bytesPerSecond = out.bytes / out.elapsed;
    return {
      listeners,
      seconds: out.elapsed,
      requests: sorted.length,
      bytes: out.bytes,
      requestsPerSecond: sorted.length / out.elapsed,
      bytesPerSecond,
      p50Ms: pct(50),
      p99Ms: pct(99),
      steadyP50Ms: pct(50, settled),
      steadyP99Ms: pct(99, settled),
      maxMs: sorted.length ? sorted[sorted.length - 1] : NaN,
      errors: out.errors,
      errorSamples: out.samples,
      paced,
      realTimeBytesPerSecond: realTime,
      realTimeListenersFed: bytesPerSecond / realTime,
    };
  } finally {
    await f.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
