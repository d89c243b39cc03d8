// Recording resources: their life (in-progress, paused, completed), status callbacks, and the WAV audio served as media.
import type { CarrierContext } from './carrier-context';
import { newSid, rfc2822 } from './sid';
import { audioPlan, seedOf, talkFromTranscript, type AudioPlan, type RecordingHold, type RecordingPause, type TalkPattern } from './recording-audio';

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
  /** inbound: the leg's own party only; outbound: what it hears only; both (default). */
  track: 'inbound' | 'outbound' | 'both';
  /** Simulated time (clock seconds) the recording started and ended: the audio's timeline. */
  startSim: number;
  endSim?: number;
  /** Pauses in seconds from startSim; skip: cut out of the file (PauseBehavior=skip), else digital silence. */
  pauses: RecordingPause[];
  /** When the recorded leg was on hold (a conference participant's Hold), in seconds from startSim: it heard hold music. */
  holds: RecordingHold[];
  /** Who talked when, fixed when the recording completes (the audio is rendered from it at fetch time). */
  talk?: TalkPattern;
}

const KEEP_RECORDINGS = 5000;

export class RecordingStore {
  private readonly all = new Map<string, Recording>();
  /** The recordings of each call leg (a call's events touch only its own, not the thousands kept). */
  private readonly byCall = new Map<string, Set<Recording>>();

  constructor(private readonly ctx: CarrierContext) {}

  /** Explicit talk patterns by CallSid (tests), in seconds from the recording's start; see setTalkPattern. */
  private readonly talkPatterns = new Map<string, TalkPattern>();

