// The do-not-call list (drizzle only): numbers the center must never dial, who put them there and why.
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { doNotCall } from '../db/schema/index';

export type DoNotCallEntry = typeof doNotCall.$inferSelect;

export class DoNotCallRepo {
  constructor(private readonly db: Db) {}

  /** Newest first; one number when `phone` is given. */
  list(f: { phone?: string; limit: number; offset: number }): DoNotCallEntry[] {
    return this.db
      .select()
      .from(doNotCall)
      .where(f.phone ? eq(doNotCall.phone, f.phone) : undefined)
      .orderBy(desc(doNotCall.addedAt), desc(doNotCall.phone))
      .limit(f.limit)
      .offset(f.offset)
      .all();
  }

  get(phone: string): DoNotCallEntry | undefined {
    return this.db.select().from(doNotCall).where(eq(doNotCall.phone, phone)).get();
  }

  /** False when the number was already on the list (it keeps its first entry). */
  add(e: DoNotCallEntry): boolean {
    return this.db.insert(doNotCall).values(e).onConflictDoNothing().run().changes > 0;
  }

  remove(phone: string): boolean {
    return this.db.delete(doNotCall).where(eq(doNotCall.phone, phone)).run().changes > 0;
  }
}
