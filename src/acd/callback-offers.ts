// The outbound half of the ACD: offers callbacks to free agents (after inbound callers), rings the agent first, hands the
// dial to the outbox when they answer, and follows the customer's call to its result. The Dispatcher drives it.
import type { Transact } from '../db/transaction';
import { Conflict, Forbidden, NotFound } from '../errors/domain-errors';
import type { CallbackSummary, DomainEvent } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import type { CallsRepo } from '../calls/calls.repo';
import type { OutboxRepo } from '../jobs/outbox.repo';
import type { AttemptResult, CallbackRequest, CallbackRequestsRepo } from '../outbound/callback-requests.repo';
import { LIVE_ATTEMPT_STATES, type CallbackAttempt, type CallbackAttemptsRepo } from '../outbound/callback-attempts.repo';
import type { PresenceService } from './agent-presence.service';
import type { InteractionsRepo } from './interactions.repo';
import type { AvailableAgent, Desk, PresenceRepo } from './presence.repo';

/** The dial job the outbox hands to bull when the agent answers (worker side: src/outbound/dialer.ts). */
export const DIAL_JOB = { queue: 'dialer', name: 'dial' } as const;
export const dialJobId = (attemptId: number) => `attempt:${attemptId}`;

/** The carrier side of callbacks (implemented in telephony/ over the CallControl port). */
export interface CallbackCarrier {
  /** Rings the agent's softphone for a callback attempt; resolves with the agent leg's CallSid. */
  ringAgentForCallback(o: { attemptId: number; identity: string; timeoutSeconds: number }): Promise<string>;
  /** Ends a call (the agent's leg, or a customer's call still ringing). */
  hangup(callSid: string): Promise<void>;
  /** Tells the agent on `agentCallSid` how the attempt ended, then ends their leg. */
  noticeToAgent(agentCallSid: string, attemptId: number): Promise<void>;
}

export interface CallbackOffer {
  attempt: CallbackAttempt;
  username: string;
}

const FINAL = new Set(['busy', 'no-answer', 'failed', 'canceled', 'completed']);
const DESKS: Desk[] = ['front', 'middle', 'back'];
/** How many free agents of a desk one pick looks at (the longest idle may have nothing their desks allow). */
const AGENTS_PER_DESK = 10;

export function isMachine(answeredBy: string | null | undefined): boolean {
  return !!answeredBy && (answeredBy.startsWith('machine') || answeredBy === 'fax');
}

export function callbackSummary(c: CallbackRequest): CallbackSummary {
  return {
    id: c.id,
    type: c.source,
    desk: c.desk,
    phone: c.phone,
    reason: c.reason,
    question: c.question,
    customerId: c.customerId,
    orderId: c.orderId,
    rmaId: c.rmaId,
    workOrderId: c.workOrderId,
    attempts: c.attempts,
    language: c.language,
  };
}

export interface CallbackOffersDeps {
  callbacks: CallbackRequestsRepo;
  attempts: CallbackAttemptsRepo;
  outbox: OutboxRepo;
  carrier: CallbackCarrier;
  presence: PresenceRepo;
  presenceService: PresenceService;
  interactions: InteractionsRepo;
  calls: CallsRepo;
  transact: Transact;
  clock: Clock;
  identity(username: string): string;
  log: Logger;
  offerTimeoutSeconds: number;
  /** Wrap-up after a callback conversation. @default 30 */
  wrapUpSeconds?: number;
  /** From the Dispatcher: publish after commit, track carrier requests, dispatch again. */
  publish(events: DomainEvent[]): void;
  track(p: Promise<unknown>): void;
  dispatchSoon(): void;
}

export class CallbackOffers {
  constructor(private readonly d: CallbackOffersDeps) {}

  /** Inside the dispatcher's transaction, once no inbound caller matched: the best callback for a free agent, reserved. */
  matchOne(now: Date): { offer: CallbackOffer; events: DomainEvent[] } | undefined {
    const seen = new Set<number>();
    for (const desk of DESKS) {
      for (const agent of this.d.presence.availableOnDesk(desk, AGENTS_PER_DESK)) {
        if (seen.has(agent.staffId)) continue;
        seen.add(agent.staffId);
        const desks = this.d.presence.desksOf(agent.staffId).map((x) => x.desk);
        const item = this.d.callbacks.nextFor(agent.staffId, desks, now);
        if (!item || !this.d.callbacks.reserve(item.id, agent.staffId, now)) continue;
        return this.offerReserved(item, agent, now);
      }
    }
    return undefined;
  }

