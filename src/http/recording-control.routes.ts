// The agent's pause and resume of their live call's recording, while the customer reads out a card or ID number.
import { Router, type RequestHandler } from 'express';
import type { AuthService } from '../auth/auth.service';
import type { AuditRepo } from '../audit/audit.repo';
import type { Clock } from '../ivr/ivr-call.service';
import type { CallRecorder } from '../recordings/call-recorder';
import { parsePauses } from '../recordings/call-recorder';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

export function recordingControlRoutes(d: {
  auth: Pick<AuthService, 'authenticate'>;
  clock: Clock;
  recorder: CallRecorder;
  audit: AuditRepo;
  /** The customer's leg of the agent's live call, if they have one. */
  liveCall(agentId: number): { customerCallSid: string } | undefined;
}): Router {
  const router = Router();
  const signedIn = requireAuth(d.auth, d.clock);
  const setPaused = (paused: boolean): RequestHandler => async (req, res) => {
    const staff = currentStaff(res);
    const row = await d.recorder.setPaused(d.liveCall(staff.id), paused);
    d.audit.record({ at: d.clock.now(), actorId: staff.id, action: paused ? 'recording.paused' : 'recording.resumed', subjectType: 'recording', subjectId: row.id, ip: req.ip ?? null });
    res.json({ id: row.id, paused, pauses: parsePauses(row.pauses) });
  };
  router.post('/api/recordings/current/pause', signedIn, requireRole('agent'), setPaused(true));
  router.post('/api/recordings/current/resume', signedIn, requireRole('agent'), setPaused(false));
  return router;
}
