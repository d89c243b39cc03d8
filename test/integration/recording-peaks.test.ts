// The waveform a player draws when the analysis stored none: the file is read whole to compute it, so an unreadable
// file is read once (not on every view of the recording), and only a few are read at once, whoever asks.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { recordings } from '../../src/db/schema/index';
import { transactor } from '../../src/db/transaction';
import type { Principal } from '../../src/auth/auth.service';
import { PlaybackTickets } from '../../src/recordings/playback-tickets';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { RecordingsLibraryService } from '../../src/recordings/recordings-library.service';
import { RecordingsRepo } from '../../src/recordings/recordings.repo';
import { encodeDualChannelWav } from '../../src/recordings/wav';

const QC: Principal = { id: 1, username: 'qc', displayName: 'QC', role: 'quality_controller', teamId: null };
const AGENT: Principal = { id: 2, username: 'agent', displayName: 'Agent', role: 'agent', teamId: null };

describe('recordings library: waveform peaks computed from the file', () => {
  let db: Db;
  let dir: string;
  let store: LocalRecordingStore;
  let reads: string[];
  /** Reads held back until released, to have several computations in flight at once. */
  let hold: Promise<void> | undefined;

  function library() {
    const counting = Object.assign(Object.create(store) as LocalRecordingStore, {
      read(key: string, range?: { start: number; end: number }): Readable {
        reads.push(key);
        if (!hold) return store.read(key, range);
        const out = new PassThrough();
        void hold.then(() => store.read(key, range).pipe(out));
        return out;
      },
    });
    return new RecordingsLibraryService({
      repo: new RecordingsRepo(db),
      store: counting,
      audit: { record: () => undefined } as never,
      tickets: new PlaybackTickets(),
      auth: { authenticate: () => QC },
      transact: transactor(db),
      clock: { now: () => new Date('2026-11-30T04:00:00Z') },
    });
  }

  async function stored(n: number, bytes: Buffer, agentId: number | null = AGENT.id): Promise<number> {
    const key = `2026/11/30/CA${String(n).padStart(32, '0')}-RE${String(n).padStart(32, '0')}.wav`;
    await store.put(key, bytes);
    return db
      .insert(recordings)
      .values({ recordingSid: `RE${String(n).padStart(32, '0')}`, callSid: `CA${String(n).padStart(32, '0')}`, direction: 'inbound', startedAt: new Date('2026-11-30T03:00:00Z'), status: 'stored', storageKey: key, agentId, channels: 2, customerChannel: 0 })
      .returning()
      .get().id;
  }

  beforeEach(async () => {
    db = openDatabase(':memory:');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'recording-peaks-'));
    store = new LocalRecordingStore(dir);
    reads = [];
    hold = undefined;
  });
  afterEach(async () => {
    db.$client.close();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('reads an unreadable file once: later views of the recording get no waveform without reading it again', async () => {
    const id = await stored(1, Buffer.alloc(4096, 7)); // stored, but no WAV the analysis (or the peaks) can read
    const lib = library();
    for (let i = 0; i < 3; i++) expect((await lib.detail(AGENT, id)).peaks).to.equal(null);
    expect(reads).to.have.length(1);
  });

  it('computes at most two waveforms at once; a view beyond that gets none rather than another whole-file read', async () => {
    const wav = encodeDualChannelWav(new Int16Array(8000).fill(1000), new Int16Array(8000).fill(-1000), 8000);
    const ids = [await stored(1, wav), await stored(2, wav), await stored(3, wav), await stored(4, wav)];
    const lib = library();
    let release!: () => void;
    hold = new Promise((r) => (release = r));
    const views = ids.map((id) => lib.detail(QC, id));
    await new Promise((r) => setTimeout(r, 20));
    release();
    const peaks = (await Promise.all(views)).map((d) => d.peaks !== null);
    expect(reads).to.have.length(2);
    expect(peaks).to.deep.equal([true, true, false, false]);
    // Once the busy moment is over, the others get theirs.
    hold = undefined;
    expect((await lib.detail(QC, ids[3])).peaks).to.not.equal(null);
  });
});
