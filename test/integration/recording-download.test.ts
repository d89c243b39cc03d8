// The recording download job on its own: checks the media (size, WAV), stores it once under its date/call key with
// its checksum, and analyses the two channels (figures, flags, analysis JSON) with the pauses left out.
import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { openDatabase, type Db } from '../../src/db/client';
import { recordings } from '../../src/db/schema/index';
import { createLogger } from '../../src/logging/logger';
import { RecordingPipelineRepo } from '../../src/recordings/recording-pipeline.repo';
import { RecordingDownloader, recordingKey } from '../../src/recordings/recording-download';
import type { RecordingStore, StoredObject } from '../../src/recordings/recording-store';
import { encodePcm16Wav } from '../../src/recordings/wav';
import { Readable } from 'node:stream';

const RATE = 8000;
const CALL = `CA${'a'.repeat(32)}`;
const REC = `RE${'b'.repeat(32)}`;

/** A tone on [from, to) seconds of a channel `seconds` long, over a faint line hiss (as on a real line). */
function channel(seconds: number, talk: [number, number][]): Int16Array {
  const s = new Int16Array(seconds * RATE);
  let seed = 12345;
  for (let i = 0; i < s.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    s[i] = (seed % 61) - 30;
  }
  for (const [a, b] of talk) for (let i = a * RATE; i < b * RATE; i++) s[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  return s;
}

class MemoryStore implements RecordingStore {
  files = new Map<string, Buffer>();
  puts = 0;
  async put(key: string, bytes: Uint8Array): Promise<StoredObject> {
    this.puts++;
    this.files.set(key, Buffer.from(bytes));
    return { sizeBytes: bytes.byteLength };
  }
  async stat(key: string) {
    const b = this.files.get(key);
    return b ? { sizeBytes: b.length } : undefined;
  }
  read(key: string) {
    return Readable.from([this.files.get(key)!]);
  }
  async delete(key: string) {
    this.files.delete(key);
  }
}

describe('recording download job: checks, stores once, analyses', () => {
  let db: Db;
  let store: MemoryStore;
  let answers: Buffer[];
  let fetched: string[];
  const startedAt = new Date('2026-11-30T02:03:04Z');
  // Customer talks 0–10 s, agent 12–20 s, then nobody for 35 s (a long silence); a pause at 20–22 s is left out.
  const wav = encodePcm16Wav(RATE, [channel(55, [[0, 10]]), channel(55, [[12, 20]])]);

  beforeEach(() => {
    db = openDatabase(':memory:');
    store = new MemoryStore();
    answers = [];
    fetched = [];
    db.insert(recordings).values({ recordingSid: REC, callSid: CALL, direction: 'inbound', startedAt, status: 'awaiting_media', pauses: JSON.stringify([{ start: 20, end: 22 }]) }).run();
  });
  afterEach(() => db.$client.close());

  const downloader = () =>
    new RecordingDownloader({
      repo: new RecordingPipelineRepo(db),
      media: {
        recordingMedia: async (sid) => {
          fetched.push(sid);
          const next = answers.shift();
          if (!next) throw new Error('carrier answered 503');
          return next;
        },
      },
      store,
      clock: { now: () => new Date('2026-11-30T03:00:00Z') },
      log: createLogger('error', true),
    });
  const row = () => db.select().from(recordings).where(eq(recordings.recordingSid, REC)).get()!;

  it('refuses a header-only or non-WAV answer (the job retries), then stores the real one once with its checksum', async () => {
    answers.push(wav.subarray(0, 44), Buffer.from('<html>not audio</html>'.repeat(10)), wav);
    const d = downloader();
    let err = await d.run({ callSid: CALL, recordingSid: REC }).catch((e: Error) => e);
    expect(String(err)).to.match(/no audio/);
    err = await d.run({ callSid: CALL, recordingSid: REC }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect(row().status).to.equal('awaiting_media');
    expect(store.puts).to.equal(0);

    const out = await d.run({ callSid: CALL, recordingSid: REC });
    expect(out.storageKey).to.equal(`2026/11/30/${CALL}-${REC}.wav`).and.to.equal(recordingKey(startedAt, CALL, REC));
    const r = row();
    expect(r).to.include({ status: 'stored', sizeBytes: wav.length, sha256: createHash('sha256').update(wav).digest('hex'), contentType: 'audio/wav', channels: 2 });
    expect(store.files.get(out.storageKey)!.equals(wav)).to.equal(true);

    // Run again (a repeated job): nothing fetched, nothing stored again.
    await d.run({ callSid: CALL, recordingSid: REC });
    expect(fetched).to.have.length(3);
    expect(store.puts).to.equal(1);
  });

  it('analyses the two channels: talk per party, the long silence outside the pause, flags and the player analysis', async () => {
    answers.push(wav);
    await downloader().run({ callSid: CALL, recordingSid: REC });
    const r = row();
    expect(r.analysedAt).to.be.instanceOf(Date);
    expect(r.customerTalkSeconds).to.be.closeTo(10, 0.5);
    expect(r.agentTalkSeconds).to.be.closeTo(8, 0.5);
    expect(r.talkOverCount).to.equal(0);
    // Silence 22–55 s (the pause 20–22 s is not silence): 33 s, within half a second, over 30 s: flagged.
    expect(r.longestSilenceSeconds).to.be.closeTo(33, 0.5);
    const analysis = JSON.parse(r.analysis!) as { segments: { customer: unknown[] }; peaks: { channels: unknown[] }; pausedSeconds: number };
    expect(analysis.segments.customer).to.have.length(1);
    expect(analysis.peaks.channels).to.have.length(2);
    expect(analysis.pausedSeconds).to.be.closeTo(2, 0.1);
    expect(JSON.parse(r.flags)).to.deep.equal(['long_silence']);
  });

  describe("the agent talk ratio is compared with the desk's normal", () => {
    // This call: customer 10 s, agent 8 s, a ratio of 0.44 — near the default normal (0.5), far from a desk at 0.85.
    const now = new Date('2026-11-30T03:00:00Z');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    let n = 0;
    /** Another analysed recording of a desk, with its figures. */
    const other = (desk: 'front' | 'back', startedAt: Date, ratio: number, talkSeconds = 60) =>
      db
        .insert(recordings)
        .values({
          recordingSid: `RE${String(++n).padStart(32, '0')}`,
          callSid: `CA${String(n).padStart(32, '0')}`,
          direction: 'inbound',
          desk,
          startedAt,
          status: 'stored',
          analysedAt: startedAt,
          agentTalkRatio: ratio,
          agentTalkSeconds: talkSeconds * ratio,
          customerTalkSeconds: talkSeconds * (1 - ratio),
        })
        .run();
    const analysed = async () => {
      db.update(recordings).set({ desk: 'front' }).where(eq(recordings.recordingSid, REC)).run();
      answers.push(wav);
      await downloader().run({ callSid: CALL, recordingSid: REC });
      const r = row();
      return { flags: JSON.parse(r.flags) as string[], norm: (JSON.parse(r.analysis!) as { agentTalkRatioNorm: unknown }).agentTalkRatioNorm, ratio: r.agentTalkRatio };
    };

    it("flags a ratio far from the desk's median once the desk has 20 analysed recordings in the last 30 days", async () => {
      for (let i = 0; i < 20; i++) other('front', daysAgo(1 + i), 0.8 + (i % 3) * 0.05);
      // Other desks, older recordings and near-silent calls do not count toward the front desk's normal.
      for (let i = 0; i < 5; i++) other('back', daysAgo(2), 0.1);
      for (let i = 0; i < 5; i++) other('front', daysAgo(31 + i), 0.1);
      for (let i = 0; i < 5; i++) other('front', daysAgo(2), 0.1, 4);
      const r = await analysed();
      expect(r.ratio).to.be.closeTo(0.444, 0.03);
      expect(r.norm).to.deep.equal({ value: 0.85, source: 'desk', recordings: 20 });
      expect(r.flags).to.include('agent_talk_ratio');
    });

    it("reads a busy desk's ratios once a minute, a desk still short of them every time", async () => {
      const repo = new RecordingPipelineRepo(db);
      let reads = 0;
      const read = repo.deskTalkRatios.bind(repo);
      repo.deskTalkRatios = (...a) => (reads++, read(...a));
      let now = new Date('2026-11-30T03:00:00Z').getTime();
      const d = new RecordingDownloader({ repo, media: { recordingMedia: async () => wav }, store, clock: { now: () => new Date(now) }, log: createLogger('error', true) });
      const mine = { ...row(), desk: 'front' as const };
      for (let i = 0; i < 19; i++) other('front', daysAgo(1 + i), 0.85);
      expect(d.talkRatioNorm(mine)?.source).to.equal('default');
      other('front', daysAgo(1), 0.85);
      expect(d.talkRatioNorm(mine)?.source, 'the 20th recording counts at once').to.equal('desk');
      expect(reads).to.equal(2);
      for (let i = 0; i < 5; i++) other('front', daysAgo(1), 0.1);
      expect(d.talkRatioNorm(mine)).to.deep.equal({ value: 0.85, source: 'desk', recordings: 20 });
      expect(reads, 'kept for a minute').to.equal(2);
      now += 60_000;
      expect(d.talkRatioNorm(mine)?.recordings).to.equal(25);
      expect(reads).to.equal(3);
    });

    it('uses the configured default (0.5) while the desk has fewer than 20: the same call is not flagged', async () => {
      for (let i = 0; i < 19; i++) other('front', daysAgo(1 + i), 0.85);
      const r = await analysed();
      expect(r.norm).to.deep.equal({ value: 0.5, source: 'default', recordings: 0 });
      expect(r.flags).to.not.include('agent_talk_ratio');
    });
  });
});
