// The agent's own presence: read it, change it (available, break with a reason, offline, next state, longer wrap-up).
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { PresenceService } from '../acd/agent-presence.service';
import type { PresenceRow } from '../acd/presence.repo';
import type { DesksService } from '../acd/desks.service';
import { BREAK_REASONS } from '../acd/agent-presence';
import type { Clock } from '../ivr/ivr-call.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

export const stateBody = z
  .object({
    state: z.enum(['available', 'break', 'offline', 'wrap_up'], { error: 'state must be one of available, break, offline, wrap_up' }),
    reason: z.enum(BREAK_REASONS, { error: `reason must be one of ${BREAK_REASONS.join(', ')}` }).optional(),
    extendSeconds: z.number().int().positive().optional(),
  })
  .strict()
  .refine((b) => b.state !== 'wrap_up' || b.extendSeconds !== undefined, { message: 'wrap_up takes extendSeconds (to extend a wrap-up in progress)' })
  .refine((b) => b.state !== 'break' || b.reason !== undefined, { message: 'a break needs a reason' });

export function presenceView(p: PresenceRow) {
  return {
    agentId: p.staffId,
    state: p.state,
    reason: p.reason,
    since: p.since.toISOString(),
    nextState: p.nextState,
    nextReason: p.nextReason,
    wrapUpUntil: p.wrapUpUntil?.toISOString() ?? null,
  };
}

export function presenceRoutes(d: { auth: AuthService; presence: PresenceService; desks?: Pick<DesksService, 'desksOf'>; clock?: Clock }): Router {
  const clock = d.clock ?? { now: () => new Date() };
  const agent = [requireAuth(d.auth, clock), requireRole('agent')];
  const router = Router();

  /** The agent's presence, and the desks they sit on now (a dispatcher may move them: AgentDesksChanged on /ws). */
  router.get('/api/agents/me', ...agent, (_req, res) => {
    const id = currentStaff(res).id;
    res.json({ ...presenceView(d.presence.get(id)), ...(d.desks ? { desks: d.desks.desksOf(id) } : {}) });
  });

  router.put('/api/agents/me/state', ...agent, (req, res) => {
    const body = stateBody.parse(req.body ?? {});
    res.json(presenceView(d.presence.request(currentStaff(res).id, body)));
  });

  /** For a desktop without a WebSocket: the same sign of life the socket's heartbeat gives. */
  router.post('/api/agents/me/heartbeat', ...agent, (_req, res) => {
    d.presence.heartbeat(currentStaff(res).id, clock.now());
    res.status(204).end();
  });

  return router;
}
