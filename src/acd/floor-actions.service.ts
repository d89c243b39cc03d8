// The dispatcher's hands on the floor: move an agent to another desk, end a break, log an agent out, raise a waiting
// call's priority, hand a waiting call to a named agent, change a queue's overflow. Each takes effect at once (the
// ACD hears of it through the same events as any other change), is audited with who, what, when, why and from where,
// and is published as FloorActionTaken so every wallboard shows it.
import { auditedAttempt, type AuditRepo } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import { Conflict, Invalid, NotFound } from '../errors/domain-errors';
import type { DomainEvent, EventBus, EventOf, FloorAction } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Actor, AgentControlService } from './agent-control.service';
import type { PresenceService } from './agent-presence.service';
import type { AgentDesksRepo, AgentOnFloor } from './agent-desks.repo';
import { deskAssignmentProblems, type DesksService } from './desks.service';
import type { Dispatcher } from './dispatcher';
import type { Desk } from './presence.repo';
import type { QueueEntriesRepo, QueueEntry } from './queue-entries.repo';
import type { QueueSettings, QueueSettingsRepo } from './queue-settings.repo';
import type { QueueRulesInput, QueueSettingsService } from './queue-settings.service';

/** The priority scale of the queues (new 10 … VIP 40); a dispatcher may go up to 99 for a caller who must go first. */
export const PRIORITY_RANGE = { min: 1, max: 99 } as const;

export type OverflowChange = Pick<QueueRulesInput, 'maxWaitSeconds' | 'overflowAction' | 'overflowQueue'>;

export interface FloorActionsDeps {
  presence: PresenceService;
  desks: DesksService;
  desksRepo: AgentDesksRepo;
  agentControl: AgentControlService;
  dispatcher: Pick<Dispatcher, 'offerCallTo' | 'dispatchSoon'>;
  queue: QueueEntriesRepo;
  queueRules: QueueSettingsRepo;
  queueSettings: QueueSettingsService;
  audit: AuditRepo;
  transact: Transact;
  clock: Clock;
  events: EventBus;
}

export class FloorActionsService {
  constructor(private readonly d: FloorActionsDeps) {}

  /** moveDeskNow, with a refused attempt audited too. */
  moveDesk(actor: Actor, agentId: number, m: { to: Desk; from?: Desk; skill?: number }, reason: string): AgentOnFloor {
    return auditedAttempt(this.d.audit, this.d.transact, () => this.attempt(actor, 'agent.move-desk', 'agent', agentId, reason, { to: m.to, from: m.from ?? null }), () => this.moveDeskNow(actor, agentId, m, reason));
  }

  /**
   * Moves the agent to `to`: in place of the desk `from` when given (their other desks stay), else `to` becomes their
   * only desk. The skill is the one they had on `from` (or `skill`, or 3). Calls waiting on the new desk are offered at once.
   */
  private moveDeskNow(actor: Actor, agentId: number, m: { to: Desk; from?: Desk; skill?: number }, reason: string): AgentOnFloor {
    const before = this.d.desksRepo.agent(agentId);
    if (!before) throw new NotFound(`no agent ${agentId}`);
    let desks = before.desks.map(({ desk, skill }) => ({ desk, skill }));
    if (m.from && !desks.some((d) => d.desk === m.from)) throw new Conflict(`agent ${agentId} is not on the ${m.from} desk`);
    const skill = m.skill ?? desks.find((d) => d.desk === (m.from ?? m.to))?.skill ?? desks[0]?.skill ?? 3;
    desks = m.from ? desks.filter((d) => d.desk !== m.from && d.desk !== m.to) : [];
    desks.push({ desk: m.to, skill });
    const problems = deskAssignmentProblems(desks);
    if (problems.length) throw new Invalid(problems.join('; '), problems);
    const after = this.d.desks.setDesks(agentId, desks);
    this.done(actor, 'agent.move-desk', 'agent', agentId, reason, { from: before.desks, to: after.desks });
    return after;
  }

  /** endBreakNow, with a refused attempt audited too. */
  endBreak(actor: Actor, agentId: number, reason: string): void {
    return auditedAttempt(this.d.audit, this.d.transact, () => this.attempt(actor, 'agent.end-break', 'agent', agentId, reason, {}), () => this.endBreakNow(actor, agentId, reason));
  }

