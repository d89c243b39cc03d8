// Calls, their append-only event log, queue entries, callback requests and voicemails.
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { customers } from './customers';

export const calls = sqliteTable(
  'calls',
  {
    sid: text('sid').primaryKey(),
    direction: text('direction').notNull(),
    from: text('from_number').notNull(),
    to: text('to_number').notNull(),
    status: text('status').notNull(),
    customerId: integer('customer_id').references(() => customers.id),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    answeredAt: integer('answered_at', { mode: 'timestamp_ms' }),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    durationSeconds: integer('duration_seconds'),
    flowId: text('flow_id'),
    language: text('language'),
    /** JSON of the IVR engine's state for this call (current node, variables, retries). */
    ivrState: text('ivr_state'),
    /** JSON array of the IVR steps taken: node ids and the caller's inputs. */
    ivrPath: text('ivr_path').notNull().default('[]'),
    /** The step number the next IVR webhook must carry; a retried webhook carries step - 1. */
    step: integer('step').notNull().default(0),
    /** TwiML answered for step - 1, replayed when the carrier retries that webhook. */
    lastTwiml: text('last_twiml'),
  },
  (t) => [index('calls_started').on(t.startedAt), index('calls_customer').on(t.customerId)],
);

export const callEvents = sqliteTable(
  'call_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callSid: text('call_sid').notNull(),
    /** Identifies the carrier request that produced the event, so a retried webhook adds no second row. */
    dedupeKey: text('dedupe_key').notNull(),
    type: text('type').notNull(),
    data: text('data').notNull().default('{}'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('call_events_dedupe').on(t.callSid, t.dedupeKey), index('call_events_at').on(t.at)],
);

export const queueEntries = sqliteTable(
  'queue_entries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callSid: text('call_sid').notNull().references(() => calls.sid),
    queue: text('queue').notNull(),
    desk: text('desk', { enum: ['front', 'middle', 'back'] }).notNull(),
    /** Higher is served first. */
    priority: integer('priority').notNull(),
    reason: text('reason'),
    status: text('status', { enum: ['waiting', 'bridged', 'abandoned', 'left', 'callback', 'voicemail', 'failed'] }).notNull(),
    enqueuedAt: integer('enqueued_at', { mode: 'timestamp_ms' }).notNull(),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    waitSeconds: integer('wait_seconds'),
    /** The agent this waiting call is being offered to (ringing); null while nobody is. */
    reservedBy: integer('reserved_by'),
    /** When the caller last heard their position and estimated wait. */
    announcedAt: integer('announced_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('queue_entries_call').on(t.callSid),
    index('queue_entries_waiting').on(t.status, t.queue),
    // The ACD's head query (QueueEntriesRepo.head): equal on status, desk and reserved_by (IS NULL), then already in
    // its order (priority desc, enqueued_at, rowid), so it reads one row however many calls wait or ring.
    index('queue_entries_routing').on(t.status, t.desk, t.reservedBy, sql`${t.priority} desc`, t.enqueuedAt),
  ],
);

export const callbackRequests = sqliteTable(
  'callback_requests',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callSid: text('call_sid').references(() => calls.sid),
    customerId: integer('customer_id').references(() => customers.id),
    phone: text('phone').notNull(),
    desk: text('desk', { enum: ['front', 'middle', 'back'] }).notNull().default('front'),
    reason: text('reason').notNull(),
    language: text('language').notNull().default('zh'),
    /** Seconds the caller had already waited in a queue, so the callback keeps their place. */
    queueSeconds: integer('queue_seconds').notNull().default(0),
    status: text('status', { enum: ['open', 'in_progress', 'done', 'failed'] }).notNull().default('open'),
    /** Where the request came from: the IVR (after hours), a waiting caller who pressed 1, or a department's answer to a work order. */
    source: text('source', { enum: ['ivr', 'queue', 'work_order'] }).notNull().default('ivr'),
    workOrderId: integer('work_order_id'),
    requestedAt: integer('requested_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('callback_requests_call').on(t.callSid), index('callback_requests_status').on(t.status)],
);

export const voicemails = sqliteTable(
  'voicemails',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callSid: text('call_sid').notNull().references(() => calls.sid),
    customerId: integer('customer_id').references(() => customers.id),
    from: text('from_number').notNull(),
    recordingSid: text('recording_sid'),
    recordingUrl: text('recording_url').notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
    /** Path under recordings/ once the media is downloaded. */
    localPath: text('local_path'),
    status: text('status', { enum: ['new', 'heard', 'called_back'] }).notNull().default('new'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('voicemails_call').on(t.callSid)],
);
