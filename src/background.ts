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
  relay.start();
  return {
    queues,
    relay,
    async stop() {
      await relay.stop();
      await queues.close();
    },
  };
}
