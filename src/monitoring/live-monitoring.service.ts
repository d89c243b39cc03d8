// Joining an agent's live call from a softphone: listen (muted), whisper (heard by the agent only), barge (heard by all).
// Who may, on whom, the switches between modes and the leaving; every start, switch and end is audited and on the floor.
import { auditedAttempt, type AuditRepo } from '../audit/audit.repo';
import type { InteractionRow, InteractionsRepo } from '../acd/interactions.repo';
import { CallGone } from '../acd/dispatcher';
import type { Role } from '../db/schema/index';
import type { Transact } from '../db/transaction';
import { Busy, Conflict, Forbidden, Invalid, NotFound } from '../errors/domain-errors';
import type { EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import { monitorScope, participantSettings, type MonitorMode, type ParticipantSettings } from './monitor-modes';
import type { MonitorSessionRow, MonitorSessionsRepo } from './monitor-sessions.repo';

/** The carrier side of monitoring (implemented in telephony/ over the CallControl port). */
export interface MonitorCarrier {
  /** The SID of the named conference while it is in progress; undefined when it is not (not started yet, or over). */
  liveConference(name: string): Promise<string | undefined>;
  /**
   * Rings the monitor's softphone (`client:<identity>`) and joins the answered leg to the conference as `settings`
   * say, with no beep; the leg's progress goes to the session's status webhook. Resolves with the leg's CallSid;
   * throws CallGone when the conference is over.
   */
  join(o: { conferenceSid: string; identity: string; sessionId: number; settings: ParticipantSettings }): Promise<string>;
  /** Changes the monitor's participant; throws CallGone when it or the conference is gone. */
  setMode(conferenceSid: string, callSid: string, settings: ParticipantSettings): Promise<void>;
  /** Hangs up the monitor's leg, ringing or in the conference. */
  hangup(callSid: string): Promise<void>;
}

/** The staff member who monitors, as the API knows them. */
export interface MonitorActor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  teamId: number | null;
  ip?: string | null;
}

export interface MonitoringOnFloor {
  sessionId: number;
  agentId: number;
  monitorId: number;
  monitorName: string;
  mode: MonitorMode;
  status: 'ringing' | 'joined';
  since: Date;
}

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const LIVE: MonitorSessionRow['status'][] = ['ringing', 'joined'];

export class LiveMonitoringService {
  constructor(
    private readonly d: {
      sessions: MonitorSessionsRepo;
      interactions: Pick<InteractionsRepo, 'get' | 'liveForAgent'>;
      staff: { byId(id: number): { id: number; role: Role; teamId: number | null } | undefined };
      audit: AuditRepo;
      carrier: MonitorCarrier;
      /** The softphone identity of a staff member (the one their voice token carries). */
      identity(username: string): string;
      transact: Transact;
      clock: Clock;
      events: EventBus;
      log?: Pick<Logger, 'warn' | 'info'>;
    },
  ) {
    // The call is over: so is every monitoring of it (the carrier drops the monitors' legs with the conference).
    d.events.on('CallEnded', (e) => {
      for (const s of d.sessions.liveForInteraction(e.interactionId)) this.end(s.id, 'the call ended', null);
    });
  }

  /** startNow; a refused or failed attempt is audited too (the target is then the agent: there may be no call). */
  start(actor: MonitorActor, agentId: number, mode: MonitorMode, reason?: string): Promise<MonitorSessionRow> {
    const entry = () => ({ at: this.d.clock.now(), actorId: actor.id, action: 'monitor.started', subjectType: 'agent', subjectId: agentId, reason: reason ?? null, detail: { agentId, mode }, ip: actor.ip });
    return auditedAttempt(this.d.audit, this.d.transact, entry, () => this.startNow(actor, agentId, mode, reason));
  }

