// The REST API described once: every route with its roles, input, answers, errors and examples, built into an
// OpenAPI 3.1 document from the same zod schemas the routes validate with. A route added to a router without an
// entry here fails test/integration/route-roles.test.ts (and so does an entry without a route).
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ROLES, type Role } from '../db/schema/index';
import { MAX_BATCH, orderRecordSchema, rmaRecordSchema } from '../intake/intake-records';
import {
  agentDesksSchema,
  agentOnFloorSchema,
  agentsSchema,
  alertSettingsSchema,
  alertsSchema,
  apiErrorSchema,
  assignedSchema,
  calibrationSchema,
  callbackCallSchema,
  callbackDetailSchema,
  callbackOutcomeSchema,
  callbackSettingSchema,
  callbackSettingsSchema,
  callbacksPageSchema,
  contactCenterReportSchema,
  dispositionSetSchema,
  dispositionsSchema,
  doNotCallAddedSchema,
  doNotCallPageSchema,
  evaluationCommentSchema,
  evaluationDetailSchema,
  evaluationsSchema,
  EXAMPLE_ORDER,
  EXAMPLE_RMA,
  floorSchema,
  holdStateSchema,
  intakeBatchSchema,
  intakeRejectedSchema,
  intakeResultSchema,
  integrationKeyCreatedSchema,
  integrationKeySchema,
  integrationKeysSchema,
  interactionEndedSchema,
  ivrFlowsSchema,
  monitorSessionSchema,
  orderReviewDetailSchema,
  orderReviewPageSchema,
  orderReviewSchema,
  overflowChangedSchema,
  passwordResetSchema,
  playbackTicketSchema,
  presenceSchema,
  qaAssignmentSchema,
  qaSamplingSchema,
  qaWorkListSchema,
  qualityReportSchema,
  queueSettingsSchema,
  queuesSchema,
  recordingDetailSchema,
  recordingKeptSchema,
  recordingPausedSchema,
  recordingsPageSchema,
  rmaReviewDetailSchema,
  rmaReviewPageSchema,
  rmaReviewSchema,
  scorecardDetailSchema,
  scorecardSchema,
  scorecardsSchema,
  scorecardVersionSchema,
  sessionSchema,
  simSoftphoneSchema,
  staffAccountSchema,
  staffingReportSchema,
  staffListSchema,
  staffSchema,
  surveysSchema,
  teamsSchema,
  voiceTokenSchema,
  waitingCallSchema,
  workOrderDetailSchema,
  workOrderSchema,
  workOrdersSchema,
  wsTicketSchema,
} from './api-shapes';
import * as agentControl from './agent-control.routes';
import * as agents from './agents.routes';
import * as audit from './audit.routes';
import * as auth from './auth.routes';
import * as callbackCalls from './callback-calls.routes';
import * as callbacks from './callbacks.routes';
import * as dispositions from './dispositions.routes';
import * as evaluations from './evaluations.routes';
import * as floor from './floor.routes';
import * as floorActions from './floor-actions.routes';
import * as integrationKeys from './integration-keys.routes';
import * as monitoring from './monitoring.routes';
import * as orderReview from './order-review.routes';
import * as presence from './presence.routes';
import * as qa from './qa.routes';
import * as queues from './queues.routes';
import * as recordings from './recordings.routes';
import * as reports from './reports.routes';
import * as rmaReview from './rma-review.routes';
import * as scorecards from './scorecards.routes';
import * as staff from './staff.routes';
import * as staffing from './staffing.routes';
import * as surveys from './surveys.routes';
import * as workOrders from './work-orders.routes';

export type ApiMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: staff roles (bearer token), anyone, or the order system (integration key). */
export type ApiAccess = readonly Role[] | 'public' | 'integration-key';

export interface ApiAnswer {
  /** @default 200 */
  status?: number;
  /** A second success status with the same shape (PUT that creates: 201). */
  also?: number;
  /** The JSON answer's shape; without one, "a JSON object" (or no body for 204). */
  schema?: z.ZodType;
  /** Also answers CSV (format=csv or Accept: text/csv). */
  csv?: boolean;
  /** A binary answer of this media type instead of JSON. */
  binary?: string;
}

export interface ApiRoute {
  method: ApiMethod;
  /** The express path, `:param` style, exactly as the router registers it. */
  path: string;
  /** The routes file it lives in (src/http/<tag>.routes.ts): the group in the reference. */
  tag: string;
  access: ApiAccess;
  summary: string;
  description?: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** @default 200 with a JSON object */
  ok?: ApiAnswer;
  /** A request body example. */
  example?: unknown;
  /** Error statuses worth naming beyond 400/401/403 (all in the Error format): status → when. */
  errors?: Record<number, string>;
}

const EVERYONE = ROLES;
/** The time zone the report queries are described in (their dates are local days). */
const TZ = 'Asia/Shanghai';
const NO_CONTENT: ApiAnswer = { status: 204 };
const CREATED: ApiAnswer = { status: 201 };
const AUDIO: ApiAnswer = { binary: 'audio/wav' };
const INTAKE: ApiAnswer = { status: 201, schema: intakeResultSchema };

const intakeBody = (record: z.ZodType) =>
  z.union([
    record,
    z.object({ records: z.array(record).max(MAX_BATCH).meta({ description: `1 to ${MAX_BATCH} records; each is answered on its own` }) }),
    z.array(record).max(MAX_BATCH).meta({ description: 'A bare array: the same as {records: [...]}' }),
  ]);

