// Agents' presence rows, their state log, heartbeats, and the available agents of a desk (drizzle only).
import type Database from 'better-sqlite3';
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
  /** The available-agents statements by LIMIT (written into the SQL, see LIMIT_1) and by plan. */
  private readonly availableQueries = new Map<string, Database.Statement<{ desk: Desk }, { staffId: number; username: string; idleSince: number | null }>>();
  private readonly deskSizeQuery;
  private readonly availableCountQuery;
  private readonly desksQuery;
  private readonly saveQuery;
  private readonly logQuery;

  constructor(private readonly db: Db) {
    this.getQuery = db.select().from(agentPresence).where(eq(agentPresence.staffId, sql.placeholder('staffId'))).prepare();
    this.deskSizeQuery = db.$client.prepare<[Desk], number>('SELECT count(*) FROM agent_desks WHERE desk = ?').pluck();
    this.availableCountQuery = db.$client.prepare<[], number>("SELECT count(*) FROM agent_presence WHERE state = 'available'").pluck();
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
    return this.availableOnDesk(desk, 1)[0];
  }

  /**
   * The first `limit` available agents on the desk, longest idle first (the callback blend looks past an agent with
   * nothing to call). Two plans, chosen by the desk's size: walking the available agents by idle time and stopping at
   * the first on the desk is quickest for a desk most agents sit on; for a small desk beside a large one (a middle
   * office of twenty next to a front desk of a thousand, most of them free) that walk reads every free front agent,
   * so the desk's own agents are read instead and sorted. The counts are two index walks.
   */
  availableOnDesk(desk: Desk, limit = 10): AvailableAgent[] {
    const byDesk = this.deskSizeQuery.get(desk)! < this.availableCountQuery.get()!;
    const key = `${byDesk ? 'desk' : 'idle'}:${limit}`;
    let q = this.availableQueries.get(key);
    if (!q) {
      const lim = Math.max(1, Math.trunc(limit));
      q = this.db.$client.prepare(
        byDesk
          ? `SELECT p.staff_id AS staffId, s.username, p.idle_since AS idleSince
               FROM agent_desks d CROSS JOIN agent_presence p ON p.staff_id = d.staff_id CROSS JOIN staff s ON s.id = p.staff_id
              WHERE d.desk = @desk AND p.state = 'available' AND s.active = 1
              ORDER BY p.idle_since, p.staff_id LIMIT ${lim}`
          : `SELECT p.staff_id AS staffId, s.username, p.idle_since AS idleSince
               FROM agent_presence p JOIN agent_desks d ON d.staff_id = p.staff_id AND d.desk = @desk JOIN staff s ON s.id = p.staff_id AND s.active = 1
              WHERE p.state = 'available'
              ORDER BY p.idle_since, p.staff_id LIMIT ${lim}`,
      );
      this.availableQueries.set(key, q);
    }
    return q.all({ desk }).map((r) => ({ staffId: r.staffId, username: r.username, idleSince: r.idleSince === null ? null : new Date(r.idleSince) }));
  }

  /** EXPLAIN QUERY PLAN of the available-agents statement the desk gets now (benchmarks and tests). */
  explainAvailable(desk: Desk): string[] {
    this.availableOnDesk(desk, 1);
    const byDesk = this.deskSizeQuery.get(desk)! < this.availableCountQuery.get()!;
    const q = this.availableQueries.get(`${byDesk ? 'desk' : 'idle'}:1`)!;
    return (this.db.$client.prepare(`EXPLAIN QUERY PLAN ${q.source}`).all({ desk }) as { detail: string }[]).map((r) => r.detail);
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

  /** When the first wrap-up in progress ends (undefined: nobody is in wrap-up). */
  nextWrapUpEnd(): Date | undefined {
    const r = this.db
      .select({ at: sql<number | null>`min(${agentPresence.wrapUpUntil})` })
      .from(agentPresence)
      .where(eq(agentPresence.state, 'wrap_up'))
      .get();
    return r?.at == null ? undefined : new Date(r.at);
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
