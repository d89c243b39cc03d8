// Wires the web process by hand: database, repositories, services, the carrier's webhooks and the staff API.
import http from 'node:http';
import { Router } from 'express';
import path from 'node:path';
import type { Config } from './config/config';
import type { Logger } from './logging/logger';
import { openDatabase, type Db } from './db/client';
import { transactor } from './db/transaction';
import { GroupCommit } from './db/group-commit';
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
import { LoadGauge, type LoadSheddingOptions } from './telephony/load-shedding';
import { voiceWebhookRoutes } from './telephony/voice-webhooks';
import { createApiApp } from './http/app';
import { healthReport, type HealthCheck } from './http/health';
import { StaffRepo } from './auth/staff.repo';
import { AuthService } from './auth/auth.service';
import { hashPassword, PASSWORD_COST, verifyPassword } from './auth/password';
import { HashGate, type HashGateOptions } from './auth/hash-gate';
import { SessionRevocations } from './auth/session-revocations';
import { WsTickets } from './auth/ws-tickets';
import { AuditRepo } from './audit/audit.repo';
import { authRoutes } from './http/auth.routes';
import { presenceRoutes } from './http/presence.routes';
import { WorkOrdersRepo } from './work-orders/work-orders.repo';
import { WorkOrderService } from './work-orders/work-order.service';
import { DispositionService } from './acd/dispositions';
import { workOrderRoutes } from './http/work-orders.routes';
import { dispositionRoutes } from './http/dispositions.routes';
import { StaffAdminRepo } from './staff/staff-admin.repo';
import { StaffAdminService } from './staff/staff-admin.service';
import { AgentDesksRepo } from './acd/agent-desks.repo';
import { DesksService } from './acd/desks.service';
import { QueueSettingsService } from './acd/queue-settings.service';
import { staffRoutes } from './http/staff.routes';
import { agentsRoutes } from './http/agents.routes';
import { queuesRoutes } from './http/queues.routes';
import { floorRoutes } from './http/floor.routes';
import { floorActionRoutes } from './http/floor-actions.routes';
import { FloorActionsService } from './acd/floor-actions.service';
import { FloorService } from './acd/floor.service';
import { voiceRoutes } from './http/voice.routes';
import { VoiceTokenIssuer, agentIdentity } from './telephony/voice-token';
import { ScreenPopRepo } from './acd/screen-pop.repo';
import { ScreenPopService } from './acd/screen-pop';
import { RealtimeServer } from './realtime/realtime-server';
import { EventBus } from './events/domain-events';
import { PresenceRepo } from './acd/presence.repo';
import { InteractionsRepo } from './acd/interactions.repo';
import { QueueSettingsRepo } from './acd/queue-settings.repo';
import { PresenceService } from './acd/agent-presence.service';
import { Dispatcher } from './acd/dispatcher';
import { TwilioCallControl, type CallControl, type CarrierReads } from './telephony/call-control';
import { CarrierReconciliation, type ReconciliationReport } from './acd/carrier-reconciliation';
import { ReconciliationRepo } from './acd/reconciliation.repo';
import { AgentControlService } from './acd/agent-control.service';
import { agentControlRoutes } from './http/agent-control.routes';
import { auditRoutes } from './http/audit.routes';
import { TwilioAcdCarrier } from './telephony/acd-carrier';
import { acdWebhookRoutes } from './telephony/acd-webhooks';
import { queueWebhookRoutes } from './telephony/queue-webhooks';
import { outboundWebhookRoutes } from './telephony/outbound-webhooks';
import { CallbackAttemptsRepo } from './outbound/callback-attempts.repo';
import { CallbackOutcomeService } from './outbound/callback-outcome.service';
import { reconcileCallbackAttempts } from './acd/callback-offers';
import { callbackCallRoutes } from './http/callback-calls.routes';
import { adminQueuesRoutes } from './http/admin-queues';
import { queueDashboard } from './jobs/bull-board';
import { IntakeRepo } from './intake/intake.repo';
import { IntakeService } from './intake/intake.service';
import { IntegrationKeysRepo } from './intake/integration-keys.repo';
import { IntegrationKeysService } from './intake/integration-keys.service';
import { integrationKeyRoutes } from './http/integration-keys.routes';
import { intakeRoutes } from './http/intake.routes';
import { createOfficeReview } from './office/office-review';
import { orderReviewRoutes } from './http/order-review.routes';
import { rmaReviewRoutes } from './http/rma-review.routes';
import { CallbackListService } from './outbound/callback-list.service';
import { DoNotCallRepo } from './outbound/do-not-call.repo';
import { callbackRoutes } from './http/callbacks.routes';
import { LocalRecordingStore, type RecordingStore } from './recordings/recording-store';
import { RecordingsRepo } from './recordings/recordings.repo';
import { RecordingsLibraryService } from './recordings/recordings-library.service';
import { PlaybackTickets } from './recordings/playback-tickets';
import { recordingsRoutes } from './http/recordings.routes';
import { recordingControlRoutes } from './http/recording-control.routes';
import { CallRecorder } from './recordings/call-recorder';
import { RecordingPipelineRepo } from './recordings/recording-pipeline.repo';
import { recordingWebhookRoutes } from './telephony/recording-webhooks';
import { ScorecardsRepo } from './quality/scorecards.repo';
import { ScorecardService } from './quality/scorecard.service';
import { EvaluationsRepo } from './quality/evaluations.repo';
import { EvaluationsService } from './quality/evaluations.service';
import { QaAssignmentsRepo } from './quality/qa-assignments.repo';
import { SamplingService } from './quality/sampling.service';
import { QualityFigures } from './quality/quality-figures';
import { scorecardRoutes } from './http/scorecards.routes';
import { evaluationRoutes } from './http/evaluations.routes';
import { qaRoutes } from './http/qa.routes';
import { LiveMonitoringService } from './monitoring/live-monitoring.service';
import { MonitorSessionsRepo } from './monitoring/monitor-sessions.repo';
import { TwilioMonitorCarrier, monitorWebhookRoutes } from './telephony/monitor-carrier';
import { monitoringRoutes } from './http/monitoring.routes';

