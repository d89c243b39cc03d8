// The floor's board: every queue's figures, every desk's people, every signed-in agent's state and call, computed
// once per tick from the stored rows and shared by the API and every WebSocket client; plus the deltas between two.
import type { AgentStateName } from '../db/schema/index';
import type { Desk } from '../events/domain-events';
import type { Clock } from '../ivr/ivr-call.service';
import type { AgentOnFloor } from '../acd/agent-desks.repo';
import { averageSpeedOfAnswer, expectedWaitInLine, trafficIntensity } from '../staffing/erlang-c';
import { FloorService, type FloorSnapshot, type QueueRulesView } from '../acd/floor.service';
import type { MonitoringOnFloor } from '../monitoring/live-monitoring.service';
import type { FloorFiguresRepo } from './floor-figures.repo';
import { NO_OUTCOMES, addOutcomes, periodFigures, sumMinutes, type PeriodFigures, type QueueOutcomeCounts, type WaitEstimator } from './queue-figures';

export const DESKS: readonly Desk[] = ['front', 'middle', 'back'];
const STAFFED: ReadonlySet<AgentStateName> = new Set(['available', 'reserved', 'on_call', 'wrap_up', 'missed']);

export type QueueRow = FloorSnapshot['queues'][number] & {
  /** What a caller arriving now would wait (the WaitEstimator's answer); null when nobody takes calls. */
  estimatedWaitSeconds: number | null;
  /** Since midnight in the center's time zone. */
  today: PeriodFigures;
  last30Minutes: PeriodFigures;
  /** Abandoned / offered over the last 15 minutes, percent; null with nothing offered. */
  abandonRateLast15Minutes: number | null;
  offeredLast15Minutes: number;
  /** Callbacks asked for by callers who left this queue, open and callable now. */
  callbacksDue: number;
};

export interface DeskRow {
  desk: Desk;
  /** Signed in and taking calls (available, ringing, on a call, in wrap-up). */
  staffed: number;
  available: number;
  onCall: number;
  wrapUp: number;
  onBreak: number;
  waiting: number;
  /** Every open callback of the desk callable now, whatever its type. */
  callbacksDue: number;
}

export interface AgentRow {
  id: number;
  username: string;
  displayName: string;
  team: { id: number; name: string } | null;
  desks: Desk[];
  state: AgentStateName;
  reason: string | null;
  since: Date | null;
  /** Seconds in the current state when the board was computed (clients count on from `since`). */
  secondsInState: number | null;
  /** The call the agent is ringing for or talking on. */
  call: { callSid: string; queue: string | null; direction: 'inbound' | 'outbound'; status: 'ringing' | 'talking'; since: Date } | null;
}

export interface Board {
  at: Date;
  queues: QueueRow[];
  /** Agents per desk and state (an agent on two desks counts on both), as GET /api/floor has always had it. */
  agents: FloorSnapshot['agents'];
  desks: DeskRow[];
  /** Every active agent not offline, by id. */
  roster: AgentRow[];
  /** Who listens in on which agent's call (listen, whisper, barge): "monitored by" on the agent's line. */
  monitoring: FloorSnapshot['monitoring'];
}

/** What changed between two boards; rows are whole (a client replaces them by name or id). */
export interface BoardDelta {
  at: Date;
  queues: QueueRow[];
  desks?: DeskRow[];
  agents?: FloorSnapshot['agents'];
  roster: AgentRow[];
  /** Agents gone from the roster (signed out, deactivated). */
  rosterGone: number[];
}

export interface FloorBoardOptions {
  /** The IANA zone whose midnight starts "today". */
  timeZone: string;
  /** The estimated wait; the default is the one callers hear in the queue (recent handling time, desk's agents). */
  estimateWait?: WaitEstimator;
}

/**
 * Erlang C from the board's own figures (the server passes the queue-wait service's, which callers hear): the average
 * speed of answer at the last 30 minutes' arrival rate; overloaded, the wait behind everyone on the desk.
 */
