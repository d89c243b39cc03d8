// Who may call which route: every route of the staff API against every role, through real HTTP and real tokens.
// To cover a new module: add its router factory to ROUTERS and its routes to ROUTE_ROLES (or PUBLIC_ROUTES when it
// needs no sign-in). The last tests fail when a route is registered without a case here, or a *.routes.ts file in
// src/http/ has a route that no router of ROUTERS registers.
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import type { Router } from 'express';
import { expect } from 'chai';
import { openDatabase, type Db } from '../../src/db/client';
import { transactor, type Transact } from '../../src/db/transaction';
import { ROLES, staff, type Role } from '../../src/db/schema/index';
import { seedDemoStaff, DEMO_PASSWORD, DEMO_STAFF } from '../../src/db/seed/demo-staff';
import { hashPasswordSync } from '../../src/auth/password';
import { createLogger } from '../../src/logging/logger';
import { EventBus } from '../../src/events/domain-events';
import type { Clock } from '../../src/ivr/ivr-call.service';
import { StaffRepo } from '../../src/auth/staff.repo';
import { AuthService } from '../../src/auth/auth.service';
import { StaffAdminRepo } from '../../src/staff/staff-admin.repo';
import { StaffAdminService } from '../../src/staff/staff-admin.service';
import { AgentDesksRepo } from '../../src/acd/agent-desks.repo';
import { DesksService } from '../../src/acd/desks.service';
import { QueueSettingsRepo } from '../../src/acd/queue-settings.repo';
import { QueueSettingsService } from '../../src/acd/queue-settings.service';
import { PresenceRepo } from '../../src/acd/presence.repo';
import { PresenceService } from '../../src/acd/agent-presence.service';
import { InteractionsRepo } from '../../src/acd/interactions.repo';
import { DispositionService } from '../../src/acd/dispositions';
import { WorkOrdersRepo } from '../../src/work-orders/work-orders.repo';
import { WorkOrderService } from '../../src/work-orders/work-order.service';
import { CallsRepo } from '../../src/calls/calls.repo';
import { CustomersRepo } from '../../src/customers/customers.repo';
import { VoiceTokenIssuer } from '../../src/telephony/voice-token';
import { createApiApp } from '../../src/http/app';
import { authRoutes } from '../../src/http/auth.routes';
import { presenceRoutes } from '../../src/http/presence.routes';
import { workOrderRoutes } from '../../src/http/work-orders.routes';
import { dispositionRoutes } from '../../src/http/dispositions.routes';
import { staffRoutes } from '../../src/http/staff.routes';
import { agentsRoutes } from '../../src/http/agents.routes';
import { queuesRoutes } from '../../src/http/queues.routes';
import { floorRoutes } from '../../src/http/floor.routes';
import { floorServices } from '../../src/hotline';
import { QueueEntriesRepo } from '../../src/acd/queue-entries.repo';
import { voiceRoutes } from '../../src/http/voice.routes';
import { simSoftphoneRoutes } from '../../src/http/sim-softphone.routes';
import { Conflict } from '../../src/errors/domain-errors';
import { AuditRepo } from '../../src/audit/audit.repo';
import { WsTickets } from '../../src/auth/ws-tickets';
import { TEST_PASSWORD_COST } from '../support/password-cost';
import { agentControlRoutes } from '../../src/http/agent-control.routes';
import { floorActionRoutes } from '../../src/http/floor-actions.routes';
import { FloorActionsService } from '../../src/acd/floor-actions.service';
import { AgentControlService } from '../../src/acd/agent-control.service';
import { auditRoutes } from '../../src/http/audit.routes';
import { callbackCallRoutes } from '../../src/http/callback-calls.routes';
import { CallbackOutcomeService } from '../../src/outbound/callback-outcome.service';
import { CallbackAttemptsRepo } from '../../src/outbound/callback-attempts.repo';
import { adminQueuesRoutes } from '../../src/http/admin-queues';
import { NotFound } from '../../src/errors/domain-errors';
import type { RequestHandler } from 'express';
import { integrationKeyRoutes } from '../../src/http/integration-keys.routes';
import { ivrFlowRoutes } from '../../src/http/ivr-flows.routes';
import { FlowRegistry } from '../../src/ivr/flow-registry';
import { intakeRoutes } from '../../src/http/intake.routes';
import { IntegrationKeysService } from '../../src/intake/integration-keys.service';
import { IntegrationKeysRepo } from '../../src/intake/integration-keys.repo';
import { IntakeService } from '../../src/intake/intake.service';
import { IntakeRepo } from '../../src/intake/intake.repo';
import { orderReviewRoutes } from '../../src/http/order-review.routes';
import { rmaReviewRoutes } from '../../src/http/rma-review.routes';
import { createOfficeReview } from '../../src/office/office-review';
import { CallbackRequestsRepo } from '../../src/outbound/callback-requests.repo';
import { agentDesks } from '../../src/db/schema/index';
import { callbackRoutes } from '../../src/http/callbacks.routes';
import { CallbackListService } from '../../src/outbound/callback-list.service';
import { DoNotCallRepo } from '../../src/outbound/do-not-call.repo';
import { recordingsRoutes } from '../../src/http/recordings.routes';
import { OutboxRepo } from '../../src/jobs/outbox.repo';
import { recordingControlRoutes } from '../../src/http/recording-control.routes';
import { CallRecorder } from '../../src/recordings/call-recorder';
import { RecordingPipelineRepo } from '../../src/recordings/recording-pipeline.repo';
import { RecordingsLibraryService } from '../../src/recordings/recordings-library.service';
import { RecordingsRepo } from '../../src/recordings/recordings.repo';
import { callHoldRoutes } from '../../src/http/call-hold.routes';
import { CallHoldService } from '../../src/acd/call-hold.service';
import { CallHoldsRepo } from '../../src/acd/call-holds.repo';
import { LocalRecordingStore } from '../../src/recordings/recording-store';
import { PlaybackTickets } from '../../src/recordings/playback-tickets';
import { qualityServices } from '../../src/hotline';
import { scorecardRoutes } from '../../src/http/scorecards.routes';
import { evaluationRoutes } from '../../src/http/evaluations.routes';
import { qaRoutes } from '../../src/http/qa.routes';
import { monitoringRoutes } from '../../src/http/monitoring.routes';
import { LiveMonitoringService } from '../../src/monitoring/live-monitoring.service';
import { MonitorSessionsRepo } from '../../src/monitoring/monitor-sessions.repo';
import { reportsRoutes } from '../../src/http/reports.routes';
import { ContactCenterReports } from '../../src/reports/contact-center-report.service';
import { ContactCenterRepo } from '../../src/reports/contact-center.repo';
import { staffingRoutes } from '../../src/http/staffing.routes';
import { StaffingRepo } from '../../src/staffing/staffing.repo';
import { StaffingService } from '../../src/staffing/staffing.service';
import { surveysRoutes } from '../../src/http/surveys.routes';
import { apiDocsRoutes } from '../../src/http/api-docs.routes';
import { API_ROUTES } from '../../src/http/api-description';
import { SurveysService } from '../../src/surveys/surveys.service';
import { SurveyResponsesRepo } from '../../src/surveys/survey-responses.repo';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * [method, path, roles allowed, sample body, options]. `{username}` in the path becomes that demo account's id
 * (`/api/agents/{agent6}/desks`). Cases run in order against one database, so a sample body should leave
 * things as it found them (or only add), and must not sign anyone out with the shared tokens: a case that signs
 * its caller out sets `signsOut`, and then every role calls it with a token of its own, signed in for that call.
 * A role let through may still get 400, 404 (not "No such route") or 409 from the route itself: the case only
 * checks the role gate. Routes on one record use an id that does not exist (999999) where the record's own rules
 * would forbid some allowed roles (a department only sees work orders forwarded to it).
 */
