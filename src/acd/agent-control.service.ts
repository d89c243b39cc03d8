// The supervisor's last resort: force an agent's state, or end a call record the carrier no longer has; every use is audited.
import { auditedAttempt, type AuditRepo } from '../audit/audit.repo';
import type { CallsRepo } from '../calls/calls.repo';
import type { Transact } from '../db/transaction';
import { Busy, Conflict, NotFound } from '../errors/domain-errors';
import type { DomainEvent, EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import type { PresenceService } from './agent-presence.service';
import type { InteractionRow, InteractionsRepo } from './interactions.repo';
import type { PresenceRepo, PresenceRow } from './presence.repo';
import type { QueueEntriesRepo } from './queue-entries.repo';

const FINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);

export interface Actor {
  id: number;
  ip?: string | null;
}

export class AgentControlService {
  constructor(
    private readonly d: {
      presence: PresenceService;
      presenceRepo: PresenceRepo;
      interactions: InteractionsRepo;
      queue: QueueEntriesRepo;
      calls: CallsRepo;
      audit: AuditRepo;
      /** The carrier, asked whether a call is still up; without one (tests) every call counts as gone. */
      carrier?: { fetchCall(sid: string): Promise<{ status: string; endTime: Date | null } | undefined>; hangup(sid: string): Promise<void> };
      transact: Transact;
      clock: Clock;
      events: EventBus;
      /** Where a failed hang-up of a withdrawn offer's leg is told (it rings out on its own). */
      log?: Pick<Logger, 'warn'>;
    },
  ) {}

  /** Logs the agent out whatever their state (see forceStateNow); a refused attempt is audited too. */
  forceState(actor: Actor, agentId: number, to: 'offline', reason: string, action: 'agent.force-state' | 'agent.log-out' = 'agent.force-state'): PresenceRow {
    const entry = () => ({ at: this.d.clock.now(), actorId: actor.id, action, subjectType: 'agent', subjectId: agentId, reason, detail: { to }, ip: actor.ip });
    return auditedAttempt(this.d.audit, this.d.transact, entry, () => this.forceStateNow(actor, agentId, to, reason, action));
  }

  /**
   * Logs the agent out whatever their state. A call still ringing them is withdrawn (it keeps its place); a
   * connected call is refused: end it first (force-end), so no conversation loses its record. `action` names it in
   * the audit trail: the supervisor's force-state, or the dispatcher's log-out (the same change).
   */
  private forceStateNow(actor: Actor, agentId: number, to: 'offline', reason: string, action: 'agent.force-state' | 'agent.log-out'): PresenceRow {
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const before = this.d.presence.get(agentId);
      const ix = this.d.interactions.liveForAgent(agentId);
      if (ix?.status === 'connected') throw new Conflict(`agent ${agentId} has a connected call (interaction ${ix.id}); end it first with force-end`);
      const events: DomainEvent[] = [];
      if (ix?.status === 'offered' && this.d.interactions.transition(ix.id, 'offered', { status: 'withdrawn', endedAt: now })) {
        if (ix.queueEntryId) this.d.queue.release(ix.queueEntryId);
      }
      const changed = this.d.presence.force(agentId, to, reason, now);
      if (changed) events.push(changed);
      this.d.audit.record({ at: now, actorId: actor.id, action, subjectType: 'agent', subjectId: agentId, reason, detail: { from: before.state, to, withdrawnInteraction: ix?.id }, ip: actor.ip });
      return { events, leg: ix?.status === 'offered' ? ix.agentCallSid : null };
    });
    for (const e of r.events) this.d.events.publish(e);
    const leg = r.leg;
    if (leg && this.d.carrier) {
      this.d.carrier.hangup(leg).catch((err) => this.d.log?.warn('force-state: could not hang up the withdrawn offer’s ringing leg; it rings out', { agentId, agentCallSid: leg, err: String(err) }));
    }
    return this.d.presence.get(agentId);
  }

  /** Ends a call record the carrier no longer has (see forceEndNow); a refused attempt is audited too. */
  forceEnd(actor: Actor, interactionId: number, reason: string): Promise<InteractionRow> {
    const entry = () => ({ at: this.d.clock.now(), actorId: actor.id, action: 'interaction.force-end', subjectType: 'interaction', subjectId: interactionId, reason, ip: actor.ip });
    return auditedAttempt(this.d.audit, this.d.transact, entry, () => this.forceEndNow(actor, interactionId, reason));
  }

  /**
   * Ends an interaction whose calls the carrier no longer has (a record left behind): refused while either leg is
   * still up at the carrier. The agent goes to wrap-up (or back to available from ringing); the call is closed.
   */
  private async forceEndNow(actor: Actor, interactionId: number, reason: string): Promise<InteractionRow> {
    const ix = this.d.interactions.get(interactionId);
    if (!ix) throw new NotFound(`no interaction ${interactionId}`);
    if (ix.status !== 'offered' && ix.status !== 'connected') throw new Conflict(`interaction ${interactionId} is already ${ix.status}`);
    const legs = [ix.callSid, ix.agentCallSid].filter((s): s is string => !!s);
    // Without the carrier's word a live call could be taken for a stale record: refuse, and say to try again.
    const records = this.d.carrier
      ? await Promise.all(legs.map((sid) => this.d.carrier!.fetchCall(sid))).catch(() => {
          throw new Busy(10, 'the carrier could not be asked whether this call is still up; nothing was changed, try again in a moment');
        })
      : [];
    const live = legs.filter((_, i) => records[i] && !FINAL.has(records[i]!.status));
    if (live.length) throw new Conflict(`the carrier still has ${live.join(', ')} up: this is a live call, not a stale record`);
    const callerEnd = records[0]?.endTime ?? undefined;
    const now = this.d.clock.now();
    const endedAt = callerEnd ?? now;
    const events = this.d.transact(() => {
      const current = this.d.interactions.get(interactionId)!;
      const events: DomainEvent[] = [];
      if (!this.d.interactions.transition(current.id, current.status, { status: current.status === 'connected' ? 'ended' : 'withdrawn', endedAt })) {
        throw new Conflict(`interaction ${interactionId} changed meanwhile; look again`);
      }
      const call = this.d.calls.get(current.callSid);
      if (call && !call.endedAt) this.d.calls.update(current.callSid, { status: 'completed', endedAt });
      const entry = this.d.queue.end(current.callSid, 'abandoned', endedAt);
      if (entry) events.push({ type: 'CallAbandoned', callSid: current.callSid, queue: entry.queue, waitSeconds: entry.waitSeconds ?? 0, at: endedAt });
      if (current.status === 'connected') events.push({ type: 'CallEnded', interactionId: current.id, callSid: current.callSid, agentId: current.agentId, at: endedAt });
      const changed = this.d.presence.apply(current.agentId, current.status === 'connected' ? 'call-ended' : 'withdrawn', now);
      if (changed) events.push(changed);
      this.d.audit.record({ at: now, actorId: actor.id, action: 'interaction.force-end', subjectType: 'interaction', subjectId: interactionId, reason, detail: { from: current.status, agentId: current.agentId, callSid: current.callSid }, ip: actor.ip });
      return events;
    });
    for (const e of events) this.d.events.publish(e);
    return this.d.interactions.get(interactionId)!;
  }
}
