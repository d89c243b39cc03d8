// Background work: the outbox relay and the bull workers (in the web process, or alone in src/worker.ts).
import path from 'node:path';
import type { Config } from './config/config';
import type { Logger } from './logging/logger';
import type { Db } from './db/client';
import { OutboxRepo } from './jobs/outbox.repo';
import { JobQueues } from './jobs/bull-queues';
import { OutboxRelay } from './jobs/outbox-relay';
import { VoicemailsRepo } from './recordings/voicemails.repo';
import { VOICEMAIL_DOWNLOAD, VoicemailDownloader } from './recordings/voicemail-download';
import type { CallControl, CallLookup } from './telephony/call-control';
import { transactor, type OpenGroup } from './db/transaction';
import { CallsRepo } from './calls/calls.repo';
import { CallbackAttemptsRepo } from './outbound/callback-attempts.repo';
import { CallbackRequestsRepo } from './outbound/callback-requests.repo';
import { DIAL_JOB, Dialer, dialerLimiter, type DialerOptions } from './outbound/dialer';
import type { Clock } from './ivr/ivr-call.service';
import { QaAssignmentsRepo } from './quality/qa-assignments.repo';
import { SamplingService } from './quality/sampling.service';
import { LocalRecordingStore, type RecordingStore } from './recordings/recording-store';
import { RecordingPipelineRepo } from './recordings/recording-pipeline.repo';
import { RECORDING_DOWNLOAD, RecordingDownloader } from './recordings/recording-download';
import { RECORDING_RETENTION, RecordingRetention } from './recordings/recording-retention';
import { AuditRepo } from './audit/audit.repo';
import { ContactCenterRepo } from './reports/contact-center.repo';
import { REPORT_ROLLUP, ReportRollup } from './reports/report-rollup';
import { SurveyResponsesRepo } from './surveys/survey-responses.repo';
import { SURVEY_COMMENT_DOWNLOAD, SurveyCommentDownloader } from './surveys/survey-comment-download';
import type { HotlineMetrics } from './metrics/hotline-metrics';

/** The weekly quality sampling: Mondays 00:30 in the center's time zone, for the week that just ended. */
export const QUALITY_SAMPLING = { queue: 'quality', name: 'weekly-sampling', cron: '30 0 * * 1' } as const;

export interface BackgroundOptions {
  config: Readonly<Config>;
  db: Db;
  log: Logger;
  callControl: CallControl;
  /** The dialer's carrier lookup (a call placed but never recorded); default: the CallControl when it has one. */
  callLookup?: CallLookup;
  clock?: Clock;
  /** The web process's webhook group, when the worker shares its database connection (simulator mode, tests). */
  groupCommit?: OpenGroup;
  dialer?: DialerOptions;
  /** Jobs of the dialer queue run at once at most. @default 4 */
  dialerConcurrency?: number;
  /** Real milliseconds between sweeps of stalled callback attempts. @default 60000 */
  stalledAttemptSweepMs?: number;
  /** Redis key prefix; tests pass a unique one. */
  prefix?: string;
  recordingsDir?: string;
  /** Where call recordings are stored. @default a LocalRecordingStore on recordingsDir */
  recordingStore?: RecordingStore;
  /** The process's metrics: bull queue depths, failed jobs and Redis are added to it (src/metrics/). */
  metrics?: HotlineMetrics;
  /** Run the job workers and sweeps here; false: only hand the outbox to Redis (the web process with WEB_RUNS_JOBS=false). @default true */
  workers?: boolean;
}

