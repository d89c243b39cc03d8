// Keeps each call recording: the job the status callback queued downloads the audio from the carrier's own API
// (the URL built from the RecordingSid, never the callback's RecordingUrl), checks it, stores it once, then analyses it.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../logging/logger';
import type { RecordingStore } from './recording-store';
import type { RecordingPipelineRepo } from './recording-pipeline.repo';
import { interleavedWav, wavInfo } from './wav';
import { analyseCallAudio, waveformPeaks } from './audio-signals';
import { parsePauses } from './call-recorder';
import { closedHolds, holdsOnRecording } from './recording-holds';
import { deskTalkRatioNorm, DEFAULT_TALK_RATIO_NORM, type TalkRatioNorm } from './talk-ratio-norm';
import type { RecordingRow } from './recordings.repo';

export const RECORDING_DOWNLOAD = { queue: 'recordings', name: 'recording-download' } as const;

export const recordingDownloadPayload = z.object({ callSid: z.string().regex(/^CA[0-9a-f]{32}$/), recordingSid: z.string().regex(/^RE[0-9a-f]{32}$/) });
export type RecordingDownloadPayload = z.infer<typeof recordingDownloadPayload>;

/** Retried with bull's backoff (5 attempts, exponential from 2 s) when the carrier fails or sends something that is not the recording. */
export function recordingDownloadJob(p: RecordingDownloadPayload) {
  return { ...RECORDING_DOWNLOAD, jobId: `recording:${p.recordingSid}`, payload: p };
}

/** How the desk's normal agent talk ratio is found (src/recordings/talk-ratio-norm.ts). */
export interface DeskNormOptions {
  /** Days of the desk's recordings the median is taken over. @default 30 */
  windowDays?: number;
  /** Recordings the desk needs before its own median is used. @default 20 */
  minRecordings?: number;
  /** Recordings whose parties together talked less than this are left out of the median (their ratio says little). @default 10 */
  minTalkSeconds?: number;
}

/** Waveform buckets stored for the player's overview. */
const PEAK_BUCKETS = 1000;

