// The quality work list and its sampling: supervisors run the sampling, controllers take and release entries, and
// the quality figures as JSON or CSV.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { Clock } from '../ivr/ivr-call.service';
import type { QaAssignmentRow, WorkListRow } from '../quality/qa-assignments.repo';
import { GROUP_COLUMNS, ITEM_COLUMNS, toCsv, type QualityFigures } from '../quality/quality-figures';
import { localMidnight, PERIOD_PATTERN } from '../quality/sampling';
import type { SamplingService } from '../quality/sampling.service';
import { currentStaff, requireAuth, requireRole } from './auth-middleware';

const positiveId = (name: string) => z.coerce.number({ error: `${name} must be a number` }).int(`${name} must be a whole number`).positive(`${name} must be positive`);
export const idParam = z.object({ id: positiveId('id') });
export const samplingBody = z.object({ period: z.string({ error: 'period must be text' }).regex(PERIOD_PATTERN, 'period must be an ISO week like 2026-W48').optional() });
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A day (2026-11-23: its start in the center's time zone) or an ISO time with its offset. */
const instant = (name: string, timeZone: string) =>
  z
    .string({ error: `${name} is required (an ISO date or time)` })
    .refine((s) => (DAY.test(s) || /^\d{4}-\d{2}-\d{2}T/.test(s)) && !Number.isNaN(Date.parse(s)), `${name} must be an ISO date (2026-11-23) or time`)
    .transform((s) => (DAY.test(s) ? localMidnight(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)), timeZone) : new Date(s)));
export const figuresQuery = (timeZone: string) =>
  z
    .object({
      from: instant('from', timeZone),
      to: instant('to', timeZone),
      groupBy: z.enum(['agent', 'team', 'week'], { error: 'groupBy must be one of: agent, team, week' }).default('agent'),
      format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).optional(),
      table: z.enum(['groups', 'items'], { error: 'table must be groups or items' }).default('groups'),
    })
    .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] });

function assignmentJson(a: QaAssignmentRow) {
  return { id: a.id, recordingId: a.recordingId, reason: a.reason, period: a.period, status: a.status, assignedTo: a.assignedTo, assignedAt: a.assignedAt?.toISOString() ?? null, evaluationId: a.evaluationId, createdAt: a.createdAt.toISOString() };
}

function workListJson(a: WorkListRow) {
  const r = a.recording;
  return { ...assignmentJson(a), recording: { agentId: r.agentId, teamId: r.teamId, desk: r.desk, direction: r.direction, startedAt: r.startedAt.toISOString(), durationSeconds: r.durationSeconds, flags: JSON.parse(r.flags) as string[] } };
}

export function qaRoutes(d: { sampling: SamplingService; figures: QualityFigures; auth: Pick<AuthService, 'authenticate'>; clock?: Clock; timeZone: string }): Router {
  const signedIn = requireAuth(d.auth, d.clock);
  const workers = requireRole('quality_controller', 'supervisor');
  const query = figuresQuery(d.timeZone);
  const router = Router();

  router.post('/api/qa/sampling', signedIn, requireRole('supervisor'), (req, res) => {
    const { period } = samplingBody.parse(req.body ?? {});
    res.json(d.sampling.run(currentStaff(res), period));
  });

  router.get('/api/qa/work-list', signedIn, workers, (_req, res) => {
    const list = d.sampling.workList(currentStaff(res));
    res.json({ open: list.open.map(workListJson), mine: list.mine.map(workListJson) });
  });

  router.post('/api/qa/assignments/:id/take', signedIn, workers, (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(assignmentJson(d.sampling.take(currentStaff(res), id)));
  });

  router.post('/api/qa/assignments/:id/release', signedIn, workers, (req, res) => {
    const { id } = idParam.parse(req.params);
    res.json(assignmentJson(d.sampling.release(currentStaff(res), id)));
  });

  router.get('/api/reports/quality', signedIn, requireRole('supervisor', 'quality_controller', 'team_lead'), (req, res) => {
    const q = query.parse(req.query);
    const report = d.figures.figures(currentStaff(res), q);
    const csv = q.format === 'csv' || (q.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    if (!csv) return void res.json(report);
    const body = q.table === 'items' ? toCsv(report.mostFailedItems as unknown as Record<string, unknown>[], ITEM_COLUMNS) : toCsv(report.groups as unknown as Record<string, unknown>[], GROUP_COLUMNS);
    res
      .type('text/csv; charset=utf-8')
      .attachment(`quality-${q.groupBy}-${q.table}.csv`)
      .send(body);
  });

  return router;
}
