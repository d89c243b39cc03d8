// Live-call monitoring: a dispatcher, team lead, quality controller or supervisor in an agent's call (listen, whisper, barge).
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';
import { interactions } from './acd';

export const MONITOR_MODES = ['listen', 'whisper', 'barge'] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

export const monitorSessions = sqliteTable(
  'monitor_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The conversation listened to, and its agent. */
    interactionId: integer('interaction_id').notNull().references(() => interactions.id),
    agentId: integer('agent_id').notNull().references(() => staff.id),
    /** Who listens, whispers or barges. */
    monitorId: integer('monitor_id').notNull().references(() => staff.id),
    mode: text('mode', { enum: MONITOR_MODES }).notNull(),
    /** ringing (the monitor's softphone) → joined → ended. */
    status: text('status', { enum: ['ringing', 'joined', 'ended'] }).notNull(),
    /** The carrier's conference (CF…) and the monitor's leg in it (CA…, once the carrier placed it). */
    conferenceSid: text('conference_sid').notNull(),
    monitorCallSid: text('monitor_call_sid'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    joinedAt: integer('joined_at', { mode: 'timestamp_ms' }),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    endReason: text('end_reason'),
  },
  (t) => [
    index('monitor_sessions_interaction').on(t.interactionId, t.status),
    // One live session per monitor: their softphone holds one call.
    uniqueIndex('monitor_sessions_live_monitor').on(t.monitorId).where(sql`status in ('ringing', 'joined')`),
  ],
);
