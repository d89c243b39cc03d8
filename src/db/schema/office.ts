// The middle and back office: integration keys for the order system, and the history of every order and RMA review.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';

/** Keys the order system uses to call the intake API; only a hash is stored. */
export const integrationKeys = sqliteTable(
  'integration_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    /** sha256 of the key. */
    keyHash: text('key_hash').notNull(),
    /** The first characters of the key, to tell keys apart in lists. */
    prefix: text('prefix').notNull(),
    createdBy: integer('created_by').references(() => staff.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
  },
  (t) => [uniqueIndex('integration_keys_hash').on(t.keyHash)],
);

/** Every step of an order's or an RMA's life here: received, updated (with the previous version), held, claimed, decided… */
export const reviewHistory = sqliteTable(
  'review_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subject: text('subject', { enum: ['order', 'rma', 'evaluation'] }).notNull(),
    subjectId: integer('subject_id').notNull(),
    action: text('action').notNull(),
    /** null for the system (intake, rules, expiry). */
    actorId: integer('actor_id'),
    fromStatus: text('from_status'),
    toStatus: text('to_status'),
    note: text('note'),
    /** JSON: the particulars (a previous version, the reasons, a refund amount). */
    data: text('data'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('review_history_subject').on(t.subject, t.subjectId, t.id)],
);
