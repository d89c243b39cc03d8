// Group commit: the webhooks handled in one event-loop turn share one SQLite transaction, committed before any is answered.
import type Database from 'better-sqlite3';

/**
 * A commit costs more than the few rows a webhook writes (the WAL frames of every touched b-tree page are written
 * again per commit). Under load many webhooks arrive in the same turn: they run inside one transaction (each
 * service's own transact() becomes a savepoint in it) and are answered only once it is committed, so nothing is
 * acknowledged to the carrier before it is on disk.
 */
export class GroupCommit {
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private waiting: ((committed: boolean) => void)[] = [];

  constructor(
    private readonly sqlite: Database.Database,
    private readonly onCommitError: (err: unknown) => void,
  ) {
    this.begin = sqlite.prepare('BEGIN');
    this.commit = sqlite.prepare('COMMIT');
    this.rollback = sqlite.prepare('ROLLBACK');
  }

  /** Runs `work` in this turn's transaction; `after` learns, once the transaction ends, whether it was committed. */
  run<T>(work: () => T, after: (committed: boolean) => void): T {
    if (!this.waiting.length) {
      if (this.sqlite.inTransaction) {
        // Someone else's transaction is open (a long job): do not join it, work on its own.
        const result = work();
        after(true);
        return result;
      }
      this.begin.run();
      setImmediate(() => this.flush());
    }
    this.waiting.push(after);
    return work();
  }

  private flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    let committed = true;
    try {
      this.commit.run();
    } catch (err) {
      committed = false;
      this.onCommitError(err);
      if (this.sqlite.inTransaction) this.rollback.run();
    }
    for (const after of waiting) after(committed);
  }
}