export type RouteRoleCase = readonly [method: Method, path: string, allowed: readonly Role[], body?: unknown, options?: { signsOut?: boolean }];

const EVERYONE = ROLES;
const FLOOR = ['dispatcher', 'team_lead', 'supervisor', 'admin'] as const satisfies readonly Role[];
const WORK_ORDER_READERS = ['agent', 'team_lead', 'supervisor', 'dispatcher', 'admin', 'department'] as const satisfies readonly Role[];
const NO_SUCH_ID = 999999;
const DISPATCH = ['dispatcher', 'supervisor'] as const satisfies readonly Role[];
const OFFICE_READERS = ['agent', 'team_lead', 'supervisor', 'dispatcher'] as const satisfies readonly Role[];
const QA = ['quality_controller', 'supervisor'] as const satisfies readonly Role[];
const QA_READERS = ['quality_controller', 'supervisor', 'team_lead'] as const satisfies readonly Role[];
const EVALUATION_READERS = ['agent', 'team_lead', 'quality_controller', 'supervisor'] as const satisfies readonly Role[];
const MONITOR = ['dispatcher', 'team_lead', 'quality_controller', 'supervisor'] as const satisfies readonly Role[];

/** Routes anyone may call without signing in: [method, path]. */
export const PUBLIC_ROUTES: readonly (readonly [method: Method, path: string])[] = [
  ['POST', '/api/auth/login'],
  // The API's description and its reference page: routes, never data (src/http/api-docs.routes.ts).
  ['GET', '/api/openapi.json'],
  ['GET', '/api/docs'],
  ['GET', '/api/docs/assets/swagger-ui.css'],
];

