// One synchronous unit of work on the connection: every repository write inside `fn` commits or rolls back together.
import type { Db } from './client';

export type Transact = <T>(fn: () => T) => T;

export function transactor(db: Db): Transact {
  return (fn) => db.$client.transaction(fn)();
}
