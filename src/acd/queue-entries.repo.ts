// Queue entries: who waits in which queue, with what priority, and how their wait ended.
import { and, asc, desc, eq, gt, isNull, lt, or, sql, count } from 'drizzle-orm';
import type { Db } from '../db/client';
import { queueEntries } from '../db/schema/index';

export type QueueEntry = typeof queueEntries.$inferSelect;
export type QueueEntryStatus = QueueEntry['status'];

/**
 * `LIMIT 1` written into the SQL: drizzle's .limit(1) binds it as a parameter, and SQLite reads a bound LIMIT when it
 * plans the query, so a prepared statement with one is re-prepared every time it runs (several times the query itself).
 */
const LIMIT_1 = sql.raw('1') as unknown as number;

export class QueueEntriesRepo {
  private readonly byCall;
  private readonly headQuery;
  private readonly reserveQuery;

  constructor(private readonly db: Db) {
    this.byCall = db.select().from(queueEntries).where(eq(queueEntries.callSid, sql.placeholder('callSid'))).prepare();
    // Seeks the (status, desk, reserved_by, priority desc, enqueued_at) index: the desk's best waiting call not ringing anyone.
    this.headQuery = db
      .select()
      .from(queueEntries)
      .where(and(eq(queueEntries.status, 'waiting'), eq(queueEntries.desk, sql.placeholder('desk')), isNull(queueEntries.reservedBy)))
      .orderBy(desc(queueEntries.priority), asc(queueEntries.enqueuedAt), asc(queueEntries.id))
      .limit(LIMIT_1)
      .prepare();
    // Runs on every offer: prepared, not rebuilt and recompiled per call.
    this.reserveQuery = db
      .update(queueEntries)
      .set({ reservedBy: sql`${sql.placeholder('agentId')}` })
      .where(and(eq(queueEntries.id, sql.placeholder('id')), eq(queueEntries.status, 'waiting'), isNull(queueEntries.reservedBy)))
      .prepare();
  }

  /** The desk's next call to offer: highest priority, then longest waiting, across all the desk's queues. */
  head(desk: QueueEntry['desk']): QueueEntry | undefined {
    return this.headQuery.get({ desk });
  }

  /** Marks a waiting call as ringing `agentId`; false if it is no longer waiting or already offered. */
  reserve(id: number, agentId: number): boolean {
    return this.reserveQuery.run({ id, agentId }).changes > 0;
  }

  /** The offer is over without an answer: the call keeps its place (priority and time queued are unchanged). */
  release(id: number): void {
    this.db.update(queueEntries).set({ reservedBy: null }).where(eq(queueEntries.id, id)).run();
  }

  /**
   * Puts an ended entry back to waiting with its original time queued; returns it, or undefined if there is none.
   * An entry already waiting, or whose call has a live offer (a newer agent ringing or talking), is left as it is: a
   * late carrier callback for an older offer must not free a call another agent holds (it would be offered twice).
   */
  reopen(callSid: string): QueueEntry | undefined {
    this.db
      .update(queueEntries)
      .set({ status: 'waiting', endedAt: null, waitSeconds: null, reservedBy: null })
      .where(
        and(
          eq(queueEntries.callSid, callSid),
          sql`${queueEntries.status} <> 'waiting'`,
          sql`NOT EXISTS (SELECT 1 FROM interactions i WHERE i.call_sid = ${queueEntries.callSid} AND i.status IN ('offered', 'connected'))`,
        ),
      )
      .run();
    return this.forCall(callSid);
  }

  /** Moves a waiting entry to another queue (overflow), keeping its priority and time queued. */
  moveTo(id: number, queue: string, desk: QueueEntry['desk']): QueueEntry | undefined {
    return this.db.update(queueEntries).set({ queue, desk }).where(and(eq(queueEntries.id, id), eq(queueEntries.status, 'waiting'))).returning().get();
  }

  /** A dispatcher's new priority for a waiting call (its time queued is kept); the entry, or undefined if it no longer waits. */
  setPriority(id: number, priority: number): QueueEntry | undefined {
    return this.db.update(queueEntries).set({ priority }).where(and(eq(queueEntries.id, id), eq(queueEntries.status, 'waiting'))).returning().get();
  }

  markAnnounced(id: number, at: Date): void {
    this.db.update(queueEntries).set({ announcedAt: at }).where(eq(queueEntries.id, id)).run();
  }

  /** Queues the call; a retried webhook leaves the first entry as it was. */
  enqueue(entry: typeof queueEntries.$inferInsert): void {
    this.db.insert(queueEntries).values(entry).onConflictDoNothing().run();
  }

  forCall(callSid: string): QueueEntry | undefined {
    return this.byCall.get({ callSid });
  }

  /** Ends a waiting entry; returns it when it was still waiting. */
  end(callSid: string, status: Exclude<QueueEntryStatus, 'waiting'>, at: Date): QueueEntry | undefined {
    const entry = this.forCall(callSid);
    if (!entry || entry.status !== 'waiting') return undefined;
    const waitSeconds = Math.max(0, Math.round((at.getTime() - entry.enqueuedAt.getTime()) / 1000));
    this.db
      .update(queueEntries)
      .set({ status, endedAt: at, waitSeconds })
      .where(and(eq(queueEntries.callSid, callSid), eq(queueEntries.status, 'waiting')))
      .run();
    return { ...entry, status, endedAt: at, waitSeconds };
  }

  /** 1-based place among the desk's waiting callers: higher priority first, then longest waiting. */
  position(entry: QueueEntry): number {
    const ahead = this.db
      .select({ n: count() })
      .from(queueEntries)
      .where(
        and(
          eq(queueEntries.status, 'waiting'),
          eq(queueEntries.desk, entry.desk),
          or(
            gt(queueEntries.priority, entry.priority),
            and(eq(queueEntries.priority, entry.priority), lt(queueEntries.enqueuedAt, entry.enqueuedAt)),
            and(eq(queueEntries.priority, entry.priority), eq(queueEntries.enqueuedAt, entry.enqueuedAt), lt(queueEntries.id, entry.id)),
          ),
        ),
      )
      .get();
    return (ahead?.n ?? 0) + 1;
  }

  waiting(): QueueEntry[] {
    return this.db.select().from(queueEntries).where(eq(queueEntries.status, 'waiting')).orderBy(queueEntries.enqueuedAt).all();
  }
}
