// The staffing report (agents staffed against agents needed per queue and 15 minutes), as JSON or CSV.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import { localMidnight } from '../quality/sampling';
import { toCsv } from '../quality/quality-figures';
import { STAFFING_COLUMNS, type StaffingService } from '../staffing/staffing.service';
import { requireAuth, requireRole } from './auth-middleware';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A day (2026-11-23: its start in the center's time zone) or an ISO time with its offset. */
const instant = (name: string, timeZone: string) =>
  z
    .string({ error: `${name} is required (an ISO date or time)` })
    .refine((s) => (DAY.test(s) || /^\d{4}-\d{2}-\d{2}T/.test(s)) && !Number.isNaN(Date.parse(s)), `${name} must be an ISO date (2026-11-23) or time`)
    .transform((s) => (DAY.test(s) ? localMidnight(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)), timeZone) : new Date(s)));
const fraction = (name: string) => z.coerce.number({ error: `${name} must be a number` }).gt(0, `${name} must be above 0`);

export const staffingQuery = (timeZone: string) =>
  z
    .object({
      from: instant('from', timeZone),
      to: instant('to', timeZone),
      queue: z.string().max(64, 'queue: at most 64 characters').regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'queue: a queue name like front-general').optional(),
      serviceLevel: fraction('serviceLevel').lt(1, 'serviceLevel must be below 1 (0.8 is 80%)').optional(),
      maxOccupancy: fraction('maxOccupancy').max(1, 'maxOccupancy must be at most 1 (0.85 is 85%)').optional(),
      format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional(),
    })
    .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] });

/** Supervisors and dispatchers plan with it; team leads read it. Nothing here changes anything. */
export function staffingRoutes(d: { staffing: StaffingService; auth: Pick<AuthService, 'authenticate'>; clock?: Clock; timeZone: string }): Router {
  const query = staffingQuery(d.timeZone);
  const router = Router();
  router.get('/api/reports/staffing', requireAuth(d.auth, d.clock), requireRole('supervisor', 'dispatcher', 'team_lead'), (req, res) => {
    const q = query.parse(req.query);
    const report = d.staffing.report(q);
    const csv = q.format === 'csv' || (q.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (!csv) return void res.json(report);
    res
      .type('text/csv; charset=utf-8')
      .attachment(`staffing-${report.from.slice(0, 10)}.csv`)
      .send(toCsv(report.rows as unknown as Record<string, unknown>[], STAFFING_COLUMNS));
  });
  return router;
}
