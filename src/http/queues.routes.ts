// The queues API: everyone on the floor reads the queues' rules; supervisors and admins set them.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import { OVERFLOW_ACTIONS } from '../acd/queue-settings.repo';
import { QUEUE_LIMITS, QUEUE_NAME, type QueueSettingsService } from '../acd/queue-settings.service';
import { DESKS } from '../acd/desks.service';
import type { Clock } from '../ivr/ivr-call.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

export const queueName = z.string().max(64, 'queue name: at most 64 characters').regex(QUEUE_NAME, 'queue name: lower-case letters, digits and single hyphens, like front-vip');
const seconds = (field: keyof typeof QUEUE_LIMITS) => {
  const { min, max } = QUEUE_LIMITS[field];
  return z.number().int('a whole number of seconds').min(min, `at least ${min}`).max(max, `at most ${max}`).optional();
};

/** Fields left out take their defaults: PUT replaces the queue's rules as a whole. */
export const queueRulesBody = z.strictObject({
  desk: z.enum(DESKS).optional(),
  serviceLevelSeconds: seconds('serviceLevelSeconds'),
  maxWaitSeconds: seconds('maxWaitSeconds'),
  overflowAction: z.enum(OVERFLOW_ACTIONS).optional(),
  overflowQueue: queueName.nullable().optional(),
  wrapUpSeconds: seconds('wrapUpSeconds'),
  postCallSurvey: z.boolean({ error: 'true or false' }).optional(),
});

export function queuesRoutes(d: { auth: AuthService; queues: QueueSettingsService; clock?: Clock }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const router = Router();

  router.get('/api/queues', signedIn, requireRole('dispatcher', 'team_lead', 'supervisor', 'admin'), (_req, res) => {
    res.json({ queues: d.queues.list() });
  });

  router.put('/api/queues/:name', signedIn, requireRole('supervisor', 'admin'), (req, res) => {
    const name = queueName.parse(req.params.name);
    const rules = queueRulesBody.parse(req.body ?? {});
    const { settings, created } = d.queues.put(name, rules, { id: currentStaff(res).id, ip: req.ip });
    res.status(created ? 201 : 200).json(settings);
  });

  return router;
}
