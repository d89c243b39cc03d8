// Hands outbox rows to bull; while Redis is down the rows wait, so jobs are delayed, never lost.
import type { Logger } from '../logging/logger';
import type { OutboxRepo } from './outbox.repo';
import type { JobQueues } from './bull-queues';

export interface OutboxRelayOptions {
  /** How often the relay looks for new rows. @default 250 */
  intervalMs?: number;
  /** Rows handed over per pass. @default 100 */
  batch?: number;
}

export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running?: Promise<number>;

  constructor(
    private readonly outbox: OutboxRepo,
    private readonly queues: JobQueues,
    private readonly log: Logger,
    private readonly o: OutboxRelayOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    const tick = async () => {
      // A database error (busy, disk) must not kill the relay: log it and try again next tick.
      await this.flush().catch((err) => this.log.error('outbox relay pass failed; will retry', { err: (err as Error).message }));
      // stop() may have come while this pass ran: then do not schedule another.
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.o.intervalMs ?? 250);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  /** One pass; returns how many rows were handed to bull. */
  flush(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    let sent = 0;
    for (const row of this.outbox.pending(this.o.batch ?? 100)) {
      try {
        await this.queues.add(row.queue, row.name, JSON.parse(row.payload), row.jobId);
        this.outbox.dispatched(row.id, new Date());
        sent++;
      } catch (err) {
        this.outbox.failed(row.id, (err as Error).message);
        // During a Redis outage (logged once by JobQueues) every pass fails: those failures are not news.
        const level = this.queues.redisState() === 'down' ? 'debug' : 'warn';
        this.log.log(level, 'outbox relay: could not hand a job to Redis; will retry', { jobId: row.jobId, err: (err as Error).message });
        break;
      }
    }
    return sent;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
