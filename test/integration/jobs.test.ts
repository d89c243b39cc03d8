// Background jobs end to end: a voicemail left through the carrier simulator goes to the outbox in the call's
// transaction, the relay hands it to bull on real Redis, and the worker downloads the WAV from the simulator.
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import Redis from 'ioredis';
import winston from 'winston';
import { startBackground } from '../../src/background';
import type { CallControl } from '../../src/telephony/call-control';
import type { Voicemail } from '../../src/recordings/voicemails.repo';
import { VOICEMAIL_DOWNLOAD } from '../../src/recordings/voicemail-download';
import { simulatorControl, startHotlineWithSimulator, type SimFixture } from '../support/sim-fixture';
import { AFTER_HOURS, freePort } from '../support/hotline-fixture';
import { eventually } from '../support/eventually';
import { deleteKeys } from '../support/redis-suite';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const STRANGER = '+8615012345678';
const RELAY_WARNING = 'outbox relay: could not hand a job to Redis; will retry';
const JOB_RETRY_WARNING = 'job failed; will retry';

interface LogEntry {
  level: string;
  message: string;
  at: number;
  [key: string]: unknown;
}

/** A winston logger that keeps every entry (with the time it was logged) for assertions. */
function capturingLogger() {
  const entries: LogEntry[] = [];
  const stream = new Writable({
    objectMode: true,
    write(info: { level: string; message: string }, _enc, done) {
      entries.push({ ...info, at: Date.now() });
      done();
    },
  });
  const log = winston.createLogger({ level: 'debug', transports: [new winston.transports.Stream({ stream })] });
  return {
    log,
    entries,
    warnings: (message: string) => entries.filter((e) => e.level === 'warn' && e.message === message),
    logged: (message: string) => entries.filter((e) => e.message === message),
  };
}

/** Resolves with `p`, or fails clearly (instead of hanging until mocha's timeout). */
async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not done within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

