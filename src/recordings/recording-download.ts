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

export const RECORDING_DOWNLOAD = { queue: 'recordings', name: 'recording-download' } as const;

export const recordingDownloadPayload = z.object({ callSid: z.string().regex(/^CA[0-9a-f]{32}$/), recordingSid: z.string().regex(/^RE[0-9a-f]{32}$/) });
export type RecordingDownloadPayload = z.infer<typeof recordingDownloadPayload>;

/** Retried with bull's backoff (5 attempts, exponential from 2 s) when the carrier fails or sends something that is not the recording. */
export function recordingDownloadJob(p: RecordingDownloadPayload) {
  return { ...RECORDING_DOWNLOAD, jobId: `recording:${p.recordingSid}`, payload: p };
}

/** Waveform buckets stored for the player's overview. */
const PEAK_BUCKETS = 1000;

/** `YYYY/MM/DD/<CallSid>-<RecordingSid>.wav` by the recording's start (UTC). */
export function recordingKey(startedAt: Date, callSid: string, recordingSid: string): string {
  const d = startedAt.toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${callSid}-${recordingSid}.wav`;
}

export class RecordingDownloader {
  constructor(
    private readonly d: {
      repo: RecordingPipelineRepo;
      media: { recordingMedia(recordingSid: string): Promise<Buffer> };
      store: RecordingStore;
      clock: { now(): Date };
      log: Logger;
      /** The desk's normal agent talk ratio for the flag; null: no ratio flag. */
      agentTalkRatioNorm?: number | null;
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
      this.analyse(row.id, bytes, parsePauses(row.pauses), row.customerChannel === 1 ? 1 : 0);
      return { storageKey: row.storageKey!, analysed: true };
    } catch (err) {
      // Audio the analysis cannot read stays stored and playable; retrying would not change it.
      this.d.log.warn('recording stored but not analysed', { recordingSid: p.recordingSid, err: String(err) });
      return { storageKey: row.storageKey!, analysed: false };
    }
  }

  private analyse(id: number, bytes: Buffer, pauses: { start: number; end: number | null }[], customerChannel: 0 | 1) {
    const audio = interleavedWav(bytes);
    const signals = analyseCallAudio(audio, {
      customerChannel,
      pauses: pauses.filter((x): x is { start: number; end: number } => x.end !== null),
      ...(this.d.agentTalkRatioNorm !== undefined ? { agentTalkRatioNorm: this.d.agentTalkRatioNorm } : {}),
    });
    const peaks = waveformPeaks(audio, PEAK_BUCKETS);
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
      analysis: JSON.stringify({ ...signals, peaks }),
    });
  }
}

async function readAll(stream: AsyncIterable<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
