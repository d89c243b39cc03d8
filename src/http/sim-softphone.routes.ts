// Simulator mode only: the console's simulated softphone (register, see what rings, answer, hang up) through the server.
import { Router } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import type { SimSoftphoneBridge } from '../telephony/sim-softphone-bridge';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { SOFTPHONE_ROLES } from './voice.routes';

export function simSoftphoneRoutes(d: { auth: Pick<AuthService, 'authenticate'>; bridge: Pick<SimSoftphoneBridge, 'register' | 'state' | 'answer' | 'hangup' | 'unregister'>; clock?: Clock }): Router {
  const gate = [requireAuth(d.auth, d.clock), requireRole(...SOFTPHONE_ROLES)];
  const router = Router();
  router.post('/api/softphone/sim', ...gate, async (_req, res) => {
    res.status(201).json(await d.bridge.register(currentStaff(res)));
  });
  router.get('/api/softphone/sim', ...gate, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await d.bridge.state(currentStaff(res)));
  });
  router.post('/api/softphone/sim/answer', ...gate, async (_req, res) => {
    res.json(await d.bridge.answer(currentStaff(res)));
  });
  router.post('/api/softphone/sim/hangup', ...gate, async (_req, res) => {
    res.json(await d.bridge.hangup(currentStaff(res)));
  });
  router.delete('/api/softphone/sim', ...gate, async (_req, res) => {
    await d.bridge.unregister(currentStaff(res));
    res.status(204).end();
  });
  return router;
}
