// The audit trail for supervisors and admins: who did what to what, when, from where, why and with what outcome; JSON or CSV.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { AuditRepo, AuditRow } from '../audit/audit.repo';
import { AUDIT_OUTCOMES } from '../db/schema/index';
import type { Clock } from '../ivr/ivr-call.service';
import { toCsv } from '../quality/quality-figures';
import { requireAuth, requireRole } from './auth-middleware';

const instant = (name: string) => z.iso.datetime({ offset: true, error: `${name} must be an ISO 8601 time, e.g. 2026-11-30T00:00:00Z` }).transform((s) => new Date(s));
const text = (name: string) => z.string({ error: `${name} must be given once` }).trim().min(1).max(100);

/** Rows one CSV export may hold; narrow the filters (from/to) for more. */
export const AUDIT_CSV_MAX_ROWS = 50_000;

export const auditQuery = z.strictObject({
  action: text('action').optional(),
  /** `staff.` matches every account change. */
  actionPrefix: text('actionPrefix').optional(),
  subjectType: text('subjectType').optional(),
  subjectId: text('subjectId').optional(),
  actorId: z.coerce.number({ error: 'actorId must be a number' }).int().positive('actorId must be a staff id').optional(),
  outcome: z.enum(AUDIT_OUTCOMES, { error: `outcome must be one of ${AUDIT_OUTCOMES.join(', ')}` }).optional(),
  /** Inclusive. */
  from: instant('from').optional(),
  /** Exclusive. */
  to: instant('to').optional(),
  format: z.enum(['json', 'csv'], { error: 'format must be json or csv' }).default('json'),
  /** JSON pages; a CSV export takes every matching row up to AUDIT_CSV_MAX_ROWS and ignores limit and offset. */
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(100),
  offset: z.coerce.number({ error: 'offset must be a number' }).int().min(0, 'offset must be 0 or more').max(1_000_000).default(0),
});

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.iso.datetime(),
  actorId: z.number().int().nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  reason: z.string().nullable(),
  detail: z.unknown(),
  ip: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
});

export const auditPageSchema = z.object({
  entries: z.array(auditEntrySchema),
  offset: z.number().int(),
  limit: z.number().int(),
  nextOffset: z.number().int().nullable(),
});

export const AUDIT_CSV_COLUMNS = ['id', 'at', 'actorId', 'action', 'subjectType', 'subjectId', 'outcome', 'reason', 'ip', 'detail'] as const;

function auditJson(r: AuditRow): z.infer<typeof auditEntrySchema> {
  let detail: unknown = null;
  try {
    detail = r.detail ? JSON.parse(r.detail) : null;
  } catch {
    detail = r.detail;
  }
  return { id: r.id, at: r.at.toISOString(), actorId: r.actorId, action: r.action, subjectType: r.subjectType, subjectId: r.subjectId, reason: r.reason, detail, ip: r.ip, outcome: r.outcome };
}

export function auditRoutes(d: { auth: AuthService; audit: Pick<AuditRepo, 'list'>; clock?: Clock }): Router {
  const router = Router();
  router.get('/api/audit', requireAuth(d.auth, d.clock), requireRole('supervisor', 'admin'), (req, res) => {
    const { format, ...q } = auditQuery.parse(req.query);
    res.set('Cache-Control', 'no-store');
    if (format === 'csv') {
      const rows = d.audit.list({ ...q, offset: 0, limit: AUDIT_CSV_MAX_ROWS }).map(auditJson);
      res.set('X-Audit-Rows', String(rows.length));
      return void res.type('text/csv; charset=utf-8').attachment('audit.csv').send(toCsv(rows, AUDIT_CSV_COLUMNS));
    }
    // One row more than asked says whether another page follows.
    const rows = d.audit.list({ ...q, limit: q.limit + 1 });
    const more = rows.length > q.limit;
    res.json({ entries: rows.slice(0, q.limit).map(auditJson), offset: q.offset, limit: q.limit, nextOffset: more ? q.offset + q.limit : null });
  });
  return router;
}
