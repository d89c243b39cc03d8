// The work order (工单) API: agents open and follow up work orders, departments answer them, the front desk closes them.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import { DEPARTMENTS } from '../db/schema/index';
import type { Clock } from '../ivr/ivr-call.service';
import { COMPLAINT_TYPES, WORK_ORDER_CATEGORIES, WORK_ORDER_STATUSES } from '../work-orders/work-order-rules';
import type { WorkOrderService } from '../work-orders/work-order.service';
import type { WorkOrderHistoryRow, WorkOrderRow } from '../work-orders/work-orders.repo';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const text = (name: string, max: number) => z.string({ error: `${name} must be text` }).trim().min(1, `${name} must not be empty`).max(max, `${name} is longer than ${max} characters`);
const oneOf = <T extends readonly [string, ...string[]]>(name: string, values: T) => z.enum(values, { error: `${name} must be one of: ${values.join(', ')}` });
const positiveId = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be positive`);

export const idParam = z.object({ id: positiveId('id') });

export const openBody = z.object({
  callSid: text('callSid', 64).optional(),
  customerId: positiveId('customerId').optional(),
  category: z.enum(WORK_ORDER_CATEGORIES, { error: `category is required, one of: ${WORK_ORDER_CATEGORIES.join(', ')}` }),
  complaintType: oneOf('complaintType', COMPLAINT_TYPES).optional(),
  description: z.string({ error: 'description is required' }).trim().min(1, 'description is required').max(4000, 'description is longer than 4000 characters'),
  orderNumber: text('orderNumber', 64).optional(),
  status: oneOf('status', ['open', 'resolved', 'forwarded'] as const).optional(),
  department: oneOf('department', DEPARTMENTS).optional(),
  note: text('note', 2000).optional(),
});

export const changeBody = z.object({
  description: text('description', 4000).optional(),
  status: oneOf('status', ['resolved', 'forwarded'] as const).optional(),
  department: oneOf('department', DEPARTMENTS).optional(),
  note: text('note', 2000).optional(),
});

export const answerBody = z.object({
  answer: z.string({ error: 'answer is required' }).trim().min(1, 'answer is required').max(4000, 'answer is longer than 4000 characters'),
  note: text('note', 2000).optional(),
});

export const closeBody = z.object({ note: text('note', 2000).optional() });

export const listQuery = z.object({
  status: oneOf('status', WORK_ORDER_STATUSES).optional(),
  customerId: positiveId('customerId').optional(),
  mine: z.enum(['1', '0', 'true', 'false'], { error: 'mine must be 1 or 0' }).optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').optional(),
});

export function workOrderJson(w: WorkOrderRow) {
  return {
    id: w.id,
    number: w.number,
    status: w.status,
    category: w.category,
    complaintType: w.complaintType,
    description: w.description,
    orderNumber: w.orderNumber,
    customerId: w.customerId,
    callSid: w.callSid,
    agentId: w.agentId,
    department: w.department,
    departmentAnswer: w.departmentAnswer,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
  };
}

function historyJson(h: WorkOrderHistoryRow) {
  return { id: h.id, action: h.action, fromStatus: h.fromStatus, toStatus: h.toStatus, actorId: h.actorId, note: h.note, at: h.at.toISOString() };
}

export function workOrderRoutes(d: { service: WorkOrderService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const router = Router();

  router.post('/api/work-orders', signedIn, requireRole('agent', 'team_lead'), (req, res) => {
    const w = d.service.open(currentStaff(res), openBody.parse(req.body ?? {}));
    res.status(201).location(`/api/work-orders/${w.id}`).json(workOrderJson(w));
  });

  router.get('/api/work-orders', signedIn, requireRole('agent', 'team_lead', 'supervisor', 'dispatcher', 'admin', 'department'), (req, res) => {
    const q = listQuery.parse(req.query);
    const rows = d.service.list(currentStaff(res), { status: q.status, customerId: q.customerId, mine: q.mine === '1' || q.mine === 'true', limit: q.limit });
    res.json(rows.map(workOrderJson));
  });

  router.get('/api/work-orders/:id', signedIn, requireRole('agent', 'team_lead', 'supervisor', 'dispatcher', 'admin', 'department'), (req, res) => {
    const { id } = idParam.parse(req.params);
    const w = d.service.get(currentStaff(res), id);
    res.json({ ...workOrderJson(w), history: w.history.map(historyJson) });
  });

  router.patch('/api/work-orders/:id', signedIn, requireRole('agent', 'team_lead'), (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(workOrderJson(d.service.change(currentStaff(res), id, changeBody.parse(req.body ?? {}))));
  });

  router.post('/api/work-orders/:id/answer', signedIn, requireRole('department', 'supervisor', 'admin'), (req, res) => {
    const { id } = idParam.parse(req.params);
    const r = d.service.answer(currentStaff(res), id, answerBody.parse(req.body ?? {}));
    res.json({ ...workOrderJson(r.workOrder), callbackRequestId: r.callbackRequestId });
  });

  router.post('/api/work-orders/:id/close', signedIn, requireRole('agent', 'team_lead', 'supervisor'), (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(workOrderJson(d.service.close(currentStaff(res), id, closeBody.parse(req.body ?? {}))));
  });

  return router;
}
