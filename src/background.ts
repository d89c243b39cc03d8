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
import type { CallControl } from './telephony/call-control';
import { transactor } from './db/transaction';
import { QaAssignmentsRepo } from './quality/qa-assignments.repo';
import { SamplingService } from './quality/sampling.service';

/** The weekly quality sampling: Mondays 00:30 in the center's time zone, for the week that just ended. */
export const QUALITY_SAMPLING = { queue: 'quality', name: 'weekly-sampling', cron: '30 0 * * 1' } as const;

export interface BackgroundOptions {
  config: Readonly<Config>;
  db: Db;
  log: Logger;
  callControl: CallControl;
  /** Redis key prefix; tests pass a unique one. */
  prefix?: string;
  recordingsDir?: string;
}

export function startBackground(o: BackgroundOptions) {
  const queues = new JobQueues({ redisUrl: o.config.redisUrl, prefix: o.prefix, log: o.log });
  const relay = new OutboxRelay(new OutboxRepo(o.db), queues, o.log);
  const downloader = new VoicemailDownloader({
    voicemails: new VoicemailsRepo(o.db),
    media: o.callControl,
    dir: o.recordingsDir ?? path.resolve('recordings'),
  });
  queues.process(VOICEMAIL_DOWNLOAD.queue, VOICEMAIL_DOWNLOAD.name, async (payload) => {
    await downloader.run(payload);
  });
  const sampling = new SamplingService({ assignments: new QaAssignmentsRepo(o.db), transact: transactor(o.db), clock: { now: () => new Date() }, timeZone: o.config.timeZone });
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
    queues.repeat(QUALITY_SAMPLING.queue, QUALITY_SAMPLING.name, QUALITY_SAMPLING.cron, o.config.timeZone).catch((err: unknown) => {
      o.log.debug('weekly quality sampling not scheduled yet; retrying', { err: String(err) });
      later(schedule, 30_000);
    });
  };
  const startQualitySampling = () => {
    if (stopped) return;
    if (queues.redisState() !== 'up') return later(startQualitySampling, 1000);
    queues.process(
      QUALITY_SAMPLING.queue,
      QUALITY_SAMPLING.name,
      async () => {
        o.log.info('weekly quality sampling', { ...sampling.run(null) });
      },
      1,
    );
    schedule();
  };
  startQualitySampling();
  relay.start();
  return {
    queues,
    relay,
    async stop() {
      stopped = true;
      clearTimeout(qualityTimer);
      await relay.stop();
      await queues.close();
    },
  };
}
