// Wires the web process by hand: database, repositories, services, the carrier's webhooks and the staff API.
import http from 'node:http';
import path from 'node:path';
import type { Config } from './config/config';
import type { Logger } from './logging/logger';
import { openDatabase, type Db } from './db/client';
import { transactor } from './db/transaction';
import { CustomersRepo } from './customers/customers.repo';
import { CallsRepo } from './calls/calls.repo';
import { QueueEntriesRepo } from './acd/queue-entries.repo';
import { CallbackRequestsRepo } from './outbound/callback-requests.repo';
import { VoicemailsRepo } from './recordings/voicemails.repo';
import { OutboxRepo } from './jobs/outbox.repo';
import { FlowRegistry } from './ivr/flow-registry';
import { IvrCallService, type Clock } from './ivr/ivr-call.service';
import { QueueWaitService } from './acd/queue-wait.service';
import { CallStatusService } from './calls/call-status.service';
import { TwimlRenderer, FALLBACK_QUEUE } from './telephony/twiml-renderer';
import { createWebhookHandler } from './telephony/webhook-server';
import { voiceWebhookRoutes } from './telephony/voice-webhooks';
import { createApiApp } from './http/app';
import { StaffRepo } from './auth/staff.repo';
import { AuthService } from './auth/auth.service';
import { authRoutes } from './http/auth.routes';
import { EventBus } from './events/domain-events';

export interface HotlineOptions {
  config: Readonly<Config>;
  log: Logger;
  clock?: Clock;
  /** Defaults to ivr-flows/ in the working directory. */
  flowsDir?: string;
  db?: Db;
}

export type Hotline = ReturnType<typeof createHotline>;

export function createHotline(o: HotlineOptions) {
  const { config, log } = o;
  const clock = o.clock ?? { now: () => new Date() };
  const flows = FlowRegistry.load(o.flowsDir ?? path.resolve('ivr-flows'));
  const db = o.db ?? openDatabase(config.databaseFile);
  const transact = transactor(db);
  const repos = {
    customers: new CustomersRepo(db),
    calls: new CallsRepo(db),
    queue: new QueueEntriesRepo(db),
    callbacks: new CallbackRequestsRepo(db),
    voicemails: new VoicemailsRepo(db),
    outbox: new OutboxRepo(db),
  };
  const twiml = new TwimlRenderer({ base: config.publicBaseUrl, holdMusic: config.holdMusicUrl });
  const ivr = new IvrCallService({ ...repos, flows, transact, clock, timeZone: config.timeZone, render: (i, at) => twiml.ivr(i, at) });
  const queueWait = new QueueWaitService({ calls: repos.calls, queue: repos.queue, transact, clock });
  const callStatus = new CallStatusService({ calls: repos.calls, queue: repos.queue, transact, clock });

  const webhooks = createWebhookHandler({
    authToken: config.twilio.authToken,
    publicBaseUrl: config.publicBaseUrl,
    log,
    routes: voiceWebhookRoutes({ ivr, queueWait, callStatus, voicemails: repos.voicemails, twiml }),
    fallbackTwiml: twiml.fallbackTwiml,
    emptyTwiml: twiml.empty(),
    onFallback: (p) =>
      transact(() => {
        const now = clock.now();
        repos.calls.insert({ sid: p.CallSid, direction: p.Direction ?? 'inbound', from: p.From ?? '', to: p.To ?? '', status: p.CallStatus ?? 'in-progress', startedAt: now });
        repos.queue.enqueue({ callSid: p.CallSid, queue: FALLBACK_QUEUE, desk: 'front', priority: 10, reason: 'fallback', status: 'waiting', enqueuedAt: now });
      }),
  });
  const events = new EventBus((err, e) => log.error('event listener failed', { event: e.type, err: String(err) }));
  const staff = new StaffRepo(db);
  const auth = new AuthService({ staff, transact });
  const api = createApiApp({
    log,
    health: () => ({ ok: true, simulator: Boolean(config.simulator) }),
    routers: [authRoutes({ auth, clock })],
  });
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/twilio/')) webhooks(req, res);
    else api(req, res);
  });

  return {
    db,
    repos,
    flows,
    server,
    events,
    auth,
    listen(port = config.port, host?: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      });
    },
    async close(): Promise<void> {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      if (!o.db) db.$client.close();
    },
  };
}