describe('background jobs: outbox → bull (real Redis) → voicemail download from the simulator', function () {
  this.timeout(30000);
  const runId = `hotline-test-jobs-${process.pid}-${Date.now().toString(36)}`;
  let redis: Redis;
  let f: SimFixture;
  let dir: string;
  let prefix: string;
  let testNo = 0;
  let cleanups: (() => Promise<void>)[] = [];

  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    expect(await redis.ping()).to.equal('PONG');
  });
  after(async () => {
    // Nothing of this run may stay in Redis.
    expect(await redis.keys(`${runId}*`)).to.deep.equal([]);
    await redis.quit();
  });

  beforeEach(async () => {
    testNo += 1;
    prefix = `${runId}-${testNo}`;
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hotline-recordings-'));
    f = await startHotlineWithSimulator();
    cleanups = [];
  });
  afterEach(async () => {
    // Everything is cleaned up even when stopping fails; the first error is reported afterwards.
    const errors: unknown[] = [];
    const attempt = async (step: () => Promise<unknown>) => step().catch((err: unknown) => void errors.push(err));
    for (const cleanup of cleanups.reverse()) await attempt(() => within(5000, 'stopping background', cleanup()));
    await attempt(() => f.close());
    await attempt(async () => {
      await deleteKeys(redis, `${prefix}:*`);
    });
    await attempt(() => fs.rm(dir, { recursive: true, force: true }));
    if (errors.length) throw errors[0];
  });

  /** The background as src/main.ts starts it, on this test's Redis prefix and temp recordings dir. */
  function background(o: { log: winston.Logger; callControl: CallControl; redisUrl?: string }) {
    const config = o.redisUrl ? { ...f.config, redisUrl: o.redisUrl } : f.config;
    const bg = startBackground({ config, db: f.hotline.db, log: o.log, callControl: o.callControl, prefix, recordingsDir: dir });
    cleanups.push(() => bg.stop());
    return bg;
  }

  /** The carrier's REST API is the simulator; credentials are the hotline's. */
  const simulatorCallControl = () => simulatorControl(f);

  /** A caller leaves a voicemail after hours, as in the e2e test; resolves with the stored voicemail. */
  async function leaveVoicemail(): Promise<Voicemail & { recordingSid: string }> {
    f.clock.set(AFTER_HOURS);
    const c = await f.call(STRANGER, [{ press: '1' }, { press: '2' }, { say: '请给我回电话，我的订单还没到' }, { press: '#' }]);
    expect(c.heard().join(' | ')).to.include('您的留言已收到');
    const vm = await eventually(() => {
      const v = f.hotline.repos.voicemails.forCall(c.sid);
      expect(v, 'voicemail row').to.not.equal(undefined);
      return v!;
    });
    expect(vm.recordingSid).to.match(/^RE[0-9a-f]{32}$/);
    return vm as Voicemail & { recordingSid: string };
  }

  const jobIdOf = (vm: { recordingSid: string }) => `voicemail:${vm.recordingSid}`;
  const outboxRow = (vm: { recordingSid: string }) => f.hotline.repos.outbox.byJobId(jobIdOf(vm));
  const carrierAudio = async (vm: Voicemail) => {
    const res = await fetch(`${vm.recordingUrl}.wav`);
    expect(res.status).to.equal(200);
    return Buffer.from(await res.arrayBuffer());
  };
  const downloaded = (vm: Voicemail) =>
    eventually(() => {
      const v = f.hotline.repos.voicemails.forCall(vm.callSid)!;
      expect(v.localPath, 'voicemail localPath').to.equal(`voicemail-${vm.recordingSid}.wav`);
      return v;
    }, 10000);

  it('a voicemail is put in the outbox with the call, relayed to bull, and its WAV downloaded from the carrier', async () => {
    const vm = await leaveVoicemail();

    // Written with the voicemail, in the same transaction (same clock reading), and not yet handed to Redis.
    const row = outboxRow(vm)!;
    expect(row).to.include({ queue: VOICEMAIL_DOWNLOAD.queue, name: VOICEMAIL_DOWNLOAD.name, attempts: 0, dispatchedAt: null, lastError: null });
    // The webhook's correlation id (its CallSid) rides along, so the worker's log lines for the job share it.
    expect(JSON.parse(row.payload)).to.deep.equal({ callSid: vm.callSid, recordingSid: vm.recordingSid, correlationId: vm.callSid });
    expect(row.createdAt.getTime()).to.equal(vm.createdAt.getTime());
    expect(vm.localPath).to.equal(null);

    const logs = capturingLogger();
    const bg = background({ log: logs.log, callControl: simulatorCallControl() });

    const stored = await downloaded(vm);
    const file = await fs.readFile(path.join(dir, stored.localPath!));
    expect(file.subarray(0, 4).toString('ascii')).to.equal('RIFF');
    expect(file.subarray(8, 12).toString('ascii')).to.equal('WAVE');
    expect(file.equals(await carrierAudio(vm)), 'the file is the carrier’s audio').to.equal(true);
    expect(await fs.readdir(dir)).to.deep.equal([stored.localPath]);

    const relayed = outboxRow(vm)!;
    expect(relayed.id).to.equal(row.id);
    expect(relayed.dispatchedAt).to.be.instanceOf(Date);
    expect(relayed.attempts).to.equal(0);

    const job = (await bg.queues.queue(VOICEMAIL_DOWNLOAD.queue).getJob(jobIdOf(vm)))!;
    expect(job, 'bull job').to.not.equal(null);
    expect(job.name).to.equal(VOICEMAIL_DOWNLOAD.name);
    expect(job.data).to.deep.equal({ callSid: vm.callSid, recordingSid: vm.recordingSid, correlationId: vm.callSid });
    await eventually(async () => expect(await job.getState()).to.equal('completed'));
    expect((await bg.queues.queue(VOICEMAIL_DOWNLOAD.queue).getJob(jobIdOf(vm)))!.attemptsMade).to.equal(0);
    expect(logs.warnings(JOB_RETRY_WARNING)).to.deep.equal([]);
    expect(logs.warnings(RELAY_WARNING)).to.deep.equal([]);

    // Stopping closes the queues and their Redis connections.
    await within(5000, 'stopping the background', bg.stop());
    const client = bg.queues.queue(VOICEMAIL_DOWNLOAD.queue).client;
    await eventually(() => expect(client.status, 'Redis connection after stop()').to.equal('end'));
  });

  it('Redis down: the phones keep working, the outbox row waits (not lost), then is handed over once when Redis is back', async () => {
    const downPort = await freePort();
    expect(await refused(downPort), `nothing may listen on ${downPort}`).to.equal(true);
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      const downLogs = capturingLogger();
      const down = background({ log: downLogs.log, callControl: simulatorCallControl(), redisUrl: `redis://127.0.0.1:${downPort}` });

      // The call goes through while Redis is down.
      const vm = await leaveVoicemail();
      const jobId = jobIdOf(vm);

      const warned = await eventually(() => {
        // Every pass fails while Redis is down; the outage is the one warning (test/integration/redis-outage.test.ts).
        const w = downLogs.logged(RELAY_WARNING).filter((e) => e.jobId === jobId);
        expect(w.length, 'relay failures').to.be.at.least(2);
        return w;
      }, 10000);
      expect(String(warned[0].err)).to.not.equal('');
      const waiting = outboxRow(vm)!;
      expect(waiting.dispatchedAt, 'still pending').to.equal(null);
      expect(waiting.attempts).to.be.at.least(2);
      expect(waiting.lastError).to.be.a('string').and.not.equal('');

      // stop() while a relay pass is under way (each pass waits on the dead Redis) finishes, and no pass follows it.
      let passes = 0;
      const flush = down.relay.flush.bind(down.relay);
      await new Promise<void>((inPass) => {
        down.relay.flush = () => {
          passes++;
          const pass = flush();
          inPass();
          return pass;
        };
      });
      await within(5000, 'stopping the background while Redis is down', down.stop());
      const passesAtStop = passes;
      const warningsAtStop = downLogs.logged(RELAY_WARNING).length;
      expect(downLogs.warnings(RELAY_WARNING), 'no warning per failed pass during an outage').to.deep.equal([]);
      // ...and its connection stops trying to reach the dead Redis (ioredis retries at most 2 s apart; a connection
      // disconnected while waiting to reconnect keeps the status 'reconnecting' but makes no further attempt).
      const deadClient = down.queues.queue(VOICEMAIL_DOWNLOAD.queue).client;
      let reconnects = 0;
      deadClient.on('reconnecting', () => reconnects++);
      await new Promise((r) => setTimeout(r, 2100));
      expect(reconnects, 'reconnects to the dead Redis after stop()').to.equal(0);
      expect(deadClient.status).to.be.oneOf(['end', 'reconnecting']);
      expect(passes, 'relay passes after stop()').to.equal(passesAtStop);
      expect(downLogs.logged(RELAY_WARNING).length).to.equal(warningsAtStop);
      expect(outboxRow(vm)!.dispatchedAt).to.equal(null);
      expect(await redis.keys(`${prefix}:*`), 'nothing reached the working Redis').to.deep.equal([]);

      // Redis is back: a relay with a working JobQueues hands over the same row, and the worker downloads it.
      let mediaCalls = 0;
      const control = simulatorCallControl();
      const counting: CallControl = Object.assign(Object.create(control) as CallControl, {
        recordingMedia: (sid: string) => (mediaCalls++, control.recordingMedia(sid)),
      });
      const upLogs = capturingLogger();
      const up = background({ log: upLogs.log, callControl: counting });
      await downloaded(vm);
      const handed = outboxRow(vm)!;
      expect(handed.id).to.equal(waiting.id);
      expect(handed.dispatchedAt).to.be.instanceOf(Date);
      expect(handed.attempts, 'failed hand-overs are recorded').to.be.at.least(waiting.attempts);

      const queue = up.queues.queue(VOICEMAIL_DOWNLOAD.queue);
      const job = (await queue.getJob(jobId))!;
      await eventually(async () => expect(await job.getState()).to.equal('completed'));
      const finishedOn = (await queue.getJob(jobId))!.finishedOn;
      expect(await queue.getJobCounts()).to.include({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 1 });

      // A repeated add with the same jobId, and another relay pass, change nothing.
      await up.queues.add(VOICEMAIL_DOWNLOAD.queue, VOICEMAIL_DOWNLOAD.name, JSON.parse(handed.payload), jobId);
      expect(await up.relay.flush()).to.equal(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(await queue.getJobCounts()).to.include({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 1 });
      expect((await queue.getJob(jobId))!.finishedOn).to.equal(finishedOn);
      expect(mediaCalls, 'downloaded once').to.equal(1);
      expect(outboxRow(vm)!.dispatchedAt!.getTime()).to.equal(handed.dispatchedAt!.getTime());
      expect(upLogs.warnings(RELAY_WARNING)).to.deep.equal([]);
      expect(unhandled, 'unhandled rejections').to.deep.equal([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a download that fails is retried after the backoff and then succeeds', async () => {
    const vm = await leaveVoicemail();
    const control = simulatorCallControl();
    const attempts: number[] = [];
    const flaky: CallControl = Object.assign(Object.create(control) as CallControl, {
      async recordingMedia(sid: string) {
        attempts.push(Date.now());
        if (attempts.length === 1) throw new Error('carrier unreachable (test)');
        return control.recordingMedia(sid);
      },
    });
    const logs = capturingLogger();
    const bg = background({ log: logs.log, callControl: flaky });

    // First attempt fails: the job waits, delayed, with the attempt recorded.
    const queue = bg.queues.queue(VOICEMAIL_DOWNLOAD.queue);
    const failedOnce = await eventually(async () => {
      const job = (await queue.getJob(jobIdOf(vm)))!;
      expect(job?.attemptsMade).to.equal(1);
      return job;
    }, 5000);
    expect(await failedOnce.getState()).to.be.oneOf(['delayed', 'waiting', 'active']);
    expect(failedOnce.failedReason).to.equal('carrier unreachable (test)');
    expect(f.hotline.repos.voicemails.forCall(vm.callSid)!.localPath).to.equal(null);
    const warned = logs.warnings(JOB_RETRY_WARNING);
    expect(warned).to.have.length(1);
    expect(warned[0]).to.include({ jobId: jobIdOf(vm), queue: VOICEMAIL_DOWNLOAD.queue, name: VOICEMAIL_DOWNLOAD.name, attempt: 1 });

    // Second attempt, after the 2 s exponential backoff, succeeds.
    const stored = await downloaded(vm);
    expect(attempts).to.have.length(2);
    expect(attempts[1] - attempts[0], 'backoff before the retry (ms)').to.be.within(1900, 5000);
    expect((await fs.readFile(path.join(dir, stored.localPath!))).equals(await carrierAudio(vm))).to.equal(true);
    const job = (await queue.getJob(jobIdOf(vm)))!;
    await eventually(async () => expect(await job.getState()).to.equal('completed'));
    const done = (await queue.getJob(jobIdOf(vm)))!;
    expect(done.attemptsMade).to.equal(1);
    expect(done.stacktrace).to.have.length(1);
    expect(done.stacktrace[0]).to.include('carrier unreachable (test)');
  });

  it('a recording the carrier no longer has: each attempt fails with its 404, is recorded, and is retried with growing backoff', async () => {
    const vm = await leaveVoicemail();
    // The carrier lost the recording: the real client against the simulator gets a 404 for it.
    expect(f.sim.recordings.delete(vm.recordingSid)).to.equal(true);
    const logs = capturingLogger();
    const bg = background({ log: logs.log, callControl: simulatorCallControl() });
    const queue = bg.queues.queue(VOICEMAIL_DOWNLOAD.queue);

    const failures = await eventually(() => {
      const w = logs.warnings(JOB_RETRY_WARNING);
      expect(w.length, 'failed attempts').to.be.at.least(2);
      return w;
    }, 6000);
    expect(failures.map((w) => w.attempt).slice(0, 2)).to.deep.equal([1, 2]);
    expect(String(failures[0].err)).to.match(/not found|404/i);
    expect(failures[1].at - failures[0].at, 'first backoff (ms)').to.be.within(1900, 4000);

    const job = await eventually(async () => {
      const j = (await queue.getJob(jobIdOf(vm)))!;
      expect(j.attemptsMade).to.equal(2);
      return j;
    });
    expect(await job.getState()).to.equal('delayed');
    expect(job.opts).to.deep.include({ attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
    expect(job.stacktrace).to.have.length(2);
    expect(job.failedReason).to.match(/not found|404/i);
    // bull's exponential backoff waits (2^attemptsMade - 1) × 2 s: 2 s, then 6 s. The delayed set's score is the due time × 0x1000.
    const due = Number(await redis.zscore(`${prefix}:${VOICEMAIL_DOWNLOAD.queue}:delayed`, job.id as string)) / 0x1000;
    expect(due - failures[1].at, 'second backoff (ms)').to.be.within(5900, 6600);
    expect(f.hotline.repos.voicemails.forCall(vm.callSid)!.localPath).to.equal(null);
    expect(await fs.readdir(dir)).to.deep.equal([]);
    expect(outboxRow(vm)!.dispatchedAt, 'handed over once; the retries are bull’s').to.be.instanceOf(Date);
  });
});
