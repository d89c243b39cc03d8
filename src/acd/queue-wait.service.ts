// What a waiting caller hears (position, estimated wait, the callback offer) and how their wait ends.
import type { CallsRepo } from '../calls/calls.repo';
import type { Transact } from '../db/transaction';
import type { DomainEvent, EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Language } from '../ivr/flow-types';
import type { CallbackRequestsRepo } from '../outbound/callback-requests.repo';
import type { InteractionsRepo } from './interactions.repo';
import type { PresenceRepo } from './presence.repo';
import type { QueueEntriesRepo, QueueEntry, QueueEntryStatus } from './queue-entries.repo';
import { estimatedWaitSeconds } from './routing-policy';

export interface WaitTurn {
  language: Language;
  /** Set when the caller is due to hear their place again (about every 30 s). */
  announce?: { position: number; estimatedWaitSeconds?: number };
  /** The queue's maximum wait has passed: what to offer the caller (per the queue's overflow action). */
  overflow?: 'callback_or_voicemail' | 'voicemail';
}

export type QueueOutcome = 'bridged' | 'abandoned' | 'left' | 'failed';
export type WaitKeyOutcome = 'callback' | 'voicemail' | 'ignored';

export interface WaitRules {
  desk: QueueEntry['desk'];
  maxWaitSeconds: number;
  wrapUpSeconds: number;
  overflowAction: 'callback_or_voicemail' | 'voicemail' | 'queue';
  overflowQueue: string | null;
}

/** Twilio's QueueResult values mapped to how the wait ended. */
const outcomes: Record<string, QueueOutcome> = {
  bridged: 'bridged',
  'bridging-in-process': 'bridged',
  hangup: 'abandoned',
  leave: 'left',
  redirected: 'left',
  'redirected-from-waitUrl': 'left',
  'redirected-from-bridged': 'bridged',
  'queue-full': 'failed',
  error: 'failed',
  'system-error': 'failed',
};

export interface QueueWaitOptions {
  /** Seconds between position announcements. @default 30 */
  announceEverySeconds?: number;
  /** The window of recent calls the estimated wait is computed from. @default 3600 */
  figuresWindowSeconds?: number;
  /**
   * Real milliseconds the estimate's inputs (average talk time over the window, agents staffed per desk) are reused:
   * both are aggregates over many rows that move slowly, and every announcement needs them. @default 1000
   */
  figuresCacheMs?: number;
}

export class QueueWaitService {
  private readonly announceEvery: number;
  private readonly figuresCacheMs: number;
  private talkCache?: { at: number; value: number | undefined };
  private readonly staffedCache = new Map<string, { at: number; value: number }>();
  private readonly window: number;

  constructor(
    private readonly d: {
      calls: CallsRepo;
      queue: QueueEntriesRepo;
      callbacks: CallbackRequestsRepo;
      interactions: InteractionsRepo;
      presence: PresenceRepo;
      rules: { get(queue: string): WaitRules };
      transact: Transact;
      clock: Clock;
      events: EventBus;
      options?: QueueWaitOptions;
    },
  ) {
    this.announceEvery = d.options?.announceEverySeconds ?? 30;
    this.window = d.options?.figuresWindowSeconds ?? 3600;
    this.figuresCacheMs = d.options?.figuresCacheMs ?? 1000;
  }

  /** The wait loop came round: what the caller hears now. */
  turn(callSid: string): WaitTurn {
    const call = this.d.calls.get(callSid);
    const language = (call?.language as Language | null) ?? 'zh';
    let entry = this.d.queue.forCall(callSid);
    if (!entry || entry.status !== 'waiting') return { language };
    const now = this.d.clock.now();
    let rules = this.d.rules.get(entry.queue);
    if (this.waited(entry, now) >= rules.maxWaitSeconds && rules.overflowAction === 'queue' && rules.overflowQueue) {
      // Overflow to another queue (perhaps another desk): same priority, same time queued, so no place is lost.
      const to = this.d.rules.get(rules.overflowQueue);
      entry = this.d.queue.moveTo(entry.id, rules.overflowQueue, to.desk)!;
      this.d.calls.appendEvent({ callSid, dedupeKey: `overflow:${rules.overflowQueue}`, type: 'queue.overflowed', data: { to: rules.overflowQueue }, at: now });
      this.d.events.publish({ type: 'CallQueued', callSid, queue: entry.queue, desk: entry.desk, priority: entry.priority, at: now });
      rules = to;
    }
    const overflow = this.waited(entry, now) >= rules.maxWaitSeconds && rules.overflowAction !== 'queue' ? rules.overflowAction : undefined;
    const due = !entry.announcedAt || now.getTime() - entry.announcedAt.getTime() >= this.announceEvery * 1000;
    if (!due) return { language };
    this.d.queue.markAnnounced(entry.id, now);
    // The first round of the wait loop: the caller is in the carrier's queue now, ready to be offered.
    if (!entry.announcedAt) this.d.events.publish({ type: 'CallQueued', callSid, queue: entry.queue, desk: entry.desk, priority: entry.priority, at: entry.enqueuedAt });
    const position = this.d.queue.position(entry);
    return { language, overflow, announce: { position, estimatedWaitSeconds: this.estimate(entry, position, now) } };
  }

