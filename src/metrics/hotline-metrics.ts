// Owns the process's Prometheus metrics: one registry, counters fed by domain events and small observers, gauges read
// from the database and the job queues when Prometheus scrapes. Labels are low-cardinality only: never a SID or a phone.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/client';
import { MetricsRepo } from './metrics.repo';
import { dbTimings, observeDbTimings, type DbTimingObserver } from '../db/db-timings';
import type { EventBus } from '../events/domain-events';
import type { WebhookObserver } from '../telephony/webhook-server';
import { AGENT_STATES } from '../db/schema/index';

const DESKS = ['front', 'middle', 'back'] as const;
/** Dialer results as the callback attempts name them; anything else is counted as `other`. */
const ATTEMPT_RESULTS = new Set(['answered', 'busy', 'no-answer', 'failed', 'machine', 'canceled', 'wrong_number', 'not_dialed', 'agent_missed']);
/** Seconds: a webhook must answer in milliseconds; Twilio gives up at 15 s. */
const WEBHOOK_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15];
const SQLITE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** The service level gauge looks at the calls whose wait ended within this window. */
export const SERVICE_LEVEL_WINDOW_SECONDS = 3600;
/** Calls in the window that abandoned sooner than this are not counted (docs/metrics.md, "short abandons"). */
const SHORT_ABANDON_SECONDS = 5;
/** Interactions offered but not yet answered or missed: their queue is remembered to label the answer (bounded). */
const MAX_RINGING = 10_000;

export interface JobQueueStats {
  redisState(): 'up' | 'down';
  /** Jobs per queue and state (waiting, active, delayed, failed). */
  jobCounts(): Promise<Record<string, Record<string, number>>>;
}

export interface RealtimeStats {
  readonly clientCount: number;
  readonly droppedSlowClients: number;
  /** What the floor feed did for watchers that fell behind (src/realtime/realtime-server.ts FloorDeliveryStats). */
  floorDelivery?(): { discarded: number; fellBehind: number; resynced: number; staleNow: number };
}

export interface Clock {
  now(): Date;
}

/** The metrics of one process: `web` (webhooks, API, WebSockets, and jobs when in-process) or `worker`. */
export class HotlineMetrics {
  readonly registry = new Registry();
  private readonly webhookSeconds: Histogram<'route'>;
  private readonly fallbacks: Counter<'route'>;
  private readonly rejections: Counter<'route'>;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(o: { process: 'web' | 'worker' }) {
    this.registry.setDefaultLabels({ process: o.process });
    // process_*, nodejs_* (nodejs_eventloop_lag_seconds, nodejs_eventloop_lag_p99_seconds, heap, GC).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
    const registers = [this.registry];
    this.webhookSeconds = new Histogram({ name: 'hotline_webhook_duration_seconds', help: 'Time from a signed webhook arriving to its TwiML answer being sent, per route.', labelNames: ['route'], buckets: WEBHOOK_BUCKETS, registers });
    this.fallbacks = new Counter({ name: 'hotline_webhook_fallbacks_total', help: 'Webhooks answered with the safe fallback (something inside failed), per route.', labelNames: ['route'], registers });
    this.rejections = new Counter({ name: 'hotline_webhook_signature_rejections_total', help: 'Webhooks refused with 403: bad or missing X-Twilio-Signature, per route.', labelNames: ['route'], registers });
  }

  /** Text exposition format for GET /metrics. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** For createWebhookHandler's `observe`. */
  webhookObserver(): WebhookObserver {
    return {
      answered: (route, seconds) => this.webhookSeconds.observe({ route }, seconds),
      fallback: (route) => this.fallbacks.inc({ route }),
      rejected: (route) => this.rejections.inc({ route }),
    };
  }

  /** SQLite transaction and group-commit durations (src/db/db-timings.ts): one observer per process. */
  timeDatabase(): this {
    const registers = [this.registry];
    const transaction = new Histogram({ name: 'hotline_sqlite_transaction_duration_seconds', help: 'Time an outermost transaction held the SQLite connection (work and COMMIT).', buckets: SQLITE_BUCKETS, registers });
    const commit = new Histogram({ name: 'hotline_sqlite_group_commit_duration_seconds', help: "Time of a webhook group's COMMIT (one per event-loop turn with webhooks).", buckets: SQLITE_BUCKETS, registers });
    const size = new Histogram({ name: 'hotline_sqlite_group_commit_webhooks', help: 'Webhooks answered by one group commit.', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers });
    const mine: DbTimingObserver = {
      transaction: (s) => transaction.observe(s),
      groupCommit: (s, n) => {
        commit.observe(s);
        size.observe(n);
      },
    };
    observeDbTimings(mine);
    // Another registry may have taken the timings since (tests): only ours is removed.
    this.unsubscribe.push(() => dbTimings() === mine && observeDbTimings(undefined));
    return this;
  }

