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
  (t) => [
    index('calls_started').on(t.startedAt),
    index('calls_customer').on(t.customerId),
    // First-contact resolution looks for the next call from the same number.
    index('calls_from_started').on(t.from, t.startedAt),
  ],
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
    // The figures and the staffing report read entries by the time they were enqueued (offered per interval, the
    // recent arrival rate of the estimated wait).
    index('queue_entries_enqueued').on(t.enqueuedAt),
    // The ACD's head query (QueueEntriesRepo.head): equal on status, desk and reserved_by (IS NULL), then already in
    // its order (priority desc, enqueued_at, rowid), so it reads one row however many calls wait or ring.
    index('queue_entries_routing').on(t.status, t.desk, t.reservedBy, sql`${t.priority} desc`, t.enqueuedAt),
    // The floor's figures (service level, abandons) read the entries that ended in a time range.
    index('queue_entries_ended').on(t.endedAt),
  ],
);

export const CALLBACK_TYPES = ['ivr', 'queue', 'work_order', 'need_info', 'rma_status', 'manual'] as const;
export type CallbackType = (typeof CALLBACK_TYPES)[number];
export const CALLBACK_OUTCOMES = ['reached', 'wrong_number', 'max_attempts', 'do_not_call', 'cancelled'] as const;

/** The one callback list: every call the center owes a customer, whatever asked for it. */
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
    /** open (waiting its turn) → in_progress (offered to an agent or being dialed) → open again (retry) | done | failed. */
    status: text('status', { enum: ['open', 'in_progress', 'done', 'failed'] }).notNull().default('open'),
    /**
     * The type of callback (the API calls it `type`): the IVR (after hours), a waiting caller who pressed 1 (virtual
     * hold), a department's answer to a work order, a middle-office question about an order, an RMA's new status.
     */
    source: text('source', { enum: CALLBACK_TYPES }).notNull().default('ivr'),
    workOrderId: integer('work_order_id'),
    orderId: integer('order_id'),
    rmaId: integer('rma_id'),
    requestedAt: integer('requested_at', { mode: 'timestamp_ms' }).notNull(),
    /** Higher is served first (same scale as the queues: VIP 40 … new 10). */
    priority: integer('priority').notNull().default(10),
    /** Not to be called before this time. */
    dueAt: integer('due_at', { mode: 'timestamp_ms' }).notNull().default(sql`0`),
    /** The first time at or after due_at inside the type's calling hours in the customer's time zone: the dialer's order. */
    eligibleAt: integer('eligible_at', { mode: 'timestamp_ms' }).notNull().default(sql`0`),
    /** One agent who owns the callback; null for the desk's pool. */
    ownerId: integer('owner_id'),
    /** The customer's IANA time zone (calling hours are local to them). */
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    /** The question a middle-office agent needs answered, and the answer recorded after the call. */
    question: text('question'),
    answer: text('answer'),
    attempts: integer('attempts').notNull().default(0),
    lastResult: text('last_result'),
    outcome: text('outcome', { enum: CALLBACK_OUTCOMES }),
    /** The agent the callback is offered to or being dialed for, while in_progress. */
    reservedBy: integer('reserved_by'),
    /** Makes an add idempotent (e.g. `rma:12:refunded`): a repeated add changes nothing. */
    dedupeKey: text('dedupe_key'),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }),
    closedAt: integer('closed_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('callback_requests_call').on(t.callSid),
    uniqueIndex('callback_requests_dedupe').on(t.dedupeKey),
    index('callback_requests_status').on(t.status),
    // Picking the next callback for a freed agent: one seek per priority level in the desk's pool, or in the agent's own.
    index('callback_requests_pool').on(t.status, t.desk, t.ownerId, sql`${t.priority} desc`, t.eligibleAt),
    index('callback_requests_owner').on(t.status, t.ownerId, t.eligibleAt),
    // With a preview-mode type on a desk, the pick walks the pool type by type (source = ?): still seeks.
    index('callback_requests_typed').on(t.status, t.desk, t.ownerId, t.source, sql`${t.priority} desc`, t.eligibleAt),
    // A number put on the do-not-call list closes its waiting items; dispatchers look callbacks up by number.
    index('callback_requests_phone').on(t.phone, t.status),
    // The calling-window sweep: per time zone and type, the open items whose window has closed (a range seek each).
    index('callback_requests_window').on(t.status, t.timeZone, t.source, t.eligibleAt),
    // The figures count callbacks by the time they were closed.
    index('callback_requests_closed').on(t.closedAt),
  ],
);

/** Each call placed for a callback: stored before it is dialed, so a crash between dialing and recording never dials twice. */
export const callbackAttempts = sqliteTable(
  'callback_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callbackId: integer('callback_id').notNull().references(() => callbackRequests.id),
    agentId: integer('agent_id'),
    /** The interaction created once the customer's call exists (its call_sid is the customer's call). */
    interactionId: integer('interaction_id'),
    /**
     * offered (the agent's softphone rings) → pending (the agent answered; stored, not yet sent to the carrier) →
     * dialing (request sent) → placed (CallSid known) → ended. An attempt the agent missed ends with result agent_missed.
     */
    state: text('state', { enum: ['offered', 'pending', 'dialing', 'placed', 'ended'] }).notNull().default('pending'),
    /** The agent's softphone leg and the conference the customer is dialed into. */
    agentCallSid: text('agent_call_sid'),
    conference: text('conference'),
    /** answered (a person), busy, no-answer, failed, machine, canceled, wrong_number, not_dialed (hours, DNC, agent gone). */
    result: text('result'),
    callSid: text('call_sid'),
    answeredBy: text('answered_by'),
    note: text('note'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    dialedAt: integer('dialed_at', { mode: 'timestamp_ms' }),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('callback_attempts_callback').on(t.callbackId), uniqueIndex('callback_attempts_call').on(t.callSid), index('callback_attempts_state').on(t.state)],
);

/** Numbers never to be called (the customer asked, or the law says so). */
export const doNotCall = sqliteTable('do_not_call', {
  phone: text('phone').primaryKey(),
  reason: text('reason'),
  addedBy: integer('added_by'),
  addedAt: integer('added_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Per callback type: how it is dialed, when, and how often it is retried. */
export const callbackSettings = sqliteTable('callback_settings', {
  type: text('type', { enum: CALLBACK_TYPES }).primaryKey(),
  mode: text('mode', { enum: ['progressive', 'preview'] }).notNull().default('progressive'),
  /** Calling hours in the customer's local time, minutes after midnight: [start, end). */
  callingStartMinute: integer('calling_start_minute').notNull().default(540),
  callingEndMinute: integer('calling_end_minute').notNull().default(1260),
  maxAttempts: integer('max_attempts').notNull().default(4),
  /** First retry after this many minutes, doubling each attempt. */
  retryMinutes: integer('retry_minutes').notNull().default(10),
});

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
