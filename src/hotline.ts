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
import { FloorBoard, type FloorBoardOptions } from './floor/floor-board';
import type { WaitEstimateInput } from './floor/queue-figures';
import { FloorFiguresRepo } from './floor/floor-figures.repo';
import { FloorFeed, type FloorFeedOptions } from './floor/floor-feed';
import { AlertsRepo } from './floor/alerts.repo';
import { AlertsService } from './floor/alerts.service';
import { voiceRoutes } from './http/voice.routes';
import { simSoftphoneRoutes } from './http/sim-softphone.routes';
import { SimSoftphoneBridge } from './telephony/sim-softphone-bridge';
import { VoiceTokenIssuer, agentIdentity } from './telephony/voice-token';
import { ScreenPopRepo } from './acd/screen-pop.repo';
import { ScreenPopService } from './acd/screen-pop';
import { RealtimeServer, type RealtimeOptions } from './realtime/realtime-server';
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
import { apiDocsRoutes } from './http/api-docs.routes';
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
import { ivrFlowRoutes } from './http/ivr-flows.routes';
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
import { LiveMonitoringService, type MonitoringOnFloor } from './monitoring/live-monitoring.service';
import { MonitorSessionsRepo } from './monitoring/monitor-sessions.repo';
import { TwilioMonitorCarrier, monitorWebhookRoutes } from './telephony/monitor-carrier';
import { monitoringRoutes } from './http/monitoring.routes';
import { CallHoldsRepo } from './acd/call-holds.repo';
import { CallHoldService } from './acd/call-hold.service';
import { callHoldRoutes } from './http/call-hold.routes';
import { reportsRoutes } from './http/reports.routes';
import { ContactCenterRepo } from './reports/contact-center.repo';
import { ContactCenterReports } from './reports/contact-center-report.service';
import { staffingRoutes } from './http/staffing.routes';
import { StaffingRepo } from './staffing/staffing.repo';
import { StaffingService } from './staffing/staffing.service';
import { SurveyResponsesRepo } from './surveys/survey-responses.repo';
import { PostCallSurvey } from './surveys/post-call-survey';
import { SurveysService } from './surveys/surveys.service';
import { surveysRoutes } from './http/surveys.routes';
import { TwilioSurveyCarrier, surveyWebhookRoutes } from './telephony/survey-webhooks';
import type { HotlineMetrics } from './metrics/hotline-metrics';
import { CachedCredentialCheck, databaseWritable, readinessReport } from './http/readiness';
import { pendingMigrations } from './db/migration-state';

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
  /** The built browser console served at /. @default dist/console */
  consoleDir?: string;
  /** Where recordings' audio is read from. @default a LocalRecordingStore on recordings/ in the working directory */
  recordingStore?: RecordingStore;
  /** The floor feed's pace (updates at most every minIntervalMs, a refresh every refreshMs; real ms). */
  floor?: FloorFeedOptions & { estimateWait?: FloorBoardOptions['estimateWait'] };
  /** The WebSocket server's bounds (slow clients), e.g. for tests and benchmarks. */
  realtime?: Pick<RealtimeOptions, 'floorBufferBytes' | 'drainCheckMs' | 'maxBufferedBytes' | 'snapshotRequestMs' | 'pingIntervalMs'>;
  /** This process's Prometheus metrics: webhooks, the floor, the outbox and WebSockets are added to it (src/metrics/). */
  metrics?: HotlineMetrics;
  /** Ask the carrier whether the credentials are valid (for /ready) this often; live mode only. @default 300000 */
  credentialCheckMs?: number;
  /** When new callers skip the IVR and wait cheaply (event-loop lag, webhooks in flight); see docs/busy-day.md. */
  loadShedding?: LoadSheddingOptions;
}

export type Hotline = ReturnType<typeof createHotline>;

