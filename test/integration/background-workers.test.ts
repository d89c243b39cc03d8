// startBackground({ workers: false }) (the web process with WEB_RUNS_JOBS=false): the queues are there to hand jobs to
// Redis (and for /health, the jobs dashboard and the metrics), but nothing in the process takes them; with the default
// the same job is taken at once.
import { expect } from 'chai';
import Redis from 'ioredis';
import { startBackground } from '../../src/background';
import { loadConfig } from '../../src/config/config';
import { openDatabase } from '../../src/db/client';
import { createLogger } from '../../src/logging/logger';
import { TwilioCallControl } from '../../src/telephony/call-control';
import { RECORDING_DOWNLOAD } from '../../src/recordings/recording-download';
import { RECORDING_RETENTION } from '../../src/recordings/recording-retention';
import { VOICEMAIL_DOWNLOAD } from '../../src/recordings/voicemail-download';
import { DIAL_JOB } from '../../src/outbound/dialer';
import { eventually } from '../support/eventually';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PAYLOAD = { callSid: `CA${'1'.repeat(32)}`, recordingSid: `RE${'2'.repeat(32)}` };

describe('startBackground({ workers: false }): the outbox goes to Redis, no job runs here', function () {
  this.timeout(20000);
  const runId = `hotline-test-bgworkers-${process.pid}-${Date.now().toString(36)}`;
  let redis: Redis;
  let testNo = 0;
  let prefix: string;
  let stop: (() => Promise<void>) | undefined;

  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).to.equal('PONG');
  });
  after(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    testNo += 1;
    prefix = `${runId}-${testNo}`;
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
    const keys: string[] = [];
    for await (const batch of redis.scanStream({ match: `${prefix}:*`, count: 500 })) keys.push(...(batch as string[]));
    if (keys.length) await redis.del(...keys);
  });

  /** A background on an empty database: a recording download job for a recording it does not have fails when run. */
  async function background(workers: boolean | undefined) {
    const config = loadConfig({ ENV_FILE: '', REDIS_URL });
    const db = openDatabase(':memory:');
    const callControl = new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: 'http://127.0.0.1:9' });
    const bg = startBackground({ config, db, log: createLogger('error', true), callControl, prefix, workers });
    stop = async () => {
      await bg.stop();
      db.$client.close();
    };
    // Redis is seen up before any job is added (what /health and the jobs dashboard read).
    await eventually(() => expect(bg.queues.redisState()).to.equal('up'), 10000);
    await bg.queues.add(RECORDING_DOWNLOAD.queue, RECORDING_DOWNLOAD.name, PAYLOAD, `recording:${PAYLOAD.recordingSid}`);
    return { bg, queue: bg.queues.queue(RECORDING_DOWNLOAD.queue) };
  }

  it('a recording download added to its queue stays waiting, never attempted; the queues are there for the dashboard', async () => {
    const { bg, queue } = await background(false);
    // Every queue the worker process runs, made here too (no worker on them), once Redis answers.
    await eventually(() => expect(bg.queues.all().map((q) => q.name)).to.include.members([VOICEMAIL_DOWNLOAD.queue, RECORDING_DOWNLOAD.queue, DIAL_JOB.queue, RECORDING_RETENTION.queue]), 5000);
    await new Promise((r) => setTimeout(r, 1500));
    const job = (await queue.getJob(`recording:${PAYLOAD.recordingSid}`))!;
    expect(await job.getState()).to.equal('waiting');
    expect(job.attemptsMade).to.equal(0);
    expect(await queue.getJobCounts()).to.include({ waiting: 1, active: 0, delayed: 0, failed: 0 });
    // No schedule declared either: the worker process declares them.
    expect(await bg.queues.queue(RECORDING_RETENTION.queue).getRepeatableJobs()).to.deep.equal([]);
  });

  it('by default (the worker process, simulator mode) the same job is taken and run', async () => {
    const { bg, queue } = await background(undefined);
    await eventually(async () => {
      const job = (await queue.getJob(`recording:${PAYLOAD.recordingSid}`))!;
      // Run once, failed (no such recording here) and waiting for its retry.
      expect(job.attemptsMade).to.be.at.least(1);
      expect(job.failedReason).to.match(/no recording RE2{32}/);
    }, 10000);
    // And the daily and weekly schedules are declared.
    await eventually(async () => expect(await bg.queues.queue(RECORDING_RETENTION.queue).getRepeatableJobs()).to.have.length(1), 5000);
  });
});