export const ROUTE_ROLES: readonly RouteRoleCase[] = [
  ['GET', '/api/auth/me', EVERYONE],
  ['POST', '/api/auth/logout', EVERYONE, undefined, { signsOut: true }],
  // A too-short new password is refused (400) before the current one is checked: nobody's password changes.
  ['POST', '/api/auth/password', EVERYONE, { currentPassword: 'not-checked', newPassword: 'short' }],
  ['POST', '/api/auth/ws-ticket', EVERYONE],
  // The agent's own presence. agent1 is offline: asking for offline again is refused with 409 and changes nothing.
  ['GET', '/api/agents/me', ['agent']],
  ['PUT', '/api/agents/me/state', ['agent'], { state: 'offline' }],
  ['POST', '/api/agents/me/heartbeat', ['agent']],
  ['GET', '/api/dispositions', EVERYONE],
  ['POST', `/api/interactions/${NO_SUCH_ID}/disposition`, ['agent'], { code: 'resolved' }],
  ['POST', '/api/work-orders', ['agent', 'team_lead'], { category: 'inquiry', description: 'route roles probe' }],
  ['GET', '/api/work-orders', WORK_ORDER_READERS],
  ['GET', `/api/work-orders/${NO_SUCH_ID}`, WORK_ORDER_READERS],
  ['PATCH', `/api/work-orders/${NO_SUCH_ID}`, ['agent', 'team_lead'], { note: 'route roles probe' }],
  ['POST', `/api/work-orders/${NO_SUCH_ID}/answer`, ['department', 'supervisor', 'admin'], { answer: 'route roles probe' }],
  ['POST', `/api/work-orders/${NO_SUCH_ID}/close`, ['agent', 'team_lead', 'supervisor'], {}],
  ['GET', '/api/staff', ['admin', 'supervisor']],
  ['POST', '/api/staff', ['admin'], { username: 'roles-probe', displayName: 'Probe', role: 'quality_controller', password: 'probe-password-1' }],
  ['PATCH', '/api/staff/{agent5}', ['admin'], { displayName: '刘洋' }],
  ['POST', `/api/staff/${NO_SUCH_ID}/password-reset`, ['admin'], {}],
  ['GET', '/api/teams', FLOOR],
  ['GET', '/api/agents', FLOOR],
  ['PUT', '/api/agents/{agent6}/desks', ['dispatcher', 'supervisor', 'admin'], { desks: [{ desk: 'back', skill: 4 }, { desk: 'front', skill: 3 }] }],
  ['GET', '/api/queues', FLOOR],
  ['PUT', '/api/queues/front-general', ['supervisor', 'admin'], {}],
  ['GET', '/api/floor', FLOOR],
  ['GET', '/api/alerts', FLOOR],
  ['GET', '/api/alerts/settings', FLOOR],
  ['PUT', '/api/alerts/settings', ['supervisor', 'admin'], { longest_wait: { raiseAt: 90, clearAt: 45 } }],
  ['POST', '/api/agents/{agent4}/force-state', ['supervisor', 'admin'], { state: 'offline', reason: 'route roles probe' }],
  // Floor actions: agent4 is not on a break (409), no call waits (404), no queue front-general here (404).
  ['POST', '/api/floor/agents/{agent6}/move', DISPATCH, { to: 'back', reason: 'route roles probe' }],
  ['POST', '/api/floor/agents/{agent4}/end-break', DISPATCH, { reason: 'route roles probe' }],
  ['POST', `/api/floor/agents/${NO_SUCH_ID}/log-out`, DISPATCH, { reason: 'route roles probe' }],
  ['POST', `/api/floor/calls/CA${'0'.repeat(32)}/priority`, DISPATCH, { priority: 50, reason: 'route roles probe' }],
  ['POST', `/api/floor/calls/CA${'0'.repeat(32)}/assign`, DISPATCH, { agentId: NO_SUCH_ID, reason: 'route roles probe' }],
  ['POST', '/api/floor/queues/no-such-queue/overflow', DISPATCH, { maxWaitSeconds: 600, reason: 'route roles probe' }],
  ['POST', `/api/interactions/${NO_SUCH_ID}/force-end`, ['supervisor', 'admin'], { reason: 'route roles probe' }],
  ['GET', '/api/audit', ['supervisor', 'admin']],
  ['GET', '/api/voice/token', ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor']],
  // Simulator mode's softphone bridge (the console's simulated softphone): nothing rings here, so answer and hang up are 409.
  ['POST', '/api/softphone/sim', ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor']],
  ['GET', '/api/softphone/sim', ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor']],
  ['POST', '/api/softphone/sim/answer', ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor']],
  ['POST', '/api/softphone/sim/hangup', ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor']],
  ['DELETE', '/api/softphone/sim', ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor']],
  // Listen, whisper, barge: agent1 (on lead1's team) has no live call, so the roles let through get 409 (404 for GET and
  // DELETE: nobody is in a call of agent1), and nothing rings.
  ['POST', '/api/calls/live/{agent1}/monitor', MONITOR, { mode: 'listen', reason: 'route roles probe' }],
  ['GET', '/api/calls/live/{agent1}/monitor', MONITOR],
  ['PATCH', '/api/calls/live/{agent1}/monitor', MONITOR, { mode: 'barge' }],
  ['DELETE', '/api/calls/live/{agent1}/monitor', MONITOR, { reason: 'route roles probe' }],
  ['POST', `/api/callbacks/${NO_SUCH_ID}/call`, ['agent']],
  ['POST', `/api/callbacks/${NO_SUCH_ID}/outcome`, ['agent', 'dispatcher', 'supervisor'], { outcome: 'reached' }],
  ['POST', '/api/integration-keys', ['admin'], { name: 'route roles probe' }],
  ['GET', '/api/integration-keys', ['admin']],
  ['DELETE', `/api/integration-keys/${NO_SUCH_ID}`, ['admin']],
  ['GET', '/api/ivr/flows', ['admin', 'supervisor']],
  // The order system's intake takes an integration key only: every staff token is refused (403), none is let through.
  ['POST', '/api/intake/orders', [], { number: 'route-roles-probe' }],
  ['POST', '/api/intake/rmas', [], { number: 'route-roles-probe' }],
  // The middle and back office: agents pass the role gate and the service checks their desk (agent1 sits on both here).
  ['GET', '/api/orders/review', OFFICE_READERS],
  ['GET', '/api/orders/NO-SUCH-ORDER', OFFICE_READERS],
  ['POST', '/api/orders/NO-SUCH-ORDER/claim', ['agent']],
  ['POST', '/api/orders/NO-SUCH-ORDER/release', ['agent']],
  ['PATCH', '/api/orders/NO-SUCH-ORDER/checklist', ['agent'], { item: 'probe', done: true }],
  ['POST', '/api/orders/NO-SUCH-ORDER/approve', ['agent'], {}],
  ['POST', '/api/orders/NO-SUCH-ORDER/cancel', ['agent'], { reason: 'route roles probe' }],
  ['POST', '/api/orders/NO-SUCH-ORDER/need-info', ['agent'], { question: 'route roles probe' }],
  ['POST', '/api/orders/NO-SUCH-ORDER/answer', ['agent'], { answer: 'route roles probe' }],
  ['GET', '/api/rmas/review', OFFICE_READERS],
  ['GET', '/api/rmas/department', ['department']],
  ['GET', '/api/rmas/NO-SUCH-RMA', [...OFFICE_READERS, 'department']],
  ['POST', '/api/rmas/NO-SUCH-RMA/claim', ['agent']],
  ['POST', '/api/rmas/NO-SUCH-RMA/release', ['agent']],
  ['POST', '/api/rmas/NO-SUCH-RMA/approve-return', ['agent'], { itemSku: 'probe', refund: '1' }],
  ['POST', '/api/rmas/NO-SUCH-RMA/approve-exchange', ['agent'], { replacementSku: 'probe' }],
  ['POST', '/api/rmas/NO-SUCH-RMA/reject', ['agent'], { reason: 'route roles probe' }],
  ['POST', '/api/rmas/NO-SUCH-RMA/refunded', ['department'], {}],
  ['POST', '/api/rmas/NO-SUCH-RMA/shipped', ['department'], {}],
  ['GET', '/api/callbacks', ['agent', 'team_lead', 'dispatcher', 'supervisor']],
  // No phone and no customer: refused with 400 after the role gate, nothing added.
  ['POST', '/api/callbacks', ['agent', 'dispatcher', 'supervisor'], { desk: 'front', reason: 'route roles probe' }],
  ['GET', `/api/callbacks/${NO_SUCH_ID}`, ['agent', 'team_lead', 'dispatcher', 'supervisor']],
  ['PATCH', `/api/callbacks/${NO_SUCH_ID}`, ['agent', 'dispatcher', 'supervisor'], { priority: 20, reason: 'route roles probe' }],
  ['POST', `/api/callbacks/${NO_SUCH_ID}/cancel`, ['dispatcher', 'supervisor'], { reason: 'route roles probe' }],
  ['GET', '/api/do-not-call', ['dispatcher', 'supervisor', 'admin']],
  // A number that is not E.164: refused with 400, nothing added or removed.
  ['POST', '/api/do-not-call', ['dispatcher', 'supervisor', 'admin'], { phone: '12345', reason: 'route roles probe' }],
  ['DELETE', '/api/do-not-call/12345', ['dispatcher', 'supervisor', 'admin'], { reason: 'route roles probe' }],
  ['GET', '/api/callback-settings', ['team_lead', 'dispatcher', 'supervisor', 'admin']],
  // Setting the default again changes nothing.
  ['PATCH', '/api/callback-settings/queue', ['supervisor', 'admin'], { retryMinutes: 10 }],
  // The recordings library: the list and each recording for the roles with a view of it (403 for the others, real id or
  // not); to those roles a recording they may not see answers 404 like 999999, so nothing tells them apart.
  ['GET', '/api/recordings', ['quality_controller', 'supervisor', 'team_lead', 'agent']],
  ['GET', `/api/recordings/${NO_SUCH_ID}`, ['quality_controller', 'supervisor', 'team_lead', 'agent']],
  ['POST', `/api/recordings/${NO_SUCH_ID}/playback-ticket`, ['quality_controller', 'supervisor', 'team_lead', 'agent']],
  ['GET', `/api/recordings/${NO_SUCH_ID}/audio`, ['quality_controller', 'supervisor', 'team_lead', 'agent']],
  ['GET', `/api/recordings/${NO_SUCH_ID}/download`, ['quality_controller', 'supervisor']],
  ['PATCH', `/api/recordings/${NO_SUCH_ID}`, ['quality_controller', 'supervisor'], { keep: true, reason: 'route roles probe' }],
  // The agent's pause/resume of their live call's recording (no live call here: 404 to the agent).
  ['POST', '/api/recordings/current/pause', ['agent']],
  ['POST', '/api/recordings/current/resume', ['agent']],
  // The agent's hold and resume of the customer on their live call (no live call here: 404 to the agent).
  ['POST', '/api/calls/current/hold', ['agent']],
  ['POST', '/api/calls/current/resume', ['agent']],
  // Quality control. Scorecard edits are refused (400) by their body: nothing is created.
  ['GET', '/api/scorecards', QA_READERS],
  ['GET', '/api/scorecards/1', QA_READERS],
  ['GET', '/api/scorecards/1/versions/1', QA_READERS],
  ['POST', '/api/scorecards', ['supervisor'], { name: 'route roles probe', definition: { sections: [] } }],
  ['PUT', '/api/scorecards/1', ['supervisor'], { definition: { sections: [] } }],
  ['POST', `/api/recordings/${NO_SUCH_ID}/evaluations`, QA, {}],
  ['GET', `/api/recordings/${NO_SUCH_ID}/calibration`, QA],
  ['GET', '/api/evaluations', EVALUATION_READERS],
  ['GET', `/api/evaluations/${NO_SUCH_ID}`, EVALUATION_READERS],
  ['PUT', `/api/evaluations/${NO_SUCH_ID}/answers`, QA, { answers: [] }],
  ['POST', `/api/evaluations/${NO_SUCH_ID}/comments`, QA, { atSeconds: 1, text: 'route roles probe' }],
  ['POST', `/api/evaluations/${NO_SUCH_ID}/submit`, QA],
  ['POST', `/api/evaluations/${NO_SUCH_ID}/acknowledge`, ['agent']],
  ['POST', `/api/evaluations/${NO_SUCH_ID}/dispute`, ['agent'], { reason: 'route roles probe' }],
  ['POST', `/api/evaluations/${NO_SUCH_ID}/resolve`, ['supervisor'], { resolution: 'upheld', note: 'route roles probe' }],
  // A week with no recordings: the sampling adds nothing.
  ['POST', '/api/qa/sampling', ['supervisor'], { period: '2026-W01' }],
  ['GET', '/api/qa/work-list', QA],
  ['POST', `/api/qa/assignments/${NO_SUCH_ID}/take`, QA],
  ['POST', `/api/qa/assignments/${NO_SUCH_ID}/release`, QA],
  // Without from/to: 400 for the roles let through.
  ['GET', '/api/reports/quality', ['supervisor', 'quality_controller', 'team_lead']],
  // Without from/to: 400 for the roles let through (a team lead's own-team scope is tested in contact-center-report).
  ['GET', '/api/reports/contact-center', ['supervisor', 'dispatcher', 'team_lead']],
  // Without from/to: 400 for the roles let through (team leads read it; nothing in it changes anything).
  ['GET', '/api/reports/staffing', ['supervisor', 'dispatcher', 'team_lead']],
  ['GET', '/api/surveys', ['supervisor', 'dispatcher', 'team_lead']],
];

/** What a router factory gets to build its services from. */
export interface Harness {
  db: Db;
  transact: Transact;
  events: EventBus;
  auth: AuthService;
  clock: Clock;
}

/** Softphone tokens signed with made-up credentials: nothing here talks to the carrier. */
const voiceToken = () =>
  new VoiceTokenIssuer({ accountSid: `AC${'1'.repeat(32)}`, apiKeySid: `SK${'2'.repeat(32)}`, apiKeySecret: '3'.repeat(32), twimlAppSid: `AP${'4'.repeat(32)}` });

/** In the order src/hotline.ts mounts them (the order decides which of two matching routes answers). */
export const ROUTERS: readonly ((h: Harness) => Router)[] = [
  (h) => authRoutes({ ...h, tickets: new WsTickets() }),
  (h) => presenceRoutes({ ...h, presence: new PresenceService({ presence: new PresenceRepo(h.db), ...h }) }),
  (h) =>
    workOrderRoutes({
      ...h,
      service: new WorkOrderService({ workOrders: new WorkOrdersRepo(h.db), calls: new CallsRepo(h.db), orders: new CustomersRepo(h.db), staff: new StaffRepo(h.db), ...h }),
    }),
  (h) => dispositionRoutes({ ...h, service: new DispositionService({ interactions: new InteractionsRepo(h.db), ...h }) }),
  (h) => staffRoutes({ ...h, staffAdmin: new StaffAdminService({ staff: new StaffAdminRepo(h.db), audit: new AuditRepo(h.db), ...h }) }),
  (h) => agentsRoutes({ ...h, desks: new DesksService({ desks: new AgentDesksRepo(h.db), audit: new AuditRepo(h.db), ...h }) }),
  (h) => queuesRoutes({ ...h, queues: new QueueSettingsService({ queues: new QueueSettingsRepo(h.db), audit: new AuditRepo(h.db), ...h }) }),
  (h) => {
    const floor = floorServices({ ...h, timeZone: 'Asia/Shanghai' });
    return floorRoutes({ ...h, feed: floor.feed, alerts: floor.alerts });
  },
  (h) =>
    agentControlRoutes({
      ...h,
      agentControl: new AgentControlService({
        presence: new PresenceService({ presence: new PresenceRepo(h.db), ...h }),
        presenceRepo: new PresenceRepo(h.db),
        interactions: new InteractionsRepo(h.db),
        queue: new QueueEntriesRepo(h.db),
        calls: new CallsRepo(h.db),
        audit: new AuditRepo(h.db),
        ...h,
      }),
    }),
  (h) => {
    const presence = new PresenceService({ presence: new PresenceRepo(h.db), ...h });
    const audit = new AuditRepo(h.db);
    const queueRules = new QueueSettingsRepo(h.db);
    return floorActionRoutes({
      ...h,
      actions: new FloorActionsService({
        presence,
        desks: new DesksService({ desks: new AgentDesksRepo(h.db), audit: new AuditRepo(h.db), ...h }),
        desksRepo: new AgentDesksRepo(h.db),
        agentControl: new AgentControlService({ presence, presenceRepo: new PresenceRepo(h.db), interactions: new InteractionsRepo(h.db), queue: new QueueEntriesRepo(h.db), calls: new CallsRepo(h.db), audit, ...h }),
        // The ACD's own offer is tested end to end (test/e2e/floor-actions.test.ts); here only the role gate counts.
        dispatcher: {
          offerCallTo: (callSid: string) => {
            throw new NotFound(`call ${callSid} is not waiting`);
          },
          dispatchSoon: () => undefined,
        },
        queue: new QueueEntriesRepo(h.db),
        queueRules,
        queueSettings: new QueueSettingsService({ queues: queueRules, audit, ...h }),
        audit,
        ...h,
      }),
    });
  },
  (h) => auditRoutes({ ...h, audit: new AuditRepo(h.db) }),
  (h) => orderReviewRoutes({ ...h, service: office(h).orderReview }),
  (h) => rmaReviewRoutes({ ...h, service: office(h).rmaReview }),
  (h) => voiceRoutes({ ...h, voiceToken: voiceToken(), audit: new AuditRepo(h.db) }),
  (h) => {
    // The bridge to the simulator is tested for real in test/integration/sim-softphone.test.ts; here only the role gate counts.
    const idle = async (s: { username: string }) => ({ identity: `agent-${s.username}`, ringing: null, connected: null });
    const nothing = async () => {
      throw new Conflict('nothing is ringing on this softphone');
    };
    return simSoftphoneRoutes({ ...h, bridge: { register: idle, state: idle, answer: nothing, hangup: nothing, unregister: async () => undefined } });
  },
  (h) =>
    callbackCallRoutes({
      ...h,
      // The ACD's offer itself is tested end to end (test/e2e/outbound-dialer.test.ts); here only the role gate counts.
      dispatcher: {
        offerCallback: (id: number) => {
          throw new NotFound(`callback ${id} does not exist`);
        },
      },
      outcomes: new CallbackOutcomeService({ callbacks: new CallbackRequestsRepo(h.db), attempts: new CallbackAttemptsRepo(h.db), audit: new AuditRepo(h.db), ...h }),
    }),
  (h) => integrationKeyRoutes({ ...h, keys: new IntegrationKeysService({ keys: new IntegrationKeysRepo(h.db), audit: new AuditRepo(h.db), ...h }) }),
  (h) => ivrFlowRoutes({ ...h, flows: FlowRegistry.load(path.resolve('ivr-flows')) }),
  (h) =>
    intakeRoutes({
      ...h,
      keys: new IntegrationKeysService({ keys: new IntegrationKeysRepo(h.db), audit: new AuditRepo(h.db), ...h }),
      intake: new IntakeService({ repo: new IntakeRepo(h.db), ...h, settings: { reviewAmountFen: 200_000, duplicateWindowMinutes: 10 } }),
      log: createLogger('error', true),
    }),
  (h) =>
    callbackRoutes({
      ...h,
      service: new CallbackListService({ callbacks: new CallbackRequestsRepo(h.db), doNotCall: new DoNotCallRepo(h.db), agents: new AgentDesksRepo(h.db), audit: new AuditRepo(h.db), ...h }),
    }),
  (h) =>
    recordingControlRoutes({
      ...h,
      audit: new AuditRepo(h.db),
      recorder: new CallRecorder({
        control: { startCallRecording: () => Promise.reject(new Error('no carrier')), updateRecording: () => Promise.reject(new Error('no carrier')) },
        repo: new RecordingPipelineRepo(h.db),
        outbox: new OutboxRepo(h.db),
        log: createLogger('error', true),
        base: 'http://127.0.0.1',
        ...h,
      }),
      liveCall: () => undefined,
    }),
  (h) =>
    callHoldRoutes({
      ...h,
      holds: new CallHoldService({
        holds: new CallHoldsRepo(h.db),
        interactions: new InteractionsRepo(h.db),
        carrier: { setCustomerHold: () => Promise.reject(new Error('no carrier')) },
        log: createLogger('error', true),
        ...h,
      }),
    }),
  (h) =>
    recordingsRoutes({
      ...h,
      library: new RecordingsLibraryService({ repo: new RecordingsRepo(h.db), store: new LocalRecordingStore('recordings'), audit: new AuditRepo(h.db), tickets: new PlaybackTickets(), ...h }),
    }),
  (h) => scorecardRoutes({ ...h, scorecards: quality(h).scorecards }),
  (h) => evaluationRoutes({ ...h, evaluations: quality(h).evaluations }),
  (h) => qaRoutes({ ...h, ...quality(h), timeZone: 'Asia/Shanghai' }),
  (h) =>
    monitoringRoutes({
      ...h,
      monitoring: new LiveMonitoringService({
        sessions: new MonitorSessionsRepo(h.db),
        interactions: new InteractionsRepo(h.db),
        staff: new StaffRepo(h.db),
        audit: new AuditRepo(h.db),
        // No live call anywhere here: the service refuses before it would ever reach the carrier.
        carrier: {
          liveConference: () => Promise.reject(new Error('no carrier')),
          join: () => Promise.reject(new Error('no carrier')),
          setMode: () => Promise.reject(new Error('no carrier')),
          hangup: () => Promise.reject(new Error('no carrier')),
        },
        identity: (username) => `agent-${username}`,
        ...h,
      }),
    }),
  (h) => reportsRoutes({ ...h, reports: new ContactCenterReports({ repo: new ContactCenterRepo(h.db), clock: h.clock, timeZone: 'Asia/Shanghai' }), timeZone: 'Asia/Shanghai' }),
  (h) => staffingRoutes({ ...h, staffing: new StaffingService({ repo: new StaffingRepo(h.db), rules: new QueueSettingsRepo(h.db) }), timeZone: 'Asia/Shanghai' }),
  (h) => surveysRoutes({ ...h, surveys: new SurveysService({ responses: new SurveyResponsesRepo(h.db) }), timeZone: 'Asia/Shanghai' }),
  () => apiDocsRoutes({ version: 'test' }),
];

function office(h: Harness) {
  return createOfficeReview({
    ...h,
    audit: new AuditRepo(h.db),
    office: { claimMinutes: 15, returnWindowDays: 7 },
    callbacks: new CallbackRequestsRepo(h.db),
    desks: new AgentDesksRepo(h.db),
    staff: new StaffRepo(h.db),
  });
}

/** The quality services of a harness, with the default scorecard (as src/hotline.ts creates it at startup). */
function quality(h: Harness) {
  const q = qualityServices({ ...h, timeZone: 'Asia/Shanghai' });
  q.scorecards.ensureDefault();
  return q;
}

/** One registered route of an express Router: what walking `router.stack` finds. */
interface RegisteredRoute {
  method: Method;
  path: string;
}

const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The routes an express Router registers (its stack's route layers), with every method of each. */
function registeredRoutes(router: Router): RegisteredRoute[] {
  const found: RegisteredRoute[] = [];
  for (const layer of router.stack as { route?: { path: unknown; methods: Record<string, boolean> } }[]) {
    if (!layer.route) throw new Error('a router uses middleware without a route (router.use): teach registeredRoutes about it');
    if (typeof layer.route.path !== 'string') throw new Error(`a route path that is not a string: ${String(layer.route.path)}`);
    for (const [m, on] of Object.entries(layer.route.methods)) {
      const method = m.toUpperCase() as Method;
      if (!on) continue;
      if (!METHODS.includes(method)) throw new Error(`route ${layer.route.path} answers ${m}: add it to METHODS and the table`);
      found.push({ method, path: layer.route.path });
    }
  }
  return found;
}

/** Whether a concrete path (`/api/staff/7`) is one an express route path (`/api/staff/:id`) matches. */
function routeMatches(routePath: string, concrete: string): boolean {
  if (/[*?(){}]/.test(routePath)) throw new Error(`route path ${routePath}: only literal segments and :params are understood here`);
  const pattern = routePath
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.+^$|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`).test(concrete);
}

describe('route roles: who may call which route', () => {
  let db: Db;
  let server: http.Server;
  let base: string;
  const tokens = new Map<Role, string>();
  const usernames = new Map<Role, string>();
  const ids = new Map<string, number>();
  let routers: Router[];

  before(async () => {
    db = openDatabase(':memory:');
    seedDemoStaff(db, { passwordCost: TEST_PASSWORD_COST });
    const transact = transactor(db);
    const staffRepo = new StaffRepo(db);
    // Any role the demo seed lacks gets an account here, so every role is tried.
    for (const role of ROLES.filter((r) => !DEMO_STAFF.some((m) => m.role === r))) {
      staffRepo.createStaff({ username: `probe-${role}`, displayName: role, role, department: role === 'department' ? 'warehouse' : null, passwordHash: hashPasswordSync(DEMO_PASSWORD, TEST_PASSWORD_COST), createdAt: new Date() });
    }
    // agent1 (front and middle desks) also sits on the back desk, so one agent account passes both offices' desk checks.
    db.insert(agentDesks).values({ staffId: staffRepo.byUsername('agent1')!.id, desk: 'back', skill: 1 }).run();
    const h: Harness = { db, transact, events: new EventBus(), auth: new AuthService({ staff: staffRepo, transact, options: { passwordCost: TEST_PASSWORD_COST } }), clock: { now: () => new Date() } };
    const api = createApiApp({ log: createLogger('error', true), health: () => ({ ok: true, simulator: false }), routers: (routers = ROUTERS.map((r) => r(h))) });
    server = http.createServer(api);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const accounts = db.select({ id: staff.id, username: staff.username, role: staff.role }).from(staff).orderBy(staff.id).all();
    for (const a of accounts) ids.set(a.username, a.id);
    for (const role of ROLES) {
      const { username } = accounts.find((a) => a.role === role)!;
      usernames.set(role, username);
      tokens.set(role, await signIn(role));
    }
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    db.$client.close();
  });

  async function request(method: Method, path: string, token: string | undefined, body: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = `(not JSON) ${text.slice(0, 80)}`;
    }
    return { status: res.status, body: json };
  }

  /** A new token for the role's account. */
  async function signIn(role: Role): Promise<string> {
    const username = usernames.get(role)!;
    const res = await request('POST', '/api/auth/login', undefined, { username, password: DEMO_PASSWORD });
    expect(res.status, `login as ${username}`).to.equal(200);
    return (res.body as { token: string }).token;
  }

  function shortly(body: unknown): string {
    const text = JSON.stringify(body);
    return text.length > 160 ? `${text.slice(0, 160)}…` : text;
  }

  const resolvePath = (path: string) =>
    path.replace(/\{([\w.-]+)\}/g, (_m, username: string) => {
      const id = ids.get(username);
      if (id === undefined) throw new Error(`route table: no demo account ${username}`);
      return String(id);
    });

  it('has one account signed in for every role', () => {
    expect([...tokens.keys()].sort()).to.deep.equal([...ROLES].sort());
  });

  for (const [method, template, allowed, body, options] of ROUTE_ROLES) {
    it(`${method} ${template}: 401 without a token, 403 for ${ROLES.filter((r) => !allowed.includes(r)).join(', ') || 'nobody'}, through for ${allowed.join(', ')}`, async () => {
      const path = resolvePath(template);
      const anonymous = await request(method, path, undefined, body);
      expect(anonymous.status, `${method} ${path} without a token (404: no such route?)`).to.equal(401);
      expect(anonymous.body).to.have.property('error', 'unauthorized');

      const wrong: string[] = [];
      for (const role of ROLES) {
        const token = options?.signsOut ? await signIn(role) : tokens.get(role);
        const res = await request(method, path, token, body);
        const { error, message } = (res.body ?? {}) as { error?: unknown; message?: unknown };
        if (allowed.includes(role)) {
          if (res.status === 401 || res.status === 403) wrong.push(`${role}: allowed but got ${res.status} ${shortly(res.body)}`);
          else if (res.status === 404 && message === 'No such route') wrong.push(`${role}: no such route (a typo in the table?)`);
          else if (res.status >= 500) wrong.push(`${role}: let through, but the route failed: ${res.status} ${shortly(res.body)}`);
          else if (options?.signsOut && (await request('GET', '/api/auth/me', token, undefined)).status !== 401) wrong.push(`${role}: still signed in after ${method} ${path}`);
        } else if (res.status !== 403 || error !== 'forbidden' || typeof message !== 'string' || Object.keys(res.body as object).length !== 2) {
          wrong.push(`${role}: expected 403 {error:'forbidden', message}, got ${res.status} ${shortly(res.body)}`);
        }
      }
      expect(wrong).to.deep.equal([]);
    });
  }

  it('has every shared token still valid after the table ran (no case signed anyone out)', async () => {
    for (const role of ROLES) expect((await request('GET', '/api/auth/me', tokens.get(role), undefined)).status, role).to.equal(200);
  });

  for (const [method, template] of PUBLIC_ROUTES) {
    it(`${method} ${template}: public, answers without a token`, async () => {
      const body = template === '/api/auth/login' ? { username: usernames.get('quality_controller'), password: DEMO_PASSWORD } : undefined;
      const res = await request(method, resolvePath(template), undefined, body);
      expect(res.status, shortly(res.body)).to.be.within(200, 299);
    });
  }

  describe('the table covers every route', () => {
    /** Each case as a concrete path, so it can be matched against the routers' path patterns. */
    const cases = () => [...ROUTE_ROLES.map(([m, p]) => ({ method: m, path: resolvePath(p) })), ...PUBLIC_ROUTES.map(([m, p]) => ({ method: m, path: resolvePath(p) }))];

    it('every route the routers of ROUTERS register has a case in ROUTE_ROLES (or PUBLIC_ROUTES)', () => {
      const registered = routers.flatMap(registeredRoutes);
      expect(registered.length, 'routes found by walking router.stack').to.be.at.least(ROUTE_ROLES.length);
      const missing = registered.filter((r) => !cases().some((c) => c.method === r.method && routeMatches(r.path, c.path)));
      expect(
        missing.map((r) => `${r.method} ${r.path}`),
        'routes without a role case',
      ).to.deep.equal([]);
    });

    it('every case names a registered route, and no route is listed twice', () => {
      const registered = routers.flatMap(registeredRoutes);
      const problems: string[] = [];
      const seen = new Map<string, string>();
      for (const c of cases()) {
        // The first route that matches is the one express runs (agents/me before agents/:id/desks).
        const route = registered.find((r) => r.method === c.method && routeMatches(r.path, c.path));
        if (!route) problems.push(`${c.method} ${c.path}: no such route`);
        else if (seen.has(`${route.method} ${route.path}`)) problems.push(`${c.method} ${c.path}: ${route.method} ${route.path} already covered by ${seen.get(`${route.method} ${route.path}`)}`);
        else seen.set(`${route.method} ${route.path}`, `${c.method} ${c.path}`);
      }
      expect(problems).to.deep.equal([]);
    });

    it('every registered route is described in the API document (src/http/api-description.ts), and it describes no other', () => {
      const registered = routers.flatMap(registeredRoutes).map((r) => `${r.method} ${r.path}`);
      const described = API_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path}`);
      expect(registered.filter((r) => !described.includes(r)), 'routes without a description').to.deep.equal([]);
      expect(described.filter((r) => !registered.includes(r)), 'described routes that do not exist').to.deep.equal([]);
      expect(new Set(described).size, 'a route described twice').to.equal(described.length);
      expect(API_ROUTES.filter((r) => r.summary.trim().length < 10).map((r) => `${r.method} ${r.path}`), 'routes without a summary').to.deep.equal([]);
    });

    it('the API document gives every route the roles this table lets through (public and integration-key routes too)', () => {
      const registered = routers.flatMap(registeredRoutes);
      const wrong: string[] = [];
      for (const [method, template, allowed] of ROUTE_ROLES) {
        const route = registered.find((r) => r.method === method && routeMatches(r.path, resolvePath(template)))!;
        const doc = API_ROUTES.find((r) => r.method.toUpperCase() === route.method && r.path === route.path);
        // The intake lets no staff role through: its access is the integration key.
        const expected = allowed.length ? [...allowed].sort().join(',') : 'integration-key';
        const actual = doc && (typeof doc.access === 'string' ? doc.access : [...doc.access].sort().join(','));
        if (actual !== expected) wrong.push(`${method} ${route.path}: document says ${actual}, the table ${expected}`);
      }
      for (const [method, template] of PUBLIC_ROUTES) {
        const route = registered.find((r) => r.method === method && routeMatches(r.path, resolvePath(template)))!;
        const doc = API_ROUTES.find((r) => r.method.toUpperCase() === route.method && r.path === route.path);
        if (doc?.access !== 'public') wrong.push(`${method} ${route.path}: public here, ${String(doc?.access)} in the document`);
      }
      expect(wrong).to.deep.equal([]);
    });

    it('every route written in src/http/*.routes.ts is registered by a router of ROUTERS', () => {
      const dir = path.resolve('src/http');
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.routes.ts'));
      expect(files.length, 'router files found').to.be.at.least(8);
      const registered = new Set(routers.flatMap(registeredRoutes).map((r) => `${r.method} ${r.path}`));
      const problems: string[] = [];
      for (const file of files) {
        const source = fs.readFileSync(path.join(dir, file), 'utf8');
        const calls = [...source.matchAll(/\brouter\.(\w+)\(\s*(?:'([^']*)'|"([^"]*)"|`([^`]*)`)?/g)];
        let routes = 0;
        for (const [, fn, ...quoted] of calls) {
          const literal = quoted.find((q) => q !== undefined);
          if (!METHODS.includes(fn.toUpperCase() as Method)) {
            problems.push(`${file}: router.${fn}(…) is not understood by this test`);
          } else if (literal === undefined || literal.includes('${')) {
            problems.push(`${file}: router.${fn}(…) without a literal path`);
          } else {
            routes++;
            if (!registered.has(`${fn.toUpperCase()} ${literal}`)) problems.push(`${file}: ${fn.toUpperCase()} ${literal} is not registered by ROUTERS`);
          }
        }
        if (routes === 0) problems.push(`${file}: no route found (registered some other way?)`);
      }
      expect(problems).to.deep.equal([]);
    });
  });

  describe('the bull dashboard at /admin/queues (mounted, not a REST route: checked here)', () => {
    let dash: http.Server;
    let dashBase: string;
    const tickets = new WsTickets();
    before(async () => {
      const auth = new AuthService({ staff: new StaffRepo(db), transact: transactor(db), options: { passwordCost: TEST_PASSWORD_COST } });
      // A stand-in for bull-board's own app: the gate in front of it is what is tested.
      const handler: RequestHandler = (_req, res) => void res.status(200).type('html').send('<html>dashboard</html>');
      const app = createApiApp({
        log: createLogger('error', true),
        health: () => ({ ok: true, simulator: false }),
        routers: [authRoutes({ auth, tickets }), adminQueuesRoutes({ auth, tickets, audit: new AuditRepo(db), dashboard: { handler, setQueues: () => undefined } })],
      });
      dash = http.createServer(app);
      await new Promise<void>((resolve) => dash.listen(0, '127.0.0.1', resolve));
      dashBase = `http://127.0.0.1:${(dash.address() as AddressInfo).port}`;
    });
    after(async () => {
      dash.closeAllConnections();
      await new Promise<void>((resolve) => dash.close(() => resolve()));
    });

    it('anonymous 401, every role but admin 403, admin through (bearer header)', async () => {
      expect((await fetch(`${dashBase}/admin/queues/`)).status).to.equal(401);
      for (const role of ROLES) {
        const res = await fetch(`${dashBase}/admin/queues/`, { headers: { authorization: `Bearer ${tokens.get(role)}` } });
        expect(res.status, role).to.equal(role === 'admin' ? 200 : 403);
      }
    });

    it('a browser trades a one-time ticket for an HttpOnly, SameSite=Strict cookie scoped to /admin/queues', async () => {
      const ticketFor = async (role: Role) => {
        const r = await fetch(`${dashBase}/api/auth/ws-ticket`, { method: 'POST', headers: { authorization: `Bearer ${tokens.get(role)}` } });
        return ((await r.json()) as { ticket: string }).ticket;
      };
      const ticket = await ticketFor('admin');
      const login = await fetch(`${dashBase}/admin/queues/login?ticket=${ticket}`, { redirect: 'manual' });
      expect(login.status).to.equal(303);
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).to.match(/HttpOnly/).and.match(/SameSite=Strict/).and.match(/Path=\/admin\/queues/);
      const session = cookie.split(';')[0];
      expect((await fetch(`${dashBase}/admin/queues/`, { headers: { cookie: session } })).status).to.equal(200);
      // The ticket is used up; a forged cookie is nobody; a non-admin's ticket opens nothing.
      expect((await fetch(`${dashBase}/admin/queues/login?ticket=${ticket}`, { redirect: 'manual' })).status).to.equal(401);
      expect((await fetch(`${dashBase}/admin/queues/`, { headers: { cookie: 'hotline_queues=forged' } })).status).to.equal(401);
      expect((await fetch(`${dashBase}/admin/queues/login?ticket=${await ticketFor('supervisor')}`, { redirect: 'manual' })).status).to.equal(403);
    });
  });

  describe('GET /metrics (a metrics token, not a role) and GET /ready (public, like /health): served by the app, checked here', () => {
    const METRICS_TOKEN = 'route-roles-metrics-token-0123';
    let ops: http.Server;
    let opsBase: string;
    before(async () => {
      const source = { contentType: 'text/plain; version=0.0.4; charset=utf-8', metrics: async () => 'hotline_test 1\n' };
      const ready = async () => ({ ready: true, status: 'ready' as const, checks: {}, degraded: [] });
      const app = createApiApp({ log: createLogger('error', true), health: () => ({ ok: true, simulator: false }), routers: [], metrics: { token: METRICS_TOKEN, source }, ready });
      ops = http.createServer(app);
      await new Promise<void>((resolve) => ops.listen(0, '127.0.0.1', resolve));
      opsBase = `http://127.0.0.1:${(ops.address() as AddressInfo).port}`;
    });
    after(async () => {
      ops.closeAllConnections();
      await new Promise<void>((resolve) => ops.close(() => resolve()));
    });

    it('/metrics: anonymous 401, every role\'s staff token 401 (staff tokens are not metrics tokens), the metrics token 200', async () => {
      expect((await fetch(`${opsBase}/metrics`)).status).to.equal(401);
      for (const role of ROLES) {
        const res = await fetch(`${opsBase}/metrics`, { headers: { authorization: `Bearer ${tokens.get(role)}` } });
        expect(res.status, role).to.equal(401);
      }
      const res = await fetch(`${opsBase}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal('hotline_test 1\n');
    });

    it('/ready: public, answers without a token (it names no secret and no customer)', async () => {
      const res = await fetch(`${opsBase}/ready`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ ready: true, status: 'ready', checks: {}, degraded: [] });
    });
  });
});
