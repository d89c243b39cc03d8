// Reads the recordings library (drizzle only): the filtered, scoped, paged list, one recording with its evaluations
// and comments, and the keep flag. The rules (who sees what) are in recordings-library.service.ts.
import { and, asc, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { CallHoldsRepo } from '../acd/call-holds.repo';
import { evaluationComments, evaluations, recordings, staff, teams } from '../db/schema/index';

export type RecordingRow = typeof recordings.$inferSelect;
export type RecordingStatus = RecordingRow['status'];
export type RecordingDirection = RecordingRow['direction'];
export type Desk = NonNullable<RecordingRow['desk']>;

/** Whose recordings a caller may see: all of them, one team's, or one agent's own. */
export type RecordingScope = { kind: 'all' } | { kind: 'team'; teamId: number | null } | { kind: 'agent'; agentId: number };

export interface RecordingFilter {
  agentId?: number;
  teamId?: number;
  desk?: Desk;
  /** startedAt ≥ from. */
  from?: Date;
  /** startedAt < to. */
  to?: Date;
  minDurationSeconds?: number;
  maxDurationSeconds?: number;
  disposition?: string;
  /** Exact E.164. */
  customerPhone?: string;
  direction?: RecordingDirection;
  /** true: has a scored (non-draft, non-calibration) evaluation; false: has none. */
  scored?: boolean;
  /** One of the flag codes (long_silence, talk_over, agent_talk_ratio). */
  flag?: string;
  /** The statuses to list. @default every status but deleted */
  statuses?: RecordingStatus[];
}

/** Newest first: the last row of a page, from which the next page goes on. */
export interface RecordingCursor {
  startedAt: number;
  id: number;
}

export interface ListedRecording extends RecordingRow {
  agentName: string | null;
  teamName: string | null;
  /** The latest scored evaluation, if any. */
  latestEvaluationId: number | null;
  latestScore: number | null;
  latestEvaluationStatus: string | null;
}

export interface EvaluationSummaryRow {
  id: number;
  score: number | null;
  status: (typeof evaluations.$inferSelect)['status'];
  calibration: boolean;
  criticalFailed: boolean;
  evaluatorId: number;
  evaluatorName: string | null;
  createdAt: Date;
  submittedAt: Date | null;
}

export interface CommentRow {
  id: number;
  evaluationId: number;
  authorId: number;
  authorName: string | null;
  atSeconds: number;
  itemId: string | null;
  text: string;
  createdAt: Date;
}

const ALL_BUT_DELETED: RecordingStatus[] = ['recording', 'awaiting_media', 'stored', 'failed'];

/** An evaluation that counts as the call's score: submitted or further along, and not a calibration exercise. */
const scoredEvaluation = sql`${evaluations.recordingId} = ${recordings.id} AND ${evaluations.status} <> 'draft' AND ${evaluations.calibration} = 0`;

export class RecordingsRepo {
  private readonly agent = alias(staff, 'agent');
  private readonly getQuery;

  private readonly callHolds: CallHoldsRepo;

  constructor(private readonly db: Db) {
    this.callHolds = new CallHoldsRepo(db);
    this.getQuery = db.select().from(recordings).where(eq(recordings.id, sql.placeholder('id'))).prepare();
  }

  get(id: number): RecordingRow | undefined {
    return this.getQuery.get({ id });
  }

  /** One page, newest first, and how many rows match in all (the scope and filters, not the paging). */
  list(scope: RecordingScope, f: RecordingFilter, page: { limit: number; offset?: number; after?: RecordingCursor }): { rows: ListedRecording[]; total: number } {
    const where = this.conditions(scope, f);
    const total = this.db.select({ n: sql<number>`count(*)` }).from(recordings).where(and(...where)).get()?.n ?? 0;
    if (page.after) {
      const at = new Date(page.after.startedAt);
      where.push(or(lt(recordings.startedAt, at), and(eq(recordings.startedAt, at), lt(recordings.id, page.after.id)))!);
    }
    const latest = (column: SQL) =>
      sql`(SELECT ${column} FROM ${evaluations} WHERE ${scoredEvaluation} ORDER BY ${evaluations.submittedAt} DESC, ${evaluations.id} DESC LIMIT 1)`;
    const rows = this.db
      .select({
        r: recordings,
        agentName: this.agent.displayName,
        teamName: teams.name,
        latestEvaluationId: latest(sql`${evaluations.id}`).mapWith(Number),
        latestScore: latest(sql`${evaluations.score}`).mapWith(Number),
        latestEvaluationStatus: latest(sql`${evaluations.status}`).mapWith(String),
      })
      .from(recordings)
      .leftJoin(this.agent, eq(this.agent.id, recordings.agentId))
      .leftJoin(teams, eq(teams.id, recordings.teamId))
      .where(and(...where))
      .orderBy(desc(recordings.startedAt), desc(recordings.id))
      .limit(page.limit)
      .offset(page.after ? 0 : (page.offset ?? 0))
      .all();
    return {
      total,
      rows: rows.map((x) => ({
        ...x.r,
        agentName: x.agentName,
        teamName: x.teamName,
        // mapWith runs on NULL too: keep "no evaluation" as null rather than 0 or "null".
        latestEvaluationId: x.latestEvaluationId || null,
        latestScore: x.latestEvaluationId ? x.latestScore : null,
        latestEvaluationStatus: x.latestEvaluationId ? x.latestEvaluationStatus : null,
      })),
    };
  }

  /** The names shown beside one recording. */
  names(r: RecordingRow): { agentName: string | null; teamName: string | null } {
    const agentName = r.agentId ? (this.db.select({ n: staff.displayName }).from(staff).where(eq(staff.id, r.agentId)).get()?.n ?? null) : null;
    const teamName = r.teamId ? (this.db.select({ n: teams.name }).from(teams).where(eq(teams.id, r.teamId)).get()?.n ?? null) : null;
    return { agentName, teamName };
  }

  /** The recording's evaluations, oldest first. */
  evaluations(recordingId: number): EvaluationSummaryRow[] {
    return this.db
      .select({
        id: evaluations.id,
        score: evaluations.score,
        status: evaluations.status,
        calibration: evaluations.calibration,
        criticalFailed: evaluations.criticalFailed,
        evaluatorId: evaluations.evaluatorId,
        evaluatorName: staff.displayName,
        createdAt: evaluations.createdAt,
        submittedAt: evaluations.submittedAt,
      })
      .from(evaluations)
      .leftJoin(staff, eq(staff.id, evaluations.evaluatorId))
      .where(eq(evaluations.recordingId, recordingId))
      .orderBy(asc(evaluations.createdAt), asc(evaluations.id))
      .all();
  }

  /** The comments of the given evaluations, in the recording's time order. */
  comments(evaluationIds: number[]): CommentRow[] {
    if (!evaluationIds.length) return [];
    return this.db
      .select({
        id: evaluationComments.id,
        evaluationId: evaluationComments.evaluationId,
        authorId: evaluationComments.authorId,
        authorName: staff.displayName,
        atSeconds: evaluationComments.atSeconds,
        itemId: evaluationComments.itemId,
        text: evaluationComments.text,
        createdAt: evaluationComments.createdAt,
      })
      .from(evaluationComments)
      .leftJoin(staff, eq(staff.id, evaluationComments.authorId))
      .where(inArray(evaluationComments.evaluationId, evaluationIds))
      .orderBy(asc(evaluationComments.atSeconds), asc(evaluationComments.id))
      .all();
  }

  /** The holds of the recorded call leg (markers on the player), oldest first. */
  holds(callSid: string): { startedAt: Date; endedAt: Date | null }[] {
    return this.callHolds.forCall(callSid);
  }

  setKeep(id: number, keep: boolean): RecordingRow | undefined {
    return this.db.update(recordings).set({ keep }).where(eq(recordings.id, id)).returning().get();
  }

  private conditions(scope: RecordingScope, f: RecordingFilter): SQL[] {
    const where: SQL[] = [];
    if (scope.kind === 'agent') where.push(eq(recordings.agentId, scope.agentId));
    // A team lead without a team sees nothing (NULL = NULL is not true).
    if (scope.kind === 'team') where.push(scope.teamId === null ? sql`0` : eq(recordings.teamId, scope.teamId));
    where.push(inArray(recordings.status, f.statuses?.length ? f.statuses : ALL_BUT_DELETED));
    if (f.agentId !== undefined) where.push(eq(recordings.agentId, f.agentId));
    if (f.teamId !== undefined) where.push(eq(recordings.teamId, f.teamId));
    if (f.desk) where.push(eq(recordings.desk, f.desk));
    if (f.from) where.push(gte(recordings.startedAt, f.from));
    if (f.to) where.push(lt(recordings.startedAt, f.to));
    if (f.minDurationSeconds !== undefined) where.push(gte(recordings.durationSeconds, f.minDurationSeconds));
    if (f.maxDurationSeconds !== undefined) where.push(lte(recordings.durationSeconds, f.maxDurationSeconds));
    if (f.disposition) where.push(eq(recordings.disposition, f.disposition));
    if (f.customerPhone) where.push(eq(recordings.customerPhone, f.customerPhone));
    if (f.direction) where.push(eq(recordings.direction, f.direction));
    if (f.scored !== undefined) {
      const has = sql`EXISTS (SELECT 1 FROM ${evaluations} WHERE ${scoredEvaluation})`;
      where.push(f.scored ? has : sql`NOT ${has}`);
    }
    if (f.flag) where.push(sql`EXISTS (SELECT 1 FROM json_each(${recordings.flags}) WHERE json_each.value = ${f.flag})`);
    return where;
  }
}