export function startBackground(o: BackgroundOptions) {
  const queues = new JobQueues({
    redisUrl: o.config.redisUrl,
    prefix: o.prefix,
    log: o.log,
    // At most N calls a second for the whole center, however many workers run (Twilio queues calls beyond its own limit).
    queues: { [DIAL_JOB.queue]: { limiter: dialerLimiter(o.config.office.dialerCallsPerSecond) } },
    onJobFailed: o.metrics?.jobFailureCounter(),
  });
  o.metrics?.readJobQueues(queues);
  const relay = new OutboxRelay(new OutboxRepo(o.db), queues, o.log);
  const downloader = new VoicemailDownloader({
    voicemails: new VoicemailsRepo(o.db),
    media: o.callControl,
    dir: o.recordingsDir ?? path.resolve('recordings'),
  });
  const workers = o.workers ?? true;
  // Without workers the queues are still made (no worker on them): their Redis connections are what /health, the jobs
  // dashboard and the queue-depth metrics read, and the outbox relay hands its jobs to them.
  const work: JobQueues['process'] = (...args) => {
    if (workers) queues.process(...args);
    else queues.queue(args[0]);
  };
  work(VOICEMAIL_DOWNLOAD.queue, VOICEMAIL_DOWNLOAD.name, async (payload) => {
    await downloader.run(payload);
  });
  const surveyComments = new SurveyCommentDownloader({
    responses: new SurveyResponsesRepo(o.db),
    media: o.callControl,
    dir: o.recordingsDir ?? path.resolve('recordings'),
  });
  work(SURVEY_COMMENT_DOWNLOAD.queue, SURVEY_COMMENT_DOWNLOAD.name, async (payload) => {
    await surveyComments.run(payload);
  });
  const recordingStore = o.recordingStore ?? new LocalRecordingStore(o.recordingsDir ?? path.resolve('recordings'));
  const recordingRepo = new RecordingPipelineRepo(o.db);
  const recordingDownloader = new RecordingDownloader({
    repo: recordingRepo,
    media: o.callControl,
    store: recordingStore,
    clock: o.clock ?? { now: () => new Date() },
    log: o.log.child({ component: 'recordings' }),
  });
  work(RECORDING_DOWNLOAD.queue, RECORDING_DOWNLOAD.name, async (payload) => {
    await recordingDownloader.run(payload);
  });
  const retention = new RecordingRetention({
    repo: recordingRepo,
    store: recordingStore,
    audit: new AuditRepo(o.db),
    transact: transactor(o.db, o.groupCommit),
    clock: o.clock ?? { now: () => new Date() },
    log: o.log.child({ component: 'recordings' }),
    days: o.config.recordingRetentionDays ?? 365,
  });
  const dialer = new Dialer({
    attempts: new CallbackAttemptsRepo(o.db),
    callbacks: new CallbackRequestsRepo(o.db),
    calls: new CallsRepo(o.db),
    control: o.callControl,
    lookup: o.callLookup ?? ('callsTo' in o.callControl ? (o.callControl as unknown as CallLookup) : undefined),
    transact: transactor(o.db, o.groupCommit),
    clock: o.clock ?? { now: () => new Date() },
    log: o.log.child({ component: 'dialer' }),
    base: o.config.publicBaseUrl,
    hotlineNumber: o.config.hotlineNumber,
    options: o.dialer,
  });
  // Started once Redis answers (the voicemail worker's connections tell): until then nothing could be dialed anyway,
  // and a second idle worker on a dead Redis only multiplies bull's reconnect failures.
  queues.whenUp(() => work(DIAL_JOB.queue, DIAL_JOB.name, (payload) => dialer.run(payload), o.dialerConcurrency ?? 4));
  // An attempt whose job gave up, or never ran, ends after a while: the agent waiting on the line is told.
  const stalledSweep = workers
    ? setInterval(() => {
        dialer.sweepStalled().catch((err: unknown) => o.log.error('stalled callback attempt sweep failed', { err: String(err) }));
      }, o.stalledAttemptSweepMs ?? 60_000)
    : undefined;
  stalledSweep?.unref();
  const sampling = new SamplingService({ assignments: new QaAssignmentsRepo(o.db), transact: transactor(o.db), clock: { now: () => new Date() }, timeZone: o.config.timeZone });
  const rollup = new ReportRollup({ repo: new ContactCenterRepo(o.db), clock: o.clock ?? { now: () => new Date() }, timeZone: o.config.timeZone });
  let stopped = false;
  let qualityTimer: NodeJS.Timeout | undefined;
  const later = (fn: () => void, ms: number) => {
    qualityTimer = setTimeout(fn, ms);
    qualityTimer.unref();
  };
  // The weekly sampling's queue is made once Redis answers (a bull queue built during an outage leaves rejections
  // nobody handles); its schedule is declared again every 30 s until Redis takes it.
  const schedule = () => {
    if (stopped) return;
    Promise.all([
      queues.repeat(QUALITY_SAMPLING.queue, QUALITY_SAMPLING.name, QUALITY_SAMPLING.cron, o.config.timeZone),
      queues.repeat(RECORDING_RETENTION.queue, RECORDING_RETENTION.name, RECORDING_RETENTION.cron, o.config.timeZone),
      queues.repeat(REPORT_ROLLUP.queue, REPORT_ROLLUP.name, REPORT_ROLLUP.cron, o.config.timeZone),
    ]).catch((err: unknown) => {
      o.log.debug('weekly quality sampling, recording retention or report rollup not scheduled yet; retrying', { err: String(err) });
      later(schedule, 30_000);
    });
  };
  queues.whenUp(() => {
    if (stopped) return;
    work(
      QUALITY_SAMPLING.queue,
      QUALITY_SAMPLING.name,
      async () => {
        o.log.info('weekly quality sampling', { ...sampling.run(null) });
      },
      1,
    );
    work(
      RECORDING_RETENTION.queue,
      RECORDING_RETENTION.name,
      async () => {
        await retention.run();
      },
      1,
    );
    work(
      REPORT_ROLLUP.queue,
      REPORT_ROLLUP.name,
      async () => {
        const done = await rollup.run();
        o.log.debug('report rollup', { ...done });
      },
      1,
    );
    // The schedules are declared where the jobs run.
    if (workers) schedule();
  });
  relay.start();
  return {
    queues,
    relay,
    dialer,
    retention,
    recordingDownloader,
    rollup,
    async stop() {
      stopped = true;
      clearTimeout(qualityTimer);
      clearInterval(stalledSweep);
      await relay.stop();
      await queues.close();
    },
  };
}
