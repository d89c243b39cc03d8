// Records each answered call for QA: a dual-channel recording of the CUSTOMER's call leg (the customer on channel 1,
// everything they hear, i.e. the agent, on channel 2), its row with the call's metadata, the carrier's status
// callbacks (→ the download job through the outbox) and the agent's pause/resume for sensitive data.
//
// Why the customer's leg: it exists for inbound and outbound calls alike and lasts the whole conversation, through
// holds and transfers (the agent's leg changes on a transfer); a conference's own recording is mixed to one channel.
import type { Logger } from '../logging/logger';
import type { OutboxRepo } from '../jobs/outbox.repo';
import type { Transact } from '../db/transaction';
import type { CallControl } from '../telephony/call-control';
import type { RecordingPipelineRepo } from './recording-pipeline.repo';
import type { RecordingRow } from './recordings.repo';
import { Conflict, NotFound } from '../errors/domain-errors';
import { recordingDownloadJob } from './recording-download';

/** A pause as kept on the row: `end` is null while the pause lasts. */
export interface StoredPause {
  start: number;
  end: number | null;
}

export interface RecordingCallback {
  CallSid?: string;
  RecordingSid?: string;
  RecordingStatus?: string;
  RecordingUrl?: string;
  RecordingDuration?: string;
}

export function recordingStatusUrl(base: string): string {
  return `${base}/twilio/recordings/status`;
}

export class CallRecorder {
  /** Legs whose recording is being started: a second join (a transfer, a retried webhook) meanwhile starts none. */
  private readonly starting = new Set<string>();

  constructor(
    private readonly d: {
      control: Pick<CallControl, 'startCallRecording' | 'updateRecording'>;
      repo: RecordingPipelineRepo;
      outbox: OutboxRepo;
      transact: Transact;
      clock: { now(): Date };
      log: Logger;
      base: string;
      /** The carrier API's origin; a callback's RecordingUrl anywhere else is not kept. @default https://api.twilio.com */
      carrierOrigin?: string;
    },
  ) {}

  /** The callback's media URL when it is on the carrier's own API host; a foreign one is refused (logged, never kept). */
  private carrierMediaUrl(url: string | undefined, recordingSid: string, log: Logger): string | null {
    if (!url) return null;
    let origin: string | undefined;
    try {
      origin = new URL(url).origin;
    } catch {
      // not a URL at all: refused below
    }
    if (origin === (this.d.carrierOrigin ?? 'https://api.twilio.com')) return url;
    log.warn("recording callback names a media URL off the carrier's API host; refused (the media is fetched from the carrier by its SID)", { recordingSid, host: origin ?? 'not a URL' });
    return null;
  }

  /**
   * Starts recording the customer's leg once the webhook that connects them has been answered (a webhook must not wait
   * on the carrier's REST API). Failures are logged: a call goes on unrecorded rather than dropped.
   */
  startSoon(interactionId: number, customerCallSid: string): void {
    setImmediate(() => {
      this.start(interactionId, customerCallSid).catch((err: unknown) => {
        // The caller hung up between joining and this request (the carrier: no such call, or not in progress, 21220):
        // nothing to record, and nothing wrong. Anything else is an error.
        const e = err as { status?: number; code?: number };
        const gone = e.status === 404 || e.code === 20404 || e.code === 21220;
        this.d.log.log(gone ? 'info' : 'error', gone ? 'call recording not started: the caller had already hung up' : 'call recording could not be started', { interactionId, callSid: customerCallSid, err: String(err) });
      });
    });
  }

  async start(interactionId: number, customerCallSid: string): Promise<RecordingRow | undefined> {
    // One recording per leg: it goes on through holds and transfers, so a later join keeps the running one.
    const existing = this.d.repo.liveForCall(customerCallSid);
    if (existing || this.starting.has(customerCallSid)) return existing;
    const ctx = this.d.repo.context(interactionId);
    if (!ctx) throw new Error(`interaction ${interactionId} not found`);
    this.starting.add(customerCallSid);
    let rec: { recordingSid: string };
    try {
      rec = await this.d.control.startCallRecording(customerCallSid, { statusCallback: recordingStatusUrl(this.d.base) });
    } finally {
      this.starting.delete(customerCallSid);
    }
    // Our own clock as the carrier confirmed the start, not its start_time: that is whole seconds on another clock, and
    // pauses and holds (stamped by this clock) are placed on the recording relative to this moment.
    const startedAt = this.d.clock.now();
    return this.d.transact(() =>
      this.d.repo.insert({
        recordingSid: rec.recordingSid,
        callSid: customerCallSid,
        ...ctx,
        customerChannel: 0,
        channels: 2,
        startedAt,
        status: 'recording',
      }),
    );
  }

