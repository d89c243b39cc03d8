// Holds: each stretch the agent put the customer of a conversation on hold (hold music instead of the agent).
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';
import { interactions } from './acd';

/** One hold of the customer's leg; `endedAt` is null while it lasts (closed by the resume, or at the call's end). */
export const callHolds = sqliteTable(
  'call_holds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    interactionId: integer('interaction_id').notNull().references(() => interactions.id),
    /** The customer's call leg that was held (the leg the QA recording is of). */
    callSid: text('call_sid').notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    /** The agent who put the customer on hold. */
    startedBy: integer('started_by').notNull().references(() => staff.id),
  },
  (t) => [
    index('call_holds_interaction').on(t.interactionId),
    index('call_holds_call').on(t.callSid, t.startedAt),
    // The database itself refuses a second hold while one is open on the same conversation (two clicks racing).
    uniqueIndex('call_holds_one_open').on(t.interactionId).where(sql`ended_at is null`),
  ],
);