const INTAKE_NOTES = [
  'For the order system: authenticate with an integration key (`Authorization: Bearer ik_…` or `X-Integration-Key: ik_…`); a staff token is refused with 403.',
  'Send one record, or `{"records": [...]}` (or a bare array) with up to ' + MAX_BATCH + ' (8 MB at most). A single record answers 201 (created), 200 (updated or unchanged) or 422 with field errors;',
  'a batch answers 200 with a summary and one result per record, in order. `version` makes a push idempotent: the same or an older version changes nothing (`unchanged`).',
  'Amounts are yuan as strings ("199.00") or numbers, exact to the fen. Every request is written to the audit trail as a use of the key. See docs/intake-api.md.',
].join(' ');

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'post', path: '/api/agents/:id/force-state', tag: 'agent-control', access: ['supervisor', 'admin'], summary: 'Force an agent into a state (audited, with a reason)', body: agentControl.forceStateBody, ok: { schema: presenceSchema }, errors: { 404: 'No such agent', 409: 'The agent has a connected call: end it first (force-end)' } },
  { method: 'post', path: '/api/interactions/:id/force-end', tag: 'agent-control', access: ['supervisor', 'admin'], summary: 'Force-end a stuck interaction (audited, with a reason)', body: agentControl.forceEndBody, ok: { schema: interactionEndedSchema }, errors: { 404: 'No such interaction', 409: 'The interaction is already over, or the carrier still has the call up (a live call, not a stale record)', 503: 'The carrier could not be asked (Retry-After); nothing was changed' } },
  { method: 'get', path: '/api/agents', tag: 'agents', access: ['dispatcher', 'team_lead', 'supervisor', 'admin'], summary: 'Every agent with desks, skills and current presence', ok: { schema: agentsSchema } },
  { method: 'put', path: '/api/agents/:id/desks', tag: 'agents', access: ['dispatcher', 'supervisor', 'admin'], summary: 'Replace an agent\'s desks and skills live (audited)', body: agents.desksBody, ok: { schema: agentOnFloorSchema } },
  { method: 'get', path: '/api/audit', tag: 'audit', access: ['supervisor', 'admin'], summary: 'Read the audit trail with filters (JSON pages, or CSV with format=csv)', query: audit.auditQuery, ok: { schema: audit.auditPageSchema, csv: true } },
  { method: 'post', path: '/api/auth/login', tag: 'auth', access: 'public', summary: 'Sign in: username and password for a bearer token (every attempt is audited)', body: auth.loginBody, ok: { schema: sessionSchema }, example: { username: 'supervisor1', password: 'your-password' }, errors: { 401: 'Wrong username or password, or a disabled account (written to the audit trail as a denied sign-in)', 429: 'Too many failed sign-ins from this address for this account (Retry-After)', 503: 'The server is busy checking passwords (Retry-After)' } },
  { method: 'post', path: '/api/auth/password', tag: 'auth', access: EVERYONE, summary: 'Change one\'s own password (ends every other session; returns a fresh token)', body: auth.passwordChangeBody, ok: { schema: sessionSchema } },
  { method: 'post', path: '/api/auth/ws-ticket', tag: 'auth', access: EVERYONE, summary: 'A one-time ticket for opening the live-feed WebSocket', ok: { schema: wsTicketSchema } },
  { method: 'post', path: '/api/auth/logout', tag: 'auth', access: EVERYONE, summary: 'Sign out: revoke this token and close its sockets; an agent goes offline (after the call in hand)', ok: NO_CONTENT },
  { method: 'get', path: '/api/auth/me', tag: 'auth', access: EVERYONE, summary: 'Who am I: the signed-in staff member', ok: { schema: staffSchema } },
  { method: 'post', path: '/api/calls/current/hold', tag: 'call-hold', access: ['agent'], summary: 'Put the customer of the agent\'s live call on hold', ok: { schema: holdStateSchema }, errors: { 404: 'You have no live call', 409: 'The customer is already on hold, or left the call' } },
  { method: 'post', path: '/api/calls/current/resume', tag: 'call-hold', access: ['agent'], summary: 'Take the customer of the agent\'s live call off hold', ok: { schema: holdStateSchema }, errors: { 404: 'You have no live call', 409: 'The customer is not on hold, or left the call' } },
  { method: 'post', path: '/api/callbacks/:id/call', tag: 'callback-calls', access: ['agent'], summary: 'Call a callback now (the dialer rings the agent first)', ok: { status: 202, schema: callbackCallSchema } },
  { method: 'post', path: '/api/callbacks/:id/outcome', tag: 'callback-calls', access: ['agent', 'dispatcher', 'supervisor'], summary: 'Record a callback attempt\'s outcome', body: callbackCalls.outcomeBody, ok: { schema: callbackOutcomeSchema } },
  { method: 'get', path: '/api/callbacks', tag: 'callbacks', access: ['agent', 'team_lead', 'dispatcher', 'supervisor'], summary: 'The callback list the caller may see, with filters and paging', query: callbacks.listQuery, ok: { schema: callbacksPageSchema } },
  { method: 'post', path: '/api/callbacks', tag: 'callbacks', access: ['agent', 'dispatcher', 'supervisor'], summary: 'Add a callback to the list (audited)', body: callbacks.addBody, ok: { status: 201, schema: callbackDetailSchema } },
  { method: 'get', path: '/api/callbacks/:id', tag: 'callbacks', access: ['agent', 'team_lead', 'dispatcher', 'supervisor'], summary: 'One callback with its attempts', ok: { schema: callbackDetailSchema }, errors: { 404: 'No such callback (or not one you may see)' } },
  { method: 'patch', path: '/api/callbacks/:id', tag: 'callbacks', access: ['agent', 'dispatcher', 'supervisor'], summary: 'Change a callback\'s priority, owner or due time (audited)', body: callbacks.changeBody, ok: { schema: callbackDetailSchema }, errors: { 404: 'No such callback (or not one you may see)', 409: 'The callback is closed' } },
  { method: 'post', path: '/api/callbacks/:id/cancel', tag: 'callbacks', access: ['dispatcher', 'supervisor'], summary: 'Cancel a callback (audited)', body: callbacks.cancelBody, ok: { schema: callbackDetailSchema }, errors: { 404: 'No such callback', 409: 'The callback is already closed' } },
  { method: 'get', path: '/api/do-not-call', tag: 'callbacks', access: ['dispatcher', 'supervisor', 'admin'], summary: 'The do-not-call list (numbers masked)', query: callbacks.dncQuery, ok: { schema: doNotCallPageSchema } },
  { method: 'post', path: '/api/do-not-call', tag: 'callbacks', access: ['dispatcher', 'supervisor', 'admin'], summary: 'Add a number to the do-not-call list (audited)', body: callbacks.dncBody, ok: { status: 201, also: 200, schema: doNotCallAddedSchema } },
  { method: 'delete', path: '/api/do-not-call/:phone', tag: 'callbacks', access: ['dispatcher', 'supervisor', 'admin'], summary: 'Remove a number from the do-not-call list (audited)', ok: NO_CONTENT },
  { method: 'get', path: '/api/callback-settings', tag: 'callbacks', access: ['team_lead', 'dispatcher', 'supervisor', 'admin'], summary: 'Each callback type\'s dialing mode, calling hours and retries', ok: { schema: callbackSettingsSchema } },
  { method: 'patch', path: '/api/callback-settings/:type', tag: 'callbacks', access: ['supervisor', 'admin'], summary: 'Change a callback type\'s settings (audited)', body: callbacks.settingBody, ok: { schema: callbackSettingSchema } },
  { method: 'get', path: '/api/dispositions', tag: 'dispositions', access: EVERYONE, summary: 'The disposition codes an agent picks from after a call', ok: { schema: dispositionsSchema } },
  { method: 'post', path: '/api/interactions/:id/disposition', tag: 'dispositions', access: ['agent'], summary: 'Set the disposition of one of the agent\'s interactions', body: dispositions.dispositionBody, ok: { schema: dispositionSetSchema } },
  { method: 'post', path: '/api/recordings/:id/evaluations', tag: 'evaluations', access: ['quality_controller', 'supervisor'], summary: 'Open an evaluation of a recording against a scorecard', body: evaluations.openBody, ok: { status: 201, also: 200, schema: evaluationDetailSchema }, errors: { 404: 'No such recording', 409: 'The recording cannot be evaluated (no agent, or not stored)' } },
  { method: 'get', path: '/api/recordings/:id/calibration', tag: 'evaluations', access: ['quality_controller', 'supervisor'], summary: 'Every evaluator\'s scores of one recording side by side', ok: { schema: calibrationSchema } },
  { method: 'get', path: '/api/evaluations', tag: 'evaluations', access: ['agent', 'team_lead', 'quality_controller', 'supervisor'], summary: 'Evaluations the caller may see, with filters', query: evaluations.listQuery, ok: { schema: evaluationsSchema } },
  { method: 'get', path: '/api/evaluations/:id', tag: 'evaluations', access: ['agent', 'team_lead', 'quality_controller', 'supervisor'], summary: 'One evaluation with answers, comments and history', ok: { schema: evaluationDetailSchema }, errors: { 404: 'No such evaluation (or not one you may see)' } },
  { method: 'put', path: '/api/evaluations/:id/answers', tag: 'evaluations', access: ['quality_controller', 'supervisor'], summary: 'Save an evaluation\'s answers (a draft)', body: evaluations.answerBody, ok: { schema: evaluationDetailSchema } },
  { method: 'post', path: '/api/evaluations/:id/comments', tag: 'evaluations', access: ['quality_controller', 'supervisor'], summary: 'Comment on a moment of the recording', body: evaluations.commentBody, ok: { status: 201, schema: evaluationCommentSchema } },
  { method: 'post', path: '/api/evaluations/:id/submit', tag: 'evaluations', access: ['quality_controller', 'supervisor'], summary: 'Submit an evaluation to the agent', ok: { schema: evaluationDetailSchema } },
  { method: 'post', path: '/api/evaluations/:id/acknowledge', tag: 'evaluations', access: ['agent'], summary: 'The agent acknowledges their evaluation', ok: { schema: evaluationDetailSchema } },
  { method: 'post', path: '/api/evaluations/:id/dispute', tag: 'evaluations', access: ['agent'], summary: 'The agent disputes their evaluation, with a reason', body: evaluations.disputeBody, ok: { schema: evaluationDetailSchema } },
  { method: 'post', path: '/api/evaluations/:id/resolve', tag: 'evaluations', access: ['supervisor'], summary: 'A supervisor resolves a dispute (upheld or changed)', body: evaluations.resolveBody, ok: { schema: evaluationDetailSchema } },
  { method: 'post', path: '/api/floor/agents/:id/move', tag: 'floor-actions', access: ['dispatcher', 'supervisor'], summary: 'Dispatch: move an agent to another desk (audited)', body: floorActions.moveBody, ok: { schema: agentDesksSchema }, errors: { 404: 'No such agent', 409: 'The agent is not on the `from` desk' } },
  { method: 'post', path: '/api/floor/agents/:id/end-break', tag: 'floor-actions', access: ['dispatcher', 'supervisor'], summary: 'Dispatch: end an agent\'s break (audited)', body: floorActions.reasonBody, ok: NO_CONTENT, errors: { 404: 'No such agent', 409: 'The agent is not on a break' } },
  { method: 'post', path: '/api/floor/agents/:id/log-out', tag: 'floor-actions', access: ['dispatcher', 'supervisor'], summary: 'Dispatch: log an agent out (audited)', body: floorActions.reasonBody, ok: NO_CONTENT, errors: { 404: 'No such agent', 409: 'The agent has a connected call' } },
  { method: 'post', path: '/api/floor/calls/:callSid/priority', tag: 'floor-actions', access: ['dispatcher', 'supervisor'], summary: 'Dispatch: change a waiting call\'s priority (audited)', body: floorActions.priorityBody, ok: { schema: waitingCallSchema }, errors: { 404: 'The call is not waiting in a queue' } },
  { method: 'post', path: '/api/floor/calls/:callSid/assign', tag: 'floor-actions', access: ['dispatcher', 'supervisor'], summary: 'Dispatch: offer a waiting call to a chosen agent (audited)', body: floorActions.assignBody, ok: { status: 202, schema: assignedSchema }, errors: { 404: 'The call is not waiting in a queue', 409: 'The agent is not available, or the call is ringing someone' } },
  { method: 'post', path: '/api/floor/queues/:name/overflow', tag: 'floor-actions', access: ['dispatcher', 'supervisor'], summary: 'Dispatch: change a queue\'s overflow rule live (audited)', body: floorActions.overflowBody, ok: { schema: overflowChangedSchema } },
  { method: 'get', path: '/api/alerts', tag: 'floor', access: ['dispatcher', 'team_lead', 'supervisor', 'admin'], summary: 'The floor\'s alerts: those active now and the history of raises and clears (a team lead: their team\'s agent alerts)', query: floor.historyQuery, ok: { schema: alertsSchema } },
  { method: 'get', path: '/api/alerts/settings', tag: 'floor', access: ['dispatcher', 'team_lead', 'supervisor', 'admin'], summary: 'The alert thresholds: raise and clear levels and hold time per kind', ok: { schema: alertSettingsSchema } },
  { method: 'put', path: '/api/alerts/settings', tag: 'floor', access: ['supervisor', 'admin'], summary: 'Change alert thresholds (only the kinds and fields given; a level that could flap is refused; audited)', body: floor.settingsBody, ok: { schema: alertSettingsSchema } },
  { method: 'get', path: '/api/ivr/flows', tag: 'ivr', access: ['admin', 'supervisor'], summary: 'The IVR flows loaded from ivr-flows/, with their nodes (read-only)', ok: { schema: ivrFlowsSchema } },
  { method: 'get', path: '/api/floor', tag: 'floor', access: ['dispatcher', 'team_lead', 'supervisor', 'admin'], summary: 'The live floor: queues with waiting callers, agents per desk and state, live monitoring', ok: { schema: floorSchema } },
  { method: 'post', path: '/api/intake/orders', tag: 'intake', access: 'integration-key', summary: 'Order system: push one order, or a batch of up to 1000 (integration key)', body: intakeBody(orderRecordSchema), ok: INTAKE, description: INTAKE_NOTES, example: EXAMPLE_ORDER },
  { method: 'post', path: '/api/intake/rmas', tag: 'intake', access: 'integration-key', summary: 'Order system: push one RMA, or a batch of up to 1000 (integration key)', body: intakeBody(rmaRecordSchema), ok: INTAKE, description: INTAKE_NOTES, example: EXAMPLE_RMA },
  { method: 'post', path: '/api/integration-keys', tag: 'integration-keys', access: ['admin'], summary: 'Create an integration key (shown once; audited)', body: integrationKeys.createBody, ok: { status: 201, schema: integrationKeyCreatedSchema } },
  { method: 'get', path: '/api/integration-keys', tag: 'integration-keys', access: ['admin'], summary: 'The integration keys (prefix only, never the secret)', ok: { schema: integrationKeysSchema } },
  { method: 'delete', path: '/api/integration-keys/:id', tag: 'integration-keys', access: ['admin'], summary: 'Revoke an integration key (audited)', body: integrationKeys.revokeBody, ok: { schema: integrationKeySchema } },
  { method: 'post', path: '/api/calls/live/:agentId/monitor', tag: 'monitoring', access: ['dispatcher', 'team_lead', 'quality_controller', 'supervisor'], summary: 'Listen to, whisper to or barge into an agent\'s live call (audited)', body: monitoring.joinBody, ok: { status: 201, schema: monitorSessionSchema }, errors: { 404: 'No such agent', 409: 'The agent has no live call to join', 503: 'The carrier could not be asked or could not add you (Retry-After); nothing was started' } },
  { method: 'get', path: '/api/calls/live/:agentId/monitor', tag: 'monitoring', access: ['dispatcher', 'team_lead', 'quality_controller', 'supervisor'], summary: 'The caller\'s own monitoring session on that agent\'s call', ok: { schema: monitorSessionSchema }, errors: { 404: 'You are not in that agent\'s call' } },
  { method: 'patch', path: '/api/calls/live/:agentId/monitor', tag: 'monitoring', access: ['dispatcher', 'team_lead', 'quality_controller', 'supervisor'], summary: 'Switch between listen, whisper and barge (audited)', body: monitoring.joinBody, ok: { schema: monitorSessionSchema }, errors: { 404: 'You are not in that agent\'s call', 409: 'Your softphone has not answered yet, or the call ended', 503: 'The carrier could not change your mode (Retry-After); you are still in the call as before' } },
  { method: 'delete', path: '/api/calls/live/:agentId/monitor', tag: 'monitoring', access: ['dispatcher', 'team_lead', 'quality_controller', 'supervisor'], summary: 'Leave the monitored call (audited)', body: monitoring.leaveBody, ok: { schema: monitorSessionSchema }, errors: { 404: 'You are not in that agent\'s call' } },
  { method: 'get', path: '/api/orders/review', tag: 'order-review', access: ['agent', 'team_lead', 'supervisor', 'dispatcher'], summary: 'Middle office: orders waiting for review', query: orderReview.listQuery, ok: { schema: orderReviewPageSchema } },
  { method: 'get', path: '/api/orders/:number', tag: 'order-review', access: ['agent', 'team_lead', 'supervisor', 'dispatcher'], summary: 'One order with items, checklist and review history', ok: { schema: orderReviewDetailSchema } },
  { method: 'post', path: '/api/orders/:number/claim', tag: 'order-review', access: ['agent'], summary: 'Claim an order for review', ok: { schema: orderReviewSchema } },
  { method: 'post', path: '/api/orders/:number/release', tag: 'order-review', access: ['agent'], summary: 'Release a claimed order', ok: { schema: orderReviewSchema } },
  { method: 'patch', path: '/api/orders/:number/checklist', tag: 'order-review', access: ['agent'], summary: 'Tick or untick a checklist item', body: orderReview.checklistBody, ok: { schema: orderReviewSchema } },
  { method: 'post', path: '/api/orders/:number/approve', tag: 'order-review', access: ['agent'], summary: 'Approve an order', body: orderReview.approveBody, ok: { schema: orderReviewSchema } },
  { method: 'post', path: '/api/orders/:number/cancel', tag: 'order-review', access: ['agent'], summary: 'Cancel an order, with a reason', body: orderReview.cancelBody, ok: { schema: orderReviewSchema } },
  { method: 'post', path: '/api/orders/:number/need-info', tag: 'order-review', access: ['agent'], summary: 'Ask the customer for missing information (queues a callback)', body: orderReview.needInfoBody, ok: { status: 201, schema: orderReviewSchema } },
  { method: 'post', path: '/api/orders/:number/answer', tag: 'order-review', access: ['agent'], summary: 'Record the customer\'s answer', body: orderReview.answerBody, ok: { schema: orderReviewSchema } },
  { method: 'get', path: '/api/agents/me', tag: 'presence', access: ['agent'], summary: 'The agent\'s own presence', ok: { schema: presenceSchema } },
  { method: 'put', path: '/api/agents/me/state', tag: 'presence', access: ['agent'], summary: 'Change the agent\'s own state (available, break with a reason, offline, longer wrap-up)', body: presence.stateBody, ok: { schema: presenceSchema }, example: { state: 'break', reason: 'lunch' } },
  { method: 'post', path: '/api/agents/me/heartbeat', tag: 'presence', access: ['agent'], summary: 'A sign of life for a desktop without a WebSocket', ok: NO_CONTENT },
  { method: 'post', path: '/api/qa/sampling', tag: 'qa', access: ['supervisor'], summary: 'Sample a week\'s recordings for evaluation', body: qa.samplingBody, ok: { schema: qaSamplingSchema } },
  { method: 'get', path: '/api/qa/work-list', tag: 'qa', access: ['quality_controller', 'supervisor'], summary: 'The quality controller\'s work list', ok: { schema: qaWorkListSchema } },
  { method: 'post', path: '/api/qa/assignments/:id/take', tag: 'qa', access: ['quality_controller', 'supervisor'], summary: 'Take a sampled recording to evaluate', ok: { schema: qaAssignmentSchema } },
  { method: 'post', path: '/api/qa/assignments/:id/release', tag: 'qa', access: ['quality_controller', 'supervisor'], summary: 'Release a taken assignment', ok: { schema: qaAssignmentSchema } },
  { method: 'get', path: '/api/reports/quality', tag: 'qa', access: ['supervisor', 'quality_controller', 'team_lead'], summary: 'Quality figures by agent, team or scorecard item (JSON or CSV)', query: qa.figuresQuery(TZ), ok: { schema: qualityReportSchema, csv: true } },
  { method: 'get', path: '/api/queues', tag: 'queues', access: ['dispatcher', 'team_lead', 'supervisor', 'admin'], summary: 'Every queue\'s rules', ok: { schema: queuesSchema } },
  { method: 'put', path: '/api/queues/:name', tag: 'queues', access: ['supervisor', 'admin'], summary: 'Create or replace a queue\'s rules (audited)', body: queues.queueRulesBody, ok: { schema: queueSettingsSchema, also: 201 }, example: { desk: 'front', serviceLevelSeconds: 20, maxWaitSeconds: 600, overflowAction: 'callback_or_voicemail' } },
  { method: 'post', path: '/api/recordings/current/pause', tag: 'recording-control', access: ['agent'], summary: 'Pause the recording of the agent\'s live call (audited)', ok: { schema: recordingPausedSchema } },
  { method: 'post', path: '/api/recordings/current/resume', tag: 'recording-control', access: ['agent'], summary: 'Resume the recording of the agent\'s live call (audited)', ok: { schema: recordingPausedSchema } },
  { method: 'get', path: '/api/recordings', tag: 'recordings', access: ['quality_controller', 'supervisor', 'team_lead', 'agent'], summary: 'The recordings library, with filters and paging', query: recordings.listQuery, ok: { schema: recordingsPageSchema } },
  { method: 'get', path: '/api/recordings/:id', tag: 'recordings', access: ['quality_controller', 'supervisor', 'team_lead', 'agent'], summary: 'One recording with figures, waveform peaks and evaluations', ok: { schema: recordingDetailSchema }, errors: { 404: 'No such recording (or not one you may see)' } },
  { method: 'post', path: '/api/recordings/:id/playback-ticket', tag: 'recordings', access: ['quality_controller', 'supervisor', 'team_lead', 'agent'], summary: 'A short-lived ticket for playing the audio in a browser', ok: { status: 201, schema: playbackTicketSchema } },
  { method: 'get', path: '/api/recordings/:id/audio', tag: 'recordings', access: ['quality_controller', 'supervisor', 'team_lead', 'agent'], summary: 'Play the audio (byte ranges; audited)', ok: AUDIO },
  { method: 'get', path: '/api/recordings/:id/download', tag: 'recordings', access: ['quality_controller', 'supervisor'], summary: 'Download the audio file (audited)', ok: AUDIO },
  { method: 'patch', path: '/api/recordings/:id', tag: 'recordings', access: ['quality_controller', 'supervisor'], summary: 'Keep a recording past retention, or let it go (audited)', body: recordings.keepBody, ok: { schema: recordingKeptSchema } },
  { method: 'get', path: '/api/reports/contact-center', tag: 'reports', access: ['supervisor', 'dispatcher', 'team_lead'], summary: 'Contact-center report: offered, answered, abandoned, service level... (JSON or CSV)', query: reports.reportQuery(TZ), ok: { schema: contactCenterReportSchema, csv: true } },
  { method: 'get', path: '/api/rmas/review', tag: 'rma-review', access: ['agent', 'team_lead', 'supervisor', 'dispatcher'], summary: 'Back office: RMAs waiting for review', query: rmaReview.listQuery, ok: { schema: rmaReviewPageSchema } },
  { method: 'get', path: '/api/rmas/department', tag: 'rma-review', access: ['department'], summary: 'A department\'s RMAs to refund or ship', query: rmaReview.departmentQuery, ok: { schema: rmaReviewPageSchema } },
  { method: 'get', path: '/api/rmas/:number', tag: 'rma-review', access: ['agent', 'team_lead', 'supervisor', 'dispatcher', 'department'], summary: 'One RMA with its order and history', ok: { schema: rmaReviewDetailSchema } },
  { method: 'post', path: '/api/rmas/:number/claim', tag: 'rma-review', access: ['agent'], summary: 'Claim an RMA for review', ok: { schema: rmaReviewSchema } },
  { method: 'post', path: '/api/rmas/:number/release', tag: 'rma-review', access: ['agent'], summary: 'Release a claimed RMA', ok: { schema: rmaReviewSchema } },
  { method: 'post', path: '/api/rmas/:number/approve-return', tag: 'rma-review', access: ['agent'], summary: 'Approve a return with the refund', body: rmaReview.returnBody, ok: { schema: rmaReviewSchema } },
  { method: 'post', path: '/api/rmas/:number/approve-exchange', tag: 'rma-review', access: ['agent'], summary: 'Approve an exchange with the replacement', body: rmaReview.exchangeBody, ok: { schema: rmaReviewSchema } },
  { method: 'post', path: '/api/rmas/:number/reject', tag: 'rma-review', access: ['agent'], summary: 'Reject an RMA, with a reason', body: rmaReview.rejectBody, ok: { schema: rmaReviewSchema } },
  { method: 'post', path: '/api/rmas/:number/refunded', tag: 'rma-review', access: ['department'], summary: 'Finance: the refund is paid', body: rmaReview.refundedBody, ok: { schema: rmaReviewSchema } },
  { method: 'post', path: '/api/rmas/:number/shipped', tag: 'rma-review', access: ['department'], summary: 'Logistics: the replacement is shipped', body: rmaReview.shippedBody, ok: { schema: rmaReviewSchema } },
  { method: 'get', path: '/api/scorecards', tag: 'scorecards', access: ['quality_controller', 'supervisor', 'team_lead'], summary: 'The scorecards', ok: { schema: scorecardsSchema } },
  { method: 'get', path: '/api/scorecards/:id', tag: 'scorecards', access: ['quality_controller', 'supervisor', 'team_lead'], summary: 'One scorecard with its versions', ok: { schema: scorecardDetailSchema } },
  { method: 'get', path: '/api/scorecards/:id/versions/:version', tag: 'scorecards', access: ['quality_controller', 'supervisor', 'team_lead'], summary: 'One version of a scorecard', ok: { schema: scorecardVersionSchema } },
  { method: 'post', path: '/api/scorecards', tag: 'scorecards', access: ['supervisor'], summary: 'Create a scorecard (audited)', body: scorecards.createBody, ok: { status: 201, schema: scorecardSchema } },
  { method: 'put', path: '/api/scorecards/:id', tag: 'scorecards', access: ['supervisor'], summary: 'Edit a scorecard; a new definition is a new version (audited)', body: scorecards.updateBody, ok: { schema: scorecardSchema } },
  { method: 'get', path: '/api/staff', tag: 'staff', access: ['admin', 'supervisor'], summary: 'Every staff account', ok: { schema: staffListSchema } },
  { method: 'post', path: '/api/staff', tag: 'staff', access: ['admin'], summary: 'Create a staff account (audited)', body: staff.newStaffBody, ok: { status: 201, schema: staffAccountSchema } },
  { method: 'patch', path: '/api/staff/:id', tag: 'staff', access: ['admin'], summary: 'Change an account: name, role, team, department, active (audited)', body: staff.staffChangesBody, ok: { schema: staffAccountSchema }, errors: { 404: 'No such account', 409: 'The account still has the demo password (reactivating), or its agent is on a call (role change)' } },
  { method: 'post', path: '/api/staff/:id/password-reset', tag: 'staff', access: ['admin'], summary: 'Reset an account\'s password (audited)', body: staff.passwordResetBody, ok: { schema: passwordResetSchema }, errors: { 404: 'No such account' } },
  { method: 'get', path: '/api/teams', tag: 'staff', access: ['dispatcher', 'team_lead', 'supervisor', 'admin'], summary: 'The teams and their members', ok: { schema: teamsSchema } },
  { method: 'get', path: '/api/reports/staffing', tag: 'staffing', access: ['supervisor', 'dispatcher', 'team_lead'], summary: 'Staffing: forecast calls and agents needed per interval (Erlang C)', query: staffing.staffingQuery(TZ), ok: { schema: staffingReportSchema, csv: true } },
  { method: 'get', path: '/api/surveys', tag: 'surveys', access: ['supervisor', 'dispatcher', 'team_lead'], summary: 'Post-call survey answers', query: surveys.surveysQuery(TZ), ok: { schema: surveysSchema } },
  { method: 'post', path: '/api/softphone/sim', tag: 'voice', access: ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor'], summary: 'Simulator mode only: register the caller\'s simulated softphone (it rings until answered from the console)', ok: { status: 201, schema: simSoftphoneSchema } },
  { method: 'get', path: '/api/softphone/sim', tag: 'voice', access: ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor'], summary: 'Simulator mode only: the simulated softphone\'s state (idle, ringing, in a call)', ok: { schema: simSoftphoneSchema } },
  { method: 'post', path: '/api/softphone/sim/answer', tag: 'voice', access: ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor'], summary: 'Simulator mode only: answer the ringing call on the simulated softphone', ok: { schema: simSoftphoneSchema } },
  { method: 'post', path: '/api/softphone/sim/hangup', tag: 'voice', access: ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor'], summary: 'Simulator mode only: hang up the simulated softphone\'s call', ok: { schema: simSoftphoneSchema } },
  { method: 'delete', path: '/api/softphone/sim', tag: 'voice', access: ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor'], summary: 'Simulator mode only: unregister the simulated softphone', ok: NO_CONTENT },
  { method: 'get', path: '/api/voice/token', tag: 'voice', access: ['agent', 'team_lead', 'dispatcher', 'quality_controller', 'supervisor'], summary: 'A softphone access token for the Twilio Voice SDK', ok: { schema: voiceTokenSchema } },
  { method: 'post', path: '/api/work-orders', tag: 'work-orders', access: ['agent', 'team_lead'], summary: 'Open a work order', body: workOrders.openBody, ok: { status: 201, schema: workOrderSchema } },
  { method: 'get', path: '/api/work-orders', tag: 'work-orders', access: ['agent', 'team_lead', 'supervisor', 'dispatcher', 'admin', 'department'], summary: 'Work orders the caller may see, with filters', query: workOrders.listQuery, ok: { schema: workOrdersSchema } },
  { method: 'get', path: '/api/work-orders/:id', tag: 'work-orders', access: ['agent', 'team_lead', 'supervisor', 'dispatcher', 'admin', 'department'], summary: 'One work order with its history', ok: { schema: workOrderDetailSchema }, errors: { 404: 'No such work order (or not one you may see)' } },
  { method: 'patch', path: '/api/work-orders/:id', tag: 'work-orders', access: ['agent', 'team_lead'], summary: 'Change a work order (note, department, priority)', body: workOrders.changeBody, ok: { schema: workOrderSchema }, errors: { 404: 'No such work order (or not one you may see)', 409: 'The work order is closed' } },
  { method: 'post', path: '/api/work-orders/:id/answer', tag: 'work-orders', access: ['department', 'supervisor', 'admin'], summary: 'A department\'s answer to a work order', body: workOrders.answerBody, ok: { schema: workOrderSchema } },
  { method: 'post', path: '/api/work-orders/:id/close', tag: 'work-orders', access: ['agent', 'team_lead', 'supervisor'], summary: 'Close a work order', body: workOrders.closeBody, ok: { schema: workOrderSchema }, errors: { 404: 'No such work order (or not one you may see)', 409: 'The work order cannot be closed from its status (open: resolve or forward it first)' } },
  { method: 'get', path: '/api/openapi.json', tag: 'api-docs', access: 'public', summary: 'This document (OpenAPI 3.1)', ok: { schema: z.object({ openapi: z.string(), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()) }).loose() } },
  { method: 'get', path: '/api/docs', tag: 'api-docs', access: 'public', summary: 'The reference page for integrators (Swagger UI, served from the package)', ok: { binary: 'text/html' } },
  { method: 'get', path: '/api/docs/assets/:file', tag: 'api-docs', access: 'public', summary: "The reference page's scripts and styles", ok: { binary: 'application/octet-stream' } },
];

