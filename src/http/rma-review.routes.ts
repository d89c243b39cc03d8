// The back office's RMA API: the review list with the policy check, claims and decisions, and the departments' moves.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import { reviewHistoryJson } from '../office/review-history.repo';
import type { RmaCallbackRow } from '../rmas/rma-review.repo';
import type { ReviewedRma, RmaReviewService } from '../rmas/rma-review.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const text = (name: string, max: number) =>
  z.string({ error: `${name} is required` }).trim().min(1, `${name} must not be empty`).max(max, `${name} is longer than ${max} characters`);

export const numberParam = z.object({ number: z.string().trim().min(1).max(64, 'RMA number is longer than 64 characters') });

const page = {
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').optional(),
  offset: z.coerce.number({ error: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset must not be negative').optional(),
};
export const listQuery = z.object({ claimed: z.enum(['mine', 'free'], { error: 'claimed must be mine or free' }).optional(), ...page });
export const departmentQuery = z.object(page);

const override = {
  override: z.boolean({ error: 'override must be true or false' }).optional(),
  note: text('note', 2000).optional(),
};
export const returnBody = z.object({
  itemSku: text('itemSku', 64),
  refund: z.union([z.string().max(32, 'refund is too long'), z.number()], { error: 'refund is required: the amount in yuan (e.g. "129.50")' }),
  ...override,
});
export const exchangeBody = z.object({ replacementSku: text('replacementSku', 64), ...override });
export const rejectBody = z.object({ reason: text('reason', 2000) });
export const refundedBody = z.object({ reference: text('reference', 200).optional() });
export const shippedBody = z.object({ trackingNumber: text('trackingNumber', 64).optional() });

export function reviewedRmaJson(r: ReviewedRma) {
  const m = r.rma;
  return {
    id: m.id,
    number: m.number,
    kind: m.kind,
    status: m.status,
    reason: m.reason,
    orderNumber: r.orderNumber,
    customer: r.customer,
    itemSku: m.itemSku,
    itemName: m.itemName,
    quantity: m.quantity,
    paidFen: m.paidFen,
    refundFen: m.refundFen,
    replacementSku: m.replacementSku,
    deliveredAt: m.deliveredAt?.toISOString() ?? null,
    qcPassed: m.qcPassed,
    qcNote: m.qcNote,
    policy: { ...r.policy, windowEndsAt: r.policy.windowEndsAt?.toISOString() ?? null },
    claim: r.claim ? { agentId: r.claim.by, until: r.claim.until.toISOString() } : null,
    reviewedBy: m.reviewedBy,
    reviewedAt: m.reviewedAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

function callbackJson(c: RmaCallbackRow) {
  return { id: c.id, status: c.status, outcome: c.outcome, reason: c.reason, attempts: c.attempts, requestedAt: c.requestedAt.toISOString(), closedAt: c.closedAt?.toISOString() ?? null };
}

export function rmaReviewRoutes(d: { service: RmaReviewService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  // Agents are let through here; the service admits only those on the back desk.
  const readers = requireRole('agent', 'team_lead', 'supervisor', 'dispatcher');
  const agents = requireRole('agent');
  const departments = requireRole('department');
  const router = Router();

  router.get('/api/rmas/review', signedIn, readers, (req, res) => {
    const p = d.service.list(currentStaff(res), listQuery.parse(req.query));
    res.json({ items: p.items.map(reviewedRmaJson), total: p.total, limit: p.limit, offset: p.offset });
  });

  router.get('/api/rmas/department', signedIn, departments, (req, res) => {
    const p = d.service.departmentList(currentStaff(res), departmentQuery.parse(req.query));
    res.json({ items: p.items.map(reviewedRmaJson), total: p.total, limit: p.limit, offset: p.offset });
  });

  router.get('/api/rmas/:number', signedIn, requireRole('agent', 'team_lead', 'supervisor', 'dispatcher', 'department'), (req, res) => {
    const r = d.service.get(currentStaff(res), numberParam.parse(req.params).number);
    res.json({ ...reviewedRmaJson(r), history: r.history.map(reviewHistoryJson), callbacks: r.callbacks.map(callbackJson) });
  });

  router.post('/api/rmas/:number/claim', signedIn, agents, (req, res) => {
    res.json(reviewedRmaJson(d.service.claim(currentStaff(res), numberParam.parse(req.params).number)));
  });

  router.post('/api/rmas/:number/release', signedIn, agents, (req, res) => {
    res.json(reviewedRmaJson(d.service.release(currentStaff(res), numberParam.parse(req.params).number)));
  });

  router.post('/api/rmas/:number/approve-return', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedRmaJson(d.service.approveReturn({ ...currentStaff(res), ip: req.ip ?? null }, number, returnBody.parse(req.body ?? {}))));
  });

  router.post('/api/rmas/:number/approve-exchange', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedRmaJson(d.service.approveExchange({ ...currentStaff(res), ip: req.ip ?? null }, number, exchangeBody.parse(req.body ?? {}))));
  });

  router.post('/api/rmas/:number/reject', signedIn, agents, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedRmaJson(d.service.reject({ ...currentStaff(res), ip: req.ip ?? null }, number, rejectBody.parse(req.body ?? {}))));
  });

  router.post('/api/rmas/:number/refunded', signedIn, departments, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedRmaJson(d.service.refunded({ ...currentStaff(res), ip: req.ip ?? null }, number, refundedBody.parse(req.body ?? {}))));
  });

  router.post('/api/rmas/:number/shipped', signedIn, departments, (req, res) => {
    const { number } = numberParam.parse(req.params);
    res.json(reviewedRmaJson(d.service.shipped({ ...currentStaff(res), ip: req.ip ?? null }, number, shippedBody.parse(req.body ?? {}))));
  });

  return router;
}
