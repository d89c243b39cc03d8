// Writes and reads the review history of orders and RMAs (drizzle only): one row per step, with who and when.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { reviewHistory } from '../db/schema/index';

export type ReviewHistoryRow = typeof reviewHistory.$inferSelect;
export type ReviewSubject = ReviewHistoryRow['subject'];

export interface NewReviewStep {
  subject: ReviewSubject;
  subjectId: number;
  action: string;
  /** null for the system (intake, rules, claim expiry). */
  actorId: number | null;
  fromStatus?: string | null;
  toStatus?: string | null;
  note?: string | null;
  /** Serialised as JSON. */
  data?: Record<string, unknown> | null;
  at: Date;
}

export class ReviewHistoryRepo {
  constructor(private readonly db: Db) {}

  add(s: NewReviewStep): ReviewHistoryRow {
    return this.db
      .insert(reviewHistory)
      .values({ ...s, fromStatus: s.fromStatus ?? null, toStatus: s.toStatus ?? null, note: s.note ?? null, data: s.data ? JSON.stringify(s.data) : null })
      .returning()
      .get();
  }

  /** Oldest first. */
  list(subject: ReviewSubject, subjectId: number): ReviewHistoryRow[] {
    return this.db
      .select()
      .from(reviewHistory)
      .where(and(eq(reviewHistory.subject, subject), eq(reviewHistory.subjectId, subjectId)))
      .orderBy(asc(reviewHistory.id))
      .all();
  }
}

/** A history row as the API shows it (data parsed). */
export function reviewHistoryJson(h: ReviewHistoryRow) {
  return {
    id: h.id,
    action: h.action,
    actorId: h.actorId,
    fromStatus: h.fromStatus,
    toStatus: h.toStatus,
    note: h.note,
    data: h.data ? (JSON.parse(h.data) as unknown) : null,
    at: h.at.toISOString(),
  };
}
