// Listen, whisper, barge: a dispatcher, team lead, quality controller or supervisor joins an agent's live call from their softphone.
import { Router, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import type { LiveMonitoringService, MonitorActor } from '../monitoring/live-monitoring.service';
import type { MonitorSessionRow } from '../monitoring/monitor-sessions.repo';
import { MONITOR_MODES, MONITOR_ROLES } from '../monitoring/monitor-modes';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const mode = z.enum(MONITOR_MODES, { error: `mode must be one of: ${MONITOR_MODES.join(', ')}` });
const reason = z.string({ error: 'reason must be a string' }).trim().min(1, 'reason must not be empty').max(500).optional();
export const joinBody = z.strictObject({ mode, reason });
export const leaveBody = z.strictObject({ reason });

/** Lets a non-numeric `:agentId` fall through to later routes (and so to 404). */
const numericAgentId: RequestHandler = (req, _res, next) => (/^\d{1,9}$/.test(String(req.params.agentId)) ? next() : next('route'));

export function monitorSessionView(s: MonitorSessionRow) {
  return {
    id: s.id,
    agentId: s.agentId,
    interactionId: s.interactionId,
    mode: s.mode,
    status: s.status,
    startedAt: s.startedAt.toISOString(),
    joinedAt: s.joinedAt?.toISOString() ?? null,
    endedAt: s.endedAt?.toISOString() ?? null,
    endReason: s.endReason,
  };
}

export function monitoringRoutes(d: { auth: AuthService; monitoring: LiveMonitoringService; clock?: Clock }): Router {
  const router = Router();
  const gate = [numericAgentId, requireAuth(d.auth, d.clock), requireRole(...MONITOR_ROLES)];
  const actor = (req: { ip?: string }, res: Response): MonitorActor => ({ ...currentStaff(res), ip: req.ip ?? null });
  const send = (res: Response, status: number) => (s: MonitorSessionRow) => void res.status(status).json(monitorSessionView(s));

  // Rings the caller's softphone and joins them to the agent's call in the mode asked.
  router.post('/api/calls/live/:agentId/monitor', ...gate, (req, res, next) => {
    const body = joinBody.parse(req.body ?? {});
    d.monitoring.start(actor(req, res), Number(req.params.agentId), body.mode, body.reason).then(send(res, 201), next);
  });

  router.get('/api/calls/live/:agentId/monitor', ...gate, (req, res) => {
    res.set('Cache-Control', 'no-store');
    send(res, 200)(d.monitoring.mine(actor(req, res), Number(req.params.agentId)));
  });

  // Switches between listen, whisper and barge during the call.
  router.patch('/api/calls/live/:agentId/monitor', ...gate, (req, res, next) => {
    const body = joinBody.parse(req.body ?? {});
    d.monitoring.switchMode(actor(req, res), Number(req.params.agentId), body.mode, body.reason).then(send(res, 200), next);
  });

  // Leaves the call (it goes on without the monitor).
  router.delete('/api/calls/live/:agentId/monitor', ...gate, (req, res, next) => {
    const body = leaveBody.parse(req.body ?? {});
    d.monitoring.stop(actor(req, res), Number(req.params.agentId), body.reason).then(send(res, 200), next);
  });

  return router;
}