  /** Preview mode: the agent pressed "call" on an item; it is offered to them through the same path (ring first, then dial). */
  offerTo(callbackId: number, agentId: number): CallbackOffer & { events: DomainEvent[] } {
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const item = this.d.callbacks.get(callbackId);
      if (!item) throw new NotFound(`callback ${callbackId} does not exist`);
      if (item.status !== 'open') throw new Conflict(`callback ${callbackId} is ${item.status}, not open`);
      const desks = this.d.presence.desksOf(agentId).map((x) => x.desk);
      if (item.ownerId !== agentId && !(item.ownerId === null && desks.includes(item.desk))) throw new Forbidden(`callback ${callbackId} is not on your desks or yours`);
      if (this.d.callbacks.isDoNotCall(item.phone)) throw new Conflict(`callback ${callbackId}: the number is on the do-not-call list`);
      const presence = this.d.presence.get(agentId);
      if (presence?.state !== 'available') throw new Conflict(`you must be available to place a call (you are ${presence?.state ?? 'not an agent'})`);
      if (!this.d.callbacks.reserve(item.id, agentId, now)) throw new Conflict(`callback ${callbackId} was just taken`);
      return this.offerReserved(item, { staffId: agentId, username: this.d.presence.username(agentId) ?? '', idleSince: null }, now);
    });
    return { ...r.offer, events: r.events };
  }

  private offerReserved(item: CallbackRequest, agent: AvailableAgent, now: Date): { offer: CallbackOffer; events: DomainEvent[] } {
    const attempt = this.d.attempts.offer({ callbackId: item.id, agentId: agent.staffId, at: now });
    const events: DomainEvent[] = [{ type: 'CallbackOffered', attemptId: attempt.id, callbackId: item.id, agentId: agent.staffId, callback: callbackSummary(item), at: now }];
    const changed = this.d.presenceService.apply(agent.staffId, 'offered', now);
    if (changed) events.push(changed);
    return { offer: { attempt, username: agent.username }, events };
  }

  ring(o: CallbackOffer): void {
    this.d.track(
      this.d.carrier
        .ringAgentForCallback({ attemptId: o.attempt.id, identity: this.d.identity(o.username), timeoutSeconds: this.d.offerTimeoutSeconds })
        .then((sid) => {
          const stale = this.d.transact(() => {
            const a = this.d.attempts.get(o.attempt.id);
            if (a && !a.agentCallSid) this.d.attempts.update(a.id, { agentCallSid: sid });
            return !a || a.state === 'ended';
          });
          // Missed or withdrawn while the carrier was still placing the leg: stop it ringing.
          if (stale) this.hangup(sid);
        })
        .catch((err) => {
          this.d.log.warn('could not ring the agent for a callback; the callback goes back to the list', { attemptId: o.attempt.id, err: String(err) });
          this.agentLegStatus(o.attempt.id, 'failed', '');
        }),
    );
  }

  /** The agent picked up: the attempt is stored as pending and, in the same transaction, its dial job goes to the outbox. */
  agentAnswered(attemptId: number, agentCallSid: string): { join: boolean; conference?: string; callback?: CallbackRequest } {
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const a = this.d.attempts.get(attemptId);
      if (!a || a.state !== 'offered' || !a.agentId) return undefined;
      if (!this.d.attempts.transition(a.id, 'offered', { state: 'pending', agentCallSid })) return undefined;
      this.d.outbox.add({ ...DIAL_JOB, jobId: dialJobId(a.id), payload: { attemptId: a.id } }, now);
      const changed = this.d.presenceService.apply(a.agentId, 'answered', now);
      return { a, callback: this.d.callbacks.get(a.callbackId), events: changed ? [changed] : [] };
    });
    if (!r) return { join: false };
    this.d.publish(r.events);
    return { join: true, conference: r.a.conference!, callback: r.callback };
  }

  /** A status callback of the agent's leg for a callback. */
  agentLegStatus(attemptId: number, status: string, agentCallSid: string): void {
    if (!FINAL.has(status)) return;
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const a = this.d.attempts.get(attemptId);
      if (!a || !a.agentId) return undefined;
      if (a.state === 'offered') return { events: this.missed(a, now, agentCallSid), cancel: undefined };
      const events: DomainEvent[] = [];
      // The agent left before the customer was dialed: nothing was placed, the callback goes back to the list.
      if (a.state === 'pending' && this.d.attempts.transition(a.id, 'pending', { state: 'ended', result: 'not_dialed', note: 'the agent left before the customer was dialed', endedAt: now })) {
        events.push(this.ended(a, 'not_dialed', now));
      }
      const ix = a.interactionId ? this.d.interactions.get(a.interactionId) : undefined;
      if (ix?.status === 'connected' && this.d.interactions.transition(ix.id, 'connected', { status: 'ended', endedAt: now })) {
        events.push({ type: 'CallEnded', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, at: now });
      }
      const changed = this.d.presenceService.apply(a.agentId, 'call-ended', now, this.d.wrapUpSeconds ?? 30);
      if (changed) events.push(changed);
      // The customer's call is still ringing with nobody to talk to: cancel it (its status callback ends the attempt).
      const cancel = (a.state === 'placed' || a.state === 'dialing') && a.callSid && !ix ? a.callSid : undefined;
      return { events, cancel };
    });
    if (!r) return;
    this.d.publish(r.events);
    if (r.cancel) this.hangup(r.cancel);
    this.d.dispatchSoon();
  }

  /** The customer's call was answered (AnsweredBy from answering-machine detection): join the agent, or hang up on a machine. */
  customerAnswered(attemptId: number, callSid: string, answeredBy: string | undefined): { join: boolean; conference?: string; machine?: boolean } {
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const a = this.adopt(attemptId, callSid, now);
      if (!a || a.state === 'ended' || !a.agentId) return { join: false };
      if (isMachine(answeredBy)) {
        this.d.attempts.update(a.id, { answeredBy: answeredBy! });
        return { join: false, machine: true };
      }
      const agent = this.d.presence.get(a.agentId);
      if (agent?.state !== 'on_call' || this.d.interactions.liveForAgent(a.agentId) || !a.agentCallSid) {
        this.d.attempts.update(a.id, { answeredBy: answeredBy ?? 'unknown', note: 'the agent was no longer on the line' });
        return { join: false };
      }
      const ix = this.d.interactions.outbound({
        callSid,
        agentId: a.agentId,
        callbackId: a.callbackId,
        attemptId: a.id,
        conference: a.conference!,
        agentCallSid: a.agentCallSid,
        offeredAt: a.dialedAt ?? a.createdAt,
        at: now,
      });
      this.d.attempts.update(a.id, { answeredBy: answeredBy ?? 'unknown', interactionId: ix.id });
      this.d.calls.update(callSid, { status: 'in-progress', answeredAt: now });
      this.d.calls.appendEvent({ callSid, dedupeKey: `callback:answered:${a.id}`, type: 'callback.answered', data: { attemptId: a.id, callbackId: a.callbackId, agentId: a.agentId, answeredBy: answeredBy ?? null }, at: now });
      this.d.callbacks.attemptFinished(a.callbackId, 'answered', now);
      const events: DomainEvent[] = [{ type: 'CallbackConnected', attemptId: a.id, callbackId: a.callbackId, agentId: a.agentId, interactionId: ix.id, callSid, at: now }];
      return { join: true, conference: a.conference!, events };
    });
    if ('events' in r && r.events) this.d.publish(r.events);
    return { join: r.join, conference: r.conference, machine: r.machine };
  }

  /** A status callback of the customer's call: adopt its CallSid early, and at the end record the result. */
  customerStatus(attemptId: number, callSid: string, status: string, p: { answeredBy?: string; durationSeconds?: number }): void {
    const now = this.d.clock.now();
    if (!FINAL.has(status)) {
      this.d.transact(() => {
        if (this.adopt(attemptId, callSid, now)) this.d.calls.update(callSid, { status });
      });
      return;
    }
    const r = this.d.transact(() => {
      const a = this.adopt(attemptId, callSid, now);
      if (!a) return undefined;
      this.d.calls.update(callSid, { status, endedAt: now, ...(p.durationSeconds !== undefined ? { durationSeconds: p.durationSeconds } : {}) });
      if (a.state === 'ended' || !a.agentId) return undefined;
      const answeredBy = a.answeredBy ?? p.answeredBy ?? null;
      const result: AttemptResult =
        status === 'completed' ? (a.interactionId ? 'answered' : isMachine(answeredBy) ? 'machine' : 'canceled') : (status as AttemptResult);
      if (!this.d.attempts.transition(a.id, LIVE_ATTEMPT_STATES, { state: 'ended', result, endedAt: now, answeredBy })) return undefined;
      const events: DomainEvent[] = [this.ended(a, result, now)];
      const ix = a.interactionId ? this.d.interactions.get(a.interactionId) : undefined;
      if (ix?.status === 'connected' && this.d.interactions.transition(ix.id, 'connected', { status: 'ended', endedAt: now })) {
        events.push({ type: 'CallEnded', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, at: now });
      }
      return { events, notice: result !== 'answered' ? a.agentCallSid : undefined, attemptId: a.id };
    });
    if (!r) return;
    this.d.publish(r.events);
    // Nobody to talk to: the agent hears why, then their leg ends (its status callback starts their wrap-up).
    if (r.notice) {
      const sid = r.notice;
      this.d.track(this.d.carrier.noticeToAgent(sid, r.attemptId).catch((err) => this.d.log.warn('could not tell the agent the callback result', { attemptId: r.attemptId, err: String(err) })));
    }
  }

  /** Agent rings whose status callback never came: treated as missed. */
  sweep(now: Date): void {
    const stale = new Date(now.getTime() - (this.d.offerTimeoutSeconds + 10) * 1000);
    for (const a of this.d.attempts.offeredBefore(stale)) {
      this.d.publish(this.d.transact(() => this.missed(a, now, a.agentCallSid ?? '')));
      if (a.agentCallSid) this.hangup(a.agentCallSid);
    }
  }

  /** The attempt, with the customer's CallSid recorded when the carrier tells us first (the worker died, or is slow). */
  private adopt(attemptId: number, callSid: string, now: Date): CallbackAttempt | undefined {
    const a = this.d.attempts.get(attemptId);
    if (!a) return undefined;
    if (a.callSid && a.callSid !== callSid) {
      this.d.log.warn('a status callback for an attempt names another call; ignored', { attemptId, callSid });
      return undefined;
    }
    if (!a.callSid) {
      const item = this.d.callbacks.get(a.callbackId);
      this.d.calls.insert({ sid: callSid, direction: 'outbound-api', from: '', to: item?.phone ?? '', status: 'queued', customerId: item?.customerId ?? null, startedAt: a.dialedAt ?? now });
      const placed = a.state === 'dialing' ? { state: 'placed' as const } : {};
      this.d.attempts.update(a.id, { callSid, ...placed });
      return { ...a, callSid, ...placed };
    }
    return a;
  }

  /** The agent did not answer the callback ring: agent to missed, the callback back to the list (not counted as an attempt). */
  private missed(a: CallbackAttempt, now: Date, agentCallSid: string): DomainEvent[] {
    if (!a.agentId || !this.d.attempts.transition(a.id, 'offered', { state: 'ended', result: 'agent_missed', endedAt: now, agentCallSid: a.agentCallSid ?? (agentCallSid || null) })) return [];
    const events: DomainEvent[] = [this.ended(a, 'agent_missed', now)];
    const changed = this.d.presenceService.apply(a.agentId, 'not-answered', now);
    if (changed) events.push(changed);
    this.d.dispatchSoon();
    return events;
  }

  /** Reports an attempt's result to the callback list (retry with backoff, or close) and builds its event. */
  private ended(a: CallbackAttempt, result: AttemptResult, now: Date): DomainEvent {
    const next = result === 'answered' ? 'answered' : this.d.callbacks.attemptFinished(a.callbackId, result, now);
    return { type: 'CallbackAttemptEnded', attemptId: a.id, callbackId: a.callbackId, agentId: a.agentId!, result, next, at: now };
  }

  private hangup(callSid: string): void {
    this.d.track(this.d.carrier.hangup(callSid).catch((err) => this.d.log.warn('could not end a callback leg', { callSid, err: String(err) })));
  }
}

