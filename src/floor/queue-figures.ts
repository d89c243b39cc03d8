// The queues' figures on the floor (pure): service level, abandons and answer time per period, from per-minute
// counts of the queue entries that ended; and the seam for the estimated wait.
import type { Desk } from '../events/domain-events';

/** A caller who hangs up within this many seconds of being queued is a short abandon, counted apart. */
export const SHORT_ABANDON_SECONDS = 5;

/** How the queue entries that ended in one minute (or any range) in one queue ended. */
export interface QueueOutcomeCounts {
  /** Reached an agent (the entry was bridged). */
  answered: number;
  /** Answered within the queue's service-level threshold. */
  answeredInTime: number;
  /** Hung up after at least SHORT_ABANDON_SECONDS. */
  abandoned: number;
  shortAbandoned: number;
  /** Left the queue otherwise: a callback asked for, a voicemail, redirected, failed. */
  otherEnded: number;
  /** Sum of the answered calls' waits, in ms. */
  answerWaitMs: number;
}

export const NO_OUTCOMES: Readonly<QueueOutcomeCounts> = { answered: 0, answeredInTime: 0, abandoned: 0, shortAbandoned: 0, otherEnded: 0, answerWaitMs: 0 };

export function addOutcomes(a: QueueOutcomeCounts, b: QueueOutcomeCounts): QueueOutcomeCounts {
  return {
    answered: a.answered + b.answered,
    answeredInTime: a.answeredInTime + b.answeredInTime,
    abandoned: a.abandoned + b.abandoned,
    shortAbandoned: a.shortAbandoned + b.shortAbandoned,
    otherEnded: a.otherEnded + b.otherEnded,
    answerWaitMs: a.answerWaitMs + b.answerWaitMs,
  };
}

/** A period's figures as the floor shows them. */
export interface PeriodFigures {
  /** Calls that ended their wait, short abandons excluded: answered + abandoned + otherEnded. */
  offered: number;
  answered: number;
  answeredInTime: number;
  abandoned: number;
  shortAbandoned: number;
  /** answeredInTime / offered, in percent (one decimal); null with nothing offered. */
  serviceLevel: number | null;
  /** abandoned / offered, in percent (one decimal); null with nothing offered. */
  abandonRate: number | null;
  /** Mean wait of the answered calls, seconds (one decimal); null with none answered. */
  averageAnswerSeconds: number | null;
}

const pct = (n: number, d: number) => (d > 0 ? Math.round((1000 * n) / d) / 10 : null);

export function periodFigures(c: QueueOutcomeCounts): PeriodFigures {
  const offered = c.answered + c.abandoned + c.otherEnded;
  return {
    offered,
    answered: c.answered,
    answeredInTime: c.answeredInTime,
    abandoned: c.abandoned,
    shortAbandoned: c.shortAbandoned,
    serviceLevel: pct(c.answeredInTime, offered),
    abandonRate: pct(c.abandoned, offered),
    averageAnswerSeconds: c.answered > 0 ? Math.round(c.answerWaitMs / c.answered / 100) / 10 : null,
  };
}

/** Sums the per-minute counts of one queue over the minutes [fromMinute, toMinute]. */
export function sumMinutes(byMinute: ReadonlyMap<number, QueueOutcomeCounts> | undefined, fromMinute: number, toMinute: number): QueueOutcomeCounts {
  let total: QueueOutcomeCounts = { ...NO_OUTCOMES };
  if (!byMinute) return total;
  for (const [minute, c] of byMinute) if (minute >= fromMinute && minute <= toMinute) total = addOutcomes(total, c);
  return total;
}

/** What the estimated wait is computed from: one queue, its desk's people and its recent traffic. */
export interface WaitEstimateInput {
  queue: string;
  desk: Desk;
  /** Callers waiting on the desk (every queue of it): a new caller is behind all of them. */
  waitingOnDesk: number;
  /** Agents taking calls on the desk (available, ringing, on a call, in wrap-up). */
  staffedOnDesk: number;
  availableOnDesk: number;
  /** Mean talk time of the last hour's conversations plus the queue's wrap-up; undefined with none. */
  averageHandleSeconds: number | undefined;
  /** Calls offered to the queue in the last 30 minutes (an arrival rate, for models that need one). */
  offeredLast30Minutes: number;
}

/** The seam for the estimated wait of a caller arriving now; undefined when nobody takes calls. Swap in Erlang C here. */
export type WaitEstimator = (input: WaitEstimateInput) => number | undefined;
