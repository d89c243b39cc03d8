// Callback attempts: each call placed (or about to be placed) for a callback, from ringing the agent to its result.
import { and, asc, eq, inArray, lt, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callbackAttempts, callbackRequests } from '../db/schema/index';

export type CallbackAttempt = typeof callbackAttempts.$inferSelect;
export type AttemptState = CallbackAttempt['state'];

/** States of an attempt still under way (the agent's leg may be up, the customer's call may be coming). */
export const LIVE_ATTEMPT_STATES: readonly AttemptState[] = ['offered', 'pending', 'dialing', 'placed'];

export class CallbackAttemptsRepo {
  constructor(private readonly db: Db) {}

  /** The agent's softphone is about to ring for this callback; the conference is named for the attempt. */
  offer(o: { callbackId: number; agentId: number; at: Date }): CallbackAttempt {
    const row = this.db.insert(callbackAttempts).values({ callbackId: o.callbackId, agentId: o.agentId, state: 'offered', createdAt: o.at }).returning().get();
    const conference = `callback-attempt-${row.id}`;
    this.db.update(callbackAttempts).set({ conference }).where(eq(callbackAttempts.id, row.id)).run();
    return { ...row, conference };
  }

  get(id: number): CallbackAttempt | undefined {
    return this.db.select().from(callbackAttempts).where(eq(callbackAttempts.id, id)).get();
  }

  forCallSid(callSid: string): CallbackAttempt | undefined {
    return this.db.select().from(callbackAttempts).where(eq(callbackAttempts.callSid, callSid)).get();
  }

  forCallback(callbackId: number): CallbackAttempt[] {
    return this.db.select().from(callbackAttempts).where(eq(callbackAttempts.callbackId, callbackId)).orderBy(asc(callbackAttempts.id)).all();
  }

  /** Moves the attempt on only if it is still in one of `from`; false when something else got there first. */
  transition(id: number, from: AttemptState | readonly AttemptState[], changes: Partial<Omit<CallbackAttempt, 'id'>>): boolean {
    const states = typeof from === 'string' ? [from] : [...from];
    return this.db.update(callbackAttempts).set(changes).where(and(eq(callbackAttempts.id, id), inArray(callbackAttempts.state, states))).run().changes > 0;
  }

  update(id: number, changes: Partial<Omit<CallbackAttempt, 'id'>>): void {
    this.db.update(callbackAttempts).set(changes).where(eq(callbackAttempts.id, id)).run();
  }

  /** The attempt an agent is working now (ringing, dialing or talking), if any. */
  liveForAgent(agentId: number): CallbackAttempt | undefined {
    return this.db
      .select()
      .from(callbackAttempts)
      .where(and(eq(callbackAttempts.agentId, agentId), inArray(callbackAttempts.state, [...LIVE_ATTEMPT_STATES])))
      .orderBy(asc(callbackAttempts.id))
      .get();
  }

  inStates(states: readonly AttemptState[]): CallbackAttempt[] {
    return this.db.select().from(callbackAttempts).where(inArray(callbackAttempts.state, [...states])).orderBy(asc(callbackAttempts.id)).all();
  }

  /**
   * The agent's outcome "retry": the callback goes back to the list, due at `dueAt` (eligible at `eligibleAt`, the
   * first moment inside its calling hours). Kept here, beside the attempt that led to it, so the list's own repository
   * stays as its owner wrote it; false when the callback is already closed.
   */
  reopenCallback(callbackId: number, dueAt: Date, eligibleAt: Date, now: Date): boolean {
    return (
      this.db
        .update(callbackRequests)
        .set({ status: 'open', reservedBy: null, dueAt, eligibleAt, updatedAt: now })
        .where(and(eq(callbackRequests.id, callbackId), inArray(callbackRequests.status, ['open', 'in_progress'])))
        .run().changes > 0
    );
  }

  /** Attempts still pending since before `before` (by when they were offered) or dialing since before it. */
  stalledBefore(before: Date): CallbackAttempt[] {
    return this.db
      .select()
      .from(callbackAttempts)
      .where(
        or(
          and(eq(callbackAttempts.state, 'pending'), lt(callbackAttempts.createdAt, before)),
          and(eq(callbackAttempts.state, 'dialing'), lt(callbackAttempts.dialedAt, before)),
        ),
      )
      .orderBy(asc(callbackAttempts.id))
      .all();
  }

  /** Agent rings that outlived the ring timeout (their status callback never came). */
  offeredBefore(before: Date): CallbackAttempt[] {
    return this.db.select().from(callbackAttempts).where(and(eq(callbackAttempts.state, 'offered'), lt(callbackAttempts.createdAt, before))).all();
  }
}