  /** Rings the actor's softphone and puts them in the agent's live call in `mode`. */
  private async startNow(actor: MonitorActor, agentId: number, mode: MonitorMode, reason?: string): Promise<MonitorSessionRow> {
    const ix = this.liveCallOf(actor, agentId);
    if (mode === 'whisper' && !ix.agentCallSid) throw new Conflict(`agent ${agentId}'s leg of the call is not known yet: listen or barge, or try again`);
    const mine = this.d.sessions.liveForMonitor(actor.id);
    if (mine) throw this.alreadyIn(mine, agentId);
    let conferenceSid: string | undefined;
    try {
      conferenceSid = await this.d.carrier.liveConference(ix.conference);
    } catch {
      throw new Busy(5, 'the carrier could not be asked about the call; nothing was started, try again');
    }
    if (!conferenceSid) throw new Conflict(`agent ${agentId}'s call is not live (its conference is not in progress)`);
    const now = this.d.clock.now();
    const session = this.d.transact(() => {
      if (this.d.interactions.get(ix.id)?.status !== 'connected') throw new Conflict(`agent ${agentId}'s call has just ended`);
      const again = this.d.sessions.liveForMonitor(actor.id);
      if (again) throw this.alreadyIn(again, agentId);
      const s = this.d.sessions.insert({ interactionId: ix.id, agentId, monitorId: actor.id, mode, status: 'ringing', conferenceSid: conferenceSid!, startedAt: now });
      this.d.audit.record({ at: now, actorId: actor.id, action: 'monitor.started', subjectType: 'interaction', subjectId: ix.id, reason: reason ?? null, detail: { sessionId: s.id, agentId, mode }, ip: actor.ip });
      return s;
    });
    this.d.events.publish({ type: 'MonitorStarted', sessionId: session.id, interactionId: ix.id, agentId, monitorId: actor.id, monitorName: actor.displayName, mode, at: now });
    let callSid: string;
    try {
      callSid = await this.d.carrier.join({ conferenceSid, identity: this.d.identity(actor.username), sessionId: session.id, settings: participantSettings(mode, ix.agentCallSid ?? '') });
    } catch (err) {
      const gone = err instanceof CallGone;
      this.end(session.id, gone ? 'the call ended before the monitor joined' : 'the carrier could not add the monitor', null);
      if (gone) throw new Conflict(`agent ${agentId}'s call has just ended`);
      this.d.log?.warn('monitoring: the carrier refused to add the monitor', { sessionId: session.id, err: String(err) });
      throw new Busy(5, 'the carrier could not add you to the call; try again');
    }
    const after = this.d.transact(() => {
      this.d.sessions.update(session.id, { monitorCallSid: callSid });
      return this.d.sessions.get(session.id)!;
    });
    // Left (or the call ended) while the carrier was placing the leg: do not leave it ringing.
    if (after.status === 'ended') {
      this.hangupQuietly(after.id, callSid);
      if (after.endReason !== 'left') throw new Conflict(`agent ${agentId}'s call has just ended`);
    }
    return after;
  }

  /** switchModeNow; a refused or failed attempt is audited too (the target is then the agent: there may be no call). */
  switchMode(actor: MonitorActor, agentId: number, mode: MonitorMode, reason?: string): Promise<MonitorSessionRow> {
    const entry = () => ({ at: this.d.clock.now(), actorId: actor.id, action: 'monitor.mode-changed', subjectType: 'agent', subjectId: agentId, reason: reason ?? null, detail: { agentId, mode }, ip: actor.ip });
    return auditedAttempt(this.d.audit, this.d.transact, entry, () => this.switchModeNow(actor, agentId, mode, reason));
  }

  /** Switches the actor's live session on the agent's call to `mode`, during the call. */
  private async switchModeNow(actor: MonitorActor, agentId: number, mode: MonitorMode, reason?: string): Promise<MonitorSessionRow> {
    const s = this.mine(actor, agentId);
    if (s.mode === mode) return s;
    if (s.status !== 'joined' || !s.monitorCallSid) throw new Conflict('your softphone has not answered yet: switch once you are in the call');
    const ix = this.d.interactions.get(s.interactionId);
    if (mode === 'whisper' && !ix?.agentCallSid) throw new Conflict(`agent ${agentId}'s leg of the call is not known: listen or barge`);
    try {
      await this.d.carrier.setMode(s.conferenceSid, s.monitorCallSid, participantSettings(mode, ix?.agentCallSid ?? ''));
    } catch (err) {
      if (err instanceof CallGone) {
        this.end(s.id, 'the call ended', null);
        throw new Conflict(`agent ${agentId}'s call has ended`);
      }
      this.d.log?.warn('monitoring: the carrier refused the mode change', { sessionId: s.id, err: String(err) });
      throw new Busy(5, 'the carrier could not change your mode; you are still in the call as before, try again');
    }
    const now = this.d.clock.now();
    this.d.transact(() => {
      if (!this.d.sessions.transition(s.id, ['joined'], { mode })) throw new Conflict('you left the call meanwhile');
      this.d.audit.record({ at: now, actorId: actor.id, action: 'monitor.mode-changed', subjectType: 'interaction', subjectId: s.interactionId, reason: reason ?? null, detail: { sessionId: s.id, agentId, from: s.mode, to: mode }, ip: actor.ip });
    });
    this.d.events.publish({ type: 'MonitorModeChanged', sessionId: s.id, interactionId: s.interactionId, agentId, monitorId: actor.id, from: s.mode, mode, at: now });
    return this.d.sessions.get(s.id)!;
  }

  /** The actor leaves the agent's call: their leg is hung up (the call goes on). */
  async stop(actor: MonitorActor, agentId: number, reason?: string): Promise<MonitorSessionRow> {
    const s = this.mine(actor, agentId);
    this.end(s.id, 'left', actor, reason);
    const callSid = this.d.sessions.get(s.id)?.monitorCallSid;
    if (callSid) this.hangupQuietly(s.id, callSid);
    return this.d.sessions.get(s.id)!;
  }

