// Holds of the customer in a conversation (drizzle only): open one, find the open one, close it, list a leg's.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callHolds } from '../db/schema/index';

export type CallHoldRow = typeof callHolds.$inferSelect;

export class CallHoldsRepo {
  constructor(private readonly db: Db) {}

  /** Opens a hold; undefined when one is already open on the conversation (the unique index refuses a second). */
  open(h: { interactionId: number; callSid: string; startedAt: Date; startedBy: number }): CallHoldRow | undefined {
    return this.db.insert(callHolds).values(h).onConflictDoNothing().returning().get();
  }

  openFor(interactionId: number): CallHoldRow | undefined {
    return this.db
      .select()
      .from(callHolds)
      .where(and(eq(callHolds.interactionId, interactionId), isNull(callHolds.endedAt)))
      .get();
  }

  /** The holds of a call leg (the agent put its customer on hold), oldest first: markers on its recording. */
  forCall(callSid: string): Pick<CallHoldRow, 'startedAt' | 'endedAt'>[] {
    return this.db
      .select({ startedAt: callHolds.startedAt, endedAt: callHolds.endedAt })
      .from(callHolds)
      .where(eq(callHolds.callSid, callSid))
      .orderBy(asc(callHolds.startedAt))
      .all();
  }

  /** Closes the conversation's open hold at `at` (never before it started); the closed row, or undefined if none was open. */
  close(interactionId: number, at: Date): CallHoldRow | undefined {
    const open = this.openFor(interactionId);
    if (!open) return undefined;
    const endedAt = at.getTime() < open.startedAt.getTime() ? open.startedAt : at;
    return this.db
      .update(callHolds)
      .set({ endedAt })
      .where(and(eq(callHolds.id, open.id), isNull(callHolds.endedAt)))
      .returning()
      .get();
  }
}
