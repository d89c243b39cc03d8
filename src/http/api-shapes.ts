// The shapes the main routes answer with, as zod schemas: they describe the responses in the OpenAPI document and
// the tests validate real answers with them. Objects are not strict: a field added later is not a breaking change.
import { z } from 'zod';
import { AGENT_STATES, ROLES } from '../db/schema/index';
import { DESKS } from '../acd/desks.service';
import { OVERFLOW_ACTIONS } from '../acd/queue-settings.repo';

const instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 time', example: '2026-11-23T03:00:00.000Z' });
const desk = z.enum(DESKS);

export const apiErrorSchema = z
  .object({
    error: z.string().meta({ description: 'A stable code: invalid, unauthorized, forbidden, not_found, conflict, unprocessable, too_many_attempts, busy...' }),
    message: z.string().meta({ description: 'For people: what went wrong and what to do' }),
    details: z.array(z.string()).optional().meta({ description: 'One line per problem (bad input), `field: problem`' }),
  })
  .meta({ id: 'Error', example: { error: 'invalid', message: 'state: state must be one of available, break, offline, wrap_up', details: ['state: state must be one of available, break, offline, wrap_up'] } });

export const staffSchema = z
  .object({ id: z.number().int(), username: z.string(), displayName: z.string(), role: z.enum(ROLES), teamId: z.number().int().nullable() })
  .meta({ id: 'StaffMember', example: { id: 11, username: 'supervisor1', displayName: '黄蕾', role: 'supervisor', teamId: null } });

export const sessionSchema = z
  .object({ token: z.string(), expiresAt: instant, staff: staffSchema, mustChangePassword: z.boolean() })
  .meta({ id: 'Session', example: { token: 'Qm9vdHN0cmFw…', expiresAt: '2026-11-23T15:00:00.000Z', staff: { id: 11, username: 'supervisor1', displayName: '黄蕾', role: 'supervisor', teamId: null }, mustChangePassword: false } });

export const presenceSchema = z
  .object({
    agentId: z.number().int(),
    state: z.enum(AGENT_STATES),
    reason: z.string().nullable(),
    since: instant,
    nextState: z.string().nullable(),
    nextReason: z.string().nullable(),
    wrapUpUntil: instant.nullable(),
  })
  .meta({ id: 'Presence', example: { agentId: 1, state: 'available', reason: null, since: '2026-11-23T03:00:00.000Z', nextState: null, nextReason: null, wrapUpUntil: null } });

export const floorSchema = z
  .object({
    at: instant,
    queues: z.array(
      z.object({
        name: z.string(),
        desk,
        serviceLevelSeconds: z.number().int(),
        maxWaitSeconds: z.number().int(),
        waiting: z.number().int(),
        longestWaitSeconds: z.number().int(),
        pastServiceLevel: z.number().int(),
        calls: z.array(z.object({ callSid: z.string(), priority: z.number(), reason: z.string().nullable(), waitedSeconds: z.number().int(), ringingAgentId: z.number().int().nullable() })),
      }),
    ),
    agents: z.record(desk, z.record(z.string(), z.number().int())).meta({ description: 'Agents per desk and state (an agent on two desks counts on both)' }),
    monitoring: z.array(z.object({ sessionId: z.number().int(), agentId: z.number().int(), monitorId: z.number().int(), mode: z.enum(['listen', 'whisper', 'barge']), status: z.string(), since: instant })),
  })
  .meta({ id: 'Floor' });

export const queueSettingsSchema = z
  .object({
    name: z.string(),
    desk,
    serviceLevelSeconds: z.number().int(),
    maxWaitSeconds: z.number().int(),
    overflowAction: z.enum(OVERFLOW_ACTIONS),
    overflowQueue: z.string().nullable(),
    wrapUpSeconds: z.number().int(),
    postCallSurvey: z.boolean(),
  })
  .meta({ id: 'QueueSettings', example: { name: 'front-general', desk: 'front', serviceLevelSeconds: 15, maxWaitSeconds: 600, overflowAction: 'callback_or_voicemail', overflowQueue: null, wrapUpSeconds: 30, postCallSurvey: false } });

export const queuesSchema = z.object({ queues: z.array(queueSettingsSchema) });

const page = { offset: z.number().int(), limit: z.number().int(), nextOffset: z.number().int().nullable() };

