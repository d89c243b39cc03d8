// Conference rooms and their participants: who is in, muted, on hold or coaching, and the conference status callbacks.
import type { CarrierContext } from './carrier-context';
import type { CallSession } from './call-session';
import { deferred, type Deferred } from './deferred';
import type { Recording, RecordingCallback } from './recordings';
import { newSid, rfc2822 } from './sid';
import { parseTwiml } from './twiml-document';

/** What Twilio plays a held participant when the update names no HoldUrl. */
export const DEFAULT_HOLD_MUSIC = 'http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3';

/** Where a held participant's music comes from (REST `HoldUrl`, `HoldMethod`). */
export interface HoldMusic {
  url: string;
  method: string;
}

export interface ParticipantOptions {
  label?: string;
  muted: boolean;
  hold: boolean;
  coaching: boolean;
  callSidToCoach?: string;
  startConferenceOnEnter: boolean;
  endConferenceOnExit: boolean;
  beep: string;
}

export type ParticipantStatus = 'queued' | 'connecting' | 'ringing' | 'connected' | 'complete' | 'failed';

export interface Participant extends ParticipantOptions {
  call: CallSession;
  conference: Conference;
  status: ParticipantStatus;
  dateCreated: Date;
  dateUpdated: Date;
  /** Resolves with the reason the participant left (kicked, conference ended…). */
  left: Deferred<string>;
}

export interface ConferenceSettings {
  statusCallback?: { url: string; method: string; events: Set<string> };
  /** record-from-start */
  record?: boolean;
  recordingCallback?: RecordingCallback;
}

export type ConferenceStatus = 'init' | 'in-progress' | 'completed';

/** What one participant hears right now, as the carrier mixes the room (see Conference.audibility). */
export interface Audibility {
  callSid: string;
  label: string | null;
  muted: boolean;
  hold: boolean;
  coaching: boolean;
  callSidToCoach: string | null;
  /** The CallSids of the participants whose voice reaches this one. */
  hears: string[];
  /** The CallSids of the participants who hear this one. */
  heardBy: string[];
  /** Music instead of the room: hold music while held, wait music before the conference starts. */
  music: 'hold' | 'wait' | null;
}

/** A beep for `beep` true|onEnter on joining and true|onExit on leaving, as Twilio plays it to the room. */
function beeps(beep: string, when: 'enter' | 'exit'): boolean {
  return beep === 'true' || beep === (when === 'enter' ? 'onEnter' : 'onExit');
}

export class Conference {
  readonly sid = newSid('CF');
  readonly dateCreated = new Date();
  dateUpdated = new Date();
  status: ConferenceStatus = 'init';
  reasonEnded?: string;
  callSidEnding?: string;
  readonly participants: Participant[] = [];
  private settings?: ConferenceSettings;
  private recording?: Recording;
  private sequence = 1;
  private chain: Promise<unknown> = Promise.resolve();
  /** Callbacks not delivered yet. */
  private readonly sends = new Set<Promise<unknown>>();
  /** Every call that joined: their `done` waits for the conference-end callback. */
  private readonly members = new Set<CallSession>();

  constructor(private readonly ctx: CarrierContext, readonly friendlyName: string) {}

  /** The first participant's statusCallback and record settings win, as on Twilio. */
  configure(s: ConferenceSettings): void {
    if (!this.settings && (s.statusCallback || s.record)) this.settings = s;
  }

  addPending(call: CallSession, opts: ParticipantOptions): Participant {
    const p: Participant = { ...opts, call, conference: this, status: 'queued', dateCreated: new Date(), dateUpdated: new Date(), left: deferred<string>() };
    this.participants.push(p);
    this.members.add(call);
    return p;
  }

  connect(p: Participant): void {
    p.status = 'connected';
    p.dateUpdated = new Date();
    p.call.log('conference', this.friendlyName, {
      conferenceSid: this.sid,
      ...(p.label ? { label: p.label } : {}),
      ...(p.coaching ? { coaching: p.callSidToCoach ?? 'true' } : {}),
      ...(p.muted ? { muted: 'true' } : {}),
    });
    this.event('participant-join', p);
    if (beeps(p.beep, 'enter')) this.beep(p, 'joined');
    this.ctx.events.emit('conference', { event: 'participant-join', conferenceSid: this.sid, friendlyName: this.friendlyName, callSid: p.call.sid, label: p.label });
    const connected = this.connected();
    if (this.status === 'init' && connected.length >= 2 && connected.some((x) => x.startConferenceOnEnter)) {
      this.status = 'in-progress';
      this.dateUpdated = new Date();
      this.event('conference-start');
      if (this.settings?.record) {
        this.recording = this.ctx.recordings.start({ conferenceSid: this.sid, source: 'Conference', callback: this.settings.recordingCallback });
      }
    }
  }

  join(call: CallSession, opts: ParticipantOptions): Participant {
    const p = this.addPending(call, opts);
    this.connect(p);
    return p;
  }

  /** A dialed participant that never answered. */
  drop(p: Participant): void {
    p.status = 'failed';
    this.remove(p);
    if (!this.participants.length && this.status !== 'completed') this.end('last-participant-left');
  }

