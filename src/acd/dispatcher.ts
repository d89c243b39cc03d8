// The ACD's dispatcher: offers waiting calls to agents, connects them on answer, and puts missed calls back in place.
import type { Transact } from '../db/transaction';
import { Conflict, NotFound } from '../errors/domain-errors';
import type { DomainEvent, EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Logger } from '../logging/logger';
import type { CallsRepo } from '../calls/calls.repo';
import type { PresenceService } from './agent-presence.service';
import type { InteractionRow, InteractionsRepo } from './interactions.repo';
import type { Desk, PresenceRepo } from './presence.repo';
import type { QueueEntriesRepo, QueueEntry } from './queue-entries.repo';
import { bestCall, compareWaiting } from './routing-policy';
import { CallbackOffers, type CallbackCarrier, type CallbackOffer } from './callback-offers';
import type { CallbackRequestsRepo } from '../outbound/callback-requests.repo';
import type { CallbackAttemptsRepo } from '../outbound/callback-attempts.repo';
import type { OutboxRepo } from '../jobs/outbox.repo';
import { withCorrelation } from '../logging/correlation';

/** The carrier side of the ACD (implemented in telephony/ over the CallControl port). */
export interface AcdCarrier {
  /** Rings the agent's softphone for the interaction; resolves with the agent leg's CallSid. */
  ringAgent(o: { interactionId: number; identity: string; callerId: string; timeoutSeconds: number }): Promise<string>;
  /** Takes the waiting caller into the interaction's conference. */
  connectCaller(callSid: string, interactionId: number): Promise<void>;
  /** Ends the agent's leg, ringing or connected. */
  endAgentLeg(callSid: string): Promise<void>;
}

/** The carrier no longer has the call (it ended, or never existed there): nothing can be done with it. */
export class CallGone extends Error {
  constructor(readonly callSid: string) {
    super(`the carrier has no live call ${callSid}`);
    this.name = 'CallGone';
  }
}

export interface QueueRules {
  wrapUpSeconds: number;
}

export interface DispatcherOptions {
  /** How long an agent's softphone rings before the call goes back to the queue. @default 15 */
  offerTimeoutSeconds?: number;
  /**
   * Offers made in one go before the ACD yields to the event loop (and goes on in the next turn): each offer is a
   * transaction and a carrier request, and a rush that frees hundreds of agents at once must not hold every webhook
   * for half a second. @default 16
   */
  offersPerTurn?: number;
}

const DESKS: Desk[] = ['front', 'middle', 'back'];
const NOT_ANSWERED = new Set(['busy', 'no-answer', 'failed', 'canceled', 'completed']);
/** How long a conversation may stay marked connected after its caller's call ended before the agent leg is ended. */
const ORPHANED_LEG_GRACE_MS = 5_000;

/** The callback list and its carrier side: with them, free agents with no inbound caller waiting get callbacks. */
export interface OutboundDeps {
  callbacks: CallbackRequestsRepo;
  attempts: CallbackAttemptsRepo;
  outbox: OutboxRepo;
  carrier: CallbackCarrier;
}

export interface Offer {
  interaction: InteractionRow;
  entry: QueueEntry;
  username: string;
}

export class Dispatcher {
  readonly offerTimeoutSeconds: number;
  private readonly offersPerTurn: number;
  /** The outbound blend (callbacks), when the callback list is wired in. */
  readonly callbacks?: CallbackOffers;
  private readonly pending = new Set<Promise<unknown>>();
  private scheduled = false;
  private stopped = false;
  /** Set while startup reconciliation runs: no offer is made from rows the carrier may no longer back. */
  private held = false;
  /** The timer that ends the next wrap-up on time, and when it fires (epoch ms). */
  private wrapUpTimer?: NodeJS.Timeout;
  private wrapUpAt?: number;
  /** Conversations whose caller is gone and whose agent leg this sweep already ended (not ended twice). */
  private orphanedLegsEnded = new Set<number>();

