// What a waiting caller hears (position, estimated wait, the callback offer) and how their wait ends.
import type { CallsRepo } from '../calls/calls.repo';
import type { Transact } from '../db/transaction';
import type { DomainEvent, EventBus } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { Language } from '../ivr/flow-types';
import type { CallbackRequestsRepo } from '../outbound/callback-requests.repo';
import type { StaffingRepo } from '../staffing/staffing.repo';
import { averageSpeedOfAnswer, expectedWaitInLine, trafficIntensity } from '../staffing/erlang-c';
import type { PresenceRepo } from './presence.repo';
import type { QueueEntriesRepo, QueueEntry, QueueEntryStatus } from './queue-entries.repo';
import { DEFAULT_HANDLE_SECONDS } from './routing-policy';

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
  /** The window of recent calls the handling time is averaged over. @default 3600 */
  figuresWindowSeconds?: number;
  /** With no call handled in that window, how far back to look before assuming the default (180 s). @default 7 days */
  historySeconds?: number;
  /** The window the arrival rate is measured over. @default 900 */
  arrivalWindowSeconds?: number;
  /** How long the desk's figures (handling time, agents staffed, arrival rate) are reused. @default 5 */
  figuresCacheSeconds?: number;
}

/** What the Erlang C model of a desk is fed with, now. */
export interface DeskFigures {
  /** Agents signed in on the desk and not on a break. */
  staffed: number;
  /** Mean agent time per call: ring and talk (from the stored interactions) plus wrap-up (as logged, else the queue's rule). */
  averageHandleSeconds: number;
  /** Where the handling time comes from: the last hour, the longer history, or the default. */
  handleTimeFrom: 'recent' | 'history' | 'default';
  /** Callers queued on the desk per second, over the arrival window. */
  arrivalsPerSecond: number;
}

/** The figures the estimated wait reads (StaffingRepo). */
export type WaitFigures = Pick<StaffingRepo, 'recentHandling' | 'recentWrapUpSeconds' | 'arrivalsSince' | 'ringingOnDesk' | 'availableOnDesk'>;

export class QueueWaitService {
  private readonly announceEvery: number;
  private readonly window: number;
  private readonly history: number;
  private readonly arrivalWindow: number;
  private readonly cacheMs: number;
  private readonly cache = new Map<string, { at: number; talk: { seconds: number; from: DeskFigures['handleTimeFrom'] }; wrapUp?: number; staffed: number; arrivals: number }>();

  constructor(
    private readonly d: {
      calls: CallsRepo;
      queue: QueueEntriesRepo;
      callbacks: CallbackRequestsRepo;
      figures: WaitFigures;
      presence: Pick<PresenceRepo, 'staffedOnDesk'>;
      rules: { get(queue: string): WaitRules };
      transact: Transact;
      clock: Clock;
      events: EventBus;
      options?: QueueWaitOptions;
    },
  ) {
    this.announceEvery = d.options?.announceEverySeconds ?? 30;
    this.window = d.options?.figuresWindowSeconds ?? 3600;
    this.history = d.options?.historySeconds ?? 7 * 86_400;
    this.arrivalWindow = d.options?.arrivalWindowSeconds ?? 900;
    this.cacheMs = (d.options?.figuresCacheSeconds ?? 5) * 1000;
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
    return { language, overflow, announce: { position, estimatedWaitSeconds: this.estimate(entry, position) } };
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

  /**
   * The Erlang C model's inputs for the queue's desk now: agent time per call is ring and talk (calls in progress
   * counted for their time so far) plus the wrap-up the desk's agents actually took lately (else the queue's rule).
   */
  deskFigures(queue: string): DeskFigures {
    const rules = this.d.rules.get(queue);
    const nowDate = this.d.clock.now();
    const now = nowDate.getTime();
    let c = this.cache.get(rules.desk);
    if (!c || now - c.at >= this.cacheMs || now < c.at) {
      const recent = this.d.figures.recentHandling(rules.desk, new Date(now - this.window * 1000), nowDate);
      const older = recent.averageSeconds === undefined ? this.d.figures.recentHandling(rules.desk, new Date(now - this.history * 1000), nowDate) : undefined;
      const talk =
        recent.averageSeconds !== undefined
          ? { seconds: recent.averageSeconds, from: 'recent' as const }
          : older?.averageSeconds !== undefined
            ? { seconds: older.averageSeconds, from: 'history' as const }
            : { seconds: NaN, from: 'default' as const };
      const wrapUp = talk.from === 'default' ? undefined : this.d.figures.recentWrapUpSeconds(rules.desk, new Date(now - (talk.from === 'recent' ? this.window : this.history) * 1000));
      c = {
        at: now,
        talk,
        wrapUp,
        staffed: this.d.presence.staffedOnDesk(rules.desk),
        arrivals: this.d.figures.arrivalsSince(rules.desk, new Date(now - this.arrivalWindow * 1000)),
      };
      this.cache.set(rules.desk, c);
    }
    const averageHandleSeconds = c.talk.from === 'default' ? DEFAULT_HANDLE_SECONDS : c.talk.seconds + (c.wrapUp ?? rules.wrapUpSeconds);
    return { staffed: c.staffed, averageHandleSeconds, handleTimeFrom: c.talk.from, arrivalsPerSecond: c.arrivals / this.arrivalWindow };
  }

  /**
   * The expected wait of a caller joining the queue now, for the floor: Erlang C's average speed of answer from the
   * arrival rate, handling time and agents staffed. Overloaded (the traffic needs every agent or more), the queue
   * has no steady state: then the wait of a caller joining behind everyone waiting now. Undefined with nobody staffed.
   */
  expectedWaitForNewCaller(queue: string, waitingOnDesk: number): number | undefined {
    const f = this.deskFigures(queue);
    if (f.staffed < 1) return undefined;
    const erlangs = trafficIntensity(f.arrivalsPerSecond, f.averageHandleSeconds);
    const asa = averageSpeedOfAnswer(f.staffed, erlangs, f.averageHandleSeconds);
    if (Number.isFinite(asa)) return Math.round(asa);
    const desk = this.d.rules.get(queue).desk;
    return Math.round(expectedWaitInLine(waitingOnDesk + 1 - this.d.figures.ringingOnDesk(desk) - this.d.figures.availableOnDesk(desk), f.staffed, f.averageHandleSeconds));
  }

  /**
   * The same model for a caller already in line: their place says how many agents must come free before them (the
   * callers ahead, less those already being rung and the agents idle now), and with all N busy one comes free every
   * AHT / N seconds on average. Undefined (no promise made) when nobody is staffed.
   */
  private estimate(entry: QueueEntry, position: number): number | undefined {
    const f = this.deskFigures(entry.queue);
    if (f.staffed < 1) return undefined;
    if (entry.reservedBy !== null) return 0;
    const releases = position - this.d.figures.ringingOnDesk(entry.desk) - this.d.figures.availableOnDesk(entry.desk);
    return Math.round(expectedWaitInLine(releases, f.staffed, f.averageHandleSeconds));
  }
}

function left(entry: QueueEntry, outcome: 'callback' | 'voicemail', at: Date): DomainEvent {
  return { type: 'CallLeftQueue', callSid: entry.callSid, queue: entry.queue, waitSeconds: entry.waitSeconds ?? 0, outcome, at };
}
