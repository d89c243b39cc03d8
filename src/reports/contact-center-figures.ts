// The contact-center figures, pure: stored event rows in, per 15-minute interval and dimension the sums and counts
// every figure is made of; and from those sums, the figures (docs/metrics.md writes each formula down).
import type { ReportDimension } from '../db/schema/reports';
import { QUARTER_MS, quarterOf } from './report-intervals';

/** The additive parts of the figures: any interval or group is the plain sum of its parts. */
export const COMPONENTS = [
  'offered',
  'answered',
  'abandoned',
  'shortAbandoned',
  'answeredInTarget',
  'answerWaitMs',
  'handled',
  'talkMs',
  'holdMs',
  'wrapUpMs',
  'staffedMs',
  'busyMs',
  'fcrCalls',
  'fcrResolved',
  'callbacksClosed',
  'callbacksReached',
  'callbackWaitMs',
  'surveys',
  'surveyRatingSum',
  'complaints',
  'evaluations',
  'evaluationScoreSum',
] as const;
export type ComponentName = (typeof COMPONENTS)[number];
export type Components = Record<ComponentName, number>;

export const emptyComponents = (): Components => Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Components;

export function addComponents(into: Components, from: Readonly<Components>): Components {
  for (const c of COMPONENTS) into[c] += from[c];
  return into;
}

/** A call that entered a queue (one queue entry), with the interaction that answered it, if any. */
export interface QueueEntryFact {
  queue: string;
  desk: string;
  status: string;
  enqueuedAt: number;
  endedAt: number | null;
  /** When the call itself began (the 72-hour window of first-contact resolution starts here). */
  callStartedAt: number;
  /** The customer (`c<id>`), else the calling number (`n<E.164>`); null when neither is known. */
  customerKey: string | null;
  /** The first interaction connected to the caller (not one withdrawn before the caller reached the agent). */
  answeredAt: number | null;
  agentId: number | null;
}

/** A conversation an agent had (inbound or a callback), connected and ended. */
export interface InteractionFact {
  id: number;
  agentId: number;
  queue: string | null;
  desk: string | null;
  answeredAt: number;
  endedAt: number;
}

export interface StateChangeFact {
  staffId: number;
  to: string;
  at: number;
}

/** A callback closed (done or failed; cancelled ones are not the center's miss and are left out by the repo). */
export interface CallbackFact {
  desk: string;
  queue: string | null;
  agentId: number | null;
  requestedAt: number;
  closedAt: number;
  reached: boolean;
  /** When the customer was reached: the reaching attempt's dial time, else the closing time. */
  reachedAt: number | null;
}

/** Something that happened at `at`, for a call of a queue/desk, by an agent: a complaint, an evaluation, a survey. */
export interface AttributedFact {
  at: number;
  agentId: number | null;
  queue: string | null;
  desk: string | null;
}
export interface EvaluationFact extends AttributedFact {
  score: number;
}
export interface SurveyFact extends AttributedFact {
  rating: number;
}

export interface FigureRows {
  /** The range, on 15-minute boundaries: facts outside it are ignored. */
  from: number;
  to: number;
  /** Agent states still running and wrap-ups not yet over count up to here. */
  now: number;
  /** Entries enqueued in [from, to). */
  queueEntries: readonly QueueEntryFact[];
  /** Interactions that ended in [from, to). */
  interactions: readonly InteractionFact[];
  /**
   * Per agent: the last change before `from` (the state the range opens with), every change in [from, to), and the
   * first two changes from `to` on (where a wrap-up that began in the range ends).
   */
  stateChanges: readonly StateChangeFact[];
  /**
   * Inbound calls started in [from, to + 72 h) by the customers (or numbers) of the calls answered in the range: the
   * repeat calls first-contact resolution looks for.
   */
  repeatCalls: readonly { customerKey: string; startedAt: number }[];
  /** Callbacks closed in [from, to). */
  callbacks: readonly CallbackFact[];
  /** Complaint work orders created in [from, to). */
  complaints: readonly AttributedFact[];
  /** Counted evaluations (submitted or later, no calibration) submitted in [from, to). */
  evaluations: readonly EvaluationFact[];
  /** Post-call survey answers given in [from, to). */
  surveys: readonly SurveyFact[];
  /** Time on hold per interaction id. */
  holdMs: ReadonlyMap<number, number>;
  /** Each agent's team (null: none). */
  teamOf: ReadonlyMap<number, number | null>;
  /** Each queue's service-level target (seconds). */
  serviceLevelSeconds: ReadonlyMap<string, number>;
}