  /** The floor and the outbox, read from the database at scrape time (indexed, a few rows each). */
  readDatabase(db: Db, clock: Clock = { now: () => new Date() }): this {
    const registers = [this.registry];
    const repo = new MetricsRepo(db);
    const queues = () => repo.queues();

    new Gauge({
      name: 'hotline_queue_callers_waiting',
      help: 'Callers waiting in each queue now (desk: the desk the queue serves).',
      labelNames: ['queue', 'desk'],
      registers,
      collect() {
        this.reset();
        for (const q of queues()) this.set({ queue: q.name, desk: q.desk }, 0);
        for (const r of repo.waiting()) this.set({ queue: r.queue, desk: r.desk }, r.waiting);
      },
    });
    new Gauge({
      name: 'hotline_queue_longest_wait_seconds',
      help: 'How long the longest-waiting caller of each queue has waited (0 when nobody waits).',
      labelNames: ['queue', 'desk'],
      registers,
      collect() {
        this.reset();
        const now = clock.now().getTime();
        for (const q of queues()) this.set({ queue: q.name, desk: q.desk }, 0);
        for (const r of repo.waiting()) this.set({ queue: r.queue, desk: r.desk }, Math.max(0, (now - r.oldest) / 1000));
      },
    });
    new Gauge({
      name: 'hotline_queue_service_level_ratio',
      help: `Share of the last hour's calls whose wait ended (answered or abandoned after ${SHORT_ABANDON_SECONDS} s) that were answered within the queue's target; absent with no such calls.`,
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        const targets = new Map(queues().map((q) => [q.name, q.target]));
        const tally = new Map<string, { within: number; counted: number }>();
        const since = clock.now().getTime() - SERVICE_LEVEL_WINDOW_SECONDS * 1000;
        for (const r of repo.endedSince(since)) {
          const wait = r.wait ?? 0;
          if (r.status === 'abandoned' && wait < SHORT_ABANDON_SECONDS) continue;
          const t = tally.get(r.queue) ?? { within: 0, counted: 0 };
          t.counted++;
          if (r.status === 'bridged' && wait <= (targets.get(r.queue) ?? 15)) t.within++;
          tally.set(r.queue, t);
        }
        for (const [queue, t] of tally) this.set({ queue }, t.within / t.counted);
      },
    });
    new Gauge({
      name: 'hotline_queue_service_level_target_seconds',
      help: 'Answered within this many seconds counts toward the service level (queue_settings.service_level_seconds).',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const q of queues()) this.set({ queue: q.name }, q.target);
      },
    });
    new Gauge({
      name: 'hotline_agents',
      help: 'Active agents per desk and state (an agent on two desks counts on both).',
      labelNames: ['desk', 'state'],
      registers,
      collect() {
        this.reset();
        for (const desk of DESKS) for (const state of AGENT_STATES) this.set({ desk, state }, 0);
        for (const r of repo.agentsByDeskAndState()) this.set({ desk: r.desk, state: r.state }, r.n);
      },
    });
    new Gauge({
      name: 'hotline_outbox_pending_jobs',
      help: 'Jobs written to the outbox and not yet handed to Redis.',
      registers,
      collect() {
        this.set(repo.outbox().n);
      },
    });
    new Gauge({
      name: 'hotline_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest outbox row not yet handed to Redis (0 when none waits).',
      registers,
      collect() {
        const r = repo.outbox();
        this.set(r.oldest === null ? 0 : Math.max(0, (clock.now().getTime() - r.oldest) / 1000));
      },
    });
    return this;
  }

  /** Counters fed by the domain's events: what queues were offered, answered and lost, and what agents were offered. */
  countEvents(events: EventBus): this {
    const registers = [this.registry];
    const offered = new Counter({ name: 'hotline_queue_calls_offered_total', help: 'Calls that entered a queue.', labelNames: ['queue'], registers });
    const answered = new Counter({ name: 'hotline_queue_calls_answered_total', help: 'Queued calls an agent answered.', labelNames: ['queue'], registers });
    const abandoned = new Counter({ name: 'hotline_queue_calls_abandoned_total', help: 'Callers who hung up while waiting in a queue.', labelNames: ['queue'], registers });
    const left = new Counter({ name: 'hotline_queue_calls_left_total', help: 'Callers who left a queue for a callback or voicemail.', labelNames: ['queue', 'outcome'], registers });
    const offers = new Counter({ name: 'hotline_agent_offers_total', help: 'Calls offered to (rung at) an agent.', labelNames: ['queue'], registers });
    const missed = new Counter({ name: 'hotline_agent_missed_rings_total', help: 'Offers an agent did not answer in time.', labelNames: ['queue'], registers });
    const attempts = new Counter({ name: 'hotline_dialer_attempts_total', help: 'Callback attempts that ended, by result.', labelNames: ['result'], registers });
    // An answer or a miss names only its interaction: the queue is remembered from the offer.
    const ringing = new Map<number, string>();
    const queueOf = (interactionId: number) => {
      const q = ringing.get(interactionId) ?? 'unknown';
      ringing.delete(interactionId);
      return q;
    };
    this.unsubscribe.push(
      events.subscribe((e) => {
        switch (e.type) {
          case 'CallQueued':
            return offered.inc({ queue: e.queue });
          case 'CallAbandoned':
            return abandoned.inc({ queue: e.queue });
          case 'CallLeftQueue':
            return left.inc({ queue: e.queue, outcome: e.outcome });
          case 'CallOffered':
            if (ringing.size >= MAX_RINGING) ringing.delete(ringing.keys().next().value!);
            ringing.set(e.interactionId, e.queue);
            return offers.inc({ queue: e.queue });
          case 'CallAnswered':
            return answered.inc({ queue: queueOf(e.interactionId) });
          case 'CallMissed':
            return missed.inc({ queue: queueOf(e.interactionId) });
          case 'CallEnded':
            ringing.delete(e.interactionId);
            return;
          case 'CallbackAttemptEnded':
            return attempts.inc({ result: ATTEMPT_RESULTS.has(e.result) ? e.result : 'other' });
        }
      }),
    );
    return this;
  }

  /** Bull's queues and Redis, asked at scrape time (skipped while Redis is down: the outbox gauges tell then). */
  readJobQueues(queues: JobQueueStats, o: { timeoutMs?: number } = {}): this {
    const registers = [this.registry];
    new Gauge({
      name: 'hotline_redis_up',
      help: "1 while every Redis connection of the job queues is ready; 0 while jobs wait in the outbox.",
      registers,
      collect() {
        this.set(queues.redisState() === 'up' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hotline_job_queue_jobs',
      help: 'Jobs in each bull queue by state (waiting, active, delayed, failed).',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        if (queues.redisState() !== 'up') return;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), o.timeoutMs ?? 1000)));
        const counts = await Promise.race([queues.jobCounts().catch(() => undefined), timedOut]);
        clearTimeout(timer);
        for (const [queue, states] of Object.entries(counts ?? {})) {
          for (const state of ['waiting', 'active', 'delayed', 'failed']) this.set({ queue, state }, states[state] ?? 0);
        }
      },
    });
    return this;
  }

  /** For JobQueues' `onJobFailed`: each failed run of a job (it is retried with backoff until its attempts run out). */
  jobFailureCounter(): (queue: string) => void {
    const failures = new Counter({ name: 'hotline_job_failures_total', help: 'Failed runs of jobs, per bull queue (each is retried until its attempts run out).', labelNames: ['queue'], registers: [this.registry] });
    return (queue) => failures.inc({ queue });
  }

  /** WebSocket clients of the floor feed and desktops, and those dropped for being too slow. */
  readRealtime(realtime: RealtimeStats): this {
    const registers = [this.registry];
    new Gauge({
      name: 'hotline_websocket_clients',
      help: 'Open WebSocket connections (desktops, wallboards).',
      registers,
      collect() {
        this.set(realtime.clientCount);
      },
    });
    new Counter({
      name: 'hotline_websocket_slow_clients_dropped_total',
      help: 'WebSocket clients closed because they could not keep up with the feed.',
      registers,
      collect() {
        this.reset();
        this.inc(realtime.droppedSlowClients);
      },
    });
    if (!realtime.floorDelivery) return this;
    // A floor watcher that falls behind is not closed: its floor messages are discarded until it drains, then it
    // gets a fresh snapshot. These say how often that happens and how many are behind now.
    const delivery = () => realtime.floorDelivery!();
    const counter = (name: string, help: string, read: (d: ReturnType<typeof delivery>) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read(delivery()));
        },
      });
    counter('hotline_websocket_floor_fell_behind_total', 'Times a floor watcher fell behind on reading (its floor messages are discarded until it drains).', (d) => d.fellBehind);
    counter('hotline_websocket_floor_messages_discarded_total', 'Floor messages not sent to a watcher because it was behind on reading.', (d) => d.discarded);
    counter('hotline_websocket_floor_resyncs_total', 'Fresh floor snapshots sent to watchers that had fallen behind and drained.', (d) => d.resynced);
    new Gauge({
      name: 'hotline_websocket_floor_watchers_behind',
      help: 'Floor watchers behind on reading right now (waiting to drain for a fresh snapshot).',
      registers,
      collect() {
        this.set(delivery().staleNow);
      },
    });
    return this;
  }

  /** Whether /ready says this process should take traffic (1) or not (0). */
  readReadiness(ready: () => Promise<boolean>): this {
    new Gauge({
      name: 'hotline_ready',
      help: '1 when /ready says this process should take traffic.',
      registers: [this.registry],
      async collect() {
        this.set((await ready().catch(() => false)) ? 1 : 0);
      },
    });
    return this;
  }

  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.registry.clear();
  }
}

/** Used by tests and docs: the metric names a registry exports. */
export async function exportedMetricNames(registry: Registry): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    const type = String(m.type);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(m.name + s);
  }
  return names;
}
