// The one audit trail (drizzle only): every privileged action, allowed, refused or failed, is one appended row here.
// Append-only: this module has no update or delete, and triggers in the database refuse both (migration audit_trail).
import { and, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { auditLog, type AuditOutcome } from '../db/schema/index';
import { Busy, DomainError, Forbidden } from '../errors/domain-errors';

export type AuditRow = typeof auditLog.$inferSelect;
export type { AuditOutcome };

export interface AuditEntry {
  at: Date;
  /** The staff member who acted; null for the system itself or for someone not signed in (a failed sign-in, an integration key). */
  actorId: number | null;
  /** Dotted verb, `<area>.<what>`: `auth.signed_in`, `staff.role_changed`, `queue_settings.changed`. */
  action: string;
  subjectType: string;
  subjectId: string | number;
  reason?: string | null;
  /** Serialised as JSON; keep secrets and full phone numbers out. */
  detail?: Record<string, unknown>;
  ip?: string | null;
  /** @default 'success' */
  outcome?: AuditOutcome;
}

export interface AuditFilter {
  /** Exactly this action. */
  action?: string;
  /** Actions starting with this (`staff.` for every account change). */
  actionPrefix?: string;
  subjectType?: string;
  subjectId?: string;
  actorId?: number;
  outcome?: AuditOutcome;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  limit?: number;
  /** Rows to skip (paging, newest first). @default 0 */
  offset?: number;
}

/** Who acted and from which client address, as the features pass it on. */
export interface AuditActor {
  id: number;
  ip?: string | null;
}

/** What the features get: recording only (reading is the audit route's). */
export type AuditTrail = Pick<AuditRepo, 'record'>;

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
        outcome: e.outcome ?? 'success',
      })
      .returning()
      .get();
  }

  /** Newest first. */
  list(f: AuditFilter = {}): AuditRow[] {
    const where: SQL[] = [];
    if (f.action) where.push(eq(auditLog.action, f.action));
    // substr, not LIKE: a prefix with _ or % means itself.
    if (f.actionPrefix) where.push(sql`substr(${auditLog.action}, 1, ${f.actionPrefix.length}) = ${f.actionPrefix}`);
    if (f.subjectType) where.push(eq(auditLog.subjectType, f.subjectType));
    if (f.subjectId !== undefined) where.push(eq(auditLog.subjectId, f.subjectId));
    if (f.actorId !== undefined) where.push(eq(auditLog.actorId, f.actorId));
    if (f.outcome) where.push(eq(auditLog.outcome, f.outcome));
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

/**
 * How a refused or failed privileged action is written: `denied` when a rule of the domain refused it (a conflict, a
 * target that is not there, bad input), `failed` when it was allowed but could not be done (the carrier unreachable,
 * an unexpected error). undefined for a role refusal: the API writes that one itself (`api.access_denied`).
 */
export function refusalOutcome(err: unknown): AuditOutcome | undefined {
  if (err instanceof Forbidden) return undefined;
  if (err instanceof Busy) return 'failed';
  return err instanceof DomainError ? 'denied' : 'failed';
}

/**
 * Runs a privileged action; when it throws, writes the attempt (`entry` with the outcome, and the error's message as
 * `detail.refusal`) in its own transaction, since the action's own was rolled back, and throws on. Sync or async.
 */
export function auditedAttempt<T>(audit: AuditTrail, transact: <R>(fn: () => R) => R, entry: () => Omit<AuditEntry, 'outcome'>, action: () => T): T {
  const refused = (err: unknown) => {
    const outcome = refusalOutcome(err);
    if (outcome) {
      const e = entry();
      const why = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      transact(() => audit.record({ ...e, outcome, reason: e.reason ?? why, detail: { ...e.detail, refusal: why } }));
    }
    throw err;
  };
  let result: T;
  try {
    result = action();
  } catch (err) {
    return refused(err);
  }
  if (result instanceof Promise) return result.catch(refused) as T;
  return result;
}