/** `YYYY/MM/DD/<CallSid>-<RecordingSid>.wav` by the recording's start (UTC). */
export function recordingKey(startedAt: Date, callSid: string, recordingSid: string): string {
  const d = startedAt.toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${callSid}-${recordingSid}.wav`;
}

/** How long a desk's talk ratios are reused for the flag's normal (see talkRatioNorm). */
const DESK_RATIOS_KEPT_MS = 60_000;

export class RecordingDownloader {
  private readonly deskRatios = new Map<string, { at: number; ratios: number[] }>();

  constructor(
    private readonly d: {
      repo: RecordingPipelineRepo;
      media: { recordingMedia(recordingSid: string): Promise<Buffer> };
      store: RecordingStore;
      clock: { now(): Date };
      log: Logger;
      /**
       * The default normal agent talk ratio, used until a desk has enough analysed recordings of its own (then its
       * median is); null: no ratio flag at all. @default 0.5
       */
      agentTalkRatioNorm?: number | null;
      deskNorm?: DeskNormOptions;
    },
  ) {}

  /** Downloads (once) and analyses (once); throws to have bull retry. */
  async run(payload: unknown): Promise<{ storageKey: string; analysed: boolean }> {
    const p = recordingDownloadPayload.parse(payload);
    let row = this.d.repo.bySid(p.recordingSid);
    if (!row) throw new Error(`no recording ${p.recordingSid}`);
    if (row.status === 'deleted') return { storageKey: row.storageKey ?? '', analysed: false };
    let bytes: Buffer | undefined;
    if (row.status !== 'stored' || !row.storageKey) {
      bytes = await this.d.media.recordingMedia(p.recordingSid);
      if (bytes.length <= 44) throw new Error(`recording ${p.recordingSid}: ${bytes.length} bytes is no audio`);
      const info = wavInfo(bytes); // throws WavFormatError on anything but a WAV
      if (info.frames === 0) throw new Error(`recording ${p.recordingSid}: the WAV holds no audio`);
      const key = recordingKey(row.startedAt, row.callSid, row.recordingSid);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // The key is the recording's own: a retry after a crash overwrites the same file, never adds a second.
      const stored = await this.d.store.put(key, bytes);
      this.d.repo.update(row.id, { storageKey: key, sizeBytes: stored.sizeBytes, sha256, contentType: 'audio/wav', storedAt: this.d.clock.now(), status: 'stored', channels: info.channels });
      row = this.d.repo.bySid(p.recordingSid)!;
    }
    if (row.analysedAt) return { storageKey: row.storageKey!, analysed: true };
    try {
      bytes ??= await readAll(this.d.store.read(row.storageKey!));
      this.analyse(row, bytes);
      return { storageKey: row.storageKey!, analysed: true };
    } catch (err) {
      // Audio the analysis cannot read stays stored and playable; retrying would not change it.
      this.d.log.warn('recording stored but not analysed', { recordingSid: p.recordingSid, err: String(err) });
      return { storageKey: row.storageKey!, analysed: false };
    }
  }

  /**
   * The agent-talk-ratio flag's normal for this recording: its desk's median of the last days, or the default. A desk
   * with enough recordings keeps its list of ratios for a minute: reading a busy desk's month of recordings for every
   * call made the worker's time per recording grow all day (docs/busy-day.md), and a month's median does not move
   * in a minute. A desk still short of them is read every time, so its own median takes over at once.
   */
  talkRatioNorm(row: RecordingRow): TalkRatioNorm | null {
    const fallback = this.d.agentTalkRatioNorm === undefined ? DEFAULT_TALK_RATIO_NORM.fallback : this.d.agentTalkRatioNorm;
    if (fallback === null) return null;
    const o = { windowDays: 30, minRecordings: DEFAULT_TALK_RATIO_NORM.minRecordings, minTalkSeconds: 10, ...this.d.deskNorm };
    if (!row.desk) return deskTalkRatioNorm([], { fallback });
    const now = this.d.clock.now().getTime();
    let kept = this.deskRatios.get(row.desk);
    if (!kept || now - kept.at >= DESK_RATIOS_KEPT_MS || now < kept.at) {
      const ratios = this.d.repo.deskTalkRatios(row.desk, new Date(now - o.windowDays * 86_400_000), row.id, o.minTalkSeconds);
      kept = { at: now, ratios };
      if (ratios.length >= o.minRecordings) this.deskRatios.set(row.desk, kept);
      else this.deskRatios.delete(row.desk);
    }
    return deskTalkRatioNorm(kept.ratios, { fallback, minRecordings: o.minRecordings });
  }

  private analyse(row: RecordingRow, bytes: Buffer) {
    const audio = interleavedWav(bytes);
    const seconds = audio.durationSeconds;
    // The server's own hold rows, placed on the recording's timeline (the audio cannot tell hold music from the agent).
    const holds = holdsOnRecording(this.d.repo.holdsFor(row.callSid), row.startedAt, seconds);
    const norm = this.talkRatioNorm(row);
    const signals = analyseCallAudio(audio, {
      customerChannel: row.customerChannel === 1 ? 1 : 0,
      pauses: parsePauses(row.pauses).filter((x): x is { start: number; end: number } => x.end !== null),
      holds: closedHolds(holds),
      agentTalkRatioNorm: norm?.value ?? null,
    });
    const peaks = waveformPeaks(audio, PEAK_BUCKETS);
    const id = row.id;
    this.d.repo.update(id, {
      analysedAt: this.d.clock.now(),
      customerTalkSeconds: signals.talkSeconds.customer,
      agentTalkSeconds: signals.talkSeconds.agent,
      agentTalkRatio: signals.agentTalkRatio,
      longestSilenceSeconds: signals.longestSilence?.seconds ?? 0,
      talkOverCount: signals.talkOver.count,
      talkOverSeconds: signals.talkOver.seconds,
      holdSeconds: signals.holdSeconds,
      flags: JSON.stringify(signals.flags),
      analysis: JSON.stringify({ ...signals, holds, agentTalkRatioNorm: norm, peaks }),
    });
  }
}

async function readAll(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
