// The floor's alerts: the thresholds a supervisor sets, and every alert raised and cleared (the history).
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, real, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';

export const ALERT_KINDS = ['longest_wait', 'service_level', 'agents_available', 'wrap_up_too_long', 'break_too_long', 'abandon_rate'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/** One row per kind of alert; a kind without a row has the defaults of src/floor/alert-rules.ts. */
export const alertSettings = sqliteTable('alert_settings', {
  kind: text('kind', { enum: ALERT_KINDS }).primaryKey(),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  /** The level that raises the alert (seconds, percent or agents, per kind). */
  raiseAt: real('raise_at').notNull(),
  /** The level that clears it: below raise_at for "over" kinds, above it for "under" kinds (the hysteresis). */
  clearAt: real('clear_at').notNull(),
  /** The condition must hold this long before the alert is raised or cleared. */
  holdSeconds: integer('hold_seconds').notNull().default(0),
  /** Rates (service level, abandon rate) are judged only with at least this many calls in their window. */
  minCalls: integer('min_calls').notNull().default(0),
  updatedBy: integer('updated_by').references(() => staff.id),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
});

export const floorAlerts = sqliteTable(
  'floor_alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ALERT_KINDS }).notNull(),
    /** What the alert is about: a queue name, a desk, or `agent:<id>`. */
    subject: text('subject').notNull(),
    agentId: integer('agent_id'),
    /** The agent's team when raised: team leads see their team's agent alerts. */
    teamId: integer('team_id'),
    raisedValue: real('raised_value').notNull(),
    raiseAt: real('raise_at').notNull(),
    clearAt: real('clear_at').notNull(),
    message: text('message').notNull(),
    raisedAt: integer('raised_at', { mode: 'timestamp_ms' }).notNull(),
    clearedValue: real('cleared_value'),
    clearedAt: integer('cleared_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    // One active alert per kind and subject: a second raise of the same one is refused by the database itself.
    uniqueIndex('floor_alerts_active').on(t.kind, t.subject).where(sql`cleared_at is null`),
    index('floor_alerts_raised').on(t.raisedAt),
  ],
);
