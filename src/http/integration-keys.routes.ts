// Admins manage the order system's integration keys: create (the key is shown once), list, revoke.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import type { IntegrationKeysService, IntegrationKeyView } from '../intake/integration-keys.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';
import { numericId } from './route-params';

export const createBody = z.strictObject({
  name: z.string({ error: 'name is required (which system uses the key, e.g. erp)' }).trim().min(1, 'name must not be empty').max(100, 'name is longer than 100 characters'),
});
export const revokeBody = z.strictObject({ reason: z.string({ error: 'reason must be text' }).trim().max(500, 'reason is longer than 500 characters').optional() });

function keyJson(k: IntegrationKeyView) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    createdBy: k.createdBy,
    createdAt: k.createdAt.toISOString(),
    revokedAt: k.revokedAt?.toISOString() ?? null,
    lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  };
}

export type IntegrationKeyJson = ReturnType<typeof keyJson>;

export function integrationKeyRoutes(d: { keys: IntegrationKeysService; auth: Pick<AuthService, 'authenticate'>; clock: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const admin = requireRole('admin');
  const router = Router();

  router.post('/api/integration-keys', signedIn, admin, (req, res) => {
    const { name } = createBody.parse(req.body ?? {});
    const k = d.keys.create(name, { id: currentStaff(res).id, ip: req.ip }, d.clock.now());
    res.status(201).location(`/api/integration-keys/${k.id}`).json({ ...keyJson(k), key: k.key });
  });

  router.get('/api/integration-keys', signedIn, admin, (_req, res) => {
    res.json(d.keys.list().map(keyJson));
  });

  router.delete('/api/integration-keys/:id', numericId, signedIn, admin, (req, res) => {
    const { reason } = revokeBody.parse(req.body ?? {});
    res.json(keyJson(d.keys.revoke(Number(req.params.id), { id: currentStaff(res).id, ip: req.ip }, d.clock.now(), reason)));
  });

  return router;
}