/** `/api/staff/:id` as OpenAPI writes it: `/api/staff/{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');
const paramsOf = (path: string) => [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);

function accessLine(a: ApiAccess): string {
  if (a === 'public') return '**Access:** public (no sign-in).';
  if (a === 'integration-key') return '**Access:** integration key only (the order system); staff tokens are refused with 403.';
  return `**Roles:** ${a.join(', ')} (bearer token from POST /api/auth/login). Other roles get 403.`;
}

/** The shape a route answers with at `status` (for the tests that hold real answers against the document). */
export function answerSchema(route: ApiRoute, status: number): z.ZodType | undefined {
  if (route.tag === 'intake') return status === 201 ? intakeResultSchema : status === 200 ? z.union([intakeResultSchema, intakeBatchSchema]) : status === 422 ? intakeRejectedSchema : status >= 400 ? apiErrorSchema : undefined;
  const ok = route.ok ?? {};
  if (status === (ok.status ?? 200) || status === ok.also) return ok.schema;
  return status >= 400 ? apiErrorSchema : undefined;
}

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

/** What each error status looks like on the wire (the same `{error, message, details?}` for all of them). */
export const ERROR_EXAMPLES: Record<string, { error: string; message: string; details?: string[] }> = {
  400: { error: 'invalid', message: 'reason: a reason is required; priority: Too big: expected number to be <=99', details: ['reason: a reason is required', 'priority: Too big: expected number to be <=99'] },
  401: { error: 'unauthorized', message: 'Sign in first: the token is missing, expired or revoked' },
  403: { error: 'forbidden', message: 'This needs one of the roles: supervisor, admin' },
  404: { error: 'not_found', message: 'you have no live call' },
  409: { error: 'conflict', message: 'agent 4 is available, not on a break' },
  413: { error: 'payload_too_large', message: 'At most 1000 records per request (got 1200); split the batch' },
  429: { error: 'too_many_attempts', message: 'Too many failed sign-in attempts; try again later' },
  503: { error: 'busy', message: 'the carrier could not be asked about the call; nothing was started, try again' },
  default: { error: 'internal', message: 'Something went wrong; it has been logged' },
};

