// The ACD's configuration (queues and their rules) and its interactions: one offer of a call to an agent.
import { sql } from 'drizzle-orm';
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';
import { calls, queueEntries } from './calls';

export const queueSettings = sqliteTable('queue_settings', {
  name: text('name').primaryKey(),
  desk: text('desk', { enum: ['front', 'middle', 'back'] }).notNull(),
  /** Answered within this many seconds counts toward the service level (three rings ≈ 15 s). */
  serviceLevelSeconds: integer('service_level_seconds').notNull().default(15),
  /** After this long the caller is offered a callback or voicemail. */
  maxWaitSeconds: integer('max_wait_seconds').notNull().default(600),
  /** What happens at the maximum wait: offer a callback or voicemail, or move the caller to another queue. */
  overflowAction: text('overflow_action', { enum: ['callback_or_voicemail', 'voicemail', 'queue'] }).notNull().default('callback_or_voicemail'),
  overflowQueue: text('overflow_queue'),
  wrapUpSeconds: integer('wrap_up_seconds').notNull().default(30),
  /** After the agent hangs up the caller stays on the line for the post-call survey (ivr-flows/survey.yaml). */
  postCallSurvey: integer('post_call_survey', { mode: 'boolean' }).notNull().default(false),
});

export const interactions = sqliteTable(
  'interactions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callSid: text('call_sid').notNull().references(() => calls.sid),
    /** Outbound (a callback): the callback this interaction works, and the attempt that dialed the customer. */
    callbackId: integer('callback_id'),
    attemptId: integer('attempt_id'),
    queueEntryId: integer('queue_entry_id').references(() => queueEntries.id),
    agentId: integer('agent_id').notNull().references(() => staff.id),
    /** offered (ringing the agent) → connected → ended; or missed / withdrawn. */
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull().default('inbound'),
    status: text('status', { enum: ['offered', 'connected', 'ended', 'missed', 'withdrawn'] }).notNull(),
    conference: text('conference').notNull(),
    agentCallSid: text('agent_call_sid'),
    offeredAt: integer('offered_at', { mode: 'timestamp_ms' }).notNull(),
    answeredAt: integer('answered_at', { mode: 'timestamp_ms' }),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
    disposition: text('disposition'),
    recordingSid: text('recording_sid'),
    recordingUrl: text('recording_url'),
  },
  (t) => [
    index('interactions_call').on(t.callSid),
    index('interactions_agent').on(t.agentId, t.status),
    // The figures: conversations by their end, and the one that answered a queue entry.
    index('interactions_ended').on(t.endedAt),
    index('interactions_queue_entry').on(t.queueEntryId),
    // The recent handling time (the estimated wait) and the calls handled per interval (the staffing report).
    index('interactions_offered').on(t.offeredAt),
    // The database itself refuses a second live offer: one call to one agent, one agent with one call.
    uniqueIndex('interactions_live_call').on(t.callSid).where(sql`status in ('offered', 'connected')`),
    uniqueIndex('interactions_live_agent').on(t.agentId).where(sql`status in ('offered', 'connected')`),
    // The average talk time of recent calls (the estimated wait) reads a range of ended conversations.
    index('interactions_status_ended').on(t.status, t.endedAt),
  ],
);

export const workOrders = sqliteTable(
  'work_orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    number: text('number').notNull().unique(),
    callSid: text('call_sid').references(() => calls.sid),
    customerId: integer('customer_id'),
    agentId: integer('agent_id').notNull().references(() => staff.id),
    category: text('category', { enum: ['inquiry', 'complaint', 'return_exchange', 'other'] }).notNull(),
    complaintType: text('complaint_type', { enum: ['product_quality', 'service_attitude', 'logistics', 'other'] }),
    description: text('description').notNull(),
    orderNumber: text('order_number'),
    status: text('status', { enum: ['open', 'resolved', 'forwarded', 'answered', 'closed'] }).notNull(),
    department: text('department', { enum: ['warehouse', 'logistics', 'finance', 'merchandise'] }),
    departmentAnswer: text('department_answer'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('work_orders_status').on(t.status), index('work_orders_customer').on(t.customerId), index('work_orders_created').on(t.createdAt)],
);

export const workOrderHistory = sqliteTable(
  'work_order_history',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workOrderId: integer('work_order_id').notNull().references(() => workOrders.id),
    actorId: integer('actor_id').references(() => staff.id),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    note: text('note'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('work_order_history_order').on(t.workOrderId)],
);
