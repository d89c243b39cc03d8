// Interactions: each offer of a waiting call to an agent, from ringing to the end of the conversation (drizzle only).
import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { calls, interactions } from '../db/schema/index';

export type InteractionRow = typeof interactions.$inferSelect;
export type InteractionStatus = InteractionRow['status'];

const LIVE: InteractionStatus[] = ['offered', 'connected'];

export class InteractionsRepo {
  private readonly getQuery;
  private readonly offerQuery;
  private readonly conferenceQuery;
  private readonly liveForCallQuery;

  constructor(private readonly db: Db) {
    this.getQuery = db.select().from(interactions).where(eq(interactions.id, sql.placeholder('id'))).prepare();
    // Asked before every offer (a call must not be offered twice) and by many webhooks.
    this.liveForCallQuery = db.select().from(interactions).where(and(eq(interactions.callSid, sql.placeholder('callSid')), inArray(interactions.status, LIVE))).prepare();
    // Every offer runs these (in the dispatcher's transaction): prepared, not rebuilt and recompiled per call.
    this.offerQuery = db
      .insert(interactions)
      .values({
        callSid: sql.placeholder('callSid'),
        queueEntryId: sql.placeholder('queueEntryId'),
        agentId: sql.placeholder('agentId'),
        status: 'offered',
        conference: 'pending',
        offeredAt: sql.placeholder('at'),
      })
      .returning()
      .prepare();
    this.conferenceQuery = db
      .update(interactions)
      .set({ conference: sql`${sql.placeholder('conference')}` })
      .where(eq(interactions.id, sql.placeholder('id')))
      .prepare();
  }

  /** Records an offer; the conference is named for the interaction. */
  offer(o: { callSid: string; queueEntryId: number; agentId: number; at: Date }): InteractionRow {
    const row = this.offerQuery.get({ callSid: o.callSid, queueEntryId: o.queueEntryId, agentId: o.agentId, at: o.at })!;
    const conference = `interaction-${row.id}`;
    this.conferenceQuery.run({ conference, id: row.id });
    return { ...row, conference };
  }

  /** An outbound conversation (a callback the customer answered): connected from the start, in the attempt's conference. */
  outbound(o: { callSid: string; agentId: number; callbackId: number; attemptId: number; conference: string; agentCallSid: string | null; offeredAt: Date; at: Date }): InteractionRow {
    return this.db
      .insert(interactions)
      .values({
        callSid: o.callSid,
        agentId: o.agentId,
        callbackId: o.callbackId,
        attemptId: o.attemptId,
        conference: o.conference,
        agentCallSid: o.agentCallSid,
        direction: 'outbound',
        status: 'connected',
        offeredAt: o.offeredAt,
        answeredAt: o.at,
      })
      .returning()
      .get();
  }

  get(id: number): InteractionRow | undefined {
    return this.getQuery.get({ id });
  }

  liveForCall(callSid: string): InteractionRow | undefined {
    return this.liveForCallQuery.get({ callSid });
  }

  liveForAgent(agentId: number): InteractionRow | undefined {
    return this.db.select().from(interactions).where(and(eq(interactions.agentId, agentId), inArray(interactions.status, LIVE))).get();
  }

  forConference(conference: string): InteractionRow | undefined {
    return this.db.select().from(interactions).where(eq(interactions.conference, conference)).get();
  }

  /** Moves the interaction on only if it is still in `from`; false when something else got there first. */
  transition(id: number, from: InteractionStatus, changes: Partial<Omit<InteractionRow, 'id'>>): boolean {
    return this.db.update(interactions).set(changes).where(and(eq(interactions.id, id), eq(interactions.status, from))).run().changes > 0;
  }

  update(id: number, changes: Partial<Omit<InteractionRow, 'id'>>): void {
    this.db.update(interactions).set(changes).where(eq(interactions.id, id)).run();
  }

  offeredBefore(before: Date): InteractionRow[] {
    return this.db.select().from(interactions).where(and(eq(interactions.status, 'offered'), lt(interactions.offeredAt, before))).all();
  }

  /** Conversations still marked connected whose caller's call ended before `before` (the agent may be alone). */
  connectedWithCallerEndedBefore(before: Date): InteractionRow[] {
    return this.db
      .select({ ix: interactions })
      .from(interactions)
      .innerJoin(calls, eq(calls.sid, interactions.callSid))
      .where(and(eq(interactions.status, 'connected'), lt(calls.endedAt, before)))
      .all()
      .map((r) => r.ix);
  }

  forCall(callSid: string): InteractionRow[] {
    return this.db.select().from(interactions).where(eq(interactions.callSid, callSid)).orderBy(interactions.id).all();
  }
}
