// Calls and their append-only event log.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callEvents, calls } from '../db/schema/index';

export type CallRow = typeof calls.$inferSelect;
export type NewCall = typeof calls.$inferInsert;

export interface CallEvent {
  callSid: string;
  dedupeKey: string;
  type: string;
  data?: Record<string, unknown>;
  at: Date;
}

export class CallsRepo {
  private readonly getQuery;
  private readonly insertEventQuery;

  constructor(private readonly db: Db) {
    this.getQuery = db.select().from(calls).where(eq(calls.sid, sql.placeholder('sid'))).prepare();
    this.insertEventQuery = db
      .insert(callEvents)
      .values({
        callSid: sql.placeholder('callSid'),
        dedupeKey: sql.placeholder('dedupeKey'),
        type: sql.placeholder('type'),
        data: sql.placeholder('data'),
        at: sql.placeholder('at'),
      })
      .onConflictDoNothing()
      .prepare();
  }

  get(sid: string): CallRow | undefined {
    return this.getQuery.get({ sid });
  }

  /** Inserts the call unless the carrier already told us about it; true when inserted. */
  insert(call: NewCall): boolean {
    return this.db.insert(calls).values(call).onConflictDoNothing().run().changes > 0;
  }

  update(sid: string, changes: Partial<Omit<CallRow, 'sid'>>): void {
    this.db.update(calls).set(changes).where(eq(calls.sid, sid)).run();
  }

  /** Appends an event; false when an event with the same key is already there (a retried webhook). */
  appendEvent(e: CallEvent): boolean {
    return this.insertEventQuery.run({ ...e, data: JSON.stringify(e.data ?? {}), at: e.at }).changes > 0;
  }

  events(callSid: string) {
    return this.db.select().from(callEvents).where(eq(callEvents.callSid, callSid)).orderBy(callEvents.id).all();
  }
}