  /** The actor's live session on the agent's call. */
  mine(actor: MonitorActor, agentId: number): MonitorSessionRow {
    const s = this.d.sessions.liveForMonitor(actor.id);
    if (!s || s.agentId !== agentId) throw new NotFound(`you are not in agent ${agentId}'s call`);
    return s;
  }

  /** The monitor's leg moved on (the carrier's call-progress callback). */
  legStatus(sessionId: number, status: string, callSid: string): void {
    const s = this.d.sessions.get(sessionId);
    if (!s || s.status === 'ended') return;
    const now = this.d.clock.now();
    if (status === 'in-progress') {
      this.d.transact(() => this.d.sessions.transition(sessionId, ['ringing'], { status: 'joined', joinedAt: now, monitorCallSid: callSid }));
      return;
    }
    if (!FINAL.has(status)) {
      if (!s.monitorCallSid && callSid) this.d.transact(() => this.d.sessions.update(sessionId, { monitorCallSid: callSid }));
      return;
    }
    const ix = this.d.interactions.get(s.interactionId);
    if (status !== 'completed' || s.status !== 'joined' || ix?.status !== 'connected') {
      this.end(sessionId, status !== 'completed' ? `the monitor's softphone did not answer (${status})` : ix?.status !== 'connected' ? 'the call ended' : 'the monitor declined', null);
      return;
    }
    // A joined monitor's leg ended: they hung up, or the conference ended with the call and its own callbacks are
    // still on their way. The carrier says which.
    this.d.carrier.liveConference(ix.conference).then(
      (live) => this.end(sessionId, live ? 'the monitor hung up' : 'the call ended', null),
      () => this.end(sessionId, "the monitor's leg ended", null),
    );
  }

  /** Sessions whose call ended while this process was down are closed (startup). */
  closeStale(): number {
    let closed = 0;
    for (const s of this.d.sessions.live()) {
      if (this.d.interactions.get(s.interactionId)?.status === 'connected') continue;
      if (this.end(s.id, 'the call ended', null)) closed++;
    }
    return closed;
  }

  /** Who is in which agent's call right now (the floor's "monitored by"). */
  onFloor(): MonitoringOnFloor[] {
    return this.d.sessions.live().map((s) => ({
      sessionId: s.id,
      agentId: s.agentId,
      monitorId: s.monitorId,
      monitorName: s.monitorName,
      mode: s.mode,
      status: s.status as 'ringing' | 'joined',
      since: s.startedAt,
    }));
  }

  private liveCallOf(actor: MonitorActor, agentId: number): InteractionRow {
    switch (monitorScope(actor, this.d.staff.byId(agentId))) {
      case 'not-your-team':
        throw new Forbidden(`agent ${agentId} is not on your team`);
      case 'no-such-agent':
        throw new NotFound(`no agent ${agentId}`);
      case 'self':
        throw new Invalid('you cannot monitor your own call');
      case 'ok':
        break;
    }
    const ix = this.d.interactions.liveForAgent(agentId);
    if (ix?.status !== 'connected') throw new Conflict(`agent ${agentId} has no live call to join`);
    return ix;
  }

  private alreadyIn(s: MonitorSessionRow, agentId: number): Conflict {
    return new Conflict(s.agentId === agentId ? `you are already in agent ${agentId}'s call: switch the mode with PATCH` : `you are in agent ${s.agentId}'s call: leave it first`);
  }

  /** Ends a live session (audited, on the floor); false when it had already ended. `actor` null: the system ended it. */
  private end(sessionId: number, why: string, actor: MonitorActor | null, reason?: string): boolean {
    const now = this.d.clock.now();
    const s = this.d.transact(() => {
      const s = this.d.sessions.get(sessionId);
      if (!s || !this.d.sessions.transition(sessionId, LIVE, { status: 'ended', endedAt: now, endReason: why })) return undefined;
      this.d.audit.record({
        at: now,
        actorId: actor?.id ?? null,
        action: actor ? 'monitor.stopped' : 'monitor.ended',
        subjectType: 'interaction',
        subjectId: s.interactionId,
        reason: actor ? (reason ?? null) : why,
        detail: { sessionId, agentId: s.agentId, monitorId: s.monitorId, mode: s.mode },
        ip: actor?.ip ?? null,
      });
      return s;
    });
    if (!s) return false;
    this.d.events.publish({ type: 'MonitorEnded', sessionId, interactionId: s.interactionId, agentId: s.agentId, monitorId: s.monitorId, reason: why, at: now });
    return true;
  }

  private hangupQuietly(sessionId: number, callSid: string): void {
    this.d.carrier.hangup(callSid).catch((err) => {
      if (!(err instanceof CallGone)) this.d.log?.warn("monitoring: could not hang up the monitor's leg", { sessionId, err: String(err) });
    });
  }
}