export interface FigureRules {
  /** A caller who hangs up sooner than this is a short abandon: counted apart, out of the service level. */
  shortAbandonMs: number;
  /** A repeat call from the same customer within this window after a call means the first did not resolve it. */
  fcrWindowMs: number;
  /** For a queue with no settings. */
  defaultServiceLevelSeconds: number;
  /** A wrap-up longer than this counts this long (an agent who forgot the state, not work). */
  wrapUpCapMs: number;
}

export const FIGURE_RULES: FigureRules = { shortAbandonMs: 5_000, fcrWindowMs: 72 * 3_600_000, defaultServiceLevelSeconds: 15, wrapUpCapMs: 6 * 3_600_000 };

/** Agent states that count as logged in and working (available or busy), and those of them that are busy handling. */
export const STAFFED_STATES: ReadonlySet<string> = new Set(['available', 'reserved', 'on_call', 'wrap_up']);
export const BUSY_STATES: ReadonlySet<string> = new Set(['on_call', 'wrap_up']);

export interface Cell {
  dimension: ReportDimension;
  key: string;
  intervalStart: number;
  c: Components;
}

const NONE = 'none';

/** Per dimension, key and 15-minute interval: the sums and counts of every figure, from the range's rows. */
export function rollUp(rows: FigureRows, rules: FigureRules = FIGURE_RULES): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  const inRange = (t: number) => t >= rows.from && t < rows.to;
  const cell = (dimension: ReportDimension, key: string, intervalStart: number) => {
    const id = `${dimension}|${intervalStart}|${key}`;
    let c = cells.get(id);
    if (!c) cells.set(id, (c = { dimension, key, intervalStart, c: emptyComponents() }));
    return c.c;
  };
  const teamKey = (agentId: number | null) => (agentId === null ? NONE : String(rows.teamOf.get(agentId) ?? NONE));
  /** Adds to the fact's cell in each of the four dimensions (or only the agent's two). */
  const add = (t: number, f: { agentId: number | null; queue?: string | null; desk?: string | null }, apply: (c: Components) => void, agentOnly = false) => {
    const q = quarterOf(t);
    if (!agentOnly) {
      apply(cell('desk', f.desk ?? NONE, q));
      apply(cell('queue', f.queue ?? NONE, q));
    }
    apply(cell('team', teamKey(f.agentId), q));
    apply(cell('agent', f.agentId === null ? NONE : String(f.agentId), q));
  };

  const repeats = new Map<string, number[]>();
  for (const r of rows.repeatCalls) {
    const list = repeats.get(r.customerKey);
    if (list) list.push(r.startedAt);
    else repeats.set(r.customerKey, [r.startedAt]);
  }
  for (const list of repeats.values()) list.sort((a, b) => a - b);
  const repeatedWithin = (key: string, after: number) => {
    const list = repeats.get(key);
    if (!list) return false;
    // The first call strictly after this one.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid] <= after) lo = mid + 1;
      else hi = mid;
    }
    return lo < list.length && list[lo] <= after + rules.fcrWindowMs;
  };

  for (const e of rows.queueEntries) {
    if (!inRange(e.enqueuedAt)) continue;
    const target = (rows.serviceLevelSeconds.get(e.queue) ?? rules.defaultServiceLevelSeconds) * 1000;
    const abandoned = e.answeredAt === null && e.status === 'abandoned';
    const short = abandoned && e.endedAt !== null && e.endedAt - e.enqueuedAt < rules.shortAbandonMs;
    const wait = e.answeredAt === null ? 0 : Math.max(0, e.answeredAt - e.enqueuedAt);
    const fcr = e.answeredAt !== null && e.customerKey !== null;
    const resolved = fcr && !repeatedWithin(e.customerKey!, e.callStartedAt);
    add(e.enqueuedAt, e, (c) => {
      c.offered += 1;
      if (abandoned) c.abandoned += 1;
      if (short) c.shortAbandoned += 1;
      if (e.answeredAt !== null) {
        c.answered += 1;
        c.answerWaitMs += wait;
        if (wait <= target) c.answeredInTarget += 1;
      }
      if (fcr) c.fcrCalls += 1;
      if (resolved) c.fcrResolved += 1;
    });
  }

  // Each agent's changes in time order, for wrap-ups and for the time spent in each state.
  const byAgent = new Map<number, StateChangeFact[]>();
  for (const s of rows.stateChanges) {
    const list = byAgent.get(s.staffId);
    if (list) list.push(s);
    else byAgent.set(s.staffId, [s]);
  }
  for (const list of byAgent.values()) list.sort((a, b) => a.at - b.at);

  for (const ix of rows.interactions) {
    if (!inRange(ix.endedAt)) continue;
    const talk = Math.max(0, ix.endedAt - ix.answeredAt);
    const hold = Math.min(talk, rows.holdMs.get(ix.id) ?? 0);
    const wrap = wrapUpAfter(byAgent.get(ix.agentId) ?? [], ix.endedAt, rows.now, rules.wrapUpCapMs);
    add(ix.endedAt, ix, (c) => {
      c.handled += 1;
      // Talk time is the conversation less its holds: talk + hold is the time connected.
      c.talkMs += talk - hold;
      c.holdMs += hold;
      c.wrapUpMs += wrap;
    });
  }

  // Logged-in time, split at each 15-minute boundary: agents and teams only (an agent serves several queues at once).
  const horizon = Math.min(rows.to, rows.now);
  for (const [agentId, list] of byAgent) {
    for (let i = 0; i < list.length; i++) {
      const state = list[i].to;
      if (!STAFFED_STATES.has(state)) continue;
      const start = Math.max(rows.from, list[i].at);
      const end = Math.min(horizon, i + 1 < list.length ? list[i + 1].at : horizon);
      const busy = BUSY_STATES.has(state);
      for (let t = start; t < end; ) {
        const q = quarterOf(t);
        const stop = Math.min(end, q + QUARTER_MS);
        const span = stop - t;
        add(t, { agentId }, (c) => {
          c.staffedMs += span;
          if (busy) c.busyMs += span;
        }, true);
        t = stop;
      }
    }
  }

  for (const cb of rows.callbacks) {
    if (!inRange(cb.closedAt)) continue;
    add(cb.closedAt, cb, (c) => {
      c.callbacksClosed += 1;
      if (cb.reached) {
        c.callbacksReached += 1;
        c.callbackWaitMs += Math.max(0, (cb.reachedAt ?? cb.closedAt) - cb.requestedAt);
      }
    });
  }
  for (const w of rows.complaints) if (inRange(w.at)) add(w.at, w, (c) => void (c.complaints += 1));
  for (const e of rows.evaluations) {
    if (!inRange(e.at)) continue;
    add(e.at, e, (c) => {
      c.evaluations += 1;
      c.evaluationScoreSum += e.score;
    });
  }
  for (const s of rows.surveys) {
    if (!inRange(s.at)) continue;
    add(s.at, s, (c) => {
      c.surveys += 1;
      c.surveyRatingSum += s.rating;
    });
  }
  return cells;
}

