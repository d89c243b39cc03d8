// Queue entries: who waits in which queue, with what priority, and how their wait ended.
import { and, eq, gt, lt, or, sql, count } from 'drizzle-orm';
import type { Db } from '../db/client';
import { queueEntries } from '../db/schema/index';

export type QueueEntry = typeof queueEntries.$inferSelect;
export type QueueEntryStatus = QueueEntry['status'];

export class QueueEntriesRepo {
  private readonly byCall;

  constructor(private readonly db: Db) {
    this.byCall = db.select().from(queueEntries).where(eq(queueEntries.callSid, sql.placeholder('callSid'))).prepare();
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
