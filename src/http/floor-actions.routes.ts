// The dispatcher's floor actions (dispatchers and supervisors): each takes effect at once, is audited with its reason,
// and shows on every wallboard (FloorActionTaken on the floor feed).
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import { PRIORITY_RANGE, type FloorActionsService } from '../acd/floor-actions.service';
import { DESKS } from '../acd/desks.service';
import { OVERFLOW_ACTIONS } from '../acd/queue-settings.repo';
import type { Clock } from '../ivr/ivr-call.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { numericId } from './route-params';

const reason = z.string({ error: 'a reason is required (it is audited)' }).trim().min(3, 'a reason is required (it is audited)').max(500);
const desk = z.enum(DESKS, { error: `a desk: ${DESKS.join(', ')}` });
export const moveBody = z.strictObject({ to: desk, from: desk.optional(), skill: z.number().int().min(1).max(5).optional(), reason });
export const reasonBody = z.strictObject({ reason });
export const priorityBody = z.strictObject({ priority: z.number().int().min(PRIORITY_RANGE.min).max(PRIORITY_RANGE.max), reason });
export const assignBody = z.strictObject({ agentId: z.number().int().positive(), reason });
export const overflowBody = z
  .strictObject({
    maxWaitSeconds: z.number().int().optional(),
    overflowAction: z.enum(OVERFLOW_ACTIONS).optional(),
    overflowQueue: z.string().max(64).nullable().optional(),
    reason,
  })
  .refine((b) => b.maxWaitSeconds !== undefined || b.overflowAction !== undefined || b.overflowQueue !== undefined, 'give maxWaitSeconds, overflowAction or overflowQueue');
/** A Call SID as the carrier writes it; anything else is not a call of ours (404 through the next route). */
const callSidParam: RequestHandler = (req, _res, next) => (/^CA[0-9a-f]{32}$/.test(String(req.params.callSid)) ? next() : next('route'));

export function floorActionRoutes(d: { auth: AuthService; actions: FloorActionsService; clock?: Clock }): Router {
  const router = Router();
  const dispatchers = [requireAuth(d.auth, d.clock), requireRole('dispatcher', 'supervisor')];
  const actor = (req: { ip?: string }, res: Parameters<typeof currentStaff>[0]) => ({ id: currentStaff(res).id, ip: req.ip });

  router.post('/api/floor/agents/:id/move', numericId, ...dispatchers, (req, res) => {
    const b = moveBody.parse(req.body ?? {});
    const agent = d.actions.moveDesk(actor(req, res), Number(req.params.id), { to: b.to, from: b.from, skill: b.skill }, b.reason);
    res.json({ id: agent.id, desks: agent.desks });
  });
  router.post('/api/floor/agents/:id/end-break', numericId, ...dispatchers, (req, res) => {
    d.actions.endBreak(actor(req, res), Number(req.params.id), reasonBody.parse(req.body ?? {}).reason);
    res.status(204).end();
  });
  router.post('/api/floor/agents/:id/log-out', numericId, ...dispatchers, (req, res) => {
    d.actions.logOut(actor(req, res), Number(req.params.id), reasonBody.parse(req.body ?? {}).reason);
    res.status(204).end();
  });
  router.post('/api/floor/calls/:callSid/priority', callSidParam, ...dispatchers, (req, res) => {
    const b = priorityBody.parse(req.body ?? {});
    const e = d.actions.setPriority(actor(req, res), String(req.params.callSid), b.priority, b.reason);
    res.json({ callSid: e.callSid, queue: e.queue, priority: e.priority, enqueuedAt: e.enqueuedAt.toISOString() });
  });
  router.post('/api/floor/calls/:callSid/assign', callSidParam, ...dispatchers, (req, res) => {
    const b = assignBody.parse(req.body ?? {});
    res.status(202).json(d.actions.assign(actor(req, res), String(req.params.callSid), b.agentId, b.reason));
  });
  router.post('/api/floor/queues/:name/overflow', ...dispatchers, (req, res) => {
    const { reason: why, ...change } = overflowBody.parse(req.body ?? {});
    const r = d.actions.changeOverflow(actor(req, res), String(req.params.name), change, why);
    res.json({ queue: r.settings, moved: r.moved });
  });
  return router;
}