export interface HotlineOptions {
  config: Readonly<Config>;
  log: Logger;
  clock?: Clock;
  /** Defaults to ivr-flows/ in the working directory. */
  flowsDir?: string;
  db?: Db;
  /** The carrier's REST API: Twilio by default, or the simulator's loopback URL. */
  carrierApiBaseUrl?: string;
  /** A CallControl to use instead of the Twilio client (e.g. one shared with the worker). */
  callControl?: CallControl;
  /** Real milliseconds between the ACD's sweeps (wrap-ups, silent agents, ring timeouts). @default 1000 */
  acdTickMs?: number;
  /** scrypt N for passwords; lowered only by tests. @default PASSWORD_COST (2^17) */
  passwordCost?: number;
  /** The limit on concurrent password hashes (sign-ins, changes, resets). @default 2 running, 32 waiting */
  hashGate?: HashGateOptions;
  /** /health components the phones work without (e.g. `redis` from the background's job queues). */
  health?: Record<string, HealthCheck>;
  /** The carrier's reads for reconciliation; defaults to the CallControl when it is the Twilio client. */
  carrierReads?: CarrierReads;
  /** Make no ACD offer until reconcile() has run (the web process after a restart). @default false */
  reconcileOnStart?: boolean;
  /** A carrier REST request that takes longer fails. @default 10000 */
  carrierTimeoutMs?: number;
  /**
   * Offer callbacks to free agents (progressive dialing) and take preview calls: only where a dial job worker runs
   * (src/background.ts), or an agent would answer a callback nobody dials. src/main.ts turns it on. @default false
   */
  dialer?: boolean;
  /** Real milliseconds between sweeps of lapsed order and RMA review claims and of callbacks whose calling window closed. @default 15000 */
  officeSweepMs?: number;
  /** Where recordings' audio is read from. @default a LocalRecordingStore on recordings/ in the working directory */
  recordingStore?: RecordingStore;
  /** When new callers skip the IVR and wait cheaply (event-loop lag, webhooks in flight); see docs/busy-day.md. */
  loadShedding?: LoadSheddingOptions;
}

