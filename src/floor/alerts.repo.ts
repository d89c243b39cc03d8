// Reads and writes the alert thresholds and the alerts raised and cleared (drizzle only; the rules are in alert-rules.ts).
import { and, desc, eq, gte, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { alertSettings, floorAlerts, type AlertKind } from '../db/schema/index';

export type AlertSettingRow = typeof alertSettings.$inferSelect;
export type FloorAlertRow = typeof floorAlerts.$inferSelect;

export class AlertsRepo {
  constructor(private readonly db: Db) {}

  settings(): AlertSettingRow[] {
    return this.db.select().from(alertSettings).all();
  }

  saveSetting(row: typeof alertSettings.$inferInsert): void {
    const { kind, ...rest } = row;
    this.db.insert(alertSettings).values(row).onConflictDoUpdate({ target: alertSettings.kind, set: rest }).run();
  }

  /** Inserts an active alert; undefined when that kind and subject already has one. */
  raise(row: Omit<typeof floorAlerts.$inferInsert, 'id' | 'clearedAt' | 'clearedValue'>): FloorAlertRow | undefined {
    return this.db.insert(floorAlerts).values(row).onConflictDoNothing().returning().get();
  }

  /** Clears the active alert of that kind and subject; undefined when there is none. */
  clear(kind: AlertKind, subject: string, at: Date, value: number | null): FloorAlertRow | undefined {
    return this.db
      .update(floorAlerts)
      .set({ clearedAt: at, clearedValue: value })
      .where(and(eq(floorAlerts.kind, kind), eq(floorAlerts.subject, subject), isNull(floorAlerts.clearedAt)))
      .returning()
      .get();
  }

  active(): FloorAlertRow[] {
    return this.db.select().from(floorAlerts).where(isNull(floorAlerts.clearedAt)).orderBy(floorAlerts.id).all();
  }

  /** Alerts raised in [from, to), newest first. */
  history(o: { from: Date; to: Date; limit: number }): FloorAlertRow[] {
    return this.db
      .select()
      .from(floorAlerts)
      .where(and(gte(floorAlerts.raisedAt, o.from), lt(floorAlerts.raisedAt, o.to)))
      .orderBy(desc(floorAlerts.raisedAt), desc(floorAlerts.id))
      .limit(o.limit)
      .all();
  }
}