/** The wrap-up that began when the conversation ended: until the agent's next change, at most `cap`. */
function wrapUpAfter(changes: readonly StateChangeFact[], endedAt: number, now: number, cap: number): number {
  // The presence change is written in the same transaction as the interaction's end: same instant, give or take.
  const i = changes.findIndex((s) => s.to === 'wrap_up' && s.at >= endedAt - 1_000 && s.at <= endedAt + 5_000);
  if (i < 0) return 0;
  const end = i + 1 < changes.length ? changes[i + 1].at : now;
  return Math.max(0, Math.min(end - changes[i].at, cap));
}

/** The figures a supervisor reads, from one group's sums (null where the denominator is zero). */
export interface Figures {
  offered: number;
  answered: number;
  abandoned: number;
  shortAbandoned: number;
  abandonRate: number | null;
  serviceLevel: number | null;
  averageSpeedOfAnswerSeconds: number | null;
  handled: number;
  averageHandlingSeconds: number | null;
  averageTalkSeconds: number | null;
  averageHoldSeconds: number | null;
  averageWrapUpSeconds: number | null;
  occupancy: number | null;
  firstContactResolution: number | null;
  callbacksClosed: number;
  callbacksReached: number;
  callbackCompletion: number | null;
  averageTimeToCallbackSeconds: number | null;
  surveys: number;
  satisfaction: number | null;
  complaints: number;
  complaintRate: number | null;
  evaluations: number;
  qualityScore: number | null;
}