export type Hotline = ReturnType<typeof createHotline>;

/** The quality control services (scorecards, evaluations, sampling, figures) over one database. */
export function qualityServices(o: { db: Db; transact: ReturnType<typeof transactor>; clock: Clock; events?: EventBus; timeZone: string }) {
  const scorecardsRepo = new ScorecardsRepo(o.db);
  const assignments = new QaAssignmentsRepo(o.db);
  const evaluationsRepo = new EvaluationsRepo(o.db);
  const scorecards = new ScorecardService({ scorecards: scorecardsRepo, transact: o.transact, clock: o.clock });
  return {
    scorecards,
    evaluations: new EvaluationsService({ evaluations: evaluationsRepo, scorecards: scorecardsRepo, scorecardService: scorecards, assignments, transact: o.transact, clock: o.clock, events: o.events }),
    sampling: new SamplingService({ assignments, transact: o.transact, clock: o.clock, timeZone: o.timeZone }),
    figures: new QualityFigures({ evaluations: evaluationsRepo, scorecards: scorecardsRepo, timeZone: o.timeZone }),
  };
}

export function createHotline(o: HotlineOptions) {
  const { config, log } = o;
  const clock = o.clock ?? { now: () => new Date() };
  const flows = FlowRegistry.load(o.flowsDir ?? path.resolve('ivr-flows'));
  const db = o.db ?? openDatabase(config.databaseFile);
  const groupCommit = new GroupCommit(db.$client, (err, alone) =>
    log.error(alone ? 'a webhook could not commit even alone; it gets the safe fallback' : 'webhook group could not commit; retrying each webhook alone', { err: String(err) }),
  );
  // Writers other than the group's webhooks commit the group first, so none is answered before its own commit.
  const transact = transactor(db, groupCommit);
  const repos = {
    customers: new CustomersRepo(db),
    calls: new CallsRepo(db),
    queue: new QueueEntriesRepo(db),
    // The one callback list of the process: the API's settings changes reach the dialer's picks through it.
    callbacks: new CallbackRequestsRepo(db, { timeZone: config.timeZone }),
    voicemails: new VoicemailsRepo(db),
    outbox: new OutboxRepo(db),
  };
  const events = new EventBus((err, e) => log.error('event listener failed', { event: e.type, err: String(err) }));
  const acdRepos = { presence: new PresenceRepo(db), interactions: new InteractionsRepo(db), queueSettings: new QueueSettingsRepo(db) };
  const callControl =
    o.callControl ??
    new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: o.carrierApiBaseUrl, timeoutMs: o.carrierTimeoutMs });
  const carrierReads = o.carrierReads ?? (callControl instanceof TwilioCallControl ? callControl : undefined);
  const base = config.publicBaseUrl;
  const attempts = new CallbackAttemptsRepo(db);
  const acdCarrier = new TwilioAcdCarrier({ control: callControl, base, hotlineNumber: config.hotlineNumber });

  const twiml = new TwimlRenderer({ base });
  const ivr = new IvrCallService({ ...repos, flows, transact, clock, timeZone: config.timeZone, hours: config.hotlineHours, render: (i, at) => twiml.ivr(i, at) });
  const presence = new PresenceService({ presence: acdRepos.presence, transact, clock, events });
  const dispatcher = new Dispatcher({
    queue: repos.queue,
    presence: acdRepos.presence,
    presenceService: presence,
    interactions: acdRepos.interactions,
    calls: repos.calls,
    rules: acdRepos.queueSettings,
    transact,
    clock,
    events,
    carrier: acdCarrier,
    identity: (username) => agentIdentity({ username }),
    log: log.child({ component: 'acd' }),
    outbound: o.dialer ? { callbacks: repos.callbacks, attempts, outbox: repos.outbox, carrier: acdCarrier } : undefined,
  });
  const queueWait = new QueueWaitService({
    calls: repos.calls,
    queue: repos.queue,
    callbacks: repos.callbacks,
    interactions: acdRepos.interactions,
    presence: acdRepos.presence,
    rules: acdRepos.queueSettings,
    transact,
    clock,
    events,
  });
  const callStatus = new CallStatusService({ calls: repos.calls, queue: repos.queue, transact, clock, events });
  const requeue = (callSid: string) => {
    const entry = queueWait.requeue(callSid);
    return twiml.enqueue(entry?.queue ?? FALLBACK_QUEUE);
  };

  // QA recordings: the customer's leg in two channels, started when they are connected to an agent.
  const recorder = new CallRecorder({
    control: callControl,
    repo: new RecordingPipelineRepo(db),
    outbox: repos.outbox,
    transact,
    clock,
    log: log.child({ component: 'recordings' }),
    base,
    carrierOrigin: callControl instanceof TwilioCallControl ? callControl.apiOrigin : undefined,
  });
  const recordCustomer = (interactionId: number, customerCallSid: string) => recorder.startSoon(interactionId, customerCallSid);
  const load = new LoadGauge(o.loadShedding ?? config.loadShedding);
  const webhooks = createWebhookHandler({
    authToken: config.twilio.authToken,
    publicBaseUrl: base,
    log,
    routes: {
      ...voiceWebhookRoutes({
        ivr,
        callStatus,
        voicemails: repos.voicemails,
        twiml,
        admitShed: (p) => {
          load.countShed();
          queueWait.admitWithoutIvr({ callSid: p.CallSid, from: p.From ?? '', to: p.To ?? '', direction: p.Direction ?? 'inbound', queue: FALLBACK_QUEUE, desk: 'front' });
        },
      }),
      ...queueWebhookRoutes({
        base,
        holdMusic: config.holdMusicUrl,
        queueWait,
        voicemail: (callSid) => ivr.divert(callSid, 'voicemail'),
      }),
      ...acdWebhookRoutes({ base, dispatcher, interactions: acdRepos.interactions, requeue, recordCustomer }),
      ...(dispatcher.callbacks ? outboundWebhookRoutes({ base, callbacks: dispatcher.callbacks, attempts, interactions: acdRepos.interactions, recordCustomer }) : {}),
      ...recordingWebhookRoutes({ recorder }),
      ...monitorWebhookRoutes({ legStatus: (sessionId, status, callSid) => monitoring.legStatus(sessionId, status, callSid) }),
    },
    fallbackTwiml: twiml.fallbackTwiml,
    emptyTwiml: twiml.empty(),
    groupCommit,
    load,
    onFallback: (p) =>
      transact(() => {
        const now = clock.now();
        repos.calls.insert({ sid: p.CallSid, direction: p.Direction ?? 'inbound', from: p.From ?? '', to: p.To ?? '', status: p.CallStatus ?? 'in-progress', startedAt: now });
        repos.queue.enqueue({ callSid: p.CallSid, queue: FALLBACK_QUEUE, desk: 'front', priority: 10, reason: 'fallback', status: 'waiting', enqueuedAt: now });
      }),
  });
  if (o.reconcileOnStart) dispatcher.hold();
  const reconciliation = carrierReads
    ? new CarrierReconciliation({
        repo: new ReconciliationRepo(db),
        calls: repos.calls,
        queue: repos.queue,
        interactions: acdRepos.interactions,
        presenceService: presence,
        rules: acdRepos.queueSettings,
        carrier: {
          liveCalls: () => carrierReads.liveCalls(),
          fetchCall: (sid) => carrierReads.fetchCall(sid),
          queueMembers: () => carrierReads.queueMembers(),
          liveConferences: () => carrierReads.liveConferences(),
          hangup: (sid) => callControl.hangup(sid),
        },
        transact,
        clock,
        events,
        log: log.child({ component: 'reconciliation' }),
      })
    : undefined;
  const audit = new AuditRepo(db);
  const agentControl = new AgentControlService({
    presence,
    presenceRepo: acdRepos.presence,
    interactions: acdRepos.interactions,
    queue: repos.queue,
    calls: repos.calls,
    audit,
    carrier: carrierReads ? { fetchCall: (sid) => carrierReads.fetchCall(sid), hangup: (sid) => callControl.hangup(sid) } : undefined,
    transact,
    clock,
    events,
    log: log.child({ component: 'agent-control' }),
  });
  const staff = new StaffRepo(db);
  const passwordCost = o.passwordCost ?? PASSWORD_COST;
  const revocations = new SessionRevocations((err) => log.error('closing revoked sessions failed', { err: String(err) }));
  const wsTickets = new WsTickets();
  // One limit on scrypt for the whole process: sign-ins, password changes and an admin's resets share it.
  const hashGate = new HashGate(o.hashGate);
  // With live credentials the published demo password never signs anyone in.
  const auth = new AuthService({ staff, transact, audit, revocations, hashGate, options: { passwordCost, refuseDemoPassword: !config.simulator } });
  const workOrders = new WorkOrderService({ workOrders: new WorkOrdersRepo(db, repos.callbacks), calls: repos.calls, orders: repos.customers, staff, transact, clock, events, timeZone: config.timeZone });
  const dispositions = new DispositionService({ interactions: acdRepos.interactions, transact });
  const staffAdmin = new StaffAdminService({ staff: new StaffAdminRepo(db), transact, events, audit, revocations, clock, hash: (p) => hashGate.run(() => hashPassword(p, passwordCost)), verify: (p, stored) => hashGate.run(() => verifyPassword(p, stored)) });
  const agentDesks = new AgentDesksRepo(db);
  const desks = new DesksService({ desks: agentDesks, transact, events, clock });
  const office = createOfficeReview({ db, transact, clock, events, office: config.office, callbacks: repos.callbacks, desks: agentDesks, staff });
  const queueAdmin = new QueueSettingsService({ queues: acdRepos.queueSettings, transact });
  const callbackList = new CallbackListService({ callbacks: repos.callbacks, doNotCall: new DoNotCallRepo(db), agents: new AgentDesksRepo(db), audit, transact, clock, events });
  // Listen, whisper, barge: sessions left open by a crash (their call is over) are closed at once.
  const monitoring = new LiveMonitoringService({
    sessions: new MonitorSessionsRepo(db),
    interactions: acdRepos.interactions,
    staff,
    audit,
    carrier: new TwilioMonitorCarrier({ control: callControl, base, hotlineNumber: config.hotlineNumber }),
    identity: (username) => agentIdentity({ username }),
    transact,
    clock,
    events,
    log: log.child({ component: 'monitoring' }),
  });
  monitoring.closeStale();
  const floor = new FloorService({ queue: repos.queue, rules: acdRepos.queueSettings, agents: desks, clock, monitoring });
  const floorActions = new FloorActionsService({
    presence,
    desks,
    desksRepo: agentDesks,
    agentControl,
    dispatcher,
    queue: repos.queue,
    queueRules: acdRepos.queueSettings,
    queueSettings: queueAdmin,
    audit,
    transact,
    clock,
    events,
  });
  const integrationKeys = new IntegrationKeysService({ keys: new IntegrationKeysRepo(db), audit, transact });
  const intake = new IntakeService({
    repo: new IntakeRepo(db),
    transact,
    clock,
    events,
    settings: config.office,
    onStoreError: (err, kind, number) => log.error('intake: a record could not be stored', { kind, number, err: String(err) }),
  });
  const recordingsLibrary = new RecordingsLibraryService({
    repo: new RecordingsRepo(db),
    store: o.recordingStore ?? new LocalRecordingStore(path.resolve('recordings')),
    audit,
    tickets: new PlaybackTickets(),
    auth,
    transact,
    clock,
  });
  const quality = qualityServices({ db, transact, clock, events, timeZone: config.timeZone });
  // The service standard's scorecard exists from the first start, in production as in the demo (idempotent).
  if (quality.scorecards.ensureDefault()) log.info('created the default scorecard (the service standard)');
  // An API request never joins an open webhook group, even for writes made outside transact(): the group commits first.
  const apiOutsideGroup = Router().use((_req, _res, next) => {
    groupCommit.commitNow();
    next();
  });
  // The bull dashboard: its queues are given by the background (setJobQueues) once it runs.
  const dashboard = queueDashboard('/admin/queues');
  const voiceToken = VoiceTokenIssuer.fromConfig(config.twilio);
  if (!voiceToken) log.warn('softphones are off: set TWILIO_API_KEY, TWILIO_API_SECRET and TWIML_APP_SID');
  const api = createApiApp({
    log,
    health: () =>
      healthReport({ essential: { database: () => (db.$client.prepare('SELECT 1').get() ? 'up' : 'down') }, optional: o.health ?? {} }, Boolean(config.simulator)),
    load: () => load.load(),
    trustProxy: config.trustProxy,
    routers: [
      apiOutsideGroup,
      authRoutes({ auth, tickets: wsTickets, clock }),
      presenceRoutes({ auth, presence, clock }),
      workOrderRoutes({ service: workOrders, auth, clock }),
      dispositionRoutes({ service: dispositions, auth, clock }),
      staffRoutes({ auth, staffAdmin, clock }),
      agentsRoutes({ auth, desks, clock }),
      queuesRoutes({ auth, queues: queueAdmin, clock }),
      floorRoutes({ auth, floor, clock }),
      floorActionRoutes({ auth, actions: floorActions, clock }),
      monitoringRoutes({ auth, monitoring, clock }),
      agentControlRoutes({ auth, agentControl, clock }),
      auditRoutes({ auth, audit, clock }),
      callbackCallRoutes({ auth, dispatcher, outcomes: new CallbackOutcomeService({ callbacks: repos.callbacks, attempts, audit, transact, clock }), clock }),
      adminQueuesRoutes({ auth, tickets: wsTickets, dashboard, clock, secureCookie: base.startsWith('https:') }),
      integrationKeyRoutes({ auth, keys: integrationKeys, clock }),
      intakeRoutes({ auth, keys: integrationKeys, intake, clock, log: log.child({ component: 'intake' }) }),
      orderReviewRoutes({ service: office.orderReview, auth, clock }),
      rmaReviewRoutes({ service: office.rmaReview, auth, clock }),
      callbackRoutes({ service: callbackList, auth, clock }),
      recordingControlRoutes({
        auth,
        clock,
        recorder,
        audit,
        liveCall: (agentId) => {
          const ix = acdRepos.interactions.liveForAgent(agentId);
          return ix?.status === 'connected' ? { customerCallSid: ix.callSid } : undefined;
        },
      }),
      recordingsRoutes({ library: recordingsLibrary, auth, clock, log: log.child({ component: 'recordings' }) }),
      scorecardRoutes({ auth, scorecards: quality.scorecards, clock }),
      evaluationRoutes({ auth, evaluations: quality.evaluations, clock }),
      qaRoutes({ auth, sampling: quality.sampling, figures: quality.figures, clock, timeZone: config.timeZone }),
      ...(voiceToken ? [voiceRoutes({ auth, voiceToken, clock })] : []),
    ],
  });
  let ticker: NodeJS.Timeout | undefined;
  let officeTicker: NodeJS.Timeout | undefined;
  let reconcileRetry: NodeJS.Timeout | undefined;
  let closing = false;
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/twilio/')) webhooks(req, res);
    else api(req, res);
  });
  const realtime = new RealtimeServer({
    auth,
    tickets: wsTickets,
    revocations,
    events,
    presence,
    screenPops: new ScreenPopService({ repo: new ScreenPopRepo(db) }),
    clock,
    log,
    options: { trustProxy: config.trustProxy },
  });
  realtime.attach(server);

  return {
    db,
    repos,
    flows,
    server,
    events,
    auth,
    presence,
    dispatcher,
    acdRepos,
    realtime,
    groupCommit,
    reconciliation,
    agentControl,
    attempts,
    /** Shows these bull queues on the dashboard at /admin/queues. */
    setJobQueues: (queues: Parameters<typeof dashboard.setQueues>[0]) => dashboard.setQueues(queues),
    intake,
    integrationKeys,
    office,
    callbackList,
    recordingsLibrary,
    quality,
    monitoring,
    load,
    listen(port = config.port, host?: string): Promise<number> {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          ticker = setInterval(() => {
            try {
              dispatcher.sweep();
            } catch (err) {
              log.error('ACD sweep failed', { err: String(err) });
            }
          }, o.acdTickMs ?? 1000);
          officeTicker = setInterval(() => {
            try {
              office.sweep();
            } catch (err) {
              log.error('review claim sweep failed', { err: String(err) });
            }
            try {
              repos.callbacks.moveClosedWindows(clock.now());
            } catch (err) {
              log.error('calling-window sweep failed', { err: String(err) });
            }
          }, o.officeSweepMs ?? 15_000);
          resolve((server.address() as { port: number }).port);
        });
      });
    },
    /**
     * Compares the database with what the carrier holds and repairs it (after a crash), then lets the ACD offer calls.
     * If the carrier cannot be read the ACD starts anyway and the reconciliation is tried again every `retryMs`
     * until it succeeds (an agent stuck on a call that ended in the outage is freed then, not never).
     */
    async reconcile(retryMs = 30_000): Promise<ReconciliationReport | undefined> {
      const graced = presence.restarted(clock.now());
      if (graced) log.info('agents signed in before the restart have the heartbeat timeout from now to reconnect', { agents: graced });
      if (!reconciliation) {
        dispatcher.release();
        return undefined;
      }
      const retry = (attempt: number) => {
        if (closing) return;
        reconcileRetry = setTimeout(() => {
          reconciliation.run().then(
            () => log.info('reconciled with the carrier on retry', { attempt }),
            (err: unknown) => {
              log.error('reconciliation retry failed; trying again', { attempt, err: String(err) });
              retry(attempt + 1);
            },
          );
        }, retryMs);
        reconcileRetry.unref();
      };
      try {
        const report = await reconciliation.run();
        monitoring.closeStale();
        const repaired = dispatcher.callbacks ? await reconcileCallbackAttempts(dispatcher.callbacks, attempts, carrierReads!) : 0;
        if (repaired) log.info('callback attempts left half-done by the restart were repaired', { repaired });
        return report;
      } catch (err) {
        log.error('could not reconcile with the carrier (REST API unreachable?); the ACD starts anyway, retrying until it answers', { err: String(err), retryMs });
        retry(1);
        return undefined;
      } finally {
        dispatcher.release();
      }
    },
    /**
     * Stops taking connections, lets requests in flight (webhooks) answer for up to `graceMs`, closes the WebSockets
     * (1012 "server restarting" with `restart`, so desktops reconnect), stops the ACD and commits the last webhook group.
     */
    async close(c: { graceMs?: number; restart?: boolean } = {}): Promise<void> {
      closing = true;
      clearInterval(ticker);
      clearInterval(officeTicker);
      clearTimeout(reconcileRetry);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections go as soon as they are idle; those with a request in flight get their answer first.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 20);
      const force = setTimeout(() => server.closeAllConnections(), c.graceMs ?? 0);
      await realtime.close(2000, { restart: c.restart });
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      await dispatcher.stop();
      load.close();
      groupCommit.commitNow();
      if (!o.db) db.$client.close();
    },
  };
}
