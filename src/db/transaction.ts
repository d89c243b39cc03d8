// One synchronous unit of work on the connection: every repository write inside `fn` commits or rolls back together.
import type { Db } from './client';
import { dbTimings } from './db-timings';

export type Transact = <T>(fn: () => T) => T;

/** The webhooks' group commit, as transact() sees it (src/db/group-commit.ts). */
export interface OpenGroup {
  readonly inWork: boolean;
  commitNow(): void;
}

export function transactor(db: Db, group?: OpenGroup): Transact {
  // One transaction function for the connection: better-sqlite3 builds four wrappers and defines their properties
  // each time transaction() is called, which costs more than an empty BEGIN/COMMIT. Nested calls still use savepoints.
  // BEGIN IMMEDIATE: with another process writing (the worker, an import), a deferred transaction that read first
  // fails at its first write with SQLITE_BUSY at once; an immediate one waits for the lock (busy_timeout) instead.
  const transaction = db.$client.transaction((fn: () => unknown) => fn()).immediate;
  const run = (fn: () => unknown) => {
    const timings = dbTimings();
    // Only outermost transactions are timed: a nested one is a savepoint inside one already timed (or a webhook group).
    if (!timings || db.$client.inTransaction) return transaction(fn);
    const started = performance.now();
    try {
      return transaction(fn);
    } finally {
      timings.transaction((performance.now() - started) / 1000);
    }
  };
  if (!group) return <T>(fn: () => T) => run(fn) as T;
  return <T>(fn: () => T) => {
    // A writer that is not one of the group's webhooks never joins the group: it commits it first, then has its own.
    if (!group.inWork) group.commitNow();
    return run(fn) as T;
  };
}
