// The contact-center figures: GET /api/reports/contact-center, by interval and group, as JSON or CSV.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import { REPORT_DIMENSIONS } from '../db/schema/reports';
import { FIGURE_COLUMNS } from '../reports/contact-center-figures';
import type { ContactCenterReports } from '../reports/contact-center-report.service';
import { REPORT_INTERVALS } from '../reports/report-intervals';
import { toCsv } from '../quality/quality-figures';
import { localMidnight } from '../quality/sampling';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A day (2026-11-23: its start in the center's time zone) or an ISO time with its offset. */
const instant = (name: string, timeZone: string) =>
  z
    .string({ error: `${name} is required (an ISO date or time)` })
    .refine((s) => (DAY.test(s) || /^\d{4}-\d{2}-\d{2}T/.test(s)) && !Number.isNaN(Date.parse(s)), `${name} must be an ISO date (2026-11-23) or time`)
    .transform((s) => (DAY.test(s) ? localMidnight(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)), timeZone) : new Date(s)));

export const reportQuery = (timeZone: string) =>
  z
    .object({
      from: instant('from', timeZone),
      to: instant('to', timeZone),
      interval: z.enum(REPORT_INTERVALS, { error: `interval must be one of: ${REPORT_INTERVALS.join(', ')}` }).default('hour'),
      groupBy: z.enum(REPORT_DIMENSIONS, { error: `groupBy must be one of: ${REPORT_DIMENSIONS.join(', ')}` }).default('queue'),
      format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional(),
      table: z.enum(['rows', 'totals'], { error: 'table must be rows or totals' }).default('rows'),
    })
    .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] });

export const ROW_COLUMNS = ['intervalStart', 'intervalEnd', 'key', 'name', ...FIGURE_COLUMNS] as const;
export const TOTAL_COLUMNS = ['key', 'name', ...FIGURE_COLUMNS] as const;

export function reportsRoutes(d: { reports: ContactCenterReports; auth: Pick<AuthService, 'authenticate'>; clock?: Clock; timeZone: string }): Router {
  const query = reportQuery(d.timeZone);
  const router = Router();

  router.get('/api/reports/contact-center', requireAuth(d.auth, d.clock), requireRole('supervisor', 'dispatcher', 'team_lead'), (req, res) => {
    const q = query.parse(req.query);
    const report = d.reports.report(currentStaff(res), q);
    const csv = q.format === 'csv' || (q.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (!csv) return void res.json(report);
    const body = q.table === 'totals' ? toCsv(report.totals as unknown as Record<string, unknown>[], TOTAL_COLUMNS) : toCsv(report.rows as unknown as Record<string, unknown>[], ROW_COLUMNS);
    res.type('text/csv; charset=utf-8').attachment(`contact-center-${q.groupBy}-${q.interval}-${q.table}.csv`).send(body);
  });

  return router;
}
