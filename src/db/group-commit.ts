// Group commit: the webhooks handled in one event-loop turn share one SQLite transaction, committed before any is answered.
import type Database from 'better-sqlite3';
import { dbTimings } from './db-timings';

/** How a webhook's work ended: committed with its value, or lost (its transaction could not commit, even alone). */
export type GroupOutcome<T> = { committed: true; value: T } | { committed: false };

export interface GroupCommitOptions {
  /** Commit the open group once its work has taken this long (ms), and open another for the rest of the turn. @default 4 */
  maxGroupMs?: number;
  /** Milliseconds, for the bound (tests). @default performance.now */
  now?: () => number;
}

interface Member {
  work: () => unknown;
  after: (outcome: GroupOutcome<unknown>) => void;
  value: unknown;
}

/**
 * A commit costs more than the few rows a webhook writes (the WAL frames of every touched b-tree page are written
 * again per commit). Under load many webhooks arrive in the same turn: they run inside one transaction (each
 * service's own transact() becomes a savepoint in it) and are answered only once it is committed, so nothing is
 * acknowledged to the carrier before it is on disk.
 *
 * The group holds only webhooks and their own writes: any other writer (an API request, a WebSocket message, a
 * carrier response) that wants the connection while a group is open commits the group first (`commitNow`, called by
 * transact()), then writes in its own transaction, so nobody else is answered before their write is committed.
 * If the group's COMMIT fails, each webhook's work is run again once, alone, in its own transaction: only the one
 * that fails again is answered as lost, and unrelated callers are not sent to the fallback.
 *
 * A group is also committed as soon as its work has taken `maxGroupMs`: after a stall the event loop may read fifty
 * webhooks in one turn, and without a bound every one of them would wait for the work of all the others (bench:day:
 * the carrier's p99 was made of such bursts). Bounded, the first are answered while the rest are still being worked.
 */
export class GroupCommit {
  private readonly begin;
  private readonly commit;
  private readonly rollback;
  private members: Member[] = [];
  private open = false;
  private working = false;
  private openedAt = 0;
  private readonly maxGroupMs: number;
  private readonly now: () => number;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly onCommitError: (err: unknown, retriedAlone: boolean) => void,
    o: GroupCommitOptions = {},
  ) {
    this.maxGroupMs = o.maxGroupMs ?? 4;
    this.now = o.now ?? (() => performance.now());
    // IMMEDIATE: another process's writer makes it wait (busy_timeout), never fail half-way (see transactor()).
    this.begin = sqlite.prepare('BEGIN IMMEDIATE');
    this.commit = sqlite.prepare('COMMIT');
    this.rollback = sqlite.prepare('ROLLBACK');
  }

  /** True while a webhook's work runs inside the group (its writes belong to the group). */
  get inWork(): boolean {
    return this.working;
  }

  /**
   * Runs `work` in this turn's transaction; `after` learns, once the transaction ends, whether it was committed and
   * with what value (a retried work's value is the retry's). A `work` that throws is not part of the group: the
   * error is thrown to the caller and `after` is never called.
   */
  run<T>(work: () => T, after: (outcome: GroupOutcome<T>) => void): void {
    if (!this.open) {
      if (this.sqlite.inTransaction) {
        // Someone else's transaction is open (a long job): do not join it, work on its own.
        after({ committed: true, value: work() });
        return;
      }
      this.begin.run();
      this.open = true;
      this.openedAt = this.now();
      setImmediate(() => this.commitNow());
    }
    const outer = this.working;
    this.working = true;
    let value: T;
    try {
      value = work();
    } finally {
      this.working = outer;
    }
    this.members.push({ work, after: after as Member['after'], value });
    if (!this.working && this.now() - this.openedAt >= this.maxGroupMs) this.commitNow();
  }

  /** Commits the open group now (another writer needs the connection), then answers its webhooks. */
  commitNow(): void {
    if (this.working || !this.open) return;
    const members = this.members;
    this.members = [];
    this.open = false;
    const started = performance.now();
    try {
      this.commit.run();
      dbTimings()?.groupCommit((performance.now() - started) / 1000, members.length);
    } catch (err) {
      this.onCommitError(err, false);
      if (this.sqlite.inTransaction) this.rollback.run();
      for (const m of members) m.after(this.alone(m));
      return;
    }
    for (const m of members) m.after({ committed: true, value: m.value });
  }

  /** The retry: this webhook's work in its own transaction. */
  private alone(m: Member): GroupOutcome<unknown> {
    try {
      this.begin.run();
      this.working = true;
      let value: unknown;
      try {
        value = m.work();
      } finally {
        this.working = false;
      }
      this.commit.run();
      return { committed: true, value };
    } catch (err) {
      this.onCommitError(err, true);
      if (this.sqlite.inTransaction) this.rollback.run();
      return { committed: false };
    }
  }
}
