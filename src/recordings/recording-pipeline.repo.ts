// The recording pipeline's writes: a row when a call leg's recording starts, its status from the carrier's callbacks,
// the stored file and the audio figures. (The library's reads are in recordings.repo.ts.)
import { and, asc, eq, gte, inArray, isNotNull, lt, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { CallHoldsRepo } from '../acd/call-holds.repo';
import { recordings, interactions, calls, queueEntries, callbackRequests, staff, evaluations } from '../db/schema/index';
import type { RecordingRow } from './recordings.repo';

export interface Interval {
  start: number;
  end: number;
}

/** Who and what a recorded call leg is about, read from its interaction. */
export interface RecordingContext {
  interactionId: number;
  agentId: number;
  teamId: number | null;
  desk: RecordingRow['desk'];
  customerId: number | null;
  customerPhone: string | null;
  direction: 'inbound' | 'outbound';
}

export class RecordingPipelineRepo {
  private readonly callHolds: CallHoldsRepo;

  constructor(private readonly db: Db) {
    this.callHolds = new CallHoldsRepo(db);
  }

  /** The metadata of the interaction whose customer leg is `callSid` (the live one, or else the latest). */
  context(interactionId: number): RecordingContext | undefined {
    const r = this.db
      .select({
        interactionId: interactions.id,
        agentId: interactions.agentId,
        direction: interactions.direction,
        teamId: staff.teamId,
        queueDesk: queueEntries.desk,
        callbackDesk: callbackRequests.desk,
        callCustomer: calls.customerId,
        callbackCustomer: callbackRequests.customerId,
        from: calls.from,
        to: calls.to,
        callbackPhone: callbackRequests.phone,
      })
      .from(interactions)
      .innerJoin(staff, eq(staff.id, interactions.agentId))
      .leftJoin(calls, eq(calls.sid, interactions.callSid))
      .leftJoin(queueEntries, eq(queueEntries.id, interactions.queueEntryId))
      .leftJoin(callbackRequests, eq(callbackRequests.id, interactions.callbackId))
      .where(eq(interactions.id, interactionId))
      .get();
    if (!r) return undefined;
    const outbound = r.direction === 'outbound';
    return {
      interactionId: r.interactionId,
      agentId: r.agentId,
      teamId: r.teamId,
      desk: r.queueDesk ?? r.callbackDesk ?? null,
      customerId: r.callCustomer ?? r.callbackCustomer ?? null,
      customerPhone: (outbound ? (r.callbackPhone ?? r.to) : r.from) ?? null,
      direction: r.direction,
    };
  }

  insert(row: typeof recordings.$inferInsert): RecordingRow | undefined {
    return this.db.insert(recordings).values(row).onConflictDoNothing().returning().get();
  }

  bySid(recordingSid: string): RecordingRow | undefined {
    return this.db.select().from(recordings).where(eq(recordings.recordingSid, recordingSid)).get();
  }

  /** The recording running on a call leg (recording, not yet completed). */
  liveForCall(callSid: string): RecordingRow | undefined {
    // By the call alone (its index; a call has one or two recordings), the status checked here: with both in the WHERE,
    // SQLite picked the status index and walked every recording in progress (hundreds in a rush) on each answered call.
    return this.db
      .select()
      .from(recordings)
      .where(eq(recordings.callSid, callSid))
      .all()
      .find((r) => r.status === 'recording');
  }

  update(id: number, changes: Partial<Omit<RecordingRow, 'id'>>): void {
    this.db.update(recordings).set(changes).where(eq(recordings.id, id)).run();
  }

  /** Moves a row on only from one of `from`: a repeated or late callback changes nothing. */
  transition(id: number, from: RecordingRow['status'][], changes: Partial<Omit<RecordingRow, 'id'>>): boolean {
    return this.db.update(recordings).set(changes).where(and(eq(recordings.id, id), inArray(recordings.status, from))).run().changes > 0;
  }

  /** The interaction's own reference to its recording (read by the older call views). */
  linkInteraction(interactionId: number, recordingSid: string, recordingUrl: string | null): void {
    this.db.update(interactions).set({ recordingSid, recordingUrl }).where(eq(interactions.id, interactionId)).run();
  }

  /** The holds of a call leg (the agent put its customer on hold), oldest first. */
  holdsFor(callSid: string): { startedAt: Date; endedAt: Date | null }[] {
    return this.callHolds.forCall(callSid);
  }

  /**
   * The agent talk ratios of a desk's analysed recordings started since `since` (other than `exceptId`) in which both
   * parties together talked at least `minTalkSeconds`: what the desk's normal is taken from.
   */
  deskTalkRatios(desk: NonNullable<RecordingRow['desk']>, since: Date, exceptId: number, minTalkSeconds: number): number[] {
    return this.db
      .select({ ratio: recordings.agentTalkRatio })
      .from(recordings)
      .where(
        and(
          eq(recordings.desk, desk),
          gte(recordings.startedAt, since),
          ne(recordings.id, exceptId),
          isNotNull(recordings.analysedAt),
          isNotNull(recordings.agentTalkRatio),
          sql`coalesce(${recordings.customerTalkSeconds}, 0) + coalesce(${recordings.agentTalkSeconds}, 0) >= ${minTalkSeconds}`,
        ),
      )
      .all()
      .map((r) => r.ratio!);
  }

  /** Recordings started before `before`, not deleted, not kept and with no evaluation under dispute. */
  expired(before: Date, limit: number): RecordingRow[] {
    return this.db.select().from(recordings).where(this.expiredWhere(before)).limit(limit).all();
  }

  /** Whether the recording is still one to delete (not kept, not disputed meanwhile): checked right before its file goes. */
  stillExpired(id: number, before: Date): boolean {
    return this.db.select({ id: recordings.id }).from(recordings).where(and(eq(recordings.id, id), this.expiredWhere(before))).get() !== undefined;
  }

  private expiredWhere(before: Date) {
    const disputed = this.db.select({ id: evaluations.recordingId }).from(evaluations).where(eq(evaluations.status, 'disputed'));
    return and(lt(recordings.startedAt, before), sql`${recordings.status} <> 'deleted'`, eq(recordings.keep, false), sql`${recordings.id} not in ${disputed}`);
  }
}
