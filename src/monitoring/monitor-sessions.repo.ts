// Monitor sessions (drizzle only): who is in which agent's live call, in which mode, since when.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { monitorSessions, staff } from '../db/schema/index';

export type MonitorSessionRow = typeof monitorSessions.$inferSelect;
type NewSession = Omit<typeof monitorSessions.$inferInsert, 'id'>;

const LIVE: MonitorSessionRow['status'][] = ['ringing', 'joined'];

export class MonitorSessionsRepo {
  constructor(private readonly db: Db) {}

  insert(s: NewSession): MonitorSessionRow {
    return this.db.insert(monitorSessions).values(s).returning().get();
  }

  get(id: number): MonitorSessionRow | undefined {
    return this.db.select().from(monitorSessions).where(eq(monitorSessions.id, id)).get();
  }

  /** The monitor's live session, whatever call it is on. */
  liveForMonitor(monitorId: number): MonitorSessionRow | undefined {
    return this.db.select().from(monitorSessions).where(and(eq(monitorSessions.monitorId, monitorId), inArray(monitorSessions.status, LIVE))).get();
  }

  liveForInteraction(interactionId: number): MonitorSessionRow[] {
    return this.db.select().from(monitorSessions).where(and(eq(monitorSessions.interactionId, interactionId), inArray(monitorSessions.status, LIVE))).all();
  }

  /** Every live session, with the monitor's name (the floor's "monitored by"). */
  live(): (MonitorSessionRow & { monitorName: string })[] {
    return this.db
      .select({ s: monitorSessions, monitorName: staff.displayName })
      .from(monitorSessions)
      .innerJoin(staff, eq(staff.id, monitorSessions.monitorId))
      .where(inArray(monitorSessions.status, LIVE))
      .orderBy(monitorSessions.id)
      .all()
      .map((r) => ({ ...r.s, monitorName: r.monitorName }));
  }

  /** Moves the session on only if it is still in `from`; false when something else got there first. */
  transition(id: number, from: MonitorSessionRow['status'][], changes: Partial<Omit<MonitorSessionRow, 'id'>>): boolean {
    return this.db.update(monitorSessions).set(changes).where(and(eq(monitorSessions.id, id), inArray(monitorSessions.status, from))).run().changes > 0;
  }

  update(id: number, changes: Partial<Omit<MonitorSessionRow, 'id'>>): void {
    this.db.update(monitorSessions).set(changes).where(eq(monitorSessions.id, id)).run();
  }
}
