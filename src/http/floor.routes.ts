// The live floor for dispatchers and leads: the snapshot a wallboard loads before following the WebSocket feed.
import { Router } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { FloorService } from '../acd/floor.service';
import type { Clock } from '../ivr/ivr-call.service';
import { requireAuth, requireRole } from './auth-middleware';

export function floorRoutes(d: { auth: AuthService; floor: FloorService; clock?: Clock }): Router {
  const router = Router();
  router.get('/api/floor', requireAuth(d.auth, d.clock), requireRole('dispatcher', 'team_lead', 'supervisor', 'admin'), (_req, res) => {
    res.set('Cache-Control', 'no-store').json(d.floor.snapshot());
  });
  return router;
}
