// Reads and writes the quality work list (qa_assignments) and the week's sampling candidates (drizzle only).
import { and, asc, eq, gte, inArray, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { qaAssignments, recordings, workOrders } from '../db/schema/index';

export type QaAssignmentRow = typeof qaAssignments.$inferSelect;

export interface CandidateRow {
  recordingId: number;
  agentId: number;
  desk: string | null;
  callSid: string;
  durationSeconds: number | null;
  flags: string;
  disposition: string | null;
}

export type WorkListRow = QaAssignmentRow & {
  recording: { agentId: number | null; teamId: number | null; desk: string | null; startedAt: Date; durationSeconds: number | null; flags: string; direction: string };
};

export class QaAssignmentsRepo {
  constructor(private readonly db: Db) {}

  /** Stored recordings with an agent, started in [from, to). */
  candidates(from: Date, to: Date): CandidateRow[] {
    return this.db
      .select({
        recordingId: recordings.id,
        agentId: sql<number>`${recordings.agentId}`,
        desk: recordings.desk,
        callSid: recordings.callSid,
        durationSeconds: recordings.durationSeconds,
        flags: recordings.flags,
        disposition: recordings.disposition,
      })
      .from(recordings)
      .where(and(eq(recordings.status, 'stored'), isNotNull(recordings.agentId), gte(recordings.startedAt, from), lt(recordings.startedAt, to)))
      .all();
  }

  /** Of these calls, those with a complaint work order. */
  complaintCalls(callSids: string[]): Set<string> {
    const found = new Set<string>();
    for (let i = 0; i < callSids.length; i += 500) {
      const chunk = callSids.slice(i, i + 500);
      const rows = this.db
        .selectDistinct({ callSid: workOrders.callSid })
        .from(workOrders)
        .where(and(inArray(workOrders.callSid, chunk), or(eq(workOrders.category, 'complaint'), isNotNull(workOrders.complaintType))))
        .all();
      for (const r of rows) if (r.callSid) found.add(r.callSid);
    }
    return found;
  }

  inPeriod(period: string): QaAssignmentRow[] {
    return this.db.select().from(qaAssignments).where(eq(qaAssignments.period, period)).all();
  }

  /** Adds what is not on the list yet for the period; returns the rows added (a rerun adds none). */
  addMany(rows: Omit<typeof qaAssignments.$inferInsert, 'id'>[]): QaAssignmentRow[] {
    const added: QaAssignmentRow[] = [];
    for (const r of rows) {
      const row = this.db.insert(qaAssignments).values(r).onConflictDoNothing().returning().get();
      if (row) added.push(row);
    }
    return added;
  }

  get(id: number): QaAssignmentRow | undefined {
    return this.db.select().from(qaAssignments).where(eq(qaAssignments.id, id)).get();
  }

  /** Takes an open assignment for one controller; undefined when it is not open any more (someone else was first). */
  take(id: number, staffId: number, at: Date): QaAssignmentRow | undefined {
    return this.db
      .update(qaAssignments)
      .set({ status: 'assigned', assignedTo: staffId, assignedAt: at })
      .where(and(eq(qaAssignments.id, id), eq(qaAssignments.status, 'open')))
      .returning()
      .get();
  }

  /** Puts an assigned one back on the open list; `holder` restricts it to that controller's own. */
  release(id: number, holder?: number): QaAssignmentRow | undefined {
    const where = [eq(qaAssignments.id, id), eq(qaAssignments.status, 'assigned')];
    if (holder !== undefined) where.push(eq(qaAssignments.assignedTo, holder));
    return this.db
      .update(qaAssignments)
      .set({ status: 'open', assignedTo: null, assignedAt: null })
      .where(and(...where))
      .returning()
      .get();
  }

  /** The open or assigned entries of a recording (at most one per period). */
  activeForRecording(recordingId: number): QaAssignmentRow[] {
    return this.db
      .select()
      .from(qaAssignments)
      .where(and(eq(qaAssignments.recordingId, recordingId), inArray(qaAssignments.status, ['open', 'assigned'])))
      .all();
  }

  markDone(id: number, evaluationId: number, staffId: number, at: Date): void {
    this.db
      .update(qaAssignments)
      .set({ status: 'done', evaluationId, assignedTo: sql`coalesce(${qaAssignments.assignedTo}, ${staffId})`, assignedAt: sql`coalesce(${qaAssignments.assignedAt}, ${at.getTime()})` })
      .where(eq(qaAssignments.id, id))
      .run();
  }

  /** Open entries, and those held by `staffId`. */
  workList(staffId: number, limit = 500): WorkListRow[] {
    return this.db
      .select({ a: qaAssignments, r: { agentId: recordings.agentId, teamId: recordings.teamId, desk: recordings.desk, startedAt: recordings.startedAt, durationSeconds: recordings.durationSeconds, flags: recordings.flags, direction: recordings.direction } })
      .from(qaAssignments)
      .innerJoin(recordings, eq(recordings.id, qaAssignments.recordingId))
      .where(or(eq(qaAssignments.status, 'open'), and(eq(qaAssignments.status, 'assigned'), eq(qaAssignments.assignedTo, staffId))))
      .orderBy(asc(qaAssignments.id))
      .limit(limit)
      .all()
      .map((x) => ({ ...x.a, recording: x.r }));
  }
}