  constructor(
    private readonly d: {
      queue: QueueEntriesRepo;
      presence: PresenceRepo;
      presenceService: PresenceService;
      interactions: InteractionsRepo;
      calls: CallsRepo;
      rules: { get(queue: string): QueueRules };
      transact: Transact;
      clock: Clock;
      events: EventBus;
      carrier: AcdCarrier;
      /** The softphone identity the carrier rings for an agent's username. */
      identity(username: string): string;
      log: Logger;
      options?: DispatcherOptions;
      outbound?: OutboundDeps;
    },
  ) {
    this.offerTimeoutSeconds = d.options?.offerTimeoutSeconds ?? 15;
    this.offersPerTurn = d.options?.offersPerTurn ?? 16;
    this.callbacks = d.outbound
      ? new CallbackOffers({
          ...d.outbound,
          presence: d.presence,
          presenceService: d.presenceService,
          interactions: d.interactions,
          calls: d.calls,
          transact: d.transact,
          clock: d.clock,
          identity: d.identity,
          log: d.log,
          offerTimeoutSeconds: this.offerTimeoutSeconds,
          publish: (events) => this.publish(events),
          track: (p) => this.track(p),
          dispatchSoon: () => this.dispatchSoon(),
        })
      : undefined;
    d.events.subscribe((e) => this.onEvent(e));
  }

  /**
   * Offers waiting calls to available agents until one side runs out, `offersPerTurn` at a time (the rest in the next
   * turn); returns the number of offers made now.
   */
  dispatch(): number {
    if (this.held || this.stopped) return 0;
    let offers = 0;
    for (;;) {
      if (offers >= this.offersPerTurn) {
        this.dispatchSoon();
        return offers;
      }
      const now = this.d.clock.now();
      // Inbound callers first; only an agent no waiting caller can go to is offered a callback.
      const made = this.d.transact(() => this.matchOne(now) ?? this.callbacks?.matchOne(now));
      if (!made) return offers;
      offers++;
      this.publish(made.events);
      if ('entry' in made.offer) this.ring(made.offer);
      else this.callbacks!.ring(made.offer);
    }
  }

  /** Preview mode: the agent asked to call this callback now; it is offered to them like any other (ring, then dial). */
  offerCallback(callbackId: number, agentId: number): CallbackOffer {
    if (!this.callbacks) throw new Error('the callback list is not wired into the ACD');
    if (this.held || this.stopped) throw new Conflict('the ACD is not taking offers right now; try again in a moment');
    const r = this.callbacks.offerTo(callbackId, agentId);
    this.publish(r.events);
    this.callbacks.ring(r);
    return r;
  }

  /**
   * A dispatcher hands a waiting call to a named agent: it rings them now, ahead of the queue's order. The agent must
   * be available (any desk: the dispatcher decides) and the call waiting and not ringing anyone; else Conflict.
   */
  offerCallTo(callSid: string, agentId: number): InteractionRow {
    if (this.held || this.stopped) throw new Conflict('the ACD is not taking offers right now; try again in a moment');
    const now = this.d.clock.now();
    const made = this.d.transact(() => {
      const entry = this.d.queue.forCall(callSid);
      if (!entry || entry.status !== 'waiting') throw new Conflict(`call ${callSid} is not waiting in a queue`);
      if (entry.reservedBy !== null) throw new Conflict(`call ${callSid} is ringing agent ${entry.reservedBy} now; try again when that offer ends`);
      const agent = this.d.presence.get(agentId);
      const username = this.d.presence.username(agentId);
      if (!agent || !username) throw new NotFound(`no agent ${agentId}`);
      if (agent.state !== 'available') throw new Conflict(`agent ${agentId} is ${agent.state}, not available`);
      if (!this.d.queue.reserve(entry.id, agentId)) throw new Conflict(`call ${callSid} was just offered to someone else`);
      const interaction = this.d.interactions.offer({ callSid, queueEntryId: entry.id, agentId, at: now });
      const events: DomainEvent[] = [{ type: 'CallOffered', interactionId: interaction.id, callSid, agentId, queue: entry.queue, at: now }];
      const changed = this.d.presenceService.apply(agentId, 'offered', now);
      if (changed) events.push(changed);
      return { offer: { interaction, entry, username }, events };
    });
    this.publish(made.events);
    this.ring(made.offer);
    return made.offer.interaction;
  }

