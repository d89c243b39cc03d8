// Recording resources: their life (in-progress, paused, completed), status callbacks, and the WAV audio served as media.
import type { CarrierContext } from './carrier-context';
import { newSid, rfc2822 } from './sid';

export type RecordingSource = 'RecordVerb' | 'DialVerb' | 'Conference' | 'OutboundAPI' | 'StartCallRecordingAPI';
export type RecordingStatus = 'in-progress' | 'paused' | 'stopped' | 'processing' | 'completed' | 'absent';

export interface RecordingCallback {
  url: string;
  method: string;
  /** Subset of in-progress, completed, absent; default completed. */
  events: Set<string>;
}

export interface Recording {
  sid: string;
  callSid?: string;
  conferenceSid?: string;
  source: RecordingSource;
  status: RecordingStatus;
  startTime: Date;
  dateCreated: Date;
  dateUpdated: Date;
  /** Whole seconds, known once completed. */
  duration?: number;
  channels: number;
  callback?: RecordingCallback;
  /** Simulated time the current active stretch began (undefined while paused). */
  activeSince?: number;
  activeSeconds: number;
}

const KEEP_RECORDINGS = 5000;

export class RecordingStore {
  private readonly all = new Map<string, Recording>();

  constructor(private readonly ctx: CarrierContext) {}

  start(init: { callSid?: string; conferenceSid?: string; source: RecordingSource; callback?: RecordingCallback; channels?: number }): Recording {
    const now = new Date();
    const rec: Recording = {
      sid: newSid('RE'),
      callSid: init.callSid,
      conferenceSid: init.conferenceSid,
      source: init.source,
      status: 'in-progress',
      startTime: now,
      dateCreated: now,
      dateUpdated: now,
      channels: init.channels ?? 1,
      callback: init.callback,
      activeSince: this.ctx.clock.now(),
      activeSeconds: 0,
    };
    this.all.set(rec.sid, rec);
    this.forgetOld();
    this.notify(rec, 'in-progress');
    return rec;
  }

  /** A recording that is already over, e.g. from <Record> or a bridged <Dial record>. */
  completed(init: Parameters<RecordingStore['start']>[0], seconds: number): Recording {
    const rec = this.start(init);
    rec.activeSince = undefined;
    rec.activeSeconds = seconds;
    this.finish(rec);
    return rec;
  }

  pause(rec: Recording): void {
    if (rec.status !== 'in-progress') return;
    this.accumulate(rec);
    rec.status = 'paused';
    rec.dateUpdated = new Date();
  }

  resume(rec: Recording): void {
    if (rec.status !== 'paused') return;
    rec.status = 'in-progress';
    rec.activeSince = this.ctx.clock.now();
    rec.dateUpdated = new Date();
  }

  /** Stops an in-progress or paused recording; it becomes completed with its active time as duration. */
  finish(rec: Recording): void {
    if (rec.status === 'completed' || rec.status === 'absent') return;
    this.accumulate(rec);
    rec.status = 'completed';
    rec.duration = Math.max(1, Math.round(rec.activeSeconds));
    rec.dateUpdated = new Date();
    this.ctx.events.emit('recording', { recordingSid: rec.sid, callSid: rec.callSid, conferenceSid: rec.conferenceSid, duration: rec.duration, url: this.url(rec) });
    this.notify(rec, 'completed');
  }

  /** Completes every recording still running on a call that ended. */
  finishForCall(callSid: string): void {
    for (const rec of this.all.values()) if (rec.callSid === callSid && (rec.status === 'in-progress' || rec.status === 'paused')) this.finish(rec);
  }

  /** Keeps the latest finished recordings (long enough for the server to download them); older ones are forgotten. */
  private forgetOld(): void {
    let over = this.all.size - KEEP_RECORDINGS;
    for (const [sid, r] of this.all) {
      if (over <= 0) break;
      if (r.status !== 'completed' && r.status !== 'absent') continue;
      this.all.delete(sid);
      over--;
    }
  }

  get(sid: string): Recording | undefined {
    return this.all.get(sid);
  }

  list(filter: { callSid?: string; conferenceSid?: string } = {}): Recording[] {
    return [...this.all.values()]
      .filter((r) => (!filter.callSid || r.callSid === filter.callSid) && (!filter.conferenceSid || r.conferenceSid === filter.conferenceSid))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
  }

  delete(sid: string): boolean {
    return this.all.delete(sid);
  }

  /** The media URL the carrier hands out (WAV; add `.mp3`/`.wav` for a format). */
  url(rec: Recording): string {
    return `${this.ctx.baseUrl}${this.ctx.accountPath}/Recordings/${rec.sid}`;
  }

  private accumulate(rec: Recording) {
    if (rec.activeSince !== undefined) rec.activeSeconds += this.ctx.clock.now() - rec.activeSince;
    rec.activeSince = undefined;
  }

  private notify(rec: Recording, status: 'in-progress' | 'completed') {
    const cb = rec.callback;
    if (!cb) return;
    if (!(cb.events.size ? cb.events.has(status) : status === 'completed')) return;
    const params: Record<string, string> = {
      AccountSid: this.ctx.opts.accountSid,
      RecordingSid: rec.sid,
      RecordingUrl: this.url(rec),
      RecordingStatus: status,
      RecordingDuration: String(rec.duration ?? 0),
      RecordingChannels: String(rec.channels),
      RecordingStartTime: rfc2822(rec.startTime)!,
      RecordingSource: rec.source,
      RecordingTrack: 'both',
      ErrorCode: '0',
    };
    if (rec.callSid) params.CallSid = rec.callSid;
    if (rec.conferenceSid) params.ConferenceSid = rec.conferenceSid;
    const sent = this.ctx.callbacks.schedule(Promise.resolve(), () => this.ctx.webhooks.send(cb.url, cb.method, params));
    if (rec.callSid) this.ctx.getCall(rec.callSid)?.track(sent);
  }
}

/** A real WAV file: 8 kHz mono 16-bit PCM, a soft 440 Hz tone for `seconds` (capped at one hour). */
export function wavAudio(seconds: number): Buffer {
  const rate = 8000;
  const samples = Math.round(Math.min(Math.max(seconds, 0), 3600) * rate);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) buf.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return buf;
}
