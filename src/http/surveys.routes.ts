// The post-call survey answers: filtered by queue, agent and dates, with their mean rating.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import { localMidnight } from '../quality/sampling';
import { SURVEY_READERS, type SurveysService } from '../surveys/surveys.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A day (its start in the center's time zone; `to` takes the whole day) or an ISO time with its offset. */
const instant = (name: string, timeZone: string, endOfDay: boolean) =>
  z
    .string({ error: `${name} must be an ISO date or time` })
    .refine((s) => (DAY.test(s) || /^\d{4}-\d{2}-\d{2}T/.test(s)) && !Number.isNaN(Date.parse(s)), `${name} must be an ISO date (2026-11-23) or time`)
    .transform((s) => (DAY.test(s) ? localMidnight(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)) + (endOfDay ? 1 : 0), timeZone) : new Date(s)));

export const surveysQuery = (timeZone: string) =>
  z
    .strictObject({
      queue: z.string().max(64, 'queue: at most 64 characters').regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'queue must be a queue name like front-general').optional(),
      agentId: z.coerce.number({ error: 'agentId must be a number' }).int('agentId must be a whole number').positive('agentId must be positive').optional(),
      from: instant('from', timeZone, false).optional(),
      to: instant('to', timeZone, true).optional(),
      limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit: at least 1').max(500, 'limit: at most 500').default(100),
      offset: z.coerce.number({ error: 'offset must be a number' }).int('offset must be a whole number').min(0, 'offset: at least 0').default(0),
    })
    .refine((q) => !q.from || !q.to || q.to > q.from, { message: 'to must be after from', path: ['to'] });

export function surveysRoutes(d: { surveys: SurveysService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock; timeZone: string }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const query = surveysQuery(d.timeZone);
  const router = Router();

  router.get('/api/surveys', signedIn, requireRole(...SURVEY_READERS), (req, res) => {
    const { limit, offset, ...filter } = query.parse(req.query);
    res.json(d.surveys.list(currentStaff(res), filter, { limit, offset }));
  });

  return router;
}
