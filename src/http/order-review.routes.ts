// The middle office's API: the work list of held orders, claims, the checklist, and the decisions on an order.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import { reviewHistoryJson } from '../office/review-history.repo';
import type { OrderQuestion, OrderReviewService, ReviewedOrder } from '../orders/order-review.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const text = (name: string, max: number) =>
  z.string({ error: `${name} is required` }).trim().min(1, `${name} must not be empty`).max(max, `${name} is longer than ${max} characters`);

export const numberParam = z.object({ number: z.string().trim().min(1).max(64, 'order number is longer than 64 characters') });

export const listQuery = z.object({
  reason: z.enum(['amount', 'missing_info', 'duplicate'], { error: 'reason must be one of: amount, missing_info, duplicate' }).optional(),
  claimed: z.enum(['mine', 'free'], { error: 'claimed must be mine or free' }).optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').optional(),
  offset: z.coerce.number({ error: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset must not be negative').optional(),
});

export const checklistBody = z.object({ item: text('item', 200), done: z.boolean({ error: 'done must be true or false' }) });
export const approveBody = z.object({ override: z.boolean({ error: 'override must be true or false' }).optional(), note: text('note', 2000).optional() });
export const cancelBody = z.object({ reason: text('reason', 2000) });
export const needInfoBody = z.object({ question: text('question', 2000) });
export const answerBody = z.object({ answer: text('answer', 4000) });

function questionJson(q: OrderQuestion | null) {
  if (!q) return null;
  return { ...q, requestedAt: q.requestedAt.toISOString(), closedAt: q.closedAt?.toISOString() ?? null };
}

export function reviewedOrderJson(r: ReviewedOrder) {
  const o = r.order;
  return {
    id: o.id,
    number: o.number,
    status: o.status,
    review: o.review,
    amountFen: o.amountFen,
    payment: o.payment,
    paidFen: o.paidFen,
    items: JSON.parse(o.items) as unknown,
    address: o.address,
    phone: r.phone,
    invoiceRequested: o.invoiceRequested,
    invoiceTitle: o.invoiceTitle,
    invoiceTaxId: o.invoiceTaxId,
    placedAt: o.placedAt.toISOString(),
    heldAt: o.heldAt?.toISOString() ?? null,
    holdReasons: r.holdReasons,
    checklist: r.checklist,
    claim: r.claim ? { agentId: r.claim.by, until: r.claim.until.toISOString() } : null,
    customer: r.customer,
    openQuestion: questionJson(r.openQuestion),
    decidedBy: o.decidedBy,
    decidedAt: o.decidedAt?.toISOString() ?? null,
    cancelReason: o.cancelReason,
    updatedAt: o.updatedAt.toISOString(),
  };
}

export function orderReviewRoutes(d: { service: OrderReviewService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  // Agents are let through here; the service admits only those on the middle desk.
  const readers = requireRole('agent', 'team_lead', 'supervisor', 'dispatcher');
  const agents = requireRole('agent');
  const router = Router();

  router.get('/api/orders/review', signedIn, readers, (req, res) => {
    const q = listQuery.parse(req.query);
    const page = d.service.list(currentStaff(res), q);
    res.json({ items: page.items.map(reviewedOrderJson), total: page.total, limit: page.limit, offset: page.offset });
  });

  router.get('/api/orders/:number', signedIn, readers, (req, res) => {
    const { number } = numberParam.parse(req.params);
    const r = d.service.get(currentStaff(res), number);
    res.json({ ...reviewedOrderJson(r), history: r.history.map(reviewHistoryJson), questions: r.questions.map(questionJson) });
  });

  router.post('/api/orders/:number/claim', signedIn, agents, (req, res) => {
    res.json(reviewedOrderJson(d.service.claim(currentStaff(res), numberParam.parse(req.params).number)));
  });

  router.post('/api/orders/:number/release', signedIn, agents, (req, res) => {
    res.json(reviewedOrderJson(d.service.release(currentStaff(res), numberParam.parse(req.params).number)));
  });

  router.patch('/api/orders/:number/checklist', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedOrderJson(d.service.check(currentStaff(res), number, checklistBody.parse(req.body ?? {}))));
  });

  router.post('/api/orders/:number/approve', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedOrderJson(d.service.approve({ ...currentStaff(res), ip: req.ip ?? null }, number, approveBody.parse(req.body ?? {}))));
  });

  router.post('/api/orders/:number/cancel', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedOrderJson(d.service.cancel({ ...currentStaff(res), ip: req.ip ?? null }, number, cancelBody.parse(req.body ?? {}))));
  });

  router.post('/api/orders/:number/need-info', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    const r = d.service.needInfo(currentStaff(res), number, needInfoBody.parse(req.body ?? {}));
    res.status(201).json({ ...reviewedOrderJson(r), callbackId: r.callbackId });
  });

  router.post('/api/orders/:number/answer', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    const r = d.service.answer(currentStaff(res), number, answerBody.parse(req.body ?? {}));
    res.json({ ...reviewedOrderJson(r), callbackId: r.callbackId, claimed: r.claimed });
  });

  return router;
}
