// Reads and writes scorecards and their versions (drizzle only; the rules are in scorecard.service.ts).
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { scorecards, scorecardVersions } from '../db/schema/index';

export type ScorecardRow = typeof scorecards.$inferSelect;
export type ScorecardVersionRow = typeof scorecardVersions.$inferSelect;

export class ScorecardsRepo {
  constructor(private readonly db: Db) {}

  list(): ScorecardRow[] {
    return this.db.select().from(scorecards).orderBy(asc(scorecards.id)).all();
  }

  /** 0 or 1: whether any scorecard exists. */
  count(): number {
    return this.db.select({ id: scorecards.id }).from(scorecards).limit(1).all().length;
  }

  get(id: number): ScorecardRow | undefined {
    return this.db.select().from(scorecards).where(eq(scorecards.id, id)).get();
  }

  byName(name: string): ScorecardRow | undefined {
    return this.db.select().from(scorecards).where(eq(scorecards.name, name)).get();
  }

  insert(s: Omit<typeof scorecards.$inferInsert, 'id'>): ScorecardRow {
    return this.db.insert(scorecards).values(s).returning().get();
  }

  update(id: number, changes: Partial<Omit<ScorecardRow, 'id'>>): ScorecardRow {
    return this.db.update(scorecards).set(changes).where(eq(scorecards.id, id)).returning().get();
  }

  insertVersion(v: Omit<typeof scorecardVersions.$inferInsert, 'id'>): ScorecardVersionRow {
    return this.db.insert(scorecardVersions).values(v).returning().get();
  }

  versions(scorecardId: number): ScorecardVersionRow[] {
    return this.db.select().from(scorecardVersions).where(eq(scorecardVersions.scorecardId, scorecardId)).orderBy(asc(scorecardVersions.version)).all();
  }

  version(scorecardId: number, version: number): ScorecardVersionRow | undefined {
    return this.db
      .select()
      .from(scorecardVersions)
      .where(and(eq(scorecardVersions.scorecardId, scorecardId), eq(scorecardVersions.version, version)))
      .get();
  }

  versionById(id: number): ScorecardVersionRow | undefined {
    return this.db.select().from(scorecardVersions).where(eq(scorecardVersions.id, id)).get();
  }
}
