// One synchronous unit of work on the connection: every repository write inside `fn` commits or rolls back together.
import type { Db } from './client';

export type Transact = <T>(fn: () => T) => T;

export function transactor(db: Db): Transact {
  // One transaction function for the connection: better-sqlite3 builds four wrappers and defines their properties
  // each time transaction() is called, which costs more than an empty BEGIN/COMMIT. Nested calls still use savepoints.
  const run = db.$client.transaction((fn: () => unknown) => fn());
  return <T>(fn: () => T) => run(fn) as T;
}