export const defaultWaitEstimator: WaitEstimator = (i) => {
  if (i.staffedOnDesk < 1 || i.averageHandleSeconds === undefined) return undefined;
  const asa = averageSpeedOfAnswer(i.staffedOnDesk, trafficIntensity(i.offeredLast30Minutes / 1800, i.averageHandleSeconds), i.averageHandleSeconds);
  if (Number.isFinite(asa)) return Math.round(asa);
  return Math.round(expectedWaitInLine(i.waitingOnDesk + 1 - i.availableOnDesk, i.staffedOnDesk, i.averageHandleSeconds));
};

const MINUTE = 60_000;

export class FloorBoard {
  private readonly base: FloorService;
  private readonly estimate: WaitEstimator;
  private roster: AgentOnFloor[] = [];
  private teams = new Map<number, number | null>();
  /** This compute's queues: the configured ones, then those nobody configured that had calls today (default rules). */
  private queues: (QueueRulesView & { wrapUpSeconds: number })[] = [];
  /** Per queue, per closed minute: final counts (minutes before `liveFrom`, read once). */
  private readonly frozen = new Map<string, Map<number, QueueOutcomeCounts>>();
  private frozenUntil?: number;
  private frozenSums?: { minute: number; sums: Map<string, PeriodSums> };
  private talk?: { at: number; seconds: number | undefined };

  constructor(
    private readonly d: {
      figures: FloorFiguresRepo;
      rules: { get(name: string): QueueRulesView & { wrapUpSeconds: number }; list(): (QueueRulesView & { wrapUpSeconds: number })[] };
      clock: Clock;
      options: FloorBoardOptions;
      /** Who listens in on which call: the snapshot's `monitoring`. */
      monitoring?: { onFloor(): MonitoringOnFloor[] };
    },
  ) {
    this.estimate = d.options.estimateWait ?? defaultWaitEstimator;
    const rules = d.rules;
    this.base = new FloorService({
      queue: { waiting: () => d.figures.waiting() },
      rules: { get: (n) => this.queues.find((q) => q.name === n) ?? rules.get(n), list: () => this.queues },
      agents: { agents: () => this.roster },
      clock: d.clock,
      monitoring: d.monitoring,
    });
  }

