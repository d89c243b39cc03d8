// The audit trail: who did what to whom, when, from where and why (account changes, forced agent states, dispatch actions).
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';

export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    /** The staff member who acted; null for the system itself (e.g. crash recovery). */
    actorId: integer('actor_id').references(() => staff.id),
    /** Dotted verb, e.g. `staff.password_reset`, `agent.state_forced`. */
    action: text('action').notNull(),
    /** What was acted on, e.g. `staff` / `42`, `interaction` / `17`. */
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    reason: text('reason'),
    /** JSON with the action's particulars (before/after); never a secret or a full phone number. */
    detail: text('detail'),
    /** The client address, as TRUST_PROXY resolves it. */
    ip: text('ip'),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_subject').on(t.subjectType, t.subjectId, t.at), index('audit_log_action_at').on(t.action, t.at)],
);
