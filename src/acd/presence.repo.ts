// Agents' presence rows, their state log, heartbeats, and the available agents of a desk (drizzle only).
import { and, asc, count, eq, inArray, isNotNull, lt, lte, ne, or, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { agentDesks, agentPresence, agentStateLog, staff, type AgentStateName } from '../db/schema/index';

export type PresenceRow = typeof agentPresence.$inferSelect;
export type Desk = (typeof agentDesks.$inferSelect)['desk'];

/**
 * `LIMIT 1` written into the SQL: drizzle's .limit(1) binds it as a parameter, and SQLite reads a bound LIMIT when it
 * plans the query, so a prepared statement with one is re-prepared every time it runs (several times the query itself).
 */
const LIMIT_1 = sql.raw('1') as unknown as number;

export interface AvailableAgent {
  staffId: number;
  username: string;
  idleSince: Date | null;
}

export class PresenceRepo {
  private readonly getQuery;
  private readonly longestIdleQuery;
  private readonly desksQuery;
  private readonly saveQuery;
  private readonly logQuery;

  constructor(private readonly db: Db) {
    this.getQuery = db.select().from(agentPresence).where(eq(agentPresence.staffId, sql.placeholder('staffId'))).prepare();
    // Walks the (state, idle_since) index and stops at the first agent on the desk: the longest idle one.
    this.longestIdleQuery = db
      .select({ staffId: agentPresence.staffId, username: staff.username, idleSince: agentPresence.idleSince })
      .from(agentPresence)
      .innerJoin(agentDesks, and(eq(agentDesks.staffId, agentPresence.staffId), eq(agentDesks.desk, sql.placeholder('desk'))))
      .innerJoin(staff, and(eq(staff.id, agentPresence.staffId), eq(staff.active, true)))
      .where(eq(agentPresence.state, 'available'))
      .orderBy(asc(agentPresence.idleSince), asc(agentPresence.staffId))
      .limit(LIMIT_1)
      .prepare();
    // The ACD's hot path (every offer, every freed agent) runs these: prepared, not rebuilt and recompiled per call.
    this.desksQuery = db.select({ desk: agentDesks.desk, skill: agentDesks.skill }).from(agentDesks).where(eq(agentDesks.staffId, sql.placeholder('staffId'))).prepare();
    // Values are bound as given (save encodes the timestamps): a bare placeholder would go through the column's encoder, which cannot take null.
    const bound = (name: string) => sql`${sql.placeholder(name)}`;
    this.saveQuery = db
      .update(agentPresence)
      .set({
        state: bound('state'),
        reason: bound('reason'),
        since: bound('since'),
        nextState: bound('nextState'),
        nextReason: bound('nextReason'),
        wrapUpUntil: bound('wrapUpUntil'),
        lastHeartbeat: bound('lastHeartbeat'),
        idleSince: bound('idleSince'),
      })
      .where(eq(agentPresence.staffId, sql.placeholder('staffId')))
      .prepare();
    this.logQuery = db
      .insert(agentStateLog)
      .values({ staffId: sql.placeholder('staffId'), from: sql.placeholder('from'), to: sql.placeholder('to'), reason: sql.placeholder('reason'), at: sql.placeholder('at') })
      .prepare();
  }

  get(staffId: number): PresenceRow | undefined {
    return this.getQuery.get({ staffId });
  }

  username(staffId: number): string | undefined {
    return this.db.select({ username: staff.username }).from(staff).where(eq(staff.id, staffId)).get()?.username;
  }

  /** Writes the new presence; with `logFrom`, also logs the transition from that state. */
  save(staffId: number, row: Omit<PresenceRow, 'staffId'>, logFrom?: AgentStateName): void {
    const ts = (column: { mapToDriverValue(d: Date): unknown }, d: Date | null) => (d === null ? null : column.mapToDriverValue(d));
    this.saveQuery.run({
      staffId,
      state: row.state,
      reason: row.reason,
      since: ts(agentPresence.since, row.since),
      nextState: row.nextState,
      nextReason: row.nextReason,
      wrapUpUntil: ts(agentPresence.wrapUpUntil, row.wrapUpUntil),
      lastHeartbeat: ts(agentPresence.lastHeartbeat, row.lastHeartbeat),
      idleSince: ts(agentPresence.idleSince, row.idleSince),
    });
    if (logFrom) this.logQuery.run({ staffId, from: logFrom, to: row.state, reason: row.reason, at: row.since });
  }

  heartbeat(staffId: number, at: Date): boolean {
    return this.db.update(agentPresence).set({ lastHeartbeat: at }).where(eq(agentPresence.staffId, staffId)).run().changes > 0;
  }

  /** Every agent not offline gets a sign of life at `at` (the server was down, not them); returns how many. */
  heartbeatAllSignedIn(at: Date): number {
    return this.db.update(agentPresence).set({ lastHeartbeat: at }).where(ne(agentPresence.state, 'offline')).run().changes;
  }

  longestIdleOnDesk(desk: Desk): AvailableAgent | undefined {
    return this.longestIdleQuery.get({ desk });
  }

  /** The first `limit` available agents on the desk, longest idle first (the callback blend looks past an agent with nothing to call). */
  availableOnDesk(desk: Desk, limit = 10): AvailableAgent[] {
    return this.db
      .select({ staffId: agentPresence.staffId, username: staff.username, idleSince: agentPresence.idleSince })
      .from(agentPresence)
      .innerJoin(agentDesks, and(eq(agentDesks.staffId, agentPresence.staffId), eq(agentDesks.desk, desk)))
      .innerJoin(staff, and(eq(staff.id, agentPresence.staffId), eq(staff.active, true)))
      .where(eq(agentPresence.state, 'available'))
      .orderBy(asc(agentPresence.idleSince), asc(agentPresence.staffId))
      .limit(limit)
      .all();
  }

  desksOf(staffId: number): { desk: Desk; skill: number }[] {
    return this.desksQuery.all({ staffId });
  }

  /** Agents on the desk who are taking calls (signed in, not on a break). */
  staffedOnDesk(desk: Desk): number {
    return (
      this.db
        .select({ n: count() })
        .from(agentPresence)
        .innerJoin(agentDesks, and(eq(agentDesks.staffId, agentPresence.staffId), eq(agentDesks.desk, desk)))
        .where(inArray(agentPresence.state, ['available', 'reserved', 'on_call', 'wrap_up']))
        .get()?.n ?? 0
    );
  }

  wrapUpsDue(now: Date): PresenceRow[] {
    return this.db
      .select()
      .from(agentPresence)
      .where(and(eq(agentPresence.state, 'wrap_up'), isNotNull(agentPresence.wrapUpUntil), lte(agentPresence.wrapUpUntil, now)))
      .all();
  }

  /** Agents not offline whose last sign of life is older than `before`, and not already due to go offline. */
  silentSince(before: Date): PresenceRow[] {
    return this.db
      .select()
      .from(agentPresence)
      .where(
        and(
          ne(agentPresence.state, 'offline'),
          or(isNull(agentPresence.lastHeartbeat), lt(agentPresence.lastHeartbeat, before)),
          or(isNull(agentPresence.nextState), ne(agentPresence.nextState, 'offline')),
        ),
      )
      .all();
  }

  stateLog(staffId: number) {
    return this.db.select().from(agentStateLog).where(eq(agentStateLog.staffId, staffId)).orderBy(agentStateLog.id).all();
  }
}
