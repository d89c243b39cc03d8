// The agent's word on a callback after the call: reached, wrong number, or call again later; and the attempts to show.
import type { AuditRepo } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, NotFound } from '../errors/domain-errors';
import type { Clock } from '../ivr/ivr-call.service';
import type { CallbackAttempt, CallbackAttemptsRepo } from './callback-attempts.repo';
import { callingHours, type CallbackRequest, type CallbackRequestsRepo } from './callback-requests.repo';
import { nextCallingTime } from './calling-hours';

export const AGENT_OUTCOMES = ['reached', 'wrong_number', 'retry'] as const;
export type AgentOutcome = (typeof AGENT_OUTCOMES)[number];

/** Roles that may record an outcome on anyone's callback (audited). */
const OVERSEERS = ['dispatcher', 'supervisor'];

export interface OutcomeActor {
  id: number;
  role: string;
  ip?: string | null;
}

export class CallbackOutcomeService {
  constructor(private readonly d: { callbacks: CallbackRequestsRepo; attempts: CallbackAttemptsRepo; audit: AuditRepo; transact: Transact; clock: Clock }) {}

  record(callbackId: number, by: OutcomeActor, o: { outcome: AgentOutcome; note?: string; dueAt?: Date }): { callback: CallbackRequest; attempts: CallbackAttempt[] } {
    const now = this.d.clock.now();
    return this.d.transact(() => {
      const item = this.d.callbacks.get(callbackId);
      if (!item) throw new NotFound(`callback ${callbackId} does not exist`);
      const attempts = this.d.attempts.forCallback(callbackId);
      const last = attempts.at(-1);
      const overseer = OVERSEERS.includes(by.role);
      if (!overseer && last?.agentId !== by.id) throw new Forbidden('only the agent who made the last attempt (or a dispatcher) records its outcome');
      if (item.status === 'done' || item.status === 'failed') throw new Conflict(`callback ${callbackId} is already closed (${item.outcome})`);
      if (last && last.state !== 'ended' && last.state !== 'placed') throw new Conflict(`callback ${callbackId} is being dialed; record the outcome once the call is connected or over`);
      if (o.outcome === 'retry') {
        if (o.dueAt && o.dueAt.getTime() < now.getTime() - 60_000) throw new Conflict('dueAt is in the past');
        const due = o.dueAt ?? now;
        this.d.attempts.reopenCallback(callbackId, due, nextCallingTime(due, item.timeZone, callingHours(this.d.callbacks.settings(item.source))), now);
      } else {
        this.d.callbacks.close(callbackId, o.outcome, now);
      }
      if (last && o.note) this.d.attempts.update(last.id, { note: o.note });
      if (overseer && last?.agentId !== by.id) {
        this.d.audit.record({ at: now, actorId: by.id, action: 'callback.outcome', subjectType: 'callback', subjectId: callbackId, reason: o.note ?? null, detail: { outcome: o.outcome, dueAt: o.dueAt?.toISOString() }, ip: by.ip ?? null });
      }
      return { callback: this.d.callbacks.get(callbackId)!, attempts: this.d.attempts.forCallback(callbackId) };
    });
  }
}

export function attemptJson(a: CallbackAttempt) {
  return {
    id: a.id,
    state: a.state,
    agentId: a.agentId,
    result: a.result,
    answeredBy: a.answeredBy,
    callSid: a.callSid,
    note: a.note,
    createdAt: a.createdAt.toISOString(),
    dialedAt: a.dialedAt?.toISOString() ?? null,
    endedAt: a.endedAt?.toISOString() ?? null,
  };
}