  compute(): Board {
    const now = this.d.clock.now();
    const nowMs = now.getTime();
    const byQueue = this.outcomes(nowMs);
    const rules = this.d.rules.list();
    const configured = new Set(rules.map((r) => r.name));
    this.queues = [...rules, ...[...byQueue.keys()].filter((q) => !configured.has(q)).sort().map((n) => this.d.rules.get(n))];
    this.roster = this.d.figures.agents();
    this.teams = new Map(this.roster.map((a) => [a.id, a.team?.id ?? null]));
    const snap = this.base.snapshot();
    const live = new Map(this.d.figures.liveConversations().map((c) => [c.agentId, c]));
    const due = this.d.figures.callbacksDue(now);

    const roster: AgentRow[] = [];
    const desks = new Map<Desk, DeskRow>(DESKS.map((desk) => [desk, { desk, staffed: 0, available: 0, onCall: 0, wrapUp: 0, onBreak: 0, waiting: 0, callbacksDue: 0 }]));
    for (const a of this.roster) {
      if (!a.active || a.presence.state === 'offline') continue;
      const state = a.presence.state;
      for (const { desk } of a.desks) {
        const row = desks.get(desk)!;
        if (STAFFED.has(state)) row.staffed++;
        if (state === 'available') row.available++;
        if (state === 'on_call' || state === 'reserved') row.onCall++;
        if (state === 'wrap_up') row.wrapUp++;
        if (state === 'break') row.onBreak++;
      }
      const c = live.get(a.id);
      roster.push({
        id: a.id,
        username: a.username,
        displayName: a.displayName,
        team: a.team,
        desks: a.desks.map((x) => x.desk),
        state,
        reason: a.presence.reason,
        since: a.presence.since,
        secondsInState: a.presence.since ? Math.max(0, Math.floor((nowMs - a.presence.since.getTime()) / 1000)) : null,
        call: c ? { callSid: c.callSid, queue: c.queue, direction: c.direction, status: c.status === 'connected' ? 'talking' : 'ringing', since: c.answeredAt ?? c.offeredAt } : null,
      });
    }
    for (const q of snap.queues) desks.get(q.desk)!.waiting += q.waiting;
    const dueByQueue = new Map<string, number>();
    for (const r of due) {
      desks.get(r.desk)!.callbacksDue += r.n;
      if (r.queue) dueByQueue.set(r.queue, (dueByQueue.get(r.queue) ?? 0) + r.n);
    }

    const handle = this.averageTalk(now);
    const queues: QueueRow[] = snap.queues.map((q) => {
      const sums = byQueue.get(q.name);
      const last30 = periodFigures(sums?.last30 ?? NO_OUTCOMES);
      const last15 = periodFigures(sums?.last15 ?? NO_OUTCOMES);
      const desk = desks.get(q.desk)!;
      const wait = this.estimate({
        queue: q.name,
        desk: q.desk,
        waitingOnDesk: desk.waiting,
        staffedOnDesk: desk.staffed,
        availableOnDesk: desk.available,
        averageHandleSeconds: handle === undefined ? undefined : handle + (this.queues.find((r) => r.name === q.name) ?? this.d.rules.get(q.name)).wrapUpSeconds,
        offeredLast30Minutes: last30.offered,
      });
      return {
        ...q,
        estimatedWaitSeconds: wait ?? null,
        today: periodFigures(sums?.today ?? NO_OUTCOMES),
        last30Minutes: last30,
        abandonRateLast15Minutes: last15.abandonRate,
        offeredLast15Minutes: last15.offered,
        callbacksDue: dueByQueue.get(q.name) ?? 0,
      };
    });
    return { at: now, queues, agents: snap.agents, desks: [...desks.values()], roster, monitoring: snap.monitoring };
  }

  /**
   * Per queue, the counts of today, the last 30 and the last 15 minutes: closed minutes are read once (and their
   * sums once a minute), the last two minutes are read live at each compute.
   */
  private outcomes(nowMs: number): Map<string, PeriodSums> {
    const minute = Math.floor(nowMs / MINUTE);
    const today = Math.floor(this.dayStart(new Date(nowMs)) / MINUTE);
    const keepFrom = Math.min(today, minute - 30);
    // The previous minute stays live a minute more: a webhook of its last seconds may commit a little late.
    const liveFrom = minute - 1;
    for (const m of this.frozen.values()) for (const k of m.keys()) if (k < keepFrom) m.delete(k);
    if (this.frozenUntil === undefined || this.frozenUntil < keepFrom) this.frozenUntil = keepFrom;
    if (this.frozenUntil < liveFrom) {
      for (const r of this.d.figures.outcomesByMinute(new Date(this.frozenUntil * MINUTE), new Date(liveFrom * MINUTE))) put(this.frozen, r.queue, r.minute, r);
      this.frozenUntil = liveFrom;
      this.frozenSums = undefined;
    }
    if (this.frozenSums?.minute !== minute) {
      const sums = new Map<string, PeriodSums>();
      for (const [q, m] of this.frozen) sums.set(q, { today: sumMinutes(m, today, minute), last30: sumMinutes(m, minute - 29, minute), last15: sumMinutes(m, minute - 14, minute) });
      this.frozenSums = { minute, sums };
    }
    const all = new Map<string, PeriodSums>();
    for (const [q, s] of this.frozenSums.sums) all.set(q, { ...s });
    for (const r of this.d.figures.outcomesByMinute(new Date(liveFrom * MINUTE), new Date(nowMs + 1))) {
      const c = counts(r);
      const s = all.get(r.queue) ?? { today: { ...NO_OUTCOMES }, last30: { ...NO_OUTCOMES }, last15: { ...NO_OUTCOMES } };
      all.set(r.queue, {
        today: r.minute >= today ? addOutcomes(s.today, c) : s.today,
        last30: addOutcomes(s.last30, c),
        last15: addOutcomes(s.last15, c),
      });
    }
    return all;
  }

