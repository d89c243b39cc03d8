// Reads the stored event logs of a time range as the figures' rows, and reads and writes the 15-minute rollup.
import { and, asc, desc, eq, gte, inArray, isNotNull, lt, notInArray, or, isNull, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import {
  agentStateLog,
  callHolds,
  callbackAttempts,
  callbackRequests,
  calls,
  evaluations,
  interactions,
  queueEntries,
  surveyResponses,
  queueSettings,
  recordings,
  reportRollups,
  reportRollupState,
  staff,
  teams,
  workOrders,
  type ReportDimension,
} from '../db/schema/index';
import type { ROLLUP_GRAINS } from '../db/schema/reports';

export type RollupGrain = (typeof ROLLUP_GRAINS)[number];
import { COMPONENTS, FIGURE_RULES, type Cell, type Components, type FigureRows, type SurveyFact } from './contact-center-figures';
import { intervalEnd, intervalStart } from './report-intervals';

const EVALUATION_COUNTED = ['submitted', 'acknowledged', 'disputed', 'resolved'] as const;
/** Callbacks the center chose not to place (cancelled, or a number on the do-not-call list) are not its misses. */
const CALLBACKS_NOT_COUNTED = ['cancelled', 'do_not_call'] as const;

export interface RolledCell {
  key: string;
  start: number;
  c: Components;
}

const customerKey = (customerId: number | null, from: string | null) => (customerId !== null ? `c${customerId}` : from ? `n${from}` : null);

export class ContactCenterRepo {
  constructor(private readonly db: Db) {}

  /** Every row the figures of [from, to) are computed from (see FigureRows for which rows). */
  rows(from: number, to: number, now: number): FigureRows {
    const f = new Date(from);
    const t = new Date(to);
    const answering = alias(interactions, 'answering');

    const entries = this.db
      .select({ id: queueEntries.id, queue: queueEntries.queue, desk: queueEntries.desk, status: queueEntries.status, enqueuedAt: queueEntries.enqueuedAt, endedAt: queueEntries.endedAt, callStartedAt: calls.startedAt, customerId: calls.customerId, from: calls.from })
      .from(queueEntries)
      .innerJoin(calls, eq(calls.sid, queueEntries.callSid))
      .where(and(gte(queueEntries.enqueuedAt, f), lt(queueEntries.enqueuedAt, t)))
      .all();
    // The first interaction that reached the caller answered the entry (one withdrawn before that did not).
    const answers = new Map<number, { agentId: number; answeredAt: number }>();
    for (const a of this.db
      .select({ entryId: answering.queueEntryId, agentId: answering.agentId, answeredAt: answering.answeredAt })
      .from(answering)
      .innerJoin(queueEntries, eq(queueEntries.id, answering.queueEntryId))
      .where(and(gte(queueEntries.enqueuedAt, f), lt(queueEntries.enqueuedAt, t), isNotNull(answering.answeredAt), inArray(answering.status, ['connected', 'ended'])))
      .all()) {
      const at = a.answeredAt!.getTime();
      const known = answers.get(a.entryId!);
      if (!known || at < known.answeredAt) answers.set(a.entryId!, { agentId: a.agentId, answeredAt: at });
    }

    const cbDesk = alias(callbackRequests, 'cb_desk');
    const ixRows = this.db
      .select({ id: interactions.id, agentId: interactions.agentId, queue: queueEntries.queue, entryDesk: queueEntries.desk, callbackDesk: cbDesk.desk, answeredAt: interactions.answeredAt, endedAt: interactions.endedAt })
      .from(interactions)
      .leftJoin(queueEntries, eq(queueEntries.id, interactions.queueEntryId))
      .leftJoin(cbDesk, eq(cbDesk.id, interactions.callbackId))
      .where(and(gte(interactions.endedAt, f), lt(interactions.endedAt, t), eq(interactions.status, 'ended'), isNotNull(interactions.answeredAt)))
      .all();

    const lastBefore = this.db
      .select({ staffId: agentStateLog.staffId, to: agentStateLog.to, at: agentStateLog.at })
      .from(agentStateLog)
      .where(and(eq(agentStateLog.staffId, sql.placeholder('staffId')), lt(agentStateLog.at, f)))
      .orderBy(desc(agentStateLog.at), desc(agentStateLog.id))
      .limit(1)
      .prepare();
    const firstFrom = this.db
      .select({ staffId: agentStateLog.staffId, to: agentStateLog.to, at: agentStateLog.at })
      .from(agentStateLog)
      .where(and(eq(agentStateLog.staffId, sql.placeholder('staffId')), gte(agentStateLog.at, t)))
      .orderBy(asc(agentStateLog.at), asc(agentStateLog.id))
      .limit(2)
      .prepare();
    const people = this.db.select({ id: staff.id, teamId: staff.teamId }).from(staff).all();
    // Per agent: the state the range opens with, its changes, and the first changes after it (where a wrap-up that
    // began in the range ends).
    const stateChanges: FigureRows['stateChanges'][number][] = [];
    for (const p of people) {
      const before = lastBefore.get({ staffId: p.id });
      if (before) stateChanges.push({ staffId: before.staffId, to: before.to, at: before.at.getTime() });
      // Two: a wrap-up written a moment after a conversation that ended just before `to` ends at the second.
      for (const after of firstFrom.all({ staffId: p.id })) stateChanges.push({ staffId: after.staffId, to: after.to, at: after.at.getTime() });
    }
    for (const s of this.db
      .select({ staffId: agentStateLog.staffId, to: agentStateLog.to, at: agentStateLog.at })
      .from(agentStateLog)
      .where(and(gte(agentStateLog.at, f), lt(agentStateLog.at, t)))
      .orderBy(asc(agentStateLog.at), asc(agentStateLog.id))
      .all())
      stateChanges.push({ staffId: s.staffId, to: s.to, at: s.at.getTime() });

    // The repeat calls first-contact resolution looks for: only of the customers and numbers answered in the range.
    const customerIds = new Set<number>();
    const numbers = new Set<string>();
    for (const e of entries) {
      if (!answers.has(e.id)) continue;
      if (e.customerId !== null) customerIds.add(e.customerId);
      else if (e.from) numbers.add(e.from);
    }
    const window = and(gte(calls.startedAt, f), lt(calls.startedAt, new Date(to + FIGURE_RULES.fcrWindowMs)), eq(calls.direction, 'inbound'));
    const repeatCalls: FigureRows['repeatCalls'][number][] = [];
    const ids = [...customerIds];
    for (let i = 0; i < ids.length; i += 500) {
      for (const c of this.db.select({ id: calls.customerId, startedAt: calls.startedAt }).from(calls).where(and(window, inArray(calls.customerId, ids.slice(i, i + 500)))).all())
        repeatCalls.push({ customerKey: `c${c.id}`, startedAt: c.startedAt.getTime() });
    }
    const froms = [...numbers];
    for (let i = 0; i < froms.length; i += 500) {
      for (const c of this.db.select({ from: calls.from, startedAt: calls.startedAt }).from(calls).where(and(window, isNull(calls.customerId), inArray(calls.from, froms.slice(i, i + 500)))).all())
        repeatCalls.push({ customerKey: `n${c.from}`, startedAt: c.startedAt.getTime() });
    }

    const cbEntry = alias(queueEntries, 'cb_entry');
    const reaching = sql<number | null>`(select min(coalesce(${callbackAttempts.dialedAt}, ${callbackAttempts.createdAt})) from ${callbackAttempts} where ${callbackAttempts.callbackId} = ${callbackRequests.id} and ${callbackAttempts.result} = 'answered')`;
    const reachingAgent = sql<number | null>`(select ${callbackAttempts.agentId} from ${callbackAttempts} where ${callbackAttempts.callbackId} = ${callbackRequests.id} and ${callbackAttempts.result} = 'answered' order by ${callbackAttempts.id} limit 1)`;
    const callbacks = this.db
      .select({ desk: callbackRequests.desk, queue: cbEntry.queue, ownerId: callbackRequests.ownerId, agentId: reachingAgent, requestedAt: callbackRequests.requestedAt, closedAt: callbackRequests.closedAt, outcome: callbackRequests.outcome, reachedAt: reaching })
      .from(callbackRequests)
      .leftJoin(cbEntry, eq(cbEntry.callSid, callbackRequests.callSid))
      .where(
        and(
          gte(callbackRequests.closedAt, f),
          lt(callbackRequests.closedAt, t),
          inArray(callbackRequests.status, ['done', 'failed']),
          or(isNull(callbackRequests.outcome), notInArray(callbackRequests.outcome, [...CALLBACKS_NOT_COUNTED])),
        ),
      )
      .all()
      .map((c) => ({
        desk: c.desk,
        queue: c.queue,
        agentId: c.agentId ?? c.ownerId,
        requestedAt: c.requestedAt.getTime(),
        closedAt: c.closedAt!.getTime(),
        reached: c.outcome === 'reached',
        reachedAt: c.reachedAt,
      }));

    const woEntry = alias(queueEntries, 'wo_entry');
    const complaints = this.db
      .select({ at: workOrders.createdAt, agentId: workOrders.agentId, queue: woEntry.queue, desk: woEntry.desk })
      .from(workOrders)
      .leftJoin(woEntry, eq(woEntry.callSid, workOrders.callSid))
      .where(and(gte(workOrders.createdAt, f), lt(workOrders.createdAt, t), eq(workOrders.category, 'complaint')))
      .all()
      .map((w) => ({ ...w, at: w.at.getTime() }));

    const evIx = alias(interactions, 'ev_ix');
    const evEntry = alias(queueEntries, 'ev_entry');
    const evaluated = this.db
      .select({ at: evaluations.submittedAt, agentId: evaluations.agentId, score: evaluations.score, desk: recordings.desk, queue: evEntry.queue })
      .from(evaluations)
      .innerJoin(recordings, eq(recordings.id, evaluations.recordingId))
      .leftJoin(evIx, eq(evIx.id, recordings.interactionId))
      .leftJoin(evEntry, eq(evEntry.id, evIx.queueEntryId))
      .where(and(gte(evaluations.submittedAt, f), lt(evaluations.submittedAt, t), eq(evaluations.calibration, false), inArray(evaluations.status, [...EVALUATION_COUNTED]), isNotNull(evaluations.score)))
      .all()
      .map((e) => ({ at: e.at!.getTime(), agentId: e.agentId, score: e.score!, desk: e.desk, queue: e.queue }));

    return {
      from,
      to,
      now,
      queueEntries: entries.map((e) => {
        const a = answers.get(e.id);
        return {
          queue: e.queue,
          desk: e.desk,
          status: e.status,
          enqueuedAt: e.enqueuedAt.getTime(),
          endedAt: e.endedAt?.getTime() ?? null,
          callStartedAt: e.callStartedAt.getTime(),
          customerKey: customerKey(e.customerId, e.from),
          answeredAt: a?.answeredAt ?? null,
          agentId: a?.agentId ?? null,
        };
      }),
      interactions: ixRows.map((i) => ({ id: i.id, agentId: i.agentId, queue: i.queue, desk: i.entryDesk ?? i.callbackDesk, answeredAt: i.answeredAt!.getTime(), endedAt: i.endedAt!.getTime() })),
      stateChanges,
      repeatCalls,
      callbacks,
      complaints,
      evaluations: evaluated,
      surveys: this.surveys(from, to),
      holdMs: this.holdMs(ixRows.map((i) => i.id)),
      teamOf: new Map(people.map((p) => [p.id, p.teamId])),
      serviceLevelSeconds: new Map(this.db.select({ name: queueSettings.name, s: queueSettings.serviceLevelSeconds }).from(queueSettings).all().map((q) => [q.name, q.s])),
    };
  }

  /** Milliseconds on hold per interaction (closed holds in `call_holds`); interactions never held are absent. */
  holdMs(interactionIds: readonly number[]): Map<number, number> {
    const held = new Map<number, number>();
    // SQLite binds at most 32,766 parameters: a month of interactions is read in chunks.
    for (let i = 0; i < interactionIds.length; i += 10_000) {
      const rows = this.db
        .select({ id: callHolds.interactionId, ms: sql<number>`sum(${callHolds.endedAt} - ${callHolds.startedAt})` })
        .from(callHolds)
        .where(and(inArray(callHolds.interactionId, interactionIds.slice(i, i + 10_000)), isNotNull(callHolds.endedAt)))
        .groupBy(callHolds.interactionId)
        .all();
      for (const r of rows) held.set(r.id, r.ms);
    }
    return held;
  }

  /** The post-call survey answers given in [from, to), with the queue and desk the caller was answered from. */
  surveys(from: number, to: number): SurveyFact[] {
    return this.db
      .select({ at: surveyResponses.answeredAt, rating: surveyResponses.rating, agentId: surveyResponses.agentId, queue: surveyResponses.queue, desk: surveyResponses.desk })
      .from(surveyResponses)
      .where(and(gte(surveyResponses.answeredAt, new Date(from)), lt(surveyResponses.answeredAt, new Date(to))))
      .all()
      .map((r) => ({ ...r, at: r.at.getTime() }));
  }

  /** Every interval starting before this is in the rollup; 0 when nothing is. */
  rolledThrough(): number {
    return this.db.select({ t: reportRollupState.rolledThrough }).from(reportRollupState).where(eq(reportRollupState.id, 1)).get()?.t ?? 0;
  }

  /** The first instant anything was logged (where a first rollup starts), or null on an empty database. */
  firstEventAt(): number | null {
    const a = this.db.select({ t: sql<number | null>`min(${calls.startedAt})` }).from(calls).get()?.t ?? null;
    const b = this.db.select({ t: sql<number | null>`min(${agentStateLog.at})` }).from(agentStateLog).get()?.t ?? null;
    const known = [a, b].filter((x): x is number => x !== null);
    return known.length ? Math.min(...known) : null;
  }

  /**
   * Replaces the rollup's 15-minute rows of [from, to) with `cells`, and the hour rows of the hours wholly inside it;
   * with `day`, that day's row too (the sums of all its cells); moves the watermark to `to` if it was behind. One
   * transaction, so a report never reads half a rewrite, nor a rolled day without its day row.
   */
  replaceRollup(from: number, to: number, cells: Iterable<Cell>, timeZone: string, now: Date, day?: { start: number; cells: Iterable<Cell> }): void {
    const rows = new Map<string, typeof reportRollups.$inferInsert>();
    const hours = new Map<number, [number, number]>();
    const put = (grain: RollupGrain, dimension: ReportDimension, key: string, start: number, c: Components) => {
      const id = `${grain}|${dimension}|${start}|${key}`;
      const row = rows.get(id);
      if (row) for (const name of COMPONENTS) (row[name] as number) += c[name];
      else rows.set(id, { dimension, grain, key, intervalStart: start, ...c });
    };
    const worth = (cell: Cell) => COMPONENTS.some((c) => cell.c[c] !== 0);
    for (const cell of cells) {
      if (cell.intervalStart < from || cell.intervalStart >= to || !worth(cell)) continue;
      let h = hours.get(cell.intervalStart);
      if (!h) {
        const hour = intervalStart(cell.intervalStart, 'hour', timeZone);
        hours.set(cell.intervalStart, (h = [hour, intervalEnd(hour, 'hour', timeZone)]));
      }
      put('15m', cell.dimension, cell.key, cell.intervalStart, cell.c);
      if (h[0] >= from && h[1] <= to) put('hour', cell.dimension, cell.key, h[0], cell.c);
    }
    if (day) for (const cell of day.cells) if (worth(cell)) put('day', cell.dimension, cell.key, day.start, cell.c);
    const values = [...rows.values()];
    this.db.transaction((tx) => {
      tx.delete(reportRollups).where(and(inArray(reportRollups.grain, ['15m', 'hour']), gte(reportRollups.intervalStart, from), lt(reportRollups.intervalStart, to))).run();
      if (day) tx.delete(reportRollups).where(and(eq(reportRollups.grain, 'day'), eq(reportRollups.intervalStart, day.start))).run();
      // SQLite allows 32766 variables a statement: 26 columns a row.
      for (let i = 0; i < values.length; i += 1000) tx.insert(reportRollups).values(values.slice(i, i + 1000)).run();
      tx.insert(reportRollupState)
        .values({ id: 1, rolledThrough: to, updatedAt: now })
        .onConflictDoUpdate({ target: reportRollupState.id, set: { rolledThrough: sql`max(${reportRollupState.rolledThrough}, excluded.rolled_through)`, updatedAt: now } })
        .run();
    });
  }

  /** The rollup's rows of one dimension and grain starting in [from, to), optionally of some keys only. */
  rolled(dimension: ReportDimension, grain: RollupGrain, from: number, to: number, keys?: readonly string[]): RolledCell[] {
    const where: SQL[] = [eq(reportRollups.dimension, dimension), eq(reportRollups.grain, grain), gte(reportRollups.intervalStart, from), lt(reportRollups.intervalStart, to)];
    if (keys) where.push(inArray(reportRollups.key, [...keys]));
    const columns = Object.fromEntries(COMPONENTS.map((c) => [c, reportRollups[c]])) as { [K in keyof Components]: (typeof reportRollups)[K] };
    // The row itself serves as its components (a month by agent and hour is some 12,000 rows: no copies).
    return this.db
      .select({ key: reportRollups.key, start: reportRollups.intervalStart, ...columns })
      .from(reportRollups)
      .where(and(...where))
      .all()
      .map((r) => ({ key: r.key, start: r.start, c: r as Components }));
  }

  /** Agent ids of a team (team leads see their own). */
  teamMembers(teamId: number): number[] {
    return this.db.select({ id: staff.id }).from(staff).where(eq(staff.teamId, teamId)).all().map((s) => s.id);
  }

  /** Display names for the keys of the team and agent dimensions. */
  names(): { teams: Map<number, string>; staff: Map<number, string> } {
    return {
      teams: new Map(this.db.select({ id: teams.id, name: teams.name }).from(teams).all().map((t) => [t.id, t.name])),
      staff: new Map(this.db.select({ id: staff.id, name: staff.displayName }).from(staff).all().map((s) => [s.id, s.name])),
    };
  }
}
