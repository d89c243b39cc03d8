// A stored two-channel call recording for QA tests: synthetic speech on both channels in a local recording store and
// its row in `recordings`, analysed (a long silence and a talk-over), as the recording pipeline leaves one.
import type { Db } from '../../src/db/client';
import { eq } from 'drizzle-orm';
import { recordings, staff } from '../../src/db/schema/index';
import { encodeDualChannelWav } from '../../src/recordings/wav';
import type { LocalRecordingStore } from '../../src/recordings/recording-store';
import { synthesizeCallAudio } from './synthetic-call-audio';

export const QA_CALL_SECONDS = 20;

/** Stores a 20 s call of `agent` (the customer speaks first, a silence from 9 s to 14 s, talk-over from 16 s) and returns the recording's id. */
export async function seedStoredCall(
  db: Db,
  store: LocalRecordingStore,
  o: { n: number; agent: string; startedAt: string; desk?: 'front' | 'middle' | 'back'; /** Recording pauses, in seconds. */ pauses?: { start: number; end: number }[] },
): Promise<number> {
  const tag = `qa${String(o.n).padStart(2, '0')}`;
  const callSid = `CA${tag.padStart(32, '0')}`;
  const recordingSid = `RE${tag.padStart(32, '0')}`;
  const key = `${o.startedAt.slice(0, 10).replaceAll('-', '/')}/${callSid}-${recordingSid}.wav`;
  const audio = synthesizeCallAudio({
    durationSeconds: QA_CALL_SECONDS,
    channel0: [
      { start: 0.5, end: 4 },
      { start: 16, end: 18 },
    ],
    channel1: [
      { start: 4.5, end: 9 },
      { start: 14, end: 17.2 },
    ],
    seed: 11 + o.n,
  });
  const wav = encodeDualChannelWav(audio.channels[0], audio.channels[1], audio.sampleRate);
  await store.put(key, wav);
  const agent = db.select({ id: staff.id, teamId: staff.teamId }).from(staff).where(eq(staff.username, o.agent)).get()!;
  const started = new Date(o.startedAt);
  return db
    .insert(recordings)
    .values({
      recordingSid,
      callSid,
      agentId: agent.id,
      teamId: agent.teamId,
      desk: o.desk ?? 'front',
      customerPhone: '+8613800138000',
      direction: 'inbound',
      disposition: 'resolved',
      startedAt: started,
      durationSeconds: QA_CALL_SECONDS,
      status: 'stored',
      channels: 2,
      customerChannel: 0,
      contentType: 'audio/wav',
      storageKey: key,
      sizeBytes: wav.length,
      storedAt: new Date(started.getTime() + 60_000),
      pauses: JSON.stringify(o.pauses ?? []),
      flags: JSON.stringify(['long_silence', 'talk_over']),
      analysedAt: new Date(started.getTime() + 120_000),
      customerTalkSeconds: 5.5,
      agentTalkSeconds: 7.7,
      agentTalkRatio: 0.58,
      longestSilenceSeconds: 5,
      talkOverCount: 1,
      talkOverSeconds: 1.2,
      holdSeconds: 0,
      analysis: JSON.stringify({
        segments: { customer: [{ start: 0.5, end: 4 }, { start: 16, end: 18 }], agent: [{ start: 4.5, end: 9 }, { start: 14, end: 17.2 }] },
        longSilences: [{ start: 9, end: 14, seconds: 5 }],
        talkOver: { count: 1, seconds: 1.2, intervals: [{ start: 16, end: 17.2 }] },
        longestSilence: { start: 9, end: 14, seconds: 5 },
      }),
    })
    .returning({ id: recordings.id })
    .get().id;
}