const round = (v: number, places: number) => Math.round(v * 10 ** places) / 10 ** places;
const ratio = (num: number, den: number, places = 4) => (den > 0 ? round(num / den, places) : null);
const seconds = (ms: number, count: number) => (count > 0 ? round(ms / count / 1000, 1) : null);

export function figuresOf(c: Readonly<Components>): Figures {
  const handlingMs = c.talkMs + c.holdMs + c.wrapUpMs;
  return {
    offered: c.offered,
    answered: c.answered,
    abandoned: c.abandoned,
    shortAbandoned: c.shortAbandoned,
    abandonRate: ratio(c.abandoned - c.shortAbandoned, c.offered - c.shortAbandoned),
    serviceLevel: ratio(c.answeredInTarget, c.offered - c.shortAbandoned),
    averageSpeedOfAnswerSeconds: seconds(c.answerWaitMs, c.answered),
    handled: c.handled,
    averageHandlingSeconds: seconds(handlingMs, c.handled),
    averageTalkSeconds: seconds(c.talkMs, c.handled),
    averageHoldSeconds: seconds(c.holdMs, c.handled),
    averageWrapUpSeconds: seconds(c.wrapUpMs, c.handled),
    occupancy: ratio(c.busyMs, c.staffedMs),
    firstContactResolution: ratio(c.fcrResolved, c.fcrCalls),
    callbacksClosed: c.callbacksClosed,
    callbacksReached: c.callbacksReached,
    callbackCompletion: ratio(c.callbacksReached, c.callbacksClosed),
    averageTimeToCallbackSeconds: seconds(c.callbackWaitMs, c.callbacksReached),
    surveys: c.surveys,
    satisfaction: c.surveys > 0 ? round(c.surveyRatingSum / c.surveys, 2) : null,
    complaints: c.complaints,
    complaintRate: ratio(c.complaints, c.answered),
    evaluations: c.evaluations,
    qualityScore: c.evaluations > 0 ? round(c.evaluationScoreSum / c.evaluations, 1) : null,
  };
}

export const FIGURE_COLUMNS = [
  'offered',
  'answered',
  'abandoned',
  'shortAbandoned',
  'abandonRate',
  'serviceLevel',
  'averageSpeedOfAnswerSeconds',
  'handled',
  'averageHandlingSeconds',
  'averageTalkSeconds',
  'averageHoldSeconds',
  'averageWrapUpSeconds',
  'occupancy',
  'firstContactResolution',
  'callbacksClosed',
  'callbacksReached',
  'callbackCompletion',
  'averageTimeToCallbackSeconds',
  'surveys',
  'satisfaction',
  'complaints',
  'complaintRate',
  'evaluations',
  'qualityScore',
] as const satisfies readonly (keyof Figures)[];
