// Retention against what changes while it runs: a recording disputed or flagged to keep after the run listed it, but
// before its turn came, keeps its file and its row.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { eq } from 'drizzle-orm';
import { AuditRepo } from '../../src/audit/audit.repo';
import { evaluations, recordings, staff } from '../../src/db/schema/index';
import { transactor } from '../../src/db/transaction';
import { createLogger } from '../../src/logging/logger';
import { RecordingPipelineRepo } from '../../src/recordings/recording-pipeline.repo';
import { RecordingRetention } from '../../src/recordings/recording-retention';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { startHotline, type Fixture } from '../support/hotline-fixture';

describe('recording retention while disputes and keep flags arrive', function () {
  this.timeout(30_000);
  let f: Fixture;
  let dir: string;

  before(async () => {
    f = await startHotline();
  });
  after(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-retention-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('spares a recording disputed or kept after the run listed it (between two deletions)', async () => {
    const db = f.hotline.db;
    const store = new LocalRecordingStore(dir);
    const old = new Date(f.clock.now().getTime() - 400 * 86_400_000);
    const agentId = db.select().from(staff).where(eq(staff.username, 'agent1')).get()!.id;
    const evaluatorId = db.select().from(staff).where(eq(staff.username, 'qc1')).get()!.id;
    const version = db.$client.prepare('select id from scorecard_versions limit 1').get() as { id: number };
    const make = async (n: number) => {
      const key = `2025/01/01/CA${'7'.repeat(31)}${n}-RE${'7'.repeat(31)}${n}.wav`;
      await store.put(key, Buffer.alloc(100));
      return db
        .insert(recordings)
        .values({ recordingSid: `RE${'7'.repeat(31)}${n}`, callSid: `CA${'7'.repeat(31)}${n}`, direction: 'inbound', startedAt: old, status: 'stored', storageKey: key, agentId })
        .returning()
        .get();
    };
    const first = await make(1);
    const disputedMeanwhile = await make(2);
    const keptMeanwhile = await make(3);
    const evaluation = db.insert(evaluations).values({ recordingId: disputedMeanwhile.id, scorecardVersionId: version.id, evaluatorId, agentId, status: 'submitted', createdAt: f.clock.now() }).returning().get();

    // While the first file is being deleted, the agent disputes the second recording's score and a controller keeps the third.
    const slowStore = Object.assign(Object.create(store) as LocalRecordingStore, {
      async delete(key: string) {
        if (key === first.storageKey) {
          db.update(evaluations).set({ status: 'disputed' }).where(eq(evaluations.id, evaluation.id)).run();
          db.update(recordings).set({ keep: true }).where(eq(recordings.id, keptMeanwhile.id)).run();
        }
        await store.delete(key);
      },
    });
    const retention = new RecordingRetention({ repo: new RecordingPipelineRepo(db), store: slowStore, audit: new AuditRepo(db), transact: transactor(db), clock: f.clock, log: createLogger('error', true), days: 365 });

    expect(await retention.run()).to.deep.equal({ deleted: 1 });
    const status = (id: number) => db.select().from(recordings).where(eq(recordings.id, id)).get()!.status;
    expect([status(first.id), status(disputedMeanwhile.id), status(keptMeanwhile.id)]).to.deep.equal(['deleted', 'stored', 'stored']);
    expect(await store.stat(disputedMeanwhile.storageKey!)).to.deep.equal({ sizeBytes: 100 });
    expect(await store.stat(keptMeanwhile.storageKey!)).to.deep.equal({ sizeBytes: 100 });
  });
});
