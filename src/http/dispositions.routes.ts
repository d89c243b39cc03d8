// The wrap-up API: the list of disposition codes, and the agent setting the code of a call they had.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import { DISPOSITION_CODES, DISPOSITIONS, type DispositionService } from '../acd/dispositions';
import type { Clock } from '../ivr/ivr-call.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

export const idParam = z.object({ id: z.coerce.number({ error: 'id must be a number' }).int('id must be a whole number').positive('id must be positive') });
export const dispositionBody = z.object({
  code: z.enum(DISPOSITION_CODES, { error: `code is required, one of: ${DISPOSITION_CODES.join(', ')}` }),
});

export function dispositionRoutes(d: { service: DispositionService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const router = Router();

  router.get('/api/dispositions', signedIn, (_req, res) => {
    res.json(DISPOSITIONS);
  });

  router.post('/api/interactions/:id/disposition', signedIn, requireRole('agent'), (req, res) => {
    const { id } = idParam.parse(req.params);
    const { code } = dispositionBody.parse(req.body ?? {});
    const i = d.service.set(currentStaff(res), id, code);
    res.json({ interactionId: i.id, callSid: i.callSid, agentId: i.agentId, status: i.status, disposition: i.disposition });
  });

  return router;
}