export const callbackSchema = z
  .object({
    id: z.number().int(),
    type: z.string(),
    desk,
    status: z.string(),
    priority: z.number(),
    reason: z.string(),
    requestedAt: instant,
    dueAt: instant,
    owner: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    customer: z.object({ id: z.number().int(), name: z.string().nullable(), tier: z.string().nullable() }).nullable(),
    phone: z.string().meta({ description: 'Masked unless the caller may dial it' }),
    insideCallingHours: z.boolean(),
    attemptCount: z.number().int(),
  })
  .meta({ id: 'Callback' });

export const callbacksPageSchema = z.object({ items: z.array(callbackSchema), ...page });

export const recordingSchema = z
  .object({
    id: z.number().int(),
    startedAt: instant,
    durationSeconds: z.number().nullable(),
    direction: z.string(),
    desk: z.string().nullable(),
    status: z.string(),
    agent: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    customer: z.object({ id: z.number().int().nullable(), phone: z.string().nullable() }),
    flags: z.array(z.string()),
    keep: z.boolean(),
    hasAudio: z.boolean(),
  })
  .meta({ id: 'Recording' });

export const recordingsPageSchema = z.object({ recordings: z.array(recordingSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int().nullable(), nextOffset: z.number().int().nullable(), nextCursor: z.string().nullable() });

const fieldError = z.object({ path: z.string().meta({ description: "Dotted path inside the record (customer.phone, items.0.price); '' for the record" }), message: z.string() });

export const intakeResultSchema = z
  .object({
    index: z.number().int().meta({ description: "The record's position in the request (0-based)" }),
    number: z.string().optional(),
    result: z.enum(['created', 'updated', 'unchanged', 'rejected']),
    id: z.number().int().optional(),
    status: z.string().optional(),
    review: z.string().nullable().optional(),
    errors: z.array(fieldError).optional(),
  })
  .meta({ id: 'IntakeResult', example: { index: 0, number: 'ERP-0001', result: 'created', id: 42, status: 'confirmed', review: 'auto_approved' } });

export const intakeBatchSchema = z
  .object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rejected: z.number().int(), results: z.array(intakeResultSchema) })
  .meta({
    id: 'IntakeBatchResult',
    example: {
      created: 1,
      updated: 0,
      unchanged: 0,
      rejected: 1,
      results: [
        { index: 0, number: 'ERP-0001', result: 'created', id: 42, status: 'confirmed', review: 'auto_approved' },
        { index: 1, number: 'ERP-0002', result: 'rejected', errors: [{ path: 'customer.phone', message: 'customer.phone must be an E.164 number like +8613800138000' }] },
      ],
    },
  });

export const intakeRejectedSchema = z
  .object({ error: z.literal('invalid_record'), message: z.string(), errors: z.array(fieldError) })
  .meta({ id: 'IntakeRejected', example: { error: 'invalid_record', message: 'placedAt: placedAt must be an ISO 8601 time with a zone, like 2026-11-23T10:00:00+08:00', errors: [{ path: 'placedAt', message: 'placedAt must be an ISO 8601 time with a zone, like 2026-11-23T10:00:00+08:00' }] } });

/** The worked example of the intake documentation (docs/intake-api.md): one prepaid order. */
export const EXAMPLE_ORDER = {
  number: 'ERP-20261123-0001',
  version: 1,
  customer: { accountNumber: 'C-100234', name: '王芳', phone: '+8613800138000', tier: 'returning' },
  payment: 'prepaid',
  amount: '398.00',
  paid: '398.00',
  items: [{ sku: 'CUP-350', name: '保温杯 350ml', quantity: 2, price: '199.00' }],
  address: '上海市黄浦区南京东路 1 号',
  phone: '+8613800138000',
  invoice: { title: '上海某某有限公司', taxId: '91310000MA1FL0000X' },
  placedAt: '2026-11-23T10:00:00+08:00',
} as const;

export const EXAMPLE_RMA = {
  number: 'RMA-20261125-0007',
  version: 1,
  orderNumber: 'ERP-20261123-0001',
  kind: 'return',
  itemSku: 'CUP-350',
  itemName: '保温杯 350ml',
  quantity: 1,
  paid: '199.00',
  deliveredAt: '2026-11-24T15:20:00+08:00',
  qcPassed: true,
  reason: '颜色与图片不符',
  createdAt: '2026-11-25T09:00:00+08:00',
} as const;