  /** Mean talk time of the last hour, re-read at most once a minute. */
  private averageTalk(now: Date): number | undefined {
    if (!this.talk || now.getTime() - this.talk.at >= MINUTE || now.getTime() < this.talk.at) {
      this.talk = { at: now.getTime(), seconds: this.d.figures.averageTalkSeconds(new Date(now.getTime() - 60 * MINUTE)) };
    }
    return this.talk.seconds;
  }

  /** The team of any agent account as of the last board (signed in or not); undefined for one it has not seen. */
  teamOf(agentId: number): number | null | undefined {
    return this.teams.get(agentId);
  }

  private dayStart(now: Date): number {
    return startOfDay(now, this.d.options.timeZone);
  }
}

interface PeriodSums {
  today: QueueOutcomeCounts;
  last30: QueueOutcomeCounts;
  last15: QueueOutcomeCounts;
}

function counts(c: QueueOutcomeCounts): QueueOutcomeCounts {
  return {
    answered: Number(c.answered),
    answeredInTime: Number(c.answeredInTime),
    abandoned: Number(c.abandoned),
    shortAbandoned: Number(c.shortAbandoned),
    otherEnded: Number(c.otherEnded),
    answerWaitMs: Number(c.answerWaitMs),
  };
}

function put(into: Map<string, Map<number, QueueOutcomeCounts>>, queue: string, minute: number, c: QueueOutcomeCounts): void {
  let m = into.get(queue);
  if (!m) into.set(queue, (m = new Map()));
  m.set(minute, addOutcomes(m.get(minute) ?? NO_OUTCOMES, counts(c)));
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Midnight of `now`'s date in `timeZone`, as epoch ms. */
export function startOfDay(now: Date, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) formats.set(timeZone, (format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric', second: 'numeric' })));
  const parts = format.formatToParts(now);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const sinceMidnight = ((get('hour') * 60 + get('minute')) * 60 + get('second')) * 1000 + now.getMilliseconds();
  return now.getTime() - sinceMidnight;
}

/** What makes an agent's row change (its seconds in state alone do not). */
const rowKey = (r: AgentRow) =>
  `${r.state}|${r.reason}|${r.since?.getTime()}|${r.displayName}|${r.team?.id}|${r.desks.join()}|${r.call ? `${r.call.callSid}|${r.call.status}|${r.call.since.getTime()}|${r.call.queue}` : ''}`;

/** The rows that differ between two boards (an agent's seconds in state alone is no change); undefined when none does. */
export function diffBoards(prev: Board | undefined, next: Board): BoardDelta | undefined {
  if (!prev) return { at: next.at, queues: next.queues, desks: next.desks, agents: next.agents, roster: next.roster, rosterGone: [] };
  const prevQueues = new Map(prev.queues.map((q) => [q.name, JSON.stringify(q)]));
  const queues = next.queues.filter((q) => prevQueues.get(q.name) !== JSON.stringify(q));
  const prevRoster = new Map(prev.roster.map((r) => [r.id, rowKey(r)]));
  const roster = next.roster.filter((r) => prevRoster.get(r.id) !== rowKey(r));
  const ids = new Set(next.roster.map((r) => r.id));
  const rosterGone = prev.roster.filter((r) => !ids.has(r.id)).map((r) => r.id);
  const desks = JSON.stringify(prev.desks) === JSON.stringify(next.desks) ? undefined : next.desks;
  const agents = JSON.stringify(prev.agents) === JSON.stringify(next.agents) ? undefined : next.agents;
  if (!queues.length && !roster.length && !rosterGone.length && !desks && !agents) return undefined;
  return { at: next.at, queues, desks, agents, roster, rosterGone };
}