/** An error answer: the Error schema with the example of its status. */
const errorJson = (status: string, description: string) => ({ description, content: { 'application/json': { schema: apiErrorSchema, example: ERROR_EXAMPLES[status] ?? ERROR_EXAMPLES.default } } });

export interface ApiDocumentOptions {
  /** The service's version (package.json). */
  version: string;
}

/** The OpenAPI 3.1 document of API_ROUTES. */
export function buildApiDocument(o: ApiDocumentOptions): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'staffToken', {
    type: 'http',
    scheme: 'bearer',
    description: 'The token of POST /api/auth/login (valid 12 hours; revoked by sign-out, password changes, role changes and deactivation).',
  });
  registry.registerComponent('securitySchemes', 'integrationKey', { type: 'apiKey', in: 'header', name: 'X-Integration-Key', description: 'An integration key (ik_…) an admin created with POST /api/integration-keys.' });
  registry.registerComponent('securitySchemes', 'integrationKeyBearer', { type: 'http', scheme: 'bearer', description: 'The same integration key sent as `Authorization: Bearer ik_…`.' });

  for (const r of API_ROUTES) {
    const params = paramsOf(r.path);
    const ok = r.ok ?? {};
    const responses: Record<string, unknown> = {};
    if (r.tag === 'intake') {
      responses[201] = json(intakeResultSchema, 'One record, created');
      responses[200] = json(z.union([intakeResultSchema, intakeBatchSchema]), 'One record updated or unchanged, or a batch: a summary and one result per record');
      responses[413] = errorJson('413', `More than ${MAX_BATCH} records, or a body over 8 MB`);
      responses[422] = json(intakeRejectedSchema, 'One record, rejected: each field error with its path');
    } else {
      const status = ok.status ?? 200;
      for (const s of ok.also ? [status, ok.also] : [status]) {
        if (s === 204) responses[s] = { description: 'Done; no body' };
        else if (ok.binary) responses[s] = { description: ok.binary, content: { [ok.binary]: { schema: { type: 'string', format: 'binary' } } } };
        else {
          const content: Record<string, unknown> = { 'application/json': { schema: ok.schema ?? z.record(z.string(), z.unknown()).meta({ description: 'A JSON object' }) } };
          if (ok.csv) content['text/csv'] = { schema: { type: 'string' } };
          responses[s] = { description: s === 201 ? 'Created' : 'OK', content };
        }
      }
    }
    for (const [status, when] of Object.entries(r.errors ?? {})) responses[status] = errorJson(status, when);
    if (r.body || r.query || params.length) responses[400] = errorJson('400', 'Bad input: `message` says what, `details` lists each problem');
    if (r.access !== 'public') responses[401] = errorJson('401', r.access === 'integration-key' ? 'No integration key, or an unknown or revoked one' : 'No token, or an expired or revoked one');
    if (r.access !== 'public') responses[403] = errorJson('403', r.access === 'integration-key' ? 'A staff token: the intake takes integration keys only' : 'A role this route does not allow (written to the audit trail)');
    responses.default = errorJson('default', 'Other errors, same shape: 404 not found, 409 conflict, 415 not JSON, 422, 429 too many attempts and 503 busy (both with Retry-After), 500');

    registry.registerPath({
      method: r.method,
      path: openApiPath(r.path),
      operationId: `${r.method}${openApiPath(r.path).replace(/[{}]/g, '').split(/[/.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`,
      tags: [r.tag],
      summary: r.summary,
      description: [accessLine(r.access), r.description].filter(Boolean).join('\n\n'),
      security: r.access === 'public' ? [] : r.access === 'integration-key' ? [{ integrationKey: [] }, { integrationKeyBearer: [] }] : [{ staffToken: [] }],
      request: {
        params: params.length ? z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) : undefined,
        query: r.query as z.ZodObject | undefined,
        body: r.body ? { required: true, content: { 'application/json': { schema: r.body, ...(r.example ? { example: r.example } : {}) } } } : undefined,
      },
      responses: responses as never,
      'x-roles': r.access === 'public' || r.access === 'integration-key' ? r.access : [...r.access],
    } as Parameters<typeof registry.registerPath>[0]);
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Hotline call-center API',
      version: o.version,
      description: [
        'The staff API of the hotline (agents, floor, office, quality, reports, administration) and the order system\'s intake.',
        'Staff sign in with POST /api/auth/login and send `Authorization: Bearer <token>`; each route lists the roles it allows (also as `x-roles`).',
        'Every error answers `{error, message, details?}` (see the Error schema). Privileged actions, refused requests and sign-ins are written to the audit trail (GET /api/audit).',
      ].join('\n\n'),
    },
    servers: [{ url: '/', description: 'This server' }],
  }) as unknown as Record<string, unknown>;
}
