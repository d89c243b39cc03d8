// Reads and writes evaluations, their comments and their history (review_history, subject 'evaluation'), and the
// recordings they are about (drizzle only; the rules are in evaluations.service.ts).
import { and, asc, desc, eq, gte, inArray, lt, ne, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { evaluationComments, evaluations, recordings, reviewHistory, staff } from '../db/schema/index';

export type EvaluationRow = typeof evaluations.$inferSelect;
export type EvaluationStatus = EvaluationRow['status'];
export type EvaluationCommentRow = typeof evaluationComments.$inferSelect;
export type ReviewHistoryRow = typeof reviewHistory.$inferSelect;
export type RecordingRow = typeof recordings.$inferSelect;

export type EvaluationListRow = EvaluationRow & { teamId: number | null; recordingStartedAt: Date; agentName: string | null; evaluatorName: string | null };

export interface EvaluationFilter {
  agentId?: number;
  teamId?: number;
  evaluatorId?: number;
  status?: EvaluationStatus;
  recordingId?: number;
  calibration?: boolean;
  /** Drafts are the evaluator's own business: left out unless asked for by status. */
  excludeDrafts?: boolean;
  limit?: number;
}

export class EvaluationsRepo {
  constructor(private readonly db: Db) {}

  recording(id: number): RecordingRow | undefined {
    return this.db.select().from(recordings).where(eq(recordings.id, id)).get();
  }

  insert(e: Omit<typeof evaluations.$inferInsert, 'id'>): EvaluationRow {
    return this.db.insert(evaluations).values(e).returning().get();
  }

  get(id: number): EvaluationRow | undefined {
    return this.db.select().from(evaluations).where(eq(evaluations.id, id)).get();
  }

  /** Applies the changes only if the evaluation is still in `from`; undefined when something else moved it first. */
  transition(id: number, from: EvaluationStatus, changes: Partial<Omit<EvaluationRow, 'id'>>): EvaluationRow | undefined {
    return this.db
      .update(evaluations)
      .set(changes)
      .where(and(eq(evaluations.id, id), eq(evaluations.status, from)))
      .returning()
      .get();
  }

  onRecording(recordingId: number): EvaluationRow[] {
    return this.db.select().from(evaluations).where(eq(evaluations.recordingId, recordingId)).orderBy(asc(evaluations.id)).all();
  }

  /** Evaluations newest first, with the recording's team and start and the names of the agent and the evaluator (for lists). */
  list(f: EvaluationFilter): EvaluationListRow[] {
    const where: SQL[] = [];
    if (f.agentId !== undefined) where.push(eq(evaluations.agentId, f.agentId));
    if (f.teamId !== undefined) where.push(eq(recordings.teamId, f.teamId));
    if (f.evaluatorId !== undefined) where.push(eq(evaluations.evaluatorId, f.evaluatorId));
    if (f.status !== undefined) where.push(eq(evaluations.status, f.status));
    else if (f.excludeDrafts) where.push(ne(evaluations.status, 'draft'));
    if (f.recordingId !== undefined) where.push(eq(evaluations.recordingId, f.recordingId));
    if (f.calibration !== undefined) where.push(eq(evaluations.calibration, f.calibration));
    const agent = alias(staff, 'agent');
    const evaluator = alias(staff, 'evaluator');
    return this.db
      .select({ e: evaluations, teamId: recordings.teamId, recordingStartedAt: recordings.startedAt, agentName: agent.displayName, evaluatorName: evaluator.displayName })
      .from(evaluations)
      .innerJoin(recordings, eq(recordings.id, evaluations.recordingId))
      .leftJoin(agent, eq(agent.id, evaluations.agentId))
      .leftJoin(evaluator, eq(evaluator.id, evaluations.evaluatorId))
      .where(and(...where))
      .orderBy(desc(evaluations.id))
      .limit(f.limit ?? 200)
      .all()
      .map((r) => ({ ...r.e, teamId: r.teamId, recordingStartedAt: r.recordingStartedAt, agentName: r.agentName, evaluatorName: r.evaluatorName }));
  }

  /** Counted evaluations (not drafts, not calibration) submitted in [from, to), with their recording's team. */
  counted(from: Date, to: Date, teamId?: number): (EvaluationRow & { teamId: number | null })[] {
    const where: SQL[] = [eq(evaluations.calibration, false), inArray(evaluations.status, ['submitted', 'acknowledged', 'disputed', 'resolved']), gte(evaluations.submittedAt, from), lt(evaluations.submittedAt, to)];
    if (teamId !== undefined) where.push(eq(recordings.teamId, teamId));
    return this.db
      .select({ e: evaluations, teamId: recordings.teamId })
      .from(evaluations)
      .innerJoin(recordings, eq(recordings.id, evaluations.recordingId))
      .where(and(...where))
      .all()
      .map((r) => ({ ...r.e, teamId: r.teamId }));
  }

  /** Analysed recordings started in [from, to) (the automatic signals), optionally of one team. */
  analysedRecordings(from: Date, to: Date, teamId?: number): RecordingRow[] {
    const where: SQL[] = [gte(recordings.startedAt, from), lt(recordings.startedAt, to), ne(recordings.status, 'deleted')];
    if (teamId !== undefined) where.push(eq(recordings.teamId, teamId));
    return this.db.select().from(recordings).where(and(...where)).all();
  }

  addComment(c: Omit<typeof evaluationComments.$inferInsert, 'id'>): EvaluationCommentRow {
    return this.db.insert(evaluationComments).values(c).returning().get();
  }

  comments(evaluationId: number): EvaluationCommentRow[] {
    return this.db.select().from(evaluationComments).where(eq(evaluationComments.evaluationId, evaluationId)).orderBy(asc(evaluationComments.atSeconds), asc(evaluationComments.id)).all();
  }

  addHistory(h: { evaluationId: number; action: string; actorId: number | null; fromStatus: string | null; toStatus: string | null; note?: string | null; data?: unknown; at: Date }): void {
    this.db
      .insert(reviewHistory)
      .values({
        subject: 'evaluation',
        subjectId: h.evaluationId,
        action: h.action,
        actorId: h.actorId,
        fromStatus: h.fromStatus,
        toStatus: h.toStatus,
        note: h.note ?? null,
        data: h.data === undefined ? null : JSON.stringify(h.data),
        at: h.at,
      })
      .run();
  }

  history(evaluationId: number): ReviewHistoryRow[] {
    return this.db
      .select()
      .from(reviewHistory)
      .where(and(eq(reviewHistory.subject, 'evaluation'), eq(reviewHistory.subjectId, evaluationId)))
      .orderBy(asc(reviewHistory.id))
      .all();
  }
}
