// The only place that knows bull: queues on Redis, each with its retry policy, and their workers.
import Bull from 'bull';
import Redis from 'ioredis';
import type { Logger } from '../logging/logger';

export interface JobQueueOptions {
  redisUrl: string;
  /** Key prefix in Redis; tests use a unique one per run. @default 'hotline' */
  prefix?: string;
  log: Logger;
}

/** Retry policy for every job: 5 attempts, exponential backoff from 2 s. */
const DEFAULT_JOB_OPTIONS: Bull.JobOptions = { attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000, removeOnFail: false };

export type JobHandler = (payload: unknown, job: { id: string; attempt: number }) => Promise<void>;

export class JobQueues {
  private readonly queues = new Map<string, Bull.Queue>();
  /** bull does not close connections made by a custom createClient: close() does. */
  private readonly clients: Redis[] = [];

  constructor(private readonly o: JobQueueOptions) {}

  queue(name: string): Bull.Queue {
    let q = this.queues.get(name);
    if (!q) {
      const url = this.o.redisUrl;
      q = new Bull(name, {
        prefix: this.o.prefix ?? 'hotline',
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
        // bull needs its blocking and subscriber connections without request retries or ready checks.
        createClient: (type) => {
          const client =
            type === 'client'
              ? new Redis(url, { maxRetriesPerRequest: 2 })
              : new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: false });
          this.clients.push(client);
          return client;
        },
      });
      q.on('error', (err) => this.o.log.warn('job queue error', { queue: name, err: err.message }));
      this.queues.set(name, q);
    }
    return q;
  }

  async add(queue: string, name: string, payload: unknown, jobId: string): Promise<void> {
    await this.queue(queue).add(name, payload, { jobId });
  }

  /** Runs `handler` for the named jobs of a queue; a thrown error is logged and the job retried with backoff. */
  process(queue: string, name: string, handler: JobHandler, concurrency = 2): void {
    // bull's promise settles when the worker stops; it rejects if its connections end before they were ready
    // (close() while Redis is down), which must not become an unhandled rejection.
    const worker = this.queue(queue).process(name, concurrency, async (job) => {
      const log = this.o.log.child({ jobId: String(job.id), queue, name });
      try {
        await handler(job.data, { id: String(job.id), attempt: job.attemptsMade + 1 });
      } catch (err) {
        log.warn('job failed; will retry', { attempt: job.attemptsMade + 1, err: (err as Error).message });
        throw err;
      }
    });
    worker.catch((err: Error) => this.o.log.warn('job worker stopped', { queue, name, err: err.message }));
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    for (const client of this.clients) client.disconnect();
  }
}
