// The agent's hold and resume of the customer on their live call (the carrier plays the customer hold music).
import { Router, type RequestHandler } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { CallHoldService, HoldState } from '../acd/call-hold.service';
import type { Clock } from '../ivr/ivr-call.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

export function callHoldRoutes(d: { auth: Pick<AuthService, 'authenticate'>; clock: Clock; holds: Pick<CallHoldService, 'hold' | 'resume'> }): Router {
  const router = Router();
  const signedIn = requireAuth(d.auth, d.clock);
  // Who held whom and when is the call_holds row itself (started_by), so no audit entry is added.
  const change = (onHold: boolean): RequestHandler => async (_req, res) => {
    const staff = currentStaff(res);
    const s = await (onHold ? d.holds.hold(staff.id) : d.holds.resume(staff.id));
    res.json(holdJson(s));
  };
  router.post('/api/calls/current/hold', signedIn, requireRole('agent'), change(true));
  router.post('/api/calls/current/resume', signedIn, requireRole('agent'), change(false));
  return router;
}

function holdJson(s: HoldState) {
  return {
    interactionId: s.interactionId,
    onHold: s.onHold,
    hold: { id: s.hold.id, startedAt: s.hold.startedAt.toISOString(), endedAt: s.hold.endedAt?.toISOString() ?? null },
  };
}