  /** `how`: hangup (their call ended), kicked (REST delete), left (their call was redirected). */
  leave(p: Participant, how: 'hangup' | 'kicked' | 'left'): void {
    if (!this.remove(p)) return;
    p.status = 'complete';
    if (p.hold) this.ctx.recordings.holdChanged(p.call.sid, false);
    const reason = how === 'hangup' ? 'participant_hung_up' : 'participant_updated_via_api';
    p.call.log('conference', `left ${this.friendlyName}`, { reason });
    this.event('participant-leave', p, { ParticipantCallStatus: p.call.ended ? p.call.status : 'in-progress', ReasonParticipantLeft: reason });
    p.left.resolve(reason);
    if (this.status === 'completed') return;
    if (beeps(p.beep, 'exit')) this.beep(p, 'left');
    const kicked = how === 'kicked';
    if (p.endConferenceOnExit) this.end(kicked ? 'participant-with-end-conference-on-exit-kicked' : 'participant-with-end-conference-on-exit-left', p.call.sid);
    else if (!this.connected().length) this.end(kicked ? 'last-participant-kicked' : 'last-participant-left', p.call.sid);
  }

  end(reason: string, callSid?: string): void {
    if (this.status === 'completed') return;
    this.status = 'completed';
    this.reasonEnded = reason;
    this.callSidEnding = callSid;
    this.dateUpdated = new Date();
    const remaining = [...this.participants];
    for (const p of remaining) {
      this.remove(p);
      if (p.hold) this.ctx.recordings.holdChanged(p.call.sid, false);
      if (p.status !== 'connected') continue;
      p.status = 'complete';
      p.call.log('conference', `ended ${this.friendlyName}`, { reason });
      this.event('participant-leave', p, { ParticipantCallStatus: 'in-progress', ReasonParticipantLeft: 'conference_ended' });
    }
    if (this.recording) this.ctx.recordings.finish(this.recording);
    this.event('conference-end', undefined, { ReasonConferenceEnded: reason, ...(callSid ? { CallSidEndingConference: callSid } : {}) });
    for (const call of this.members) for (const sent of this.sends) call.track(sent);
    // The room is over: let go of its calls, so ended calls can be forgotten.
    this.members.clear();
    for (const p of remaining) p.left.resolve('conference-ended');
    this.ctx.events.emit('conference', { event: 'conference-end', conferenceSid: this.sid, friendlyName: this.friendlyName, reason });
  }