/** The quality control services (scorecards, evaluations, sampling, figures) over one database. */
export function qualityServices(o: { db: Db; transact: ReturnType<typeof transactor>; clock: Clock; events?: EventBus; timeZone: string }) {
  const scorecardsRepo = new ScorecardsRepo(o.db);
  const assignments = new QaAssignmentsRepo(o.db);
  const evaluationsRepo = new EvaluationsRepo(o.db);
  const audit = new AuditRepo(o.db);
  const scorecards = new ScorecardService({ scorecards: scorecardsRepo, transact: o.transact, clock: o.clock, audit });
  return {
    scorecards,
    evaluations: new EvaluationsService({ evaluations: evaluationsRepo, scorecards: scorecardsRepo, scorecardService: scorecards, assignments, transact: o.transact, clock: o.clock, events: o.events, audit }),
    sampling: new SamplingService({ assignments, transact: o.transact, clock: o.clock, timeZone: o.timeZone }),
    figures: new QualityFigures({ evaluations: evaluationsRepo, scorecards: scorecardsRepo, timeZone: o.timeZone }),
  };
}

/** The floor: one board per tick for the API and every socket, and its alerts; the estimated wait is a seam (estimateWait). */
export function floorServices(o: {
  db: Db;
  transact: ReturnType<typeof transactor>;
  clock: Clock;
  events: EventBus;
  audit?: AuditRepo;
  timeZone: string;
  log?: Logger;
  options?: HotlineOptions['floor'];
  /** Who listens in on which call ("monitored by" on the floor). */
  monitoring?: { onFloor(): MonitoringOnFloor[] };
}) {
  const board = new FloorBoard({
    figures: new FloorFiguresRepo(o.db),
    rules: new QueueSettingsRepo(o.db),
    clock: o.clock,
    options: { timeZone: o.timeZone, estimateWait: o.options?.estimateWait },
    monitoring: o.monitoring,
  });
  const alerts = new AlertsService({ repo: new AlertsRepo(o.db), transact: o.transact, audit: o.audit ?? new AuditRepo(o.db) });
  return { board, alerts, feed: new FloorFeed({ board, alerts, events: o.events, log: o.log, options: o.options }) };
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
  const staffingRepo = new StaffingRepo(db);
  const callControl =
    o.callControl ??
    new TwilioCallControl({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, apiBaseUrl: o.carrierApiBaseUrl, timeoutMs: o.carrierTimeoutMs, log: log.child({ component: 'carrier' }) });
  const carrierReads = o.carrierReads ?? (callControl instanceof TwilioCallControl ? callControl : undefined);
  const base = config.publicBaseUrl;
  const attempts = new CallbackAttemptsRepo(db);
  const acdCarrier = new TwilioAcdCarrier({ control: callControl, base, hotlineNumber: config.hotlineNumber });

  const surveyResponses = new SurveyResponsesRepo(db);
  // The post-call survey: the caller stays on the line after the agent hangs up (queues with postCallSurvey on).
  const postCallSurvey = new PostCallSurvey({
    calls: repos.calls,
    interactions: acdRepos.interactions,
    queue: repos.queue,
    rules: acdRepos.queueSettings,
    responses: surveyResponses,
    outbox: repos.outbox,
    carrier: new TwilioSurveyCarrier({ control: callControl, base }),
    stopRecording: (callSid) => recorder.stop(callSid),
    flowLoaded: !!flows.survey(),
    transact,
    clock,
    events,
    log: log.child({ component: 'survey' }),
  });
  const twiml = new TwimlRenderer({ base });
  const ivr = new IvrCallService({ ...repos, flows, transact, clock, timeZone: config.timeZone, hours: config.hotlineHours, render: (i, at) => twiml.ivr(i, at), surveys: postCallSurvey });
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
    figures: staffingRepo,
    presence: acdRepos.presence,
    rules: acdRepos.queueSettings,
    transact,
    clock,
    events,
  });
  const staffing = new StaffingService({ repo: staffingRepo, rules: acdRepos.queueSettings });
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
      ...acdWebhookRoutes({ base, dispatcher, interactions: acdRepos.interactions, requeue, recordCustomer, holdMusic: config.holdMusicUrl, surveyAfter: (ix) => postCallSurvey.planFor(ix) }),
      ...surveyWebhookRoutes({ ivr }),
      ...(dispatcher.callbacks ? outboundWebhookRoutes({ base, callbacks: dispatcher.callbacks, attempts, interactions: acdRepos.interactions, recordCustomer }) : {}),
      ...recordingWebhookRoutes({ recorder }),
      ...monitorWebhookRoutes({ legStatus: (sessionId, status, callSid) => monitoring.legStatus(sessionId, status, callSid) }),
    },
    fallbackTwiml: twiml.fallbackTwiml,
    emptyTwiml: twiml.empty(),
    groupCommit,
    observe: o.metrics?.webhookObserver(),
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
  const callHolds = new CallHoldService({ holds: new CallHoldsRepo(db), interactions: acdRepos.interactions, carrier: acdCarrier, transact, clock, events, log: log.child({ component: 'call-holds' }) });
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
  const desks = new DesksService({ desks: agentDesks, transact, events, audit, clock });
  const office = createOfficeReview({ db, transact, clock, events, audit, office: config.office, callbacks: repos.callbacks, desks: agentDesks, staff });
  const queueAdmin = new QueueSettingsService({ queues: acdRepos.queueSettings, transact, audit, clock });
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
  // The floor's estimated wait is the one callers hear (Erlang C on the desk's recent figures).
  const floorOptions = { ...o.floor, estimateWait: o.floor?.estimateWait ?? ((i: WaitEstimateInput) => queueWait.expectedWaitForNewCaller(i.queue, i.waitingOnDesk)) };
  const { feed: floorFeed, alerts } = floorServices({ db, transact, clock, events, audit, timeZone: config.timeZone, log: log.child({ component: 'floor' }), options: floorOptions, monitoring });
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
  const surveys = new SurveysService({ responses: surveyResponses });
  const recordingsLibrary = new RecordingsLibraryService({
    surveys,
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
  const reports = new ContactCenterReports({ repo: new ContactCenterRepo(db), clock, timeZone: config.timeZone });
  // An API request never joins an open webhook group, even for writes made outside transact(): the group commits first.
  const apiOutsideGroup = Router().use((_req, _res, next) => {
    groupCommit.commitNow();
    next();
  });
  // The bull dashboard: its queues are given by the background (setJobQueues) once it runs.
  const dashboard = queueDashboard('/admin/queues');
  // /ready: the carrier's verdict on live credentials is asked in the background and cached (never per request).
  const credentials =
    !config.simulator && callControl instanceof TwilioCallControl
      ? new CachedCredentialCheck(() => callControl.credentialsValid(), { everyMs: o.credentialCheckMs, onUnreachable: (err) => log.warn('could not verify the carrier credentials (carrier unreachable?)', { err: String(err) }) }).start()
      : undefined;
  const ready = () =>
    readinessReport({
      essential: {
        database: () => databaseWritable(db.$client),
        migrations: () => {
          const pending = pendingMigrations(db);
          return pending.length ? `migrations not applied: ${pending.join(', ')} (npm run migrate)` : true;
        },
        flows: () => (flows.forNumber(config.hotlineNumber) ? true : `no IVR flow answers ${config.hotlineNumber} (ivr-flows/)`),
        carrier: () => credentials?.check() ?? true,
      },
      optional: { ...(o.health ?? {}), ...(credentials ? { carrier: () => credentials.state() } : {}) },
    });
  const voiceToken = VoiceTokenIssuer.fromConfig(config.twilio);
  if (!voiceToken) log.warn('softphones are off: set TWILIO_API_KEY, TWILIO_API_SECRET and TWIML_APP_SID');
  // Simulator mode: the console's softphone is the simulator's, answered through the server (the browser cannot reach it).
  const simulatorUrl = config.simulator ? (o.carrierApiBaseUrl ?? config.simulator.url) : undefined;
  const simSoftphones = voiceToken && simulatorUrl ? new SimSoftphoneBridge({ simulatorUrl, voiceToken }) : undefined;
  const api = createApiApp({
    log,
    audit,
    clock,
    health: () =>
      healthReport({ essential: { database: () => (db.$client.prepare('SELECT 1').get() ? 'up' : 'down') }, optional: o.health ?? {} }, Boolean(config.simulator)),
    load: () => load.load(),
    trustProxy: config.trustProxy,
    consoleDir: o.consoleDir ?? path.resolve('dist/console'),
    ready,
    metrics: o.metrics && { token: config.metrics.token, source: o.metrics },
    liveSoftphone: Boolean(voiceToken) && !simSoftphones,
    routers: [
      apiOutsideGroup,
      authRoutes({ auth, tickets: wsTickets, clock, presence }),
      presenceRoutes({ auth, presence, desks, clock }),
      workOrderRoutes({ service: workOrders, auth, clock }),
      dispositionRoutes({ service: dispositions, auth, clock }),
      staffRoutes({ auth, staffAdmin, clock }),
      agentsRoutes({ auth, desks, clock }),
      queuesRoutes({ auth, queues: queueAdmin, clock }),
      floorRoutes({ auth, feed: floorFeed, alerts, clock }),
      floorActionRoutes({ auth, actions: floorActions, clock }),
      monitoringRoutes({ auth, monitoring, clock }),
      agentControlRoutes({ auth, agentControl, clock }),
      auditRoutes({ auth, audit, clock }),
      callbackCallRoutes({ auth, dispatcher, outcomes: new CallbackOutcomeService({ callbacks: repos.callbacks, attempts, audit, transact, clock }), clock }),
      adminQueuesRoutes({ auth, tickets: wsTickets, dashboard, audit: { record: (e) => transact(() => audit.record(e)) }, clock, secureCookie: base.startsWith('https:') }),
      integrationKeyRoutes({ auth, keys: integrationKeys, clock }),
      ivrFlowRoutes({ auth, flows, clock }),
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
      callHoldRoutes({ auth, clock, holds: callHolds }),
      recordingsRoutes({ library: recordingsLibrary, auth, clock, log: log.child({ component: 'recordings' }) }),
      scorecardRoutes({ auth, scorecards: quality.scorecards, clock }),
      evaluationRoutes({ auth, evaluations: quality.evaluations, clock }),
      qaRoutes({ auth, sampling: quality.sampling, figures: quality.figures, clock, timeZone: config.timeZone }),
      reportsRoutes({ auth, reports, clock, timeZone: config.timeZone }),
      staffingRoutes({ auth, staffing, clock, timeZone: config.timeZone }),
      surveysRoutes({ auth, surveys, clock, timeZone: config.timeZone }),
      apiDocsRoutes(),
      ...(voiceToken ? [voiceRoutes({ auth, voiceToken, audit, clock, mode: simSoftphones ? 'simulator' : 'live' })] : []),
      ...(simSoftphones ? [simSoftphoneRoutes({ auth, bridge: simSoftphones, clock })] : []),
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
    floor: floorFeed,
    clock,
    log,
    options: { trustProxy: config.trustProxy, ...o.realtime },
  });
  realtime.attach(server);
  o.metrics?.readDatabase(db, clock).countEvents(events).readRealtime(realtime).readReadiness(async () => (await ready()).ready);

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
    /** The waiting callers' loop (position, estimated wait, callback offer). */
    queueWait,
    staffing,
    realtime,
    groupCommit,
    /** Whether this process should take traffic (GET /ready). */
    ready,
    reconciliation,
    agentControl,
    callHolds,
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
    reports,
    /** Post-call survey answers: the repository (satisfactionBetween for the reports) and the service. */
    surveys: { responses: surveyResponses, service: surveys, postCall: postCallSurvey },
    floorFeed,
    alerts,
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
          floorFeed.start();
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
      floorFeed.stop();
      clearInterval(ticker);
      clearInterval(officeTicker);
      clearTimeout(reconcileRetry);
      credentials?.stop();
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
      await postCallSurvey.idle();
      load.close();
      groupCommit.commitNow();
      if (!o.db) db.$client.close();
    },
  };
}
