// The audit trail: who did what to whom, when, from where, why and with what outcome. Append-only: a trigger refuses UPDATE and DELETE.
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';

export const AUDIT_OUTCOMES = ['success', 'denied', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

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
    /** success: it was done; denied: refused by a rule (wrong password, role, bad key); failed: allowed but it did not complete. */
    outcome: text('outcome', { enum: AUDIT_OUTCOMES }).notNull().default('success'),
  },
  (t) => [index('audit_log_at').on(t.at), index('audit_log_subject').on(t.subjectType, t.subjectId, t.at), index('audit_log_action_at').on(t.action, t.at), index('audit_log_actor_at').on(t.actorId, t.at)],
);
