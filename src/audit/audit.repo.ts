// Writes and reads the audit trail (drizzle only): one row per audited action.
import { and, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog } from '../db/schema/index';

export type AuditRow = typeof auditLog.$inferSelect;

export interface AuditEntry {
  at: Date;
  actorId: number | null;
  action: string;
  subjectType: string;
  subjectId: string | number;
  reason?: string | null;
  /** Serialised as JSON; keep secrets and full phone numbers out. */
  detail?: Record<string, unknown>;
  ip?: string | null;
}

export interface AuditFilter {
  action?: string;
  subjectType?: string;
  subjectId?: string;
  actorId?: number;
  from?: Date;
  to?: Date;
  limit?: number;
  /** Rows to skip (paging, newest first). @default 0 */
  offset?: number;
}

export class AuditRepo {
  constructor(private readonly db: Db) {}

  record(e: AuditEntry): AuditRow {
    return this.db
      .insert(auditLog)
      .values({
        at: e.at,
        actorId: e.actorId,
        action: e.action,
        subjectType: e.subjectType,
        subjectId: String(e.subjectId),
        reason: e.reason ?? null,
        detail: e.detail ? JSON.stringify(e.detail) : null,
        ip: e.ip ?? null,
      })
      .returning()
      .get();
  }

  /** Newest first. */
  list(f: AuditFilter = {}): AuditRow[] {
    const where: SQL[] = [];
    if (f.action) where.push(eq(auditLog.action, f.action));
    if (f.subjectType) where.push(eq(auditLog.subjectType, f.subjectType));
    if (f.subjectId !== undefined) where.push(eq(auditLog.subjectId, f.subjectId));
    if (f.actorId !== undefined) where.push(eq(auditLog.actorId, f.actorId));
    if (f.from) where.push(gte(auditLog.at, f.from));
    if (f.to) where.push(lt(auditLog.at, f.to));
    return this.db
      .select()
      .from(auditLog)
      .where(where.length ? and(...where) : undefined)
      .orderBy(desc(auditLog.at), desc(auditLog.id))
      .limit(f.limit ?? 100)
      .offset(f.offset ?? 0)
      .all();
  }
}