  update(p: Participant, changes: Partial<Pick<ParticipantOptions, 'muted' | 'hold' | 'coaching' | 'callSidToCoach' | 'endConferenceOnExit'>>, holdMusic?: HoldMusic): void {
    const before = { ...p };
    Object.assign(p, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
    if (changes.coaching === false) p.callSidToCoach = undefined;
    p.dateUpdated = new Date();
    if (before.muted !== p.muted) {
      p.call.log('conference', p.muted ? 'muted' : 'unmuted');
      this.event(p.muted ? 'participant-mute' : 'participant-unmute', p);
    }
    if (before.hold !== p.hold) {
      p.call.log('conference', p.hold ? 'on hold' : 'off hold');
      // The held leg hears the hold music instead of the conference: its recording (what it hears) carries no one else.
      this.ctx.recordings.holdChanged(p.call.sid, p.hold);
      this.event(p.hold ? 'participant-hold' : 'participant-unhold', p);
      if (p.hold) this.playHoldMusic(p, holdMusic);
    }
    if (before.coaching !== p.coaching || before.callSidToCoach !== p.callSidToCoach || before.endConferenceOnExit !== p.endConferenceOnExit) {
      p.call.log('conference', p.coaching ? `coaching ${p.callSidToCoach ?? ''}`.trim() : 'modified');
      this.event('participant-modify', p);
    }
  }

  /**
   * Who hears whom right now, as Twilio documents the modes: everyone hears every connected participant that is not
   * muted, not on hold and not coaching, except themselves; a coaching participant is heard only by the call it
   * coaches; a held participant hears hold music and is heard by nobody; before the conference starts everyone
   * hears the wait music. A coach hears the whole room, like anyone else.
   */
  audibility(): Audibility[] {
    const connected = this.connected();
    const live = this.status === 'in-progress';
    const heardBy = (q: Participant) =>
      connected.filter((p) => live && p !== q && !p.hold && !q.muted && !q.hold && (!q.coaching || q.callSidToCoach === p.call.sid)).map((p) => p.call.sid);
    const heard = new Map(connected.map((q) => [q, heardBy(q)]));
    return connected.map((p) => ({
      callSid: p.call.sid,
      label: p.label ?? null,
      muted: p.muted,
      hold: p.hold,
      coaching: p.coaching,
      callSidToCoach: p.callSidToCoach ?? null,
      hears: connected.filter((q) => heard.get(q)!.includes(p.call.sid)).map((q) => q.call.sid),
      heardBy: heard.get(p)!,
      music: p.hold ? 'hold' : this.status === 'init' ? 'wait' : null,
    }));
  }

  /**
   * Fetches the HoldUrl's TwiML (signed, like every request of the carrier) and notes what it plays in the held call's
   * transcript, marked `hold`; its Say/Play take no time (the music lasts until the participant is taken back). A
   * failed fetch is noted as an error (11200), and the participant stays on hold, as on Twilio.
   */
  private playHoldMusic(p: Participant, music: HoldMusic | undefined): void {
    const call = p.call;
    if (!music) {
      call.log('play', DEFAULT_HOLD_MUSIC, { hold: 'true' });
      return;
    }
    const fetched = this.ctx.webhooks
      .send(music.url, music.method, call.params({ ConferenceSid: this.sid, FriendlyName: this.friendlyName }))
      .then((res) => {
        for (const v of parseTwiml(res.body, ['Play', 'Say', 'Pause', 'Redirect'])) {
          if (v.name === 'Say') call.log('say', v.text, { hold: 'true' });
          if (v.name === 'Play') call.log('play', v.text.trim(), { hold: 'true' });
        }
      })
      .catch((err: unknown) => call.log('error', (err as Error).message, { code: String((err as { code?: number }).code ?? 11200), url: music.url }));
    call.track(fetched);
  }

  find(callSidOrLabel: string): Participant | undefined {
    return this.participants.find((p) => p.call.sid === callSidOrLabel) ?? this.participants.find((p) => p.label === callSidOrLabel);
  }

  connected(): Participant[] {
    return this.participants.filter((p) => p.status === 'connected');
  }

  /** The others in the room hear a beep: someone joined or left (what a silent listener must never cause). */
  private beep(p: Participant, what: 'joined' | 'left'): void {
    for (const other of this.connected()) if (other !== p && !other.hold) other.call.log('play', 'beep', { conference: this.friendlyName, [what]: p.call.sid });
  }

  private remove(p: Participant): boolean {
    const i = this.participants.indexOf(p);
    if (i < 0) return false;
    this.participants.splice(i, 1);
    this.dateUpdated = new Date();
    return true;
  }

  private event(name: string, p?: Participant, extra: Record<string, string> = {}) {
    const cb = this.settings?.statusCallback;
    if (!cb) return;
    const kind = name.replace(/^(conference|participant)-/, '').replace(/^un/, '');
    if (!cb.events.has(kind)) return;
    const params: Record<string, string> = {
      AccountSid: this.ctx.opts.accountSid,
      ConferenceSid: this.sid,
      FriendlyName: this.friendlyName,
      StatusCallbackEvent: name,
      SequenceNumber: String(this.sequence++),
      Timestamp: rfc2822(new Date())!,
      ...extra,
    };
    if (p) {
      Object.assign(params, {
        CallSid: p.call.sid,
        Muted: String(p.muted),
        Hold: String(p.hold),
        Coaching: String(p.coaching),
        EndConferenceOnExit: String(p.endConferenceOnExit),
        StartConferenceOnEnter: String(p.startConferenceOnEnter),
      });
      if (p.label) params.ParticipantLabel = p.label;
      if (p.callSidToCoach) params.CallSidToCoach = p.callSidToCoach;
    }
    const sent = this.ctx.callbacks.schedule(this.chain, () => this.ctx.webhooks.send(cb.url, cb.method, params));
    if (!this.ctx.callbacks.shuffled) this.chain = sent;
    this.sends.add(sent);
    void sent.then(() => this.sends.delete(sent));
    p?.call.track(sent);
  }
}

const KEEP_ENDED_CONFERENCES = 500;

export class Conferences {
  private readonly bySid = new Map<string, Conference>();

  constructor(private readonly ctx: CarrierContext) {}

  /** The room that is not over yet with this name, or a new one. */
  getOrCreate(name: string): Conference {
    const open = [...this.bySid.values()].find((c) => c.friendlyName === name && c.status !== 'completed');
    if (open) return open;
    const c = new Conference(this.ctx, name);
    this.bySid.set(c.sid, c);
    this.forgetOld();
    return c;
  }

  get(sid: string): Conference | undefined {
    return this.bySid.get(sid);
  }

  /** A room by its SID, else the one not over yet with this name, else the latest with this name. */
  byNameOrSid(id: string): Conference | undefined {
    const bySid = this.bySid.get(id);
    if (bySid) return bySid;
    const named = this.list().filter((c) => c.friendlyName === id);
    return named.find((c) => c.status !== 'completed') ?? named[0];
  }

  list(): Conference[] {
    return [...this.bySid.values()].sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
  }

  /** Keeps the latest ended rooms for REST GETs; older ones are forgotten. */
  private forgetOld(): void {
    let over = this.bySid.size - KEEP_ENDED_CONFERENCES;
    for (const [sid, c] of this.bySid) {
      if (over <= 0) break;
      if (c.status !== 'completed') continue;
      this.bySid.delete(sid);
      over--;
    }
  }

  participantOf(call: CallSession): Participant | undefined {
    for (const c of this.bySid.values()) {
      const p = c.participants.find((x) => x.call === call);
      if (p) return p;
    }
    return undefined;
  }
}