  start(init: {
    callSid?: string;
    conferenceSid?: string;
    source: RecordingSource;
    callback?: RecordingCallback;
    channels?: number;
    track?: Recording['track'];
  }): Recording {
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
      track: init.track ?? 'both',
      startSim: this.ctx.clock.now(),
      pauses: [],
      holds: [],
    };
    this.all.set(rec.sid, rec);
    if (rec.callSid) {
      let own = this.byCall.get(rec.callSid);
      if (!own) this.byCall.set(rec.callSid, (own = new Set()));
      own.add(rec);
    }
    this.forgetOld();
    this.notify(rec, 'in-progress');
    return rec;
  }

  /** A recording that is already over, e.g. from <Record> or a bridged <Dial record>. */
  completed(init: Parameters<RecordingStore['start']>[0], seconds: number): Recording {
    const rec = this.start(init);
    rec.startSim -= seconds;
    this.finish(rec);
    return rec;
  }

  /** PauseBehavior: silence (Twilio's default) keeps the paused stretch as digital silence; skip leaves it out. */
  pause(rec: Recording, behavior: 'skip' | 'silence' = 'silence'): void {
    if (rec.status !== 'in-progress') return;
    rec.pauses.push({ start: this.ctx.clock.now() - rec.startSim, skip: behavior === 'skip' });
    rec.status = 'paused';
    rec.dateUpdated = new Date();
  }

  resume(rec: Recording): void {
    if (rec.status !== 'paused') return;
    rec.status = 'in-progress';
    this.closePause(rec);
    rec.dateUpdated = new Date();
  }

  /** The recorded call leg was put on hold (or taken back): marked on each of its running recordings. */
  holdChanged(callSid: string, onHold: boolean): void {
    const at = this.ctx.clock.now();
    for (const rec of this.byCall.get(callSid) ?? []) {
      if (rec.status !== 'in-progress' && rec.status !== 'paused') continue;
      const open = rec.holds.at(-1);
      if (onHold && (!open || open.end !== undefined)) rec.holds.push({ start: at - rec.startSim });
      else if (!onHold && open && open.end === undefined) open.end = at - rec.startSim;
    }
  }

  /** Stops an in-progress or paused recording; it becomes completed with its active time as duration. */
  finish(rec: Recording): void {
    if (rec.status === 'completed' || rec.status === 'absent') return;
    this.closePause(rec);
    const hold = rec.holds.at(-1);
    if (hold && hold.end === undefined) hold.end = this.ctx.clock.now() - rec.startSim;
    rec.endSim = this.ctx.clock.now();
    const elapsed = rec.endSim - rec.startSim;
    const skipped = rec.pauses.filter((p) => p.skip).reduce((s, p) => s + (p.end ?? elapsed) - p.start, 0);
    rec.status = 'completed';
    rec.duration = Math.max(1, Math.round(elapsed - skipped));
    rec.talk = this.talkOf(rec, elapsed);
    rec.dateUpdated = new Date();
    this.ctx.events.emit('recording', { recordingSid: rec.sid, callSid: rec.callSid, conferenceSid: rec.conferenceSid, duration: rec.duration, url: this.url(rec) });
    this.notify(rec, 'completed');
  }

  /** Completes every recording still running on a call that ended. */
  finishForCall(callSid: string): void {
    for (const rec of this.byCall.get(callSid) ?? []) if (rec.status === 'in-progress' || rec.status === 'paused') this.finish(rec);
  }

  /** Keeps the latest finished recordings (long enough for the server to download them); older ones are forgotten. */
  private forgetOld(): void {
    let over = this.all.size - KEEP_RECORDINGS;
    for (const [sid, r] of this.all) {
      if (over <= 0) break;
      if (r.status !== 'completed' && r.status !== 'absent') continue;
      this.delete(sid);
      over--;
    }
  }

  get(sid: string): Recording | undefined {
    return this.all.get(sid);
  }

  list(filter: { callSid?: string; conferenceSid?: string } = {}): Recording[] {
    return [...(filter.callSid ? (this.byCall.get(filter.callSid) ?? []) : this.all.values())]
      .filter((r) => (!filter.callSid || r.callSid === filter.callSid) && (!filter.conferenceSid || r.conferenceSid === filter.conferenceSid))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
  }

  delete(sid: string): boolean {
    const rec = this.all.get(sid);
    if (!rec) return false;
    this.all.delete(sid);
    const own = rec.callSid ? this.byCall.get(rec.callSid) : undefined;
    if (own?.delete(rec) && own.size === 0) this.byCall.delete(rec.callSid!);
    return true;
  }

  /** The media URL the carrier hands out (WAV; add `.mp3`/`.wav` for a format). */
  url(rec: Recording): string {
    return `${this.ctx.baseUrl}${this.ctx.accountPath}/Recordings/${rec.sid}`;
  }

  /**
   * Gives a call's recordings an explicit talk pattern (seconds from the recording's start; `caller` is channel 1,
   * `heard` channel 2) instead of the one derived from the call's script; set it before the recording completes.
   */
  setTalkPattern(callSid: string, pattern: TalkPattern): void {
    this.talkPatterns.delete(callSid);
    this.talkPatterns.set(callSid, { caller: pattern.caller.map((i) => ({ ...i })), heard: pattern.heard.map((i) => ({ ...i })) });
    if (this.talkPatterns.size > KEEP_RECORDINGS) this.talkPatterns.delete(this.talkPatterns.keys().next().value!);
  }

  /** How to render a completed recording's WAV; `requestedChannels` 2 gives a dual recording's two channels, else mono. */
  audio(rec: Recording, requestedChannels: number): AudioPlan {
    return audioPlan({
      seconds: rec.duration ?? 0,
      channels: rec.channels >= 2 && requestedChannels >= 2 ? 2 : 1,
      talk: rec.talk ?? { caller: [], heard: [] },
      pauses: rec.pauses,
      holds: rec.holds,
      track: rec.track,
      seed: seedOf(rec.callSid ?? rec.sid),
    });
  }

  private talkOf(rec: Recording, elapsed: number): TalkPattern {
    const explicit = rec.callSid ? this.talkPatterns.get(rec.callSid) : undefined;
    if (explicit) return explicit;
    const call = rec.callSid ? this.ctx.getCall(rec.callSid) : undefined;
    if (!call) return talkFromTranscript([], 0, elapsed, seedOf(rec.callSid ?? rec.sid), rec.holds);
    const callStart = this.ctx.clock.now() - call.now();
    return talkFromTranscript(call.transcript, rec.startSim - callStart, elapsed, seedOf(rec.callSid!), rec.holds);
  }

  private closePause(rec: Recording) {
    const open = rec.pauses.at(-1);
    if (open && open.end === undefined) open.end = this.ctx.clock.now() - rec.startSim;
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
      RecordingTrack: rec.track,
      ErrorCode: '0',
    };
    if (rec.callSid) params.CallSid = rec.callSid;
    if (rec.conferenceSid) params.ConferenceSid = rec.conferenceSid;
    const sent = this.ctx.callbacks.schedule(Promise.resolve(), () => this.ctx.webhooks.send(cb.url, cb.method, params));
    if (rec.callSid) this.ctx.getCall(rec.callSid)?.track(sent);
  }
}
