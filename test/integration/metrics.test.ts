// GET /metrics through real HTTP: who may read it (token on the main port, none on the internal port), and that a
// simulated call moves the webhook, queue, floor, outbox, SQLite and job figures, with no SID or phone in any label.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import Redis from 'ioredis';
import { HotlineMetrics } from '../../src/metrics/hotline-metrics';
import { startMetricsServer } from '../../src/metrics/metrics-endpoint';
import { startBackground } from '../../src/background';
import { createLogger } from '../../src/logging/logger';
import { simulatorControl, startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { callSid } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import { VOICEMAIL_DOWNLOAD } from '../../src/recordings/voicemail-download';
import { JobQueues } from '../../src/jobs/bull-queues';
import { OutboxRepo } from '../../src/jobs/outbox.repo';
import { openDatabase, type Db } from '../../src/db/client';
import { DEMO_PASSWORD } from '../../src/auth/password-policy';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'metrics-token-for-tests-0123456789';
const VIP = '+8613800138000';

/** The value of one series in the exposition text (`name{a="b",...}`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

describe('Prometheus metrics (GET /metrics)', function () {
  this.timeout(30_000);
  const prefix = `hotline-test-metrics-${process.pid}-${Date.now().toString(36)}`;
  let f: SimFixture;
  let metrics: HotlineMetrics;
  let stopBackground: () => Promise<void>;

  before(async () => {
    metrics = new HotlineMetrics({ process: 'web' }).timeDatabase();
    f = await startHotlineWithSimulator({ METRICS_TOKEN: TOKEN }, { metrics });
    const bg = startBackground({ config: f.config, db: f.hotline.db, log: createLogger('error', true), callControl: simulatorControl(f), prefix, metrics });
    stopBackground = () => bg.stop();
    await eventually(() => expect(bg.queues.redisState()).to.equal('up'), 10_000);
  });
  after(async () => {
    await stopBackground();
    await f.close();
    metrics.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  /** '' sends no Authorization header. */
  const scrape = async (token: string = TOKEN) => {
    const res = await fetch(`${f.base}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it('answers 401 without the token or with a wrong one (also a staff token), 200 in the text format with it', async () => {
    expect((await scrape('')).status).to.equal(401);
    expect((await scrape('not-the-token-at-all-0000000000')).status).to.equal(401);
    const login = await fetch(`${f.base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'agent1', password: DEMO_PASSWORD }) });
    const staffToken = ((await login.json()) as { token?: string }).token;
    expect(staffToken, 'agent1 signed in').to.be.a('string');
    expect((await scrape(staffToken)).status, 'a staff token is not the metrics token').to.equal(401);
    const ok = await scrape();
    expect(ok.status).to.equal(200);
    expect(ok.type).to.match(/^text\/plain; version=0\.0\.4/);
    expect(sample(ok.text, 'nodejs_eventloop_lag_seconds', { process: 'web' })).to.be.a('number');
  });

  it('a queued caller who hangs up moves the webhook histogram and the queue counters; the floor gauges read the database', async () => {
    const before = await scrape();
    const offered = (t: string) => sample(t, 'hotline_queue_calls_offered_total', { queue: 'front-vip' }) ?? 0;
    const abandoned = (t: string) => sample(t, 'hotline_queue_calls_abandoned_total', { queue: 'front-vip' }) ?? 0;
    const webhooks = (t: string) => sample(t, 'hotline_webhook_duration_seconds_count', { route: '/twilio/voice' }) ?? 0;
    const c = await f.call(VIP, [{ press: '1' }, { wait: 40 }, { hangup: true }]);
    await eventually(() => expect(f.hotline.repos.queue.forCall(c.sid)?.status).to.equal('abandoned'));
    const after = (await scrape()).text;
    expect(offered(after) - offered(before.text)).to.equal(1);
    expect(abandoned(after) - abandoned(before.text)).to.equal(1);
    expect(webhooks(after)).to.be.greaterThan(webhooks(before.text));
    expect(sample(after, 'hotline_webhook_duration_seconds_bucket', { route: '/twilio/voice', le: '+Inf' })).to.equal(webhooks(after));
    expect(sample(after, 'hotline_sqlite_group_commit_duration_seconds_count')).to.be.greaterThan(0);
    expect(sample(after, 'hotline_sqlite_transaction_duration_seconds_count')).to.be.greaterThan(0);
    // Gauges from the database: every configured queue has a series, and nobody waits any more.
    expect(sample(after, 'hotline_queue_callers_waiting', { queue: 'front-vip', desk: 'front' })).to.equal(0);
    expect(sample(after, 'hotline_queue_longest_wait_seconds', { queue: 'front-vip', desk: 'front' })).to.equal(0);
    expect(sample(after, 'hotline_queue_service_level_target_seconds', { queue: 'front-vip' })).to.equal(10);
    expect(sample(after, 'hotline_agents', { desk: 'front', state: 'offline' })).to.be.greaterThan(0);
    expect(sample(after, 'hotline_agents', { desk: 'back', state: 'available' })).to.equal(0);
    expect(sample(after, 'hotline_outbox_pending_jobs')).to.be.a('number');
    expect(sample(after, 'hotline_outbox_oldest_pending_age_seconds')).to.be.a('number');
    expect(sample(after, 'hotline_websocket_clients')).to.equal(0);
    expect(sample(after, 'hotline_websocket_slow_clients_dropped_total')).to.equal(0);
    expect(sample(after, 'hotline_ready')).to.equal(1);
    // The jobs run in this process: Redis and bull's queues are in the same registry.
    expect(sample(after, 'hotline_redis_up')).to.equal(1);
    expect(sample(after, 'hotline_job_queue_jobs', { queue: VOICEMAIL_DOWNLOAD.queue, state: 'failed' })).to.equal(0);
  });

  it('a caller waiting now shows in callers waiting and longest wait', async () => {
    const sid = callSid();
    const t0 = f.clock.now();
    f.hotline.repos.calls.insert({ sid, direction: 'inbound', from: '+8613900000000', to: f.config.hotlineNumber, status: 'in-progress', startedAt: t0 });
    f.hotline.repos.queue.enqueue({ callSid: sid, queue: 'front-general', desk: 'front', priority: 10, reason: 'test', status: 'waiting', enqueuedAt: new Date(t0.getTime() - 42_000) });
    const text = (await scrape()).text;
    expect(sample(text, 'hotline_queue_callers_waiting', { queue: 'front-general', desk: 'front' })).to.equal(1);
    expect(sample(text, 'hotline_queue_longest_wait_seconds', { queue: 'front-general', desk: 'front' })).to.equal(42);
  });

  it('counts a webhook with a bad signature per route', async () => {
    const rejected = async () => sample((await scrape()).text, 'hotline_webhook_signature_rejections_total', { route: '/twilio/voice' }) ?? 0;
    const before = await rejected();
    const res = await f.post('/twilio/voice', { CallSid: callSid(), From: VIP, To: f.config.hotlineNumber }, { signature: 'forged' });
    expect(res.status).to.equal(403);
    expect(await rejected()).to.equal(before + 1);
  });

  it('never labels a series with a CallSid, another SID or a phone number', async () => {
    const text = (await scrape()).text;
    const labels = text
      .split('\n')
      .filter((l) => !l.startsWith('#') && l.includes('{'))
      .map((l) => l.slice(l.indexOf('{'), l.lastIndexOf('}') + 1));
    expect(labels.length).to.be.greaterThan(20);
    expect(labels.filter((l) => /[A-Z]{2}[0-9a-f]{32}/.test(l) || /\+?\d{7,}/.test(l))).to.deep.equal([]);
  });

  it('is not served on the main port without METRICS_TOKEN; the internal port serves it without a token, and only it', async () => {
    const plain = await startHotlineWithSimulator({});
    try {
      expect((await fetch(`${plain.base}/metrics`)).status).to.equal(404);
    } finally {
      await plain.close();
    }
    const server = await startMetricsServer(metrics, { port: 0, host: '127.0.0.1', log: createLogger('error', true) });
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/metrics`);
      expect(res.status).to.equal(200);
      expect(sample(await res.text(), 'hotline_queue_callers_waiting', { queue: 'front-vip', desk: 'front' })).to.be.a('number');
      expect((await fetch(`${base}/api/auth/me`)).status).to.equal(404);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).to.equal(405);
    } finally {
      await new Promise<void>((resolve) => (server as http.Server).close(() => resolve()));
    }
  });
});

describe('job metrics on real Redis: failed runs, bull depths by state, the outbox', function () {
  this.timeout(30_000);
  const prefix = `hotline-test-job-metrics-${process.pid}-${Date.now().toString(36)}`;
  let metrics: HotlineMetrics;
  let jobs: JobQueues;
  let db: Db;
  const clock = { now: () => new Date('2026-11-23T03:00:00Z') };

  before(async () => {
    metrics = new HotlineMetrics({ process: 'worker' });
    jobs = new JobQueues({ redisUrl: REDIS_URL, prefix, log: createLogger('error', true), onJobFailed: metrics.jobFailureCounter() });
    metrics.readJobQueues(jobs);
    db = openDatabase(':memory:');
    metrics.readDatabase(db, clock);
  });
  after(async () => {
    await jobs.close();
    metrics.close();
    db.$client.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const text = () => metrics.metrics();

  it('a job that throws counts a failed run per queue; bull holds it failed (no retry left) or delayed (a retry waits)', async () => {
    const q = jobs.queue('metrics-probe');
    jobs.process('metrics-probe', 'boom', async () => {
      throw new Error('the carrier said no');
    });
    await q.add('boom', { n: 1 }, { attempts: 1 });
    await q.add('boom', { n: 2 }, { attempts: 3, backoff: { type: 'fixed', delay: 600_000 } });
    await eventually(async () => expect(sample(await text(), 'hotline_job_failures_total', { queue: 'metrics-probe' })).to.equal(2), 15_000);
    await eventually(async () => {
      const t = await text();
      expect(sample(t, 'hotline_job_queue_jobs', { queue: 'metrics-probe', state: 'failed' })).to.equal(1);
      expect(sample(t, 'hotline_job_queue_jobs', { queue: 'metrics-probe', state: 'delayed' })).to.equal(1);
      expect(sample(t, 'hotline_job_queue_jobs', { queue: 'metrics-probe', state: 'waiting' })).to.equal(0);
      expect(sample(t, 'hotline_redis_up', { process: 'worker' })).to.equal(1);
    }, 15_000);
  });

  it('the outbox: rows not yet handed to Redis and the age of the oldest; handed-over rows do not count', async () => {
    const t0 = await text();
    expect(sample(t0, 'hotline_outbox_pending_jobs')).to.equal(0);
    expect(sample(t0, 'hotline_outbox_oldest_pending_age_seconds')).to.equal(0);
    const outbox = new OutboxRepo(db);
    const ago = (ms: number) => new Date(clock.now().getTime() - ms);
    outbox.add({ queue: 'metrics-probe', name: 'later', jobId: 'probe-old', payload: {} }, ago(90_000));
    outbox.add({ queue: 'metrics-probe', name: 'later', jobId: 'probe-new', payload: {} }, ago(10_000));
    outbox.add({ queue: 'metrics-probe', name: 'done', jobId: 'probe-done', payload: {} }, ago(600_000));
    outbox.dispatched(outbox.byJobId('probe-done')!.id, clock.now());
    const t1 = await text();
    expect(sample(t1, 'hotline_outbox_pending_jobs')).to.equal(2);
    expect(sample(t1, 'hotline_outbox_oldest_pending_age_seconds')).to.equal(90);
    outbox.dispatched(outbox.byJobId('probe-old')!.id, clock.now());
    expect(sample(await text(), 'hotline_outbox_oldest_pending_age_seconds')).to.equal(10);
  });
});
