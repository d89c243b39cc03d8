// The job outbox table: add inside a domain transaction, read and mark by the relay.
import { asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { jobOutbox } from '../db/schema/index';
import { withCorrelationId } from '../logging/correlation';

export type OutboxRow = typeof jobOutbox.$inferSelect;

export interface OutboxJob {
  queue: string;
  name: string;
  jobId: string;
  payload: unknown;
}

export class OutboxRepo {
  constructor(private readonly db: Db) {}

  add(job: OutboxJob, at: Date): void {
    this.db
      .insert(jobOutbox)
      // The payload carries the correlation id of the webhook that caused the job (the worker logs under it).
      .values({ queue: job.queue, name: job.name, jobId: job.jobId, payload: JSON.stringify(withCorrelationId(job.payload)), createdAt: at })
      .onConflictDoNothing()
      .run();
  }

  pending(limit: number): OutboxRow[] {
    return this.db.select().from(jobOutbox).where(isNull(jobOutbox.dispatchedAt)).orderBy(asc(jobOutbox.id)).limit(limit).all();
  }

  dispatched(id: number, at: Date): void {
    this.db.update(jobOutbox).set({ dispatchedAt: at }).where(eq(jobOutbox.id, id)).run();
  }

  failed(id: number, error: string): void {
    this.db.update(jobOutbox).set({ attempts: sql`${jobOutbox.attempts} + 1`, lastError: error }).where(eq(jobOutbox.id, id)).run();
  }

  byJobId(jobId: string): OutboxRow | undefined {
    return this.db.select().from(jobOutbox).where(eq(jobOutbox.jobId, jobId)).get();
  }
}