  /** Ends the agent's break: they are available (and offered the next call) at once. */
  private endBreakNow(actor: Actor, agentId: number, reason: string): void {
    const now = this.d.clock.now();
    const changed = this.d.transact(() => {
      const p = this.d.presence.get(agentId);
      if (p.state !== 'break') throw new Conflict(`agent ${agentId} is ${p.state}, not on a break`);
      const e = this.d.presence.force(agentId, 'available', null, now);
      this.audit(actor, 'agent.end-break', 'agent', agentId, reason, { breakReason: p.reason, since: p.since }, now);
      return e;
    });
    if (changed) this.d.events.publish(changed);
    this.publishAction(actor, 'agent.end-break', 'agent', agentId, reason, {}, now);
  }

  /** Logs the agent out (the supervisor's force-state, open to dispatchers): a ringing offer is withdrawn, a live call refused. */
  logOut(actor: Actor, agentId: number, reason: string): void {
    this.d.agentControl.forceState(actor, agentId, 'offline', reason, 'agent.log-out');
    this.publishAction(actor, 'agent.log-out', 'agent', agentId, reason, {}, this.d.clock.now());
  }

  /** setPriorityNow, with a refused attempt audited too. */
  setPriority(actor: Actor, callSid: string, priority: number, reason: string): QueueEntry {
    return auditedAttempt(this.d.audit, this.d.transact, () => this.attempt(actor, 'call.priority', 'call', callSid, reason, { to: priority }), () => this.setPriorityNow(actor, callSid, priority, reason));
  }

  /** A waiting call's new priority; its time queued is kept, so among equals it keeps its place. */
  private setPriorityNow(actor: Actor, callSid: string, priority: number, reason: string): QueueEntry {
    if (!Number.isInteger(priority) || priority < PRIORITY_RANGE.min || priority > PRIORITY_RANGE.max) {
      throw new Invalid(`priority must be a whole number from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}`);
    }
    const now = this.d.clock.now();
    const entry = this.d.transact(() => {
      const before = this.waiting(callSid);
      const after = this.d.queue.setPriority(before.id, priority)!;
      this.audit(actor, 'call.priority', 'call', callSid, reason, { queue: before.queue, from: before.priority, to: priority }, now);
      return { before, after };
    });
    this.publishAction(actor, 'call.priority', 'call', callSid, reason, { queue: entry.after.queue, from: entry.before.priority, to: priority }, now);
    this.d.dispatcher.dispatchSoon();
    return entry.after;
  }

  /** assignNow, with a refused attempt audited too. */
  assign(actor: Actor, callSid: string, agentId: number, reason: string): { interactionId: number } {
    return auditedAttempt(this.d.audit, this.d.transact, () => this.attempt(actor, 'call.assign', 'call', callSid, reason, { agentId }), () => this.assignNow(actor, callSid, agentId, reason));
  }

  /** Hands a waiting call to a named agent: it rings them now, ahead of the queue (they must be available). */
  private assignNow(actor: Actor, callSid: string, agentId: number, reason: string): { interactionId: number } {
    const entry = this.waiting(callSid);
    const ix = this.d.dispatcher.offerCallTo(callSid, agentId);
    const now = this.d.clock.now();
    this.d.transact(() => this.audit(actor, 'call.assign', 'call', callSid, reason, { queue: entry.queue, agentId, interactionId: ix.id }, now));
    this.publishAction(actor, 'call.assign', 'call', callSid, reason, { queue: entry.queue, agentId, interactionId: ix.id }, now);
    return { interactionId: ix.id };
  }

  /** changeOverflowNow, with a refused attempt audited too. */
  changeOverflow(actor: Actor, queue: string, change: OverflowChange, reason: string): { settings: QueueSettings; moved: string[] } {
    return auditedAttempt(this.d.audit, this.d.transact, () => this.attempt(actor, 'queue.overflow', 'queue', queue, reason, { change }), () => this.changeOverflowNow(actor, queue, change, reason));
  }

