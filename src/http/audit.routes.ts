// The audit trail for supervisors and admins: who forced, reset or changed what, when, why and from where.
import { Router } from 'express';
import { z } from 'zod';
import type { AuthService } from '../auth/auth.service';
import type { AuditRepo, AuditRow } from '../audit/audit.repo';
import type { Clock } from '../ivr/ivr-call.service';
import { requireAuth, requireRole } from './auth-middleware';

const instant = (name: string) => z.iso.datetime({ offset: true, error: `${name} must be an ISO 8601 time, e.g. 2026-11-30T00:00:00Z` }).transform((s) => new Date(s));
const text = (name: string) => z.string({ error: `${name} must be given once` }).trim().min(1).max(100);

const auditQuery = z.strictObject({
  action: text('action').optional(),
  subjectType: text('subjectType').optional(),
  subjectId: text('subjectId').optional(),
  actorId: z.coerce.number({ error: 'actorId must be a number' }).int().positive('actorId must be a staff id').optional(),
  /** Inclusive. */
  from: instant('from').optional(),
  /** Exclusive. */
  to: instant('to').optional(),
  limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(100),
  offset: z.coerce.number({ error: 'offset must be a number' }).int().min(0, 'offset must be 0 or more').max(1_000_000).default(0),
});

function auditJson(r: AuditRow) {
  let detail: unknown = null;
  try {
    detail = r.detail ? JSON.parse(r.detail) : null;
  } catch {
    detail = r.detail;
  }
  return { id: r.id, at: r.at.toISOString(), actorId: r.actorId, action: r.action, subjectType: r.subjectType, subjectId: r.subjectId, reason: r.reason, detail, ip: r.ip };
}

export function auditRoutes(d: { auth: AuthService; audit: Pick<AuditRepo, 'list'>; clock?: Clock }): Router {
  const router = Router();
  router.get('/api/audit', requireAuth(d.auth, d.clock), requireRole('supervisor', 'admin'), (req, res) => {
    const q = auditQuery.parse(req.query);
    // One row more than asked says whether another page follows.
    const rows = d.audit.list({ ...q, limit: q.limit + 1 });
    const more = rows.length > q.limit;
    res.set('Cache-Control', 'no-store').json({ entries: rows.slice(0, q.limit).map(auditJson), offset: q.offset, limit: q.limit, nextOffset: more ? q.offset + q.limit : null });
  });
  return router;
}
