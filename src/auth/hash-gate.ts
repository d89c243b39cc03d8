// Owns the limit on concurrent password hashes: scrypt at 2^17 takes ~128 MiB and ~1 s of a libuv thread, so a burst of logins must queue, not pile up.
import { Busy } from '../errors/domain-errors';

export interface HashGateOptions {
  /** Hashes or checks running at once (libuv has 4 threads; the rest stay free for files and DNS). @default 2 */
  maxConcurrent?: number;
  /** Hashes waiting for a slot; beyond it a request is refused with Busy rather than queued for minutes. @default 32 */
  maxQueued?: number;
  /** What a refused client is told to wait. @default 2 s */
  retryAfterSeconds?: number;
}

/** A counting semaphore with a bounded FIFO queue, shared by every password hash and check of the process. */
export class HashGate {
  private readonly o: Required<HashGateOptions>;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: HashGateOptions = {}) {
    this.o = { maxConcurrent: 2, maxQueued: 32, retryAfterSeconds: 2, ...options };
  }

  /** Runs `work` once a slot is free; throws Busy at once when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.o.maxConcurrent) {
      if (this.waiting.length >= this.o.maxQueued) throw new Busy(this.o.retryAfterSeconds);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter, so `running` never dips below the limit while some wait.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Hashes running and waiting now (for tests and health). */
  load(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }
}
