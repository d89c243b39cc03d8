// Agents' presence rows, their state log, heartbeats, and the available agents of a desk (drizzle only).
import { and, asc, count, eq, inArray, isNotNull, lt, lte, ne, or, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { agentDesks, agentPresence, agentStateLog, staff, type AgentStateName } from '../db/schema/index';

export type PresenceRow = typeof agentPresence.$inferSelect;
export type Desk = (typeof agentDesks.$inferSelect)['desk'];

export interface AvailableAgent {
  staffId: number;
  username: string;
  idleSince: Date | null;
}

export class PresenceRepo {
  private readonly getQuery;
  private readonly longestIdleQuery;

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
      .limit(1)
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
    this.db.update(agentPresence).set(row).where(eq(agentPresence.staffId, staffId)).run();
    if (logFrom) this.db.insert(agentStateLog).values({ staffId, from: logFrom, to: row.state, reason: row.reason, at: row.since }).run();
  }

  heartbeat(staffId: number, at: Date): boolean {
    return this.db.update(agentPresence).set({ lastHeartbeat: at }).where(eq(agentPresence.staffId, staffId)).run().changes > 0;
  }

  longestIdleOnDesk(desk: Desk): AvailableAgent | undefined {
    return this.longestIdleQuery.get({ desk });
  }

  desksOf(staffId: number): { desk: Desk; skill: number }[] {
    return this.db.select({ desk: agentDesks.desk, skill: agentDesks.skill }).from(agentDesks).where(eq(agentDesks.staffId, staffId)).all();
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
