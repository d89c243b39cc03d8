// Callback requests: customers who asked to be called back, the start of the callback list.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { callbackRequests } from '../db/schema/index';

export type CallbackRequest = typeof callbackRequests.$inferSelect;

export class CallbackRequestsRepo {
  constructor(private readonly db: Db) {}

  /** One request per call: a retried webhook adds nothing (and returns undefined). */
  add(request: typeof callbackRequests.$inferInsert): number | undefined {
    return this.db.insert(callbackRequests).values(request).onConflictDoNothing().returning({ id: callbackRequests.id }).get()?.id;
  }

  forCall(callSid: string): CallbackRequest | undefined {
    return this.db.select().from(callbackRequests).where(eq(callbackRequests.callSid, callSid)).get();
  }

  open(): CallbackRequest[] {
    return this.db.select().from(callbackRequests).where(eq(callbackRequests.status, 'open')).orderBy(callbackRequests.requestedAt).all();
  }
}
