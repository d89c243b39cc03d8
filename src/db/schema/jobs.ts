// The job outbox: jobs born in a database change, written in the same transaction, handed to bull by the relay.
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';

export const jobOutbox = sqliteTable(
  'job_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    queue: text('queue').notNull(),
    name: text('name').notNull(),
    /** Derived from the domain (e.g. `voicemail:RE…`), so a repeated add is harmless. */
    jobId: text('job_id').notNull().unique(),
    payload: text('payload').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    dispatchedAt: integer('dispatched_at', { mode: 'timestamp_ms' }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('job_outbox_pending').on(t.dispatchedAt, t.id)],
);
