// The rows startup reconciliation compares with the carrier: calls not closed, live offers and busy agents (drizzle only).
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { agentPresence, calls, interactions } from '../db/schema/index';

export class ReconciliationRepo {
  constructor(private readonly db: Db) {}

  /** Calls the database still thinks are up (no end time). */
  openCalls(): { sid: string; startedAt: Date; status: string }[] {
    return this.db.select({ sid: calls.sid, startedAt: calls.startedAt, status: calls.status }).from(calls).where(isNull(calls.endedAt)).all();
  }

  liveInteractions() {
    return this.db.select().from(interactions).where(inArray(interactions.status, ['offered', 'connected'])).all();
  }

  /** Agents the ACD holds: ringing (reserved) or talking (on_call). */
  busyAgents(): { staffId: number; state: 'reserved' | 'on_call' }[] {
    return this.db
      .select({ staffId: agentPresence.staffId, state: agentPresence.state })
      .from(agentPresence)
      .where(inArray(agentPresence.state, ['reserved', 'on_call']))
      .all() as { staffId: number; state: 'reserved' | 'on_call' }[];
  }

  closeCall(sid: string, o: { status: string; endedAt: Date; durationSeconds: number | null }): boolean {
    return this.db.update(calls).set(o).where(and(eq(calls.sid, sid), isNull(calls.endedAt))).run().changes > 0;
  }
}
