// Voicemails left on the hotline, with where their audio is kept.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { voicemails } from '../db/schema/index';

export type Voicemail = typeof voicemails.$inferSelect;

export class VoicemailsRepo {
  constructor(private readonly db: Db) {}

  add(v: typeof voicemails.$inferInsert): void {
    this.db.insert(voicemails).values(v).onConflictDoNothing().run();
  }

  forCall(callSid: string): Voicemail | undefined {
    return this.db.select().from(voicemails).where(eq(voicemails.callSid, callSid)).get();
  }

  byRecording(recordingSid: string): Voicemail | undefined {
    return this.db.select().from(voicemails).where(eq(voicemails.recordingSid, recordingSid)).get();
  }

  update(id: number, changes: Partial<Omit<Voicemail, 'id'>>): void {
    this.db.update(voicemails).set(changes).where(eq(voicemails.id, id)).run();
  }
}
