// Deletes call recordings past the retention period: the file from the store, the row marked deleted (kept for the
// figures and the audit trail). A recording flagged to keep, or with an evaluation under dispute, is spared.
import type { AuditRepo } from '../audit/audit.repo';
import type { Transact } from '../db/transaction';
import type { Logger } from '../logging/logger';
import type { RecordingStore } from './recording-store';
import type { RecordingPipelineRepo } from './recording-pipeline.repo';

/** Daily at 03:15 in the center's time zone. */
// Its own queue: a repeat job waits (delayed) in its queue, and the download queue's counts stay the downloads'.
export const RECORDING_RETENTION = { queue: 'recording-retention', name: 'retention', cron: '15 3 * * *' } as const;

const BATCH = 500;

export class RecordingRetention {
  constructor(
    private readonly d: {
      repo: RecordingPipelineRepo;
      store: RecordingStore;
      audit: AuditRepo;
      transact: Transact;
      clock: { now(): Date };
      log: Logger;
      days: number;
    },
  ) {}

  /** Deletes every expired recording; resolves with how many. */
  async run(): Promise<{ deleted: number }> {
    const now = this.d.clock.now();
    const before = new Date(now.getTime() - this.d.days * 86_400_000);
    let deleted = 0;
    for (;;) {
      const rows = this.d.repo.expired(before, BATCH);
      if (rows.length === 0) break;
      for (const r of rows) {
        // Listed a batch ago: a dispute or a keep flag may have come since (the check and the delete start in one tick).
        if (!this.d.repo.stillExpired(r.id, before)) continue;
        // The file first: a crash in between leaves a row to retry, never a file nobody knows about.
        if (r.storageKey) await this.d.store.delete(r.storageKey);
        this.d.transact(() => {
          this.d.repo.update(r.id, { status: 'deleted', deletedAt: this.d.clock.now() });
          this.d.audit.record({
            at: this.d.clock.now(),
            actorId: null,
            action: 'recording.deleted',
            subjectType: 'recording',
            subjectId: r.id,
            reason: `retention: older than ${this.d.days} days`,
            detail: { recordingSid: r.recordingSid, startedAt: r.startedAt.toISOString(), storageKey: r.storageKey },
          });
        });
        deleted++;
      }
    }
    if (deleted > 0) this.d.log.info('recordings past retention deleted', { deleted, days: this.d.days });
    return { deleted };
  }
}