  /** The carrier's recording status callback: completed → download queued (once); absent or failed → failed. */
  statusCallback(p: RecordingCallback, log: Logger): void {
    const sid = p.RecordingSid ?? '';
    if (!/^RE[0-9a-f]{32}$/.test(sid)) {
      log.warn('recording callback without a RecordingSid; ignored', { status: p.RecordingStatus });
      return;
    }
    this.d.transact(() => {
      const row = this.d.repo.bySid(sid);
      if (!row) {
        log.warn('recording callback for a recording not started here; ignored', { recordingSid: sid, status: p.RecordingStatus });
        return;
      }
      const now = this.d.clock.now();
      if (p.RecordingStatus === 'completed') {
        const mediaUrl = this.carrierMediaUrl(p.RecordingUrl, sid, log);
        const duration = Number(p.RecordingDuration);
        const durationSeconds = Number.isFinite(duration) && duration >= 0 ? Math.round(duration) : null;
        // Only the first completed callback moves the row on; a repeated one finds it past 'recording' and adds nothing.
        const moved = this.d.repo.transition(row.id, ['recording'], {
          status: 'awaiting_media',
          durationSeconds,
          mediaUrl,
          pauses: JSON.stringify(closePauses(parsePauses(row.pauses), durationSeconds ?? (now.getTime() - row.startedAt.getTime()) / 1000)),
        });
        if (moved) {
          this.d.outbox.add(recordingDownloadJob({ callSid: row.callSid, recordingSid: sid }), now);
          if (row.interactionId) this.d.repo.linkInteraction(row.interactionId, sid, mediaUrl);
        }
      } else if (p.RecordingStatus === 'absent' || p.RecordingStatus === 'failed') {
        this.d.repo.transition(row.id, ['recording'], { status: 'failed' });
      }
    });
  }

  /**
   * Stops the recording of the customer's leg when the conversation is over but the call goes on (the post-call
   * survey): the QA recording holds the conversation only. The carrier then posts `completed` as usual.
   */
  async stop(customerCallSid: string): Promise<boolean> {
    const row = this.d.repo.liveForCall(customerCallSid);
    if (!row) return false;
    await this.d.control.updateRecording(row.callSid, row.recordingSid, 'stopped');
    return true;
  }

  /** The agent pauses (or resumes) the recording of their live call; the pause is marked on the row in seconds. */
  async setPaused(agentCall: { customerCallSid: string } | undefined, paused: boolean): Promise<RecordingRow> {
    if (!agentCall) throw new NotFound('you have no live call');
    const row = this.d.repo.liveForCall(agentCall.customerCallSid);
    if (!row) throw new NotFound('your live call is not being recorded');
    const pauses = parsePauses(row.pauses);
    const open = pauses.length > 0 && pauses[pauses.length - 1].end === null;
    if (paused === open) throw new Conflict(paused ? 'the recording is already paused' : 'the recording is not paused');
    await this.d.control.updateRecording(row.callSid, row.recordingSid, paused ? 'paused' : 'in-progress');
    const at = Math.max(0, Math.round((this.d.clock.now().getTime() - row.startedAt.getTime()) / 100) / 10);
    return this.d.transact(() => {
      const fresh = this.d.repo.bySid(row.recordingSid)!;
      const list = parsePauses(fresh.pauses);
      if (paused) list.push({ start: at, end: null });
      else if (list.length > 0 && list[list.length - 1].end === null) list[list.length - 1].end = Math.max(at, list[list.length - 1].start);
      this.d.repo.update(fresh.id, { pauses: JSON.stringify(list) });
      return { ...fresh, pauses: JSON.stringify(list) };
    });
  }
}

export function parsePauses(json: string): StoredPause[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((p): p is StoredPause => !!p && typeof (p as StoredPause).start === 'number') : [];
  } catch {
    return [];
  }
}

/** A pause still open when the recording ended lasted to its end. */
export function closePauses(pauses: StoredPause[], endSeconds: number): StoredPause[] {
  return pauses.map((p) => (p.end === null ? { start: p.start, end: Math.max(p.start, Math.round(endSeconds * 10) / 10) } : p));
}