  /** Coalesces many triggers (queued callers, freed agents) into one dispatch on the next turn. */
  dispatchSoon(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      try {
        this.dispatch();
      } catch (err) {
        this.d.log.error('dispatch failed', { err: String(err) });
      }
    });
  }

  /** The best waiting call for this agent, across every desk they serve (what they would be offered next). */
  bestCallFor(agentId: number): QueueEntry | undefined {
    return bestCall(this.d.presence.desksOf(agentId).map((d) => this.d.queue.head(d.desk)));
  }

  /** The agent answered: connect the caller, or tell the agent the caller is gone. */
  agentAnswered(interactionId: number, agentCallSid: string): { join: boolean; conference?: string } {
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const ix = this.d.interactions.get(interactionId);
      if (!ix || ix.status !== 'offered') return undefined;
      const entry = this.d.queue.forCall(ix.callSid);
      if (!entry || entry.status !== 'waiting') return undefined;
      this.d.interactions.transition(ix.id, 'offered', { status: 'connected', answeredAt: now, agentCallSid });
      const ended = this.d.queue.end(ix.callSid, 'bridged', now)!;
      this.d.calls.appendEvent({ callSid: ix.callSid, dedupeKey: `answered:${ix.id}`, type: 'agent.answered', data: { interactionId: ix.id, agentId: ix.agentId, waitSeconds: ended.waitSeconds }, at: now });
      const events: DomainEvent[] = [
        { type: 'CallAnswered', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, waitSeconds: ended.waitSeconds ?? 0, at: now },
      ];
      const changed = this.d.presenceService.apply(ix.agentId, 'answered', now);
      if (changed) events.push(changed);
      return { ix, events };
    });
    if (!r) return { join: false };
    this.publish(r.events);
    // Asked in the agent leg's webhook: the caller's REST call is logged under the caller's CallSid. It is sent once
    // this webhook's answer is written (the group commit answers in an earlier setImmediate of this turn), so the
    // carrier reads the agent's TwiML before it acts on the redirect.
    withCorrelation(r.ix.callSid, () => this.track(
      new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.d.carrier.connectCaller(r.ix.callSid, r.ix.id)).catch((err) => {
        this.d.log.warn('could not bring the caller to the agent; the caller waits again, the agent leg is ended', { interactionId: r.ix.id, err: String(err) });
        this.callerNotConnected(r.ix.id, err instanceof CallGone);
        // endLeg handles its own failure: a second rejection here once took the whole process down.
        this.endLeg(agentCallSid);
      }),
    ));
    return { join: true, conference: r.ix.conference };
  }

  /** The carrier could not redirect the caller to the agent: the caller keeps their place in the queue, the agent is freed. */
  private callerNotConnected(interactionId: number, callerGone: boolean): void {
    const now = this.d.clock.now();
    const events = this.d.transact(() => {
      const ix = this.d.interactions.get(interactionId);
      if (!ix || ix.status !== 'connected' || !this.d.interactions.transition(ix.id, 'connected', { status: 'withdrawn', endedAt: now })) return [];
      const entry = this.d.queue.forCall(ix.callSid);
      const call = this.d.calls.get(ix.callSid);
      // A caller still up waits again, same priority, same time queued; one the carrier no longer has is not offered again.
      const gone = callerGone || !!call?.endedAt;
      if (entry?.status === 'bridged') this.d.queue.reopen(ix.callSid);
      // A caller gone before reaching the agent was never answered: their entry ends abandoned, as if they hung up waiting.
      const abandoned = entry?.status === 'bridged' && gone ? this.d.queue.end(ix.callSid, 'abandoned', now) : undefined;
      if (abandoned) {
        this.d.calls.appendEvent({ callSid: ix.callSid, dedupeKey: 'queue:ended', type: 'queue.abandoned', data: { queue: abandoned.queue, waitSeconds: abandoned.waitSeconds }, at: now });
      }
      if (callerGone && !call?.endedAt) {
        this.d.calls.update(ix.callSid, { status: 'completed', endedAt: now });
        this.d.calls.appendEvent({ callSid: ix.callSid, dedupeKey: 'carrier:gone', type: 'call.gone', data: { interactionId: ix.id }, at: now });
      }
      const events: DomainEvent[] = [{ type: 'CallEnded', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, at: now }];
      if (abandoned) events.push({ type: 'CallAbandoned', callSid: ix.callSid, queue: abandoned.queue, waitSeconds: abandoned.waitSeconds ?? 0, at: now });
      const changed = this.d.presenceService.apply(ix.agentId, 'call-ended', now, this.d.rules.get(entry?.queue ?? '').wrapUpSeconds);
      if (changed) events.push(changed);
      return events;
    });
    this.publish(events);
    if (events.length) this.dispatchSoon();
  }

  /** A status callback for the agent's leg. */
  agentLegStatus(interactionId: number, status: string, agentCallSid: string): void {
    if (!NOT_ANSWERED.has(status)) return;
    const now = this.d.clock.now();
    const events = this.d.transact(() => {
      const ix = this.d.interactions.get(interactionId);
      if (!ix) return [];
      if (ix.status === 'offered') return this.missed(ix, now, agentCallSid);
      if (ix.status !== 'connected' || !this.d.interactions.transition(ix.id, 'connected', { status: 'ended', endedAt: now })) return [];
      const entry = this.d.queue.forCall(ix.callSid);
      const events: DomainEvent[] = [{ type: 'CallEnded', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, at: now }];
      const changed = this.d.presenceService.apply(ix.agentId, 'call-ended', now, this.d.rules.get(entry?.queue ?? '').wrapUpSeconds);
      if (changed) events.push(changed);
      return events;
    });
    this.publish(events);
    if (events.length) this.dispatchSoon();
  }

  /** The caller left the queue (hung up, chose a callback): withdraw an offer still ringing. */
  callerLeft(callSid: string): void {
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const ix = this.d.interactions.liveForCall(callSid);
      if (!ix || ix.status !== 'offered' || !this.d.interactions.transition(ix.id, 'offered', { status: 'withdrawn', endedAt: now })) return undefined;
      return { ix, changed: this.d.presenceService.apply(ix.agentId, 'withdrawn', now) };
    });
    if (!r) return;
    if (r.changed) this.publish([r.changed]);
    if (r.ix.agentCallSid) this.endLeg(r.ix.agentCallSid);
    this.dispatchSoon();
  }

  /** Periodic work: wrap-ups, silent agents, offers whose ring outlived the carrier's timeout, then dispatch. */
  sweep(): void {
    // Held for startup reconciliation: no agent is judged silent and no offer stale until the database is repaired.
    if (this.held) return;
    const now = this.d.clock.now();
    const { silent } = this.d.presenceService.sweep();
    for (const agent of silent) {
      const r = this.d.transact(() => {
        const events: DomainEvent[] = [];
        const ix = this.d.interactions.liveForAgent(agent.staffId);
        if (ix?.status === 'offered' && this.d.interactions.transition(ix.id, 'offered', { status: 'withdrawn', endedAt: now }) && ix.queueEntryId) {
          this.d.queue.release(ix.queueEntryId);
        }
        const changed = this.d.presenceService.apply(agent.staffId, 'went-silent', now);
        if (changed) events.push(changed);
        return { events, leg: ix?.status === 'offered' ? ix.agentCallSid : undefined };
      });
      this.d.log.warn('agent went silent (no heartbeat)', { agentId: agent.staffId, state: agent.state });
      this.publish(r.events);
      if (r.leg) this.endLeg(r.leg);
    }
    const stale = new Date(now.getTime() - (this.offerTimeoutSeconds + 10) * 1000);
    for (const ix of this.d.interactions.offeredBefore(stale)) {
      this.publish(this.d.transact(() => this.missed(ix, now, ix.agentCallSid ?? '')));
      if (ix.agentCallSid) this.endLeg(ix.agentCallSid);
    }
    this.callbacks?.sweep(now);
    this.endOrphanedLegs(now);
    this.dispatch();
    this.armWrapUps();
  }

  /**
   * Ends each wrap-up at its own time, not at the next sweep. With the sweep alone, every agent whose wrap-up ended in
   * that second came free at once: their offers, rings and answers reached the carrier as one burst a second, and
   * those webhooks waited on each other (bench:day). The sweep still ends any wrap-up the timer has not.
   */
  private armWrapUps(): void {
    if (this.stopped) return;
    const next = this.d.presence.nextWrapUpEnd()?.getTime();
    if (next === undefined || (this.wrapUpAt !== undefined && this.wrapUpAt <= next)) return;
    clearTimeout(this.wrapUpTimer);
    this.wrapUpAt = next;
    // At most a minute ahead, then it looks again: a far-off time must never overflow the timer into a 1-ms loop.
    this.wrapUpTimer = setTimeout(() => {
      this.wrapUpAt = undefined;
      if (this.stopped || this.held) return;
      try {
        this.d.presenceService.endDueWrapUps();
        this.armWrapUps();
      } catch (err) {
        this.d.log.error('ending wrap-ups failed', { err: String(err) });
      }
    }, Math.min(60_000, Math.max(0, next - this.d.clock.now().getTime())));
    this.wrapUpTimer.unref();
  }

  /**
   * A caller who hung up after being sent to the agent but before joining the conference never ends it (the conference
   * ends when a participant leaves), so the agent would sit alone in it: once the caller's call has been over for a few
   * seconds and the conversation is still marked connected, end the agent's leg (its status callback then ends the
   * interaction and starts wrap-up). Each leg is ended once.
   */
  private endOrphanedLegs(now: Date): void {
    const orphans = this.d.interactions.connectedWithCallerEndedBefore(new Date(now.getTime() - ORPHANED_LEG_GRACE_MS));
    const ended = new Set<number>();
    for (const ix of orphans) {
      ended.add(ix.id);
      if (this.orphanedLegsEnded.has(ix.id) || !ix.agentCallSid) continue;
      this.d.log.info('the caller is gone but the agent is still in the conference; ending the agent leg', { interactionId: ix.id, agentId: ix.agentId });
      this.endLeg(ix.agentCallSid);
    }
    this.orphanedLegsEnded = ended;
  }

  /** Makes no offers until release() (startup reconciliation). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
    this.dispatchSoon();
  }

  /** Makes no more offers (shutdown), then waits for the carrier requests under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.wrapUpTimer);
    await this.idle();
  }

  /** Resolves when the carrier requests started so far have settled (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private matchOne(now: Date): { offer: Offer; events: DomainEvent[] } | undefined {
    const heads = DESKS.map((desk) => this.d.queue.head(desk)).filter((h): h is QueueEntry => !!h);
    heads.sort(compareWaiting);
    for (const entry of heads) {
      const agent = this.d.presence.longestIdleOnDesk(entry.desk);
      if (!agent) continue;
      // A waiting call that already has a live offer (freed by a late callback) is held for that agent, not offered twice.
      const live = this.d.interactions.liveForCall(entry.callSid);
      if (live) {
        this.d.queue.reserve(entry.id, live.agentId);
        continue;
      }
      if (!this.d.queue.reserve(entry.id, agent.staffId)) continue;
      const interaction = this.d.interactions.offer({ callSid: entry.callSid, queueEntryId: entry.id, agentId: agent.staffId, at: now });
      const events: DomainEvent[] = [{ type: 'CallOffered', interactionId: interaction.id, callSid: entry.callSid, agentId: agent.staffId, queue: entry.queue, at: now }];
      const changed = this.d.presenceService.apply(agent.staffId, 'offered', now);
      if (changed) events.push(changed);
      return { offer: { interaction, entry, username: agent.username }, events };
    }
    return undefined;
  }

  private ring(o: Offer): void {
    const call = this.d.calls.get(o.entry.callSid);
    // Made from the ACD's sweep as often as from a webhook: the REST calls log under the caller's CallSid either way.
    withCorrelation(o.entry.callSid, () => this.track(
      this.d.carrier
        .ringAgent({ interactionId: o.interaction.id, identity: this.d.identity(o.username), callerId: call?.from ?? '', timeoutSeconds: this.offerTimeoutSeconds })
        .then((sid) =>
          this.d.transact(() => {
            const ix = this.d.interactions.get(o.interaction.id);
            if (ix && !ix.agentCallSid) this.d.interactions.update(ix.id, { agentCallSid: sid });
            // The offer was withdrawn or swept as missed while the carrier was still placing the leg: stop it ringing.
            if (ix?.status !== 'offered' && ix?.status !== 'connected') this.endLeg(sid);
          }),
        )
        .catch((err) => {
          this.d.log.warn('could not ring the agent; the call goes back to the queue', { interactionId: o.interaction.id, agentId: o.interaction.agentId, err: String(err) });
          this.agentLegStatus(o.interaction.id, 'failed', '');
        }),
    ));
  }

  /** The agent did not answer: agent to missed, the call back in the place it had. */
  private missed(ix: InteractionRow, now: Date, agentCallSid: string): DomainEvent[] {
    if (!this.d.interactions.transition(ix.id, 'offered', { status: 'missed', endedAt: now, agentCallSid: ix.agentCallSid ?? (agentCallSid || null) })) return [];
    if (ix.queueEntryId) this.d.queue.release(ix.queueEntryId);
    this.d.calls.appendEvent({ callSid: ix.callSid, dedupeKey: `missed:${ix.id}`, type: 'agent.missed', data: { interactionId: ix.id, agentId: ix.agentId }, at: now });
    const events: DomainEvent[] = [{ type: 'CallMissed', interactionId: ix.id, callSid: ix.callSid, agentId: ix.agentId, at: now }];
    const changed = this.d.presenceService.apply(ix.agentId, 'not-answered', now);
    if (changed) events.push(changed);
    this.dispatchSoon();
    return events;
  }

  private endLeg(callSid: string): void {
    this.track(this.d.carrier.endAgentLeg(callSid).catch((err) => this.d.log.warn('could not end the agent leg', { agentCallSid: callSid, err: String(err) })));
  }

  private onEvent(e: DomainEvent): void {
    if ((e.type === 'AgentStateChanged' && e.to === 'available') || e.type === 'CallQueued' || e.type === 'AgentDesksChanged') this.dispatchSoon();
    else if (e.type === 'AgentStateChanged' && e.to === 'wrap_up') this.armWrapUps();
    else if (e.type === 'CallAbandoned' || e.type === 'CallLeftQueue') this.callerLeft(e.callSid);
  }

  private publish(events: DomainEvent[]): void {
    for (const e of events) this.d.events.publish(e);
  }

  /** Every carrier request ends here: whatever its handlers throw is logged, never left as an unhandled rejection. */
  private track(p: Promise<unknown>): void {
    const t = p
      .catch((err) => this.d.log.error('ACD carrier request failed in its own handler', { err: String(err), stack: (err as Error)?.stack }))
      .finally(() => this.pending.delete(t));
    this.pending.add(t);
  }
}
