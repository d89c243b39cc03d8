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
  private readonly handleQuery;
  private readonly arrivalsQuery;
  private readonly reservedQuery;
  private readonly availableQuery;

  constructor(private readonly db: Db) {
    // The estimated wait runs these on callers' wait loops: prepared once.
    this.handleQuery = db
      .select({ n: count(), ms: sql<number | null>`sum(${interactions.endedAt} - ${interactions.offeredAt})` })
      .from(interactions)
      .innerJoin(queueEntries, eq(queueEntries.id, interactions.queueEntryId))
      .where(
        and(
          eq(interactions.status, 'ended'),
          isNotNull(interactions.answeredAt),
          gte(interactions.endedAt, sql.placeholder('since')),
          eq(queueEntries.desk, sql.placeholder('desk')),
        ),
      )
      .prepare();
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

  /** Answered inbound calls of the desk that ended since `since`: how many, and their mean agent time (ring + talk). */
  recentHandling(desk: Desk, since: Date): { calls: number; averageSeconds?: number } {
    const r = this.handleQuery.get({ desk, since: since.getTime() });
    const calls = r?.n ?? 0;
    return { calls, averageSeconds: calls && r?.ms != null ? Number(r.ms) / calls / 1000 : undefined };
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