/** Reads the carrier answers for startup repair of attempts (see CallbackOffers.reconcile). */
export interface CallbackLegReads {
  fetchCall(callSid: string): Promise<{ status: string } | undefined>;
}

const LIVE_CALL = new Set(['queued', 'initiated', 'ringing', 'in-progress']);

/**
 * After a restart: attempts left offered or pending whose agent leg is gone are ended as if its status callback had
 * come (missed → back to the list; pending → not dialed), and placed attempts whose customer call ended get their
 * result. Attempts still live at the carrier are left to their webhooks; dialing ones to the dial job.
 */
export async function reconcileCallbackAttempts(offers: CallbackOffers, attempts: CallbackAttemptsRepo, reads: CallbackLegReads): Promise<number> {
  let repaired = 0;
  for (const a of attempts.inStates(['offered', 'pending', 'placed'])) {
    if (a.state === 'placed' && a.callSid) {
      const call = await reads.fetchCall(a.callSid);
      if (!call || !LIVE_CALL.has(call.status)) {
        offers.customerStatus(a.id, a.callSid, call && FINAL.has(call.status) ? call.status : 'failed', {});
        repaired++;
      }
      continue;
    }
    const leg = a.agentCallSid ? await reads.fetchCall(a.agentCallSid) : undefined;
    if (leg && LIVE_CALL.has(leg.status)) continue;
    offers.agentLegStatus(a.id, leg?.status && FINAL.has(leg.status) ? leg.status : 'failed', a.agentCallSid ?? '');
    repaired++;
  }
  return repaired;
}