  /**
   * Changes what happens at a queue's maximum wait, at once: the new rules apply to the callers already waiting. With
   * overflow to another queue, those who have already waited the maximum move there now (keeping their priority and
   * time queued) and are offered to its agents; with a callback or voicemail offer they hear it at their next prompt.
   */
  private changeOverflowNow(actor: Actor, queue: string, change: OverflowChange, reason: string): { settings: QueueSettings; moved: string[] } {
    const now = this.d.clock.now();
    const before = this.d.queueRules.find(queue);
    if (!before) throw new NotFound(`no queue named ${queue}`);
    const r = this.d.transact(() => {
      const { name: _name, ...rules } = before;
      const overflowAction = change.overflowAction ?? before.overflowAction;
      const { settings } = this.d.queueSettings.put(queue, {
        ...rules,
        ...(change.maxWaitSeconds !== undefined ? { maxWaitSeconds: change.maxWaitSeconds } : {}),
        overflowAction,
        overflowQueue: overflowAction === 'queue' ? (change.overflowQueue !== undefined ? change.overflowQueue : before.overflowQueue) : null,
      });
      const moved: string[] = [];
      if (settings.overflowAction === 'queue' && settings.overflowQueue) {
        const target = this.d.queueRules.get(settings.overflowQueue);
        for (const e of this.d.queue.waiting()) {
          if (e.queue !== queue || e.reservedBy !== null) continue;
          if (now.getTime() - e.enqueuedAt.getTime() < settings.maxWaitSeconds * 1000) continue;
          if (this.d.queue.moveTo(e.id, target.name, target.desk)) moved.push(e.callSid);
        }
      }
      const detail = { from: overflowRules(before), to: overflowRules(settings), moved: moved.length };
      this.audit(actor, 'queue.overflow', 'queue', queue, reason, detail, now);
      return { settings, moved, detail };
    });
    this.publishAction(actor, 'queue.overflow', 'queue', queue, reason, r.detail, now);
    if (r.moved.length) this.d.dispatcher.dispatchSoon();
    return { settings: r.settings, moved: r.moved };
  }

  private waiting(callSid: string): QueueEntry {
    const e = this.d.queue.forCall(callSid);
    if (!e || e.status !== 'waiting') throw new NotFound(`call ${callSid} is not waiting in a queue`);
    return e;
  }

  /** Audits and publishes an action whose own change was committed (and published) by another service. */
  private done(actor: Actor, action: FloorAction, subjectType: EventOf<'FloorActionTaken'>['subjectType'], subjectId: number | string, reason: string, detail: Record<string, unknown>): void {
    const now = this.d.clock.now();
    this.d.transact(() => this.audit(actor, action, subjectType, subjectId, reason, detail, now));
    this.publishAction(actor, action, subjectType, subjectId, reason, detail, now);
  }

  /** The audit entry of an attempt, for auditedAttempt (it adds the outcome and the refusal). */
  private attempt(actor: Actor, action: FloorAction, subjectType: string, subjectId: number | string, reason: string, detail: Record<string, unknown>) {
    return { at: this.d.clock.now(), actorId: actor.id, action, subjectType, subjectId, reason, detail, ip: actor.ip };
  }

  private audit(actor: Actor, action: FloorAction, subjectType: string, subjectId: number | string, reason: string, detail: Record<string, unknown>, at: Date): void {
    this.d.audit.record({ at, actorId: actor.id, action, subjectType, subjectId, reason, detail, ip: actor.ip });
  }

  private publishAction(actor: Actor, action: FloorAction, subjectType: EventOf<'FloorActionTaken'>['subjectType'], subjectId: number | string, reason: string, detail: Record<string, unknown>, at: Date): void {
    const e: DomainEvent = { type: 'FloorActionTaken', action, actorId: actor.id, subjectType, subjectId: String(subjectId), reason, detail, at };
    this.d.events.publish(e);
  }
}

function overflowRules(s: QueueSettings): Pick<QueueSettings, 'maxWaitSeconds' | 'overflowAction' | 'overflowQueue'> {
  return { maxWaitSeconds: s.maxWaitSeconds, overflowAction: s.overflowAction, overflowQueue: s.overflowQueue };
}
