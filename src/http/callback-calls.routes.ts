// Calling a callback: preview mode's "call now" (the ACD rings the agent, then dials), and the agent's outcome afterwards.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Dispatcher } from '../acd/dispatcher';
import type { Clock } from '../ivr/ivr-call.service';
import { AGENT_OUTCOMES, attemptJson, type CallbackOutcomeService } from '../outbound/callback-outcome.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

export const idParam = z.object({ id: z.coerce.number({ error: 'id must be a number' }).int('id must be a whole number').positive('id must be positive') });

export const outcomeBody = z.object({
  outcome: z.enum(AGENT_OUTCOMES, { error: `outcome is required, one of: ${AGENT_OUTCOMES.join(', ')}` }),
  note: z.string({ error: 'note must be text' }).trim().max(2000, 'note is longer than 2000 characters').optional(),
  dueAt: z.iso.datetime({ error: 'dueAt must be an ISO 8601 date-time (e.g. 2026-11-24T09:30:00Z)', offset: true }).optional(),
});

export function callbackCallRoutes(d: { auth: Pick<AuthService, 'authenticate'>; dispatcher: Pick<Dispatcher, 'offerCallback'>; outcomes: CallbackOutcomeService; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const router = Router();

  router.post('/api/callbacks/:id/call', signedIn, requireRole('agent'), (req, res) => {
    const { id } = idParam.parse(req.params);
    const offer = d.dispatcher.offerCallback(id, currentStaff(res).id);
    res.status(202).json({ callbackId: id, attempt: attemptJson(offer.attempt) });
  });

  router.post('/api/callbacks/:id/outcome', signedIn, requireRole('agent', 'dispatcher', 'supervisor'), (req, res) => {
    const { id } = idParam.parse(req.params);
    const body = outcomeBody.parse(req.body ?? {});
    const staff = currentStaff(res);
    const r = d.outcomes.record(id, { id: staff.id, role: staff.role, ip: req.ip }, { outcome: body.outcome, note: body.note || undefined, dueAt: body.dueAt ? new Date(body.dueAt) : undefined });
    res.json({ id: r.callback.id, status: r.callback.status, outcome: r.callback.outcome, attempts: r.callback.attempts, dueAt: r.callback.dueAt.toISOString(), attemptList: r.attempts.map(attemptJson) });
  });

  return router;
}
