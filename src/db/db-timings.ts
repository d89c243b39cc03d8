// Where the database's cheap timers report: how long transactions and group commits take (src/metrics/ listens).

export interface DbTimingObserver {
  /** Seconds one transact() call held the connection (its work and COMMIT). */
  transaction(seconds: number): void;
  /** Seconds one webhook group's COMMIT took, and how many webhooks it answered. */
  groupCommit(seconds: number, webhooks: number): void;
}

let observer: DbTimingObserver | undefined;

/** One observer per process (the metrics registry); undefined stops the timing. */
export function observeDbTimings(o: DbTimingObserver | undefined): void {
  observer = o;
}

export function dbTimings(): DbTimingObserver | undefined {
  return observer;
}
