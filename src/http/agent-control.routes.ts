// The supervisor's overrides: force an agent offline, end a call record that has no live call (both audited).
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { AgentControlService } from '../acd/agent-control.service';
import type { Clock } from '../ivr/ivr-call.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { numericId } from './route-params';
import { presenceView } from './presence.routes';

const reason = z.string({ error: 'a reason is required (it is audited)' }).trim().min(3, 'a reason is required (it is audited)').max(500);
export const forceStateBody = z.strictObject({ state: z.literal('offline', { error: 'state must be offline' }), reason });
export const forceEndBody = z.strictObject({ reason });

export function agentControlRoutes(d: { auth: AuthService; agentControl: AgentControlService; clock?: Clock }): Router {
  const supervisor = [requireAuth(d.auth, d.clock), requireRole('supervisor', 'admin')];
  const router = Router();

  router.post('/api/agents/:id/force-state', numericId, ...supervisor, (req, res) => {
    const body = forceStateBody.parse(req.body ?? {});
    const p = d.agentControl.forceState({ id: currentStaff(res).id, ip: req.ip }, Number(req.params.id), body.state, body.reason);
    res.json(presenceView(p));
  });

  router.post('/api/interactions/:id/force-end', numericId, ...supervisor, (req, res, next) => {
    const body = forceEndBody.parse(req.body ?? {});
    d.agentControl
      .forceEnd({ id: currentStaff(res).id, ip: req.ip }, Number(req.params.id), body.reason)
      .then((ix) => res.json({ id: ix.id, status: ix.status, endedAt: ix.endedAt?.toISOString() ?? null, agentId: ix.agentId, callSid: ix.callSid }))
      .catch(next);
  });

  return router;
}