  /** A key pressed in the wait music: 1 asks for a callback (keeping the time waited); 2 a voicemail, once offered. */
  keyPressed(callSid: string, digits: string): WaitKeyOutcome {
    const now = this.d.clock.now();
    const r = this.d.transact(() => {
      const entry = this.d.queue.forCall(callSid);
      if (!entry || entry.status !== 'waiting') return undefined;
      const rules = this.d.rules.get(entry.queue);
      if (digits === '1') return { outcome: 'callback' as const, events: this.toCallback(entry, now) };
      if (digits === '2' && this.waited(entry, now) >= rules.maxWaitSeconds && rules.overflowAction !== 'queue') {
        const ended = this.d.queue.end(callSid, 'voicemail', now)!;
        this.d.calls.appendEvent({ callSid, dedupeKey: 'queue:ended', type: 'queue.voicemail', data: { queue: entry.queue, waitSeconds: ended.waitSeconds }, at: now });
        return { outcome: 'voicemail' as const, events: [left(ended, 'voicemail', now)] };
      }
      return undefined;
    });
    if (!r) return 'ignored';
    for (const e of r.events) this.d.events.publish(e);
    return r.outcome;
  }

  /**
   * A new caller admitted while the server sheds load: no IVR, straight into `queue` (a new caller's priority), with
   * one call row and one queue entry; the wait loop offers the callback as usual. A retried webhook adds nothing.
   */
  admitWithoutIvr(c: { callSid: string; from: string; to: string; direction: string; queue: string; desk: QueueEntry['desk'] }): void {
    const now = this.d.clock.now();
    this.d.transact(() => {
      if (!this.d.calls.insert({ sid: c.callSid, direction: c.direction, from: c.from, to: c.to, status: 'in-progress', startedAt: now, answeredAt: now })) return;
      this.d.queue.enqueue({ callSid: c.callSid, queue: c.queue, desk: c.desk, priority: 10, reason: 'shed', status: 'waiting', enqueuedAt: now });
      this.d.calls.appendEvent({ callSid: c.callSid, dedupeKey: `queued:${c.queue}`, type: 'queue.entered', data: { queue: c.queue, reason: 'shed' }, at: now });
    });
  }

  /** The caller must wait again (their agent vanished before they were connected): same place, same priority. */
  requeue(callSid: string): QueueEntry | undefined {
    return this.d.queue.reopen(callSid);
  }

  /** How the caller's wait ended, as the carrier reports it; the entry's own status wins if we ended it first. */
  ended(callSid: string, queueResult: string): QueueEntryStatus {
    const outcome = outcomes[queueResult] ?? 'failed';
    const now = this.d.clock.now();
    if (queueResult === 'queue-full') {
      // The carrier's queue is full (a rush past its max size): the caller is called back, keeping their place, not cut off.
      const events = this.d.transact(() => {
        const entry = this.d.queue.forCall(callSid);
        return entry?.status === 'waiting' ? this.toCallback(entry, now) : undefined;
      });
      if (events) {
        for (const e of events) this.d.events.publish(e);
        return 'callback';
      }
    }
    const entry = this.d.transact(() => {
      const e = this.d.queue.end(callSid, outcome, now);
      if (e) this.d.calls.appendEvent({ callSid, dedupeKey: 'queue:ended', type: `queue.${outcome}`, data: { queue: e.queue, queueResult, waitSeconds: e.waitSeconds }, at: now });
      return e;
    });
    if (entry?.status === 'abandoned') this.d.events.publish({ type: 'CallAbandoned', callSid, queue: entry.queue, waitSeconds: entry.waitSeconds ?? 0, at: now });
    return entry?.status ?? this.d.queue.forCall(callSid)?.status ?? outcome;
  }

  /** Inside a transaction: the waiting caller's entry ends as a callback request that keeps their priority and time waited. */
  private toCallback(entry: QueueEntry, now: Date): DomainEvent[] {
    const callSid = entry.callSid;
    const ended = this.d.queue.end(callSid, 'callback', now)!;
    const call = this.d.calls.get(callSid);
    const id = this.d.callbacks.add({
      callSid,
      customerId: call?.customerId ?? null,
      phone: call?.from ?? '',
      desk: entry.desk,
      reason: `queue:${entry.queue}`,
      language: call?.language ?? 'zh',
      queueSeconds: ended.waitSeconds ?? 0,
      // The caller keeps what they had in the queue: their priority, and (through queueSeconds) their place.
      priority: entry.priority,
      source: 'queue',
      requestedAt: now,
    });
    this.d.calls.appendEvent({ callSid, dedupeKey: 'queue:ended', type: 'queue.callback', data: { queue: entry.queue, waitSeconds: ended.waitSeconds }, at: now });
    const events: DomainEvent[] = [left(ended, 'callback', now)];
    if (id) events.push({ type: 'CallbackRequested', callbackId: id, desk: entry.desk, source: 'queue', at: now });
    return events;
  }

  private waited(entry: QueueEntry, now: Date): number {
    return (now.getTime() - entry.enqueuedAt.getTime()) / 1000;
  }

  private estimate(entry: QueueEntry, position: number, now: Date): number | undefined {
    const t = performance.now();
    if (!this.talkCache || t - this.talkCache.at >= this.figuresCacheMs) {
      this.talkCache = { at: t, value: this.d.interactions.averageTalkSeconds(new Date(now.getTime() - this.window * 1000)) };
    }
    let staffed = this.staffedCache.get(entry.desk);
    if (!staffed || t - staffed.at >= this.figuresCacheMs) this.staffedCache.set(entry.desk, (staffed = { at: t, value: this.d.presence.staffedOnDesk(entry.desk) }));
    const talk = this.talkCache.value;
    const handle = talk === undefined ? undefined : talk + this.d.rules.get(entry.queue).wrapUpSeconds;
    return estimatedWaitSeconds(position, { averageHandleSeconds: handle, staffedAgents: staffed.value });
  }
}

function left(entry: QueueEntry, outcome: 'callback' | 'voicemail', at: Date): DomainEvent {
  return { type: 'CallLeftQueue', callSid: entry.callSid, queue: entry.queue, waitSeconds: entry.waitSeconds ?? 0, outcome, at };
}
