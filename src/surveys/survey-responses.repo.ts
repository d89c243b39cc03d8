// Post-call survey answers (drizzle only): stored per conversation, listed with filters, and averaged for the reports.
import { and, avg, count, desc, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { staff, surveyResponses } from '../db/schema/index';

export type SurveyResponse = typeof surveyResponses.$inferSelect;
export type NewSurveyResponse = typeof surveyResponses.$inferInsert;

export interface SurveyFilter {
  queue?: string;
  agentId?: number;
  teamId?: number;
  /** answeredAt >= from */
  from?: Date;
  /** answeredAt < to */
  to?: Date;
}

/** How satisfactionBetween groups its figures. */
export type SatisfactionBy = 'center' | 'desk' | 'queue' | 'team' | 'agent';

export interface SatisfactionFigure {
  /** The group's key: the queue name, desk, team or agent id as text; `center` for the whole center. */
  key: string;
  responses: number;
  /** Mean rating 1-5, two decimals. */
  average: number;
  /** Answers of 4 or 5 (satisfied or very satisfied). */
  satisfied: number;
}

export class SurveyResponsesRepo {
  constructor(private readonly db: Db) {}

  /** Stores the rating of a conversation; false when it already has one (a retried webhook). */
  insert(r: NewSurveyResponse): boolean {
    return this.db.insert(surveyResponses).values(r).onConflictDoNothing().run().changes > 0;
  }

  forInteraction(interactionId: number): SurveyResponse | undefined {
    return this.db.select().from(surveyResponses).where(eq(surveyResponses.interactionId, interactionId)).get();
  }

  forCall(callSid: string): SurveyResponse[] {
    return this.db.select().from(surveyResponses).where(eq(surveyResponses.callSid, callSid)).orderBy(surveyResponses.id).all();
  }

  get(id: number): SurveyResponse | undefined {
    return this.db.select().from(surveyResponses).where(eq(surveyResponses.id, id)).get();
  }

  update(id: number, changes: Partial<Omit<SurveyResponse, 'id'>>): void {
    this.db.update(surveyResponses).set(changes).where(eq(surveyResponses.id, id)).run();
  }

  /** The agent's team now (copied onto the answer, as recordings do). */
  teamOf(agentId: number): number | null {
    return this.db.select({ teamId: staff.teamId }).from(staff).where(eq(staff.id, agentId)).get()?.teamId ?? null;
  }

  /** Newest first, with the agent's name. */
  list(f: SurveyFilter, page: { limit: number; offset: number }) {
    return this.db
      .select({ response: surveyResponses, agentName: staff.displayName })
      .from(surveyResponses)
      .leftJoin(staff, eq(staff.id, surveyResponses.agentId))
      .where(and(...where(f)))
      .orderBy(desc(surveyResponses.answeredAt), desc(surveyResponses.id))
      .limit(page.limit)
      .offset(page.offset)
      .all()
      .map((r) => ({ ...r.response, agentName: r.agentName }));
  }

  /** How many answers match, and their mean rating (null when none). */
  summary(f: SurveyFilter): { responses: number; average: number | null } {
    const r = this.db
      .select({ n: count(), mean: avg(surveyResponses.rating) })
      .from(surveyResponses)
      .where(and(...where(f)))
      .get();
    return { responses: r?.n ?? 0, average: r?.mean == null ? null : round2(Number(r.mean)) };
  }

  /**
   * Customer satisfaction for the reports: answers given in [from, to), grouped `by` desk, queue, team or agent (or the
   * whole center), each with its count, mean rating and number of 4-5 answers. Groups with no answer are absent.
   */
  satisfactionBetween(from: Date, to: Date, by: SatisfactionBy): SatisfactionFigure[] {
    const key: SQL<string> =
      by === 'desk'
        ? sql<string>`${surveyResponses.desk}`
        : by === 'queue'
          ? sql<string>`${surveyResponses.queue}`
          : by === 'team'
            ? sql<string>`coalesce(cast(${surveyResponses.teamId} as text), 'none')`
            : by === 'agent'
              ? sql<string>`cast(${surveyResponses.agentId} as text)`
              : sql<string>`'center'`;
    return this.db
      .select({
        key,
        responses: count(),
        mean: avg(surveyResponses.rating),
        satisfied: sql<number>`sum(case when ${surveyResponses.rating} >= 4 then 1 else 0 end)`,
      })
      .from(surveyResponses)
      .where(and(gte(surveyResponses.answeredAt, from), lt(surveyResponses.answeredAt, to)))
      .groupBy(key)
      .orderBy(key)
      .all()
      .map((r) => ({ key: String(r.key), responses: r.responses, average: round2(Number(r.mean)), satisfied: Number(r.satisfied) }));
  }
}

function where(f: SurveyFilter): SQL[] {
  const w: SQL[] = [];
  if (f.queue) w.push(eq(surveyResponses.queue, f.queue));
  if (f.agentId !== undefined) w.push(eq(surveyResponses.agentId, f.agentId));
  if (f.teamId !== undefined) w.push(eq(surveyResponses.teamId, f.teamId));
  if (f.from) w.push(gte(surveyResponses.answeredAt, f.from));
  if (f.to) w.push(lt(surveyResponses.answeredAt, f.to));
  return w;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
