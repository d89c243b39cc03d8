// The only place that knows bull: queues on Redis, each with its retry policy, and their workers.
import Bull from 'bull';
import Redis from 'ioredis';
import type { Logger } from '../logging/logger';
import { payloadCorrelationId, withCorrelation } from '../logging/correlation';

export interface JobQueueOptions {
  redisUrl: string;
  /** Key prefix in Redis; tests use a unique one per run. @default 'hotline' */
  prefix?: string;
  log: Logger;
  /** Options of particular queues, e.g. the dialer's center-wide `limiter` (it limits the whole queue, so it has its own). */
  queues?: Record<string, { limiter?: Bull.RateLimiter }>;
  /** Told of each failed run of a job (src/metrics/). */
  onJobFailed?(queue: string): void;
}

/** Retry policy for every job: 5 attempts, exponential backoff from 2 s. */
const DEFAULT_JOB_OPTIONS: Bull.JobOptions = { attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: false };

export type JobHandler = (payload: unknown, job: { id: string; attempt: number }) => Promise<void>;

/** Whether every Redis connection of the queues is ready ('down' until the first connect). */
export type RedisState = 'up' | 'down';

export class JobQueues {
  private readonly queues = new Map<string, Bull.Queue>();
  /** bull does not close connections made by a custom createClient: close() does. */
  private readonly clients: Redis[] = [];
  private state: RedisState = 'down';
  /** When the current outage was logged; unset while Redis is up, or before the first failure. */
  private outageSince?: number;
  private closing = false;
  private readonly onUp: (() => void)[] = [];

  constructor(private readonly o: JobQueueOptions) {}

  /** For /health: 'down' while any connection is not ready, so jobs wait in the outbox. */
  redisState(): RedisState {
    return this.state;
  }

  queue(name: string): Bull.Queue {
    let q = this.queues.get(name);
    if (!q) {
      const url = this.o.redisUrl;
      q = new Bull(name, {
        prefix: this.o.prefix ?? 'hotline',
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
        ...(this.o.queues?.[name]?.limiter ? { limiter: this.o.queues[name].limiter } : {}),
        // bull needs its blocking and subscriber connections without request retries or ready checks.
        createClient: (type) => {
          const client =
            type === 'client'
              ? new Redis(url, { maxRetriesPerRequest: 2 })
              : new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false });
          this.clients.push(client);
          this.watch(client);
          return client;
        },
      });
      // During an outage every reconnect attempt of every connection fails: the outage is logged once, not these.
      q.on('error', (err) => this.o.log.log(this.state === 'down' ? 'debug' : 'warn', 'job queue error', { queue: name, err: err.message }));
      this.queues.set(name, q);
    }
    return q;
  }

  /** Jobs per queue and state, for /metrics (asked only while Redis is up). */
  async jobCounts(): Promise<Record<string, Record<string, number>>> {
    const entries = await Promise.all([...this.queues].map(async ([name, q]) => [name, { ...(await q.getJobCounts()) }] as const));
    return Object.fromEntries(entries);
  }

  /** Every queue made so far (for the dashboard). */
  all(): Bull.Queue[] {
    return [...this.queues.values()];
  }

  async add(queue: string, name: string, payload: unknown, jobId: string): Promise<void> {
    await this.queue(queue).add(name, payload, { jobId });
  }

  /**
   * A job added on a cron schedule in `tz` (bull's repeatable jobs): Redis keeps one schedule per queue, name and cron,
   * so every process that declares it at start shares one.
   */
  async repeat(queue: string, name: string, cron: string, tz: string): Promise<void> {
    await this.queue(queue).add(name, {}, { repeat: { cron, tz }, attempts: 3 });
  }

  /** Runs `handler` for the named jobs of a queue; a thrown error is logged and the job retried with backoff. */
  process(queue: string, name: string, handler: JobHandler, concurrency = 2): void {
    // bull's promise settles when the worker stops; it rejects if its connections end before they were ready
    // (close() while Redis is down), which must not become an unhandled rejection.
    const worker = this.queue(queue).process(name, concurrency, async (job) => {
      const log = this.o.log.child({ jobId: String(job.id), queue, name });
      // The job runs, and logs, under the correlation id of the webhook that caused it (carried by its payload).
      await withCorrelation(payloadCorrelationId(job.data), async () => {
        const started = performance.now();
        try {
          await handler(job.data, { id: String(job.id), attempt: job.attemptsMade + 1 });
          log.debug('job done', { attempt: job.attemptsMade + 1, ms: Math.round(performance.now() - started) });
        } catch (err) {
          this.o.onJobFailed?.(queue);
          log.warn('job failed; will retry', { attempt: job.attemptsMade + 1, err: (err as Error).message });
          throw err;
        }
      });
    });
    worker.catch((err: Error) => this.o.log.warn('job worker stopped', { queue, name, err: err.message }));
  }

  /** Runs `fn` once every connection is ready (now, if they are): a worker that need not wait on a dead Redis from the start. */
  whenUp(fn: () => void): void {
    if (this.state === 'up') fn();
    else this.onUp.push(fn);
  }

  /** Logs an outage once when a connection fails, and its end once when every connection is ready again. */
  private watch(client: Redis): void {
    // Attached before bull's own listeners, so the state is current when bull re-emits the error on the queue.
    const failed = (err?: Error) => {
      if (this.closing) return;
      this.state = 'down';
      if (this.outageSince !== undefined) return;
      this.outageSince = Date.now();
      this.o.log.warn('Redis is unreachable: background jobs wait in the outbox until it is back; the phones keep working', {
        redis: redisAddress(this.o.redisUrl),
        err: err?.message ?? 'connection closed',
      });
    };
    client.on('error', failed);
    client.on('close', () => failed());
    client.on('ready', () => {
      if (this.closing || !this.clients.every((c) => c.status === 'ready')) return;
      this.state = 'up';
      for (const fn of this.onUp.splice(0)) fn();
      if (this.outageSince === undefined) return;
      this.o.log.info('Redis is reachable again: background jobs resume', { redis: redisAddress(this.o.redisUrl), downForMs: Date.now() - this.outageSince });
      this.outageSince = undefined;
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const client of this.clients) client.disconnect();
  }
}

/** host:port of a Redis URL, without its password. */
function redisAddress(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 6379}${u.pathname.length > 1 ? u.pathname : ''}`;
}
