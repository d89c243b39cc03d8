// What the staffing model reads from the stored logs (drizzle only): calls offered and handled per queue and
// interval, the agents' state history, and the recent figures behind the estimated wait. The reports module may
// later own the per-interval figures; this repo is the one place to swap.
import { and, count, eq, gte, inArray, isNotNull, lt, max, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { agentDesks, agentPresence, agentStateLog, interactions, queueEntries } from '../db/schema/index';
import type { AgentStateName } from '../db/schema/index';

export type Desk = (typeof agentDesks.$inferSelect)['desk'];

/** One queue's calls in one interval: `slot` is the interval's start in ms since the epoch. */
export interface OfferedRow {
  queue: string;
  slot: number;
  offered: number;
}

export interface HandledRow {
  queue: string;
  slot: number;
  handled: number;
  talkSeconds: number;
}

export interface StateChange {
  staffId: number;
  from: AgentStateName;
  to: AgentStateName;
  at: number;
}

export interface DeskAgent {
  staffId: number;
  /** The agent's state now (for agents with no state change logged at all). */
  state: AgentStateName;
}

export class StaffingRepo {
  private readonly arrivalsQuery;
  private readonly reservedQuery;
  private readonly availableQuery;

  constructor(private readonly db: Db) {
    // The estimated wait runs these (at most every few seconds per desk, cached by the service): prepared once.
    this.arrivalsQuery = db
      .select({ n: count() })
      .from(queueEntries)
      .where(and(eq(queueEntries.desk, sql.placeholder('desk')), gte(queueEntries.enqueuedAt, sql.placeholder('since'))))
      .prepare();
    this.reservedQuery = db
      .select({ n: count() })
      .from(queueEntries)
      .where(and(eq(queueEntries.status, 'waiting'), eq(queueEntries.desk, sql.placeholder('desk')), isNotNull(queueEntries.reservedBy)))
      .prepare();
    this.availableQuery = db
      .select({ n: count() })
      .from(agentPresence)
      .innerJoin(agentDesks, and(eq(agentDesks.staffId, agentPresence.staffId), eq(agentDesks.desk, sql.placeholder('desk'))))
      .where(eq(agentPresence.state, 'available'))
      .prepare();
  }

  /** Queue entries per queue and interval of `intervalMs`, by the time the caller was queued. */
  offered(from: Date, to: Date, intervalMs: number, queue?: string): OfferedRow[] {
    const slot = sql<number>`(${queueEntries.enqueuedAt} / ${sql.raw(String(intervalMs))}) * ${sql.raw(String(intervalMs))}`;
    return this.db
      .select({ queue: queueEntries.queue, slot, offered: count() })
      .from(queueEntries)
      .where(and(gte(queueEntries.enqueuedAt, from), lt(queueEntries.enqueuedAt, to), queue ? eq(queueEntries.queue, queue) : undefined))
      .groupBy(queueEntries.queue, slot)
      .all()
      .map((r) => ({ queue: r.queue, slot: Number(r.slot), offered: r.offered }));
  }

  /** Inbound conversations that ended, per queue and interval of their answer: how many, and their talk in seconds. */
  handled(from: Date, to: Date, intervalMs: number, queue?: string): HandledRow[] {
    const slot = sql<number>`(${interactions.answeredAt} / ${sql.raw(String(intervalMs))}) * ${sql.raw(String(intervalMs))}`;
    return this.db
      .select({ queue: queueEntries.queue, slot, handled: count(), talkMs: sql<number>`sum(${interactions.endedAt} - ${interactions.answeredAt})` })
      .from(interactions)
      .innerJoin(queueEntries, eq(queueEntries.id, interactions.queueEntryId))
      .where(
        and(
          eq(interactions.status, 'ended'),
          eq(interactions.direction, 'inbound'),
          gte(interactions.answeredAt, from),
          lt(interactions.answeredAt, to),
          // An answer comes within the ring timeout of the offer: lets the offered_at index bound the scan.
          gte(interactions.offeredAt, new Date(from.getTime() - 3_600_000)),
          lt(interactions.offeredAt, to),
          queue ? eq(queueEntries.queue, queue) : undefined,
        ),
      )
      .groupBy(queueEntries.queue, slot)
      .all()
      .map((r) => ({ queue: r.queue, slot: Number(r.slot), handled: r.handled, talkSeconds: Number(r.talkMs ?? 0) / 1000 }));
  }

  /** The agents who sit on the desk now (the desk history is not kept), with their present state. */
  agentsOnDesk(desk: Desk): DeskAgent[] {
    return this.db
      .select({ staffId: agentDesks.staffId, state: agentPresence.state })
      .from(agentDesks)
      .leftJoin(agentPresence, eq(agentPresence.staffId, agentDesks.staffId))
      .where(eq(agentDesks.desk, desk))
      .all()
      .map((r) => ({ staffId: r.staffId, state: r.state ?? 'offline' }));
  }

  /**
   * The agents' state changes from `from` to `to`, each agent's last one before `from` first (where their state
   * at `from` comes from), in order of time.
   */
  stateChanges(staffIds: number[], from: Date, to: Date): StateChange[] {
    if (!staffIds.length) return [];
    const lastBefore = this.db
      .select({ id: max(agentStateLog.id) })
      .from(agentStateLog)
      .where(and(inArray(agentStateLog.staffId, staffIds), lt(agentStateLog.at, from)))
      .groupBy(agentStateLog.staffId);
    const rows = this.db
      .select()
      .from(agentStateLog)
      .where(and(inArray(agentStateLog.staffId, staffIds), sql`(${agentStateLog.id} in ${lastBefore} or (${agentStateLog.at} >= ${from.getTime()} and ${agentStateLog.at} < ${to.getTime()}))`))
      .orderBy(agentStateLog.at, agentStateLog.id)
      .all();
    return rows.map((r) => ({ staffId: r.staffId, from: r.from as AgentStateName, to: r.to as AgentStateName, at: r.at.getTime() }));
  }

  // ------------------------------------------------------------------ live figures for the estimated wait

  /**
   * The mean agent time (ring and talk) of the desk's answered calls offered since `since`, with the calls still
   * going counted for the time they have run so far (the estimate for exponential times cut off by `now`: all the
   * time observed over the calls completed). Without it, early in a rush only the short calls have ended and the mean
   * comes out short.
   */
  recentHandling(desk: Desk, since: Date, now: Date, limit = 500): { calls: number; averageSeconds?: number } {
    // The desk's last `limit` answered calls offered since `since`, newest first down the offered_at index: bounded
    // work however busy the center is.
    const r = this.db.all<{ ended: number | null; ms: number | null }>(sql`
      select sum(case when c.status = 'ended' then 1 else 0 end) as ended,
        sum(case when c.status = 'ended' then c.ended_at - c.offered_at else ${now.getTime()} - c.offered_at end) as ms
      from (
        select i.status, i.offered_at, i.ended_at from ${interactions} i
        join ${queueEntries} q on q.id = i.queue_entry_id
        where i.offered_at >= ${since.getTime()} and q.desk = ${desk} and i.answered_at is not null and i.status in ('ended', 'connected')
        order by i.offered_at desc
        limit ${limit}
      ) c`)[0];
    const calls = Number(r?.ended ?? 0);
    return { calls, averageSeconds: calls && r?.ms != null ? Number(r.ms) / calls / 1000 : undefined };
  }

  /**
   * The mean of the desk's agents' last `limit` wrap-ups since `since`, as logged (from the change into wrap-up to
   * the next); undefined with none. Looks at the last `scan` rows of the state log only, so a desk with no wrap-up
   * lately in a busy center costs no more than any other (and falls back to the queue's rule).
   */
  recentWrapUpSeconds(desk: Desk, since: Date, limit = 100, scan = 5000): number | undefined {
    const rows = this.db.all<{ ms: number | null }>(sql`
      select avg(w.ended - w.started) as ms from (
        select l.at as ended,
          (select p.at from ${agentStateLog} p where p.staff_id = l.staff_id and p.at <= l.at and p.id < l.id order by p.at desc, p.id desc limit 1) as started
        from ${agentStateLog} l
        where l.id > (select coalesce(max(id), 0) from ${agentStateLog}) - ${scan}
          -- (the unary + keeps the planner on the rowid range: the last rows, not every row of the desk's agents)
          and l.from_state = 'wrap_up' and +l.at >= ${since.getTime()}
          and +l.staff_id in (select staff_id from ${agentDesks} where desk = ${desk})
        order by l.id desc
        limit ${limit}
      ) w where w.started is not null`);
    const ms = rows[0]?.ms;
    return ms == null ? undefined : Number(ms) / 1000;
  }

  /** Callers queued on the desk since `since`. */
  arrivalsSince(desk: Desk, since: Date): number {
    return this.arrivalsQuery.get({ desk, since: since.getTime() })?.n ?? 0;
  }

  /** Waiting callers of the desk being rung to an agent now (they need no agent to come free). */
  ringingOnDesk(desk: Desk): number {
    return this.reservedQuery.get({ desk })?.n ?? 0;
  }

  /** Agents of the desk available now. */
  availableOnDesk(desk: Desk): number {
    return this.availableQuery.get({ desk })?.n ?? 0;
  }
}
