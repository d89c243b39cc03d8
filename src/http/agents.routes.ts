// The dispatch API for the floor: every agent with desks and presence, and moving an agent between desks live.
// /api/agents/me/… belongs to the agents' own API elsewhere: `:id` here matches digits only.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { AgentOnFloor } from '../acd/agent-desks.repo';
import { DESKS, SKILL_RANGE, type DesksService } from '../acd/desks.service';
import type { Clock } from '../ivr/ivr-call.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { numericId } from './route-params';

export const desksBody = z.strictObject({
  desks: z
    .array(z.strictObject({ desk: z.enum(DESKS), skill: z.number().int().min(SKILL_RANGE.min).max(SKILL_RANGE.max) }), { error: 'a list of {desk, skill} is required' })
    .min(1, 'an agent needs at least one desk')
    .max(DESKS.length),
});

export function agentJson(a: AgentOnFloor) {
  const { presence } = a;
  return { ...a, presence: { state: presence.state, reason: presence.reason, since: presence.since?.toISOString() ?? null } };
}

export type AgentJson = ReturnType<typeof agentJson>;

export function agentsRoutes(d: { auth: AuthService; desks: DesksService; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const router = Router();

  router.get('/api/agents', signedIn, requireRole('dispatcher', 'team_lead', 'supervisor', 'admin'), (_req, res) => {
    res.json({ agents: d.desks.agents().map(agentJson) });
  });

  router.put('/api/agents/:id/desks', numericId, signedIn, requireRole('dispatcher', 'supervisor', 'admin'), (req, res) => {
    const { desks } = desksBody.parse(req.body ?? {});
    res.json(agentJson(d.desks.setDesks(Number(req.params.id), desks, { id: currentStaff(res).id, ip: req.ip })));
  });

  return router;
}
