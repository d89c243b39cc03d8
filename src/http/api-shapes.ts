// The shapes the main routes answer with, as zod schemas: they describe the responses in the OpenAPI document and
// the tests validate real answers with them. Objects are not strict: a field added later is not a breaking change.
import { z } from 'zod';
import { AGENT_STATES, ROLES } from '../db/schema/index';
import { DESKS } from '../acd/desks.service';
import { OVERFLOW_ACTIONS } from '../acd/queue-settings.repo';

const instant = z.iso.datetime({ offset: true }).meta({ description: 'ISO 8601 time', example: '2026-11-23T03:00:00.000Z' });
const desk = z.enum(DESKS);

export const apiErrorSchema = z
  .object({
    error: z.string().meta({ description: 'A stable code: invalid, unauthorized, forbidden, not_found, conflict, unprocessable, too_many_attempts, busy...' }),
    message: z.string().meta({ description: 'For people: what went wrong and what to do' }),
    details: z.array(z.string()).optional().meta({ description: 'One line per problem (bad input), `field: problem`' }),
  })
  .meta({ id: 'Error', example: { error: 'invalid', message: 'state: state must be one of available, break, offline, wrap_up', details: ['state: state must be one of available, break, offline, wrap_up'] } });

export const staffSchema = z
  .object({ id: z.number().int(), username: z.string(), displayName: z.string(), role: z.enum(ROLES), teamId: z.number().int().nullable() })
  .meta({ id: 'StaffMember', example: { id: 11, username: 'supervisor1', displayName: '黄蕾', role: 'supervisor', teamId: null } });

export const sessionSchema = z
  .object({ token: z.string(), expiresAt: instant, staff: staffSchema, mustChangePassword: z.boolean() })
  .meta({ id: 'Session', example: { token: 'Qm9vdHN0cmFw…', expiresAt: '2026-11-23T15:00:00.000Z', staff: { id: 11, username: 'supervisor1', displayName: '黄蕾', role: 'supervisor', teamId: null }, mustChangePassword: false } });

export const presenceSchema = z
  .object({
    agentId: z.number().int(),
    state: z.enum(AGENT_STATES),
    reason: z.string().nullable(),
    since: instant,
    nextState: z.string().nullable(),
    nextReason: z.string().nullable(),
    wrapUpUntil: instant.nullable(),
  })
  .meta({ id: 'Presence', example: { agentId: 1, state: 'available', reason: null, since: '2026-11-23T03:00:00.000Z', nextState: null, nextReason: null, wrapUpUntil: null } });

export const floorSchema = z
  .object({
    at: instant,
    queues: z.array(
      z.object({
        name: z.string(),
        desk,
        serviceLevelSeconds: z.number().int(),
        maxWaitSeconds: z.number().int(),
        waiting: z.number().int(),
        longestWaitSeconds: z.number().int(),
        pastServiceLevel: z.number().int(),
        calls: z.array(z.object({ callSid: z.string(), priority: z.number(), reason: z.string().nullable(), waitedSeconds: z.number().int(), ringingAgentId: z.number().int().nullable() })),
      }),
    ),
    agents: z.record(desk, z.record(z.string(), z.number().int())).meta({ description: 'Agents per desk and state (an agent on two desks counts on both)' }),
    monitoring: z.array(z.object({ sessionId: z.number().int(), agentId: z.number().int(), monitorId: z.number().int(), mode: z.enum(['listen', 'whisper', 'barge']), status: z.string(), since: instant })),
  })
  .meta({ id: 'Floor' });

export const queueSettingsSchema = z
  .object({
    name: z.string(),
    desk,
    serviceLevelSeconds: z.number().int(),
    maxWaitSeconds: z.number().int(),
    overflowAction: z.enum(OVERFLOW_ACTIONS),
    overflowQueue: z.string().nullable(),
    wrapUpSeconds: z.number().int(),
    postCallSurvey: z.boolean(),
  })
  .meta({ id: 'QueueSettings', example: { name: 'front-general', desk: 'front', serviceLevelSeconds: 15, maxWaitSeconds: 600, overflowAction: 'callback_or_voicemail', overflowQueue: null, wrapUpSeconds: 30, postCallSurvey: false } });

export const queuesSchema = z.object({ queues: z.array(queueSettingsSchema) });

const page = { offset: z.number().int(), limit: z.number().int(), nextOffset: z.number().int().nullable() };

export const callbackSchema = z
  .object({
    id: z.number().int(),
    type: z.string(),
    desk,
    status: z.string(),
    priority: z.number(),
    reason: z.string(),
    requestedAt: instant,
    dueAt: instant,
    owner: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    customer: z.object({ id: z.number().int(), name: z.string().nullable(), tier: z.string().nullable() }).nullable(),
    phone: z.string().meta({ description: 'Masked unless the caller may dial it' }),
    insideCallingHours: z.boolean(),
    attemptCount: z.number().int(),
  })
  .meta({ id: 'Callback' });

export const callbacksPageSchema = z.object({ items: z.array(callbackSchema), ...page });

export const recordingSchema = z
  .object({
    id: z.number().int(),
    startedAt: instant,
    durationSeconds: z.number().nullable(),
    direction: z.string(),
    desk: z.string().nullable(),
    status: z.string(),
    agent: z.object({ id: z.number().int(), name: z.string().nullable() }).nullable(),
    customer: z.object({ id: z.number().int().nullable(), phone: z.string().nullable() }),
    flags: z.array(z.string()),
    keep: z.boolean(),
    hasAudio: z.boolean(),
  })
  .meta({ id: 'Recording' });

export const recordingsPageSchema = z.object({ recordings: z.array(recordingSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int().nullable(), nextOffset: z.number().int().nullable(), nextCursor: z.string().nullable() });

const int = z.number().int();
const named = z.object({ id: int, name: z.string().nullable() });
const deskSkill = z.object({ desk, skill: int });
const ratio = z.number().nullable().meta({ description: 'A share from 0 to 1; null with nothing to divide by' });
const seconds = z.number().nullable().meta({ description: 'Seconds; null with no calls to average' });

export const agentOnFloorSchema = z
  .object({
    id: int,
    username: z.string(),
    displayName: z.string(),
    active: z.boolean(),
    team: z.object({ id: int, name: z.string() }).nullable(),
    desks: z.array(deskSkill).meta({ description: 'Desks in routing order, each with the skill (1-5) on it' }),
    presence: z.object({ state: z.enum(AGENT_STATES), reason: z.string().nullable(), since: instant.nullable() }),
  })
  .meta({ id: 'AgentOnFloor', example: { id: 1, username: 'agent1', displayName: '陈静', active: true, team: { id: 1, name: '前台一组' }, desks: [{ desk: 'front', skill: 5 }], presence: { state: 'available', reason: null, since: '2026-11-23T03:00:00.000Z' } } });

export const agentsSchema = z.object({ agents: z.array(agentOnFloorSchema) });

/** POST /api/floor/agents/:id/move. */
export const agentDesksSchema = z.object({ id: int, desks: z.array(deskSkill) });
/** POST /api/floor/calls/:callSid/priority. */
export const waitingCallSchema = z.object({ callSid: z.string(), queue: z.string(), priority: int, enqueuedAt: instant });
/** POST /api/floor/calls/:callSid/assign (202). */
export const assignedSchema = z.object({ interactionId: int });
/** POST /api/floor/queues/:name/overflow. */
export const overflowChangedSchema = z.object({ queue: queueSettingsSchema, moved: z.array(z.string()).meta({ description: 'CallSids of the callers moved to the overflow queue now' }) });

export const callbackAttemptSchema = z
  .object({ id: int, state: z.string(), result: z.string().nullable(), answeredBy: z.string().nullable(), at: instant, dialedAt: instant.nullable(), endedAt: instant.nullable(), agent: named.nullable(), note: z.string().nullable() })
  .meta({ id: 'CallbackAttempt' });

export const callbackDetailSchema = callbackSchema
  .extend({
    language: z.string(),
    eligibleAt: instant,
    reservedBy: int.nullable(),
    timeZone: z.string(),
    customerLocalTime: z.string(),
    queueSeconds: z.number(),
    lastResult: z.string().nullable(),
    attempts: z.array(callbackAttemptSchema),
    outcome: z.string().nullable(),
    callSid: z.string().nullable(),
    updatedAt: instant,
    closedAt: instant.nullable(),
  })
  .meta({ id: 'CallbackDetail' });

export const recordingDetailSchema = recordingSchema
  .extend({
    team: named.nullable(),
    disposition: z.string().nullable(),
    callSid: z.string(),
    interactionId: int.nullable(),
    channels: int,
    customerChannel: int.nullable(),
    contentType: z.string().nullable(),
    sizeBytes: int.nullable(),
    storedAt: instant.nullable(),
    pauses: z.array(z.object({ start: z.number(), end: z.number() })).meta({ description: 'Recording paused by the agent, seconds into the file' }),
    holds: z.array(z.object({ start: z.number(), end: z.number().nullable() })).meta({ description: 'The customer on hold, seconds into the file' }),
    survey: z.object({ id: int, callSid: z.string(), interactionId: int, rating: int }).loose().nullable(),
    analysis: z.object({}).loose().nullable(),
    peaks: z.unknown().nullable(),
    evaluations: z.array(z.object({ id: int, score: z.number().nullable(), status: z.string(), calibration: z.boolean(), criticalFailed: z.boolean().nullable(), evaluator: named, createdAt: instant, submittedAt: instant.nullable() })),
    comments: z.array(z.object({ id: int, evaluationId: int, atSeconds: z.number().nullable(), itemId: z.string().nullable(), text: z.string(), author: named, createdAt: instant })),
    audio: z.object({ url: z.string(), playbackTicketUrl: z.string(), downloadUrl: z.string().nullable().meta({ description: 'null when the caller may not download' }) }),
  })
  .meta({ id: 'RecordingDetail' });

export const evaluationSchema = z
  .object({
    id: int,
    recordingId: int,
    scorecardVersionId: int,
    evaluatorId: int,
    agentId: int.nullable(),
    calibration: z.boolean(),
    status: z.string(),
    score: z.number().nullable(),
    criticalFailed: z.boolean().nullable(),
    summary: z.string().nullable(),
    createdAt: instant,
    submittedAt: instant.nullable(),
    acknowledgedAt: instant.nullable(),
    disputeReason: z.string().nullable(),
    disputedAt: instant.nullable(),
    resolution: z.string().nullable(),
    resolutionNote: z.string().nullable(),
    resolvedBy: int.nullable(),
    resolvedAt: instant.nullable(),
  })
  .meta({ id: 'Evaluation' });

const evaluationAnswers = z
  .array(z.object({ itemId: z.string(), score: z.number().nullable().meta({ description: 'null: not applicable' }), comment: z.string().nullable().optional() }))
  .meta({ description: "One answer per scorecard item answered so far" });

export const evaluationsSchema = z.array(evaluationSchema.extend({ teamId: int.nullable(), answers: evaluationAnswers }));

export const evaluationCommentSchema = z
  .object({ id: int, authorId: int, atSeconds: z.number().nullable(), itemId: z.string().nullable(), text: z.string(), createdAt: instant })
  .meta({ id: 'EvaluationComment' });

export const evaluationDetailSchema = evaluationSchema
  .extend({
    answers: evaluationAnswers,
    scorecard: z.object({ scorecardId: int, id: int, version: int, definition: z.object({ sections: z.array(z.unknown()) }).loose(), createdBy: int.nullable(), createdAt: instant }),
    comments: z.array(evaluationCommentSchema),
    history: z.array(z.object({ action: z.string(), actorId: int.nullable(), fromStatus: z.string().nullable(), toStatus: z.string().nullable(), note: z.string().nullable(), data: z.unknown(), at: instant })),
  })
  .meta({ id: 'EvaluationDetail' });

const figures = {
  offered: int,
  answered: int,
  abandoned: int,
  shortAbandoned: int,
  abandonRate: ratio,
  serviceLevel: ratio,
  averageSpeedOfAnswerSeconds: seconds,
  handled: int,
  averageHandlingSeconds: seconds,
  averageTalkSeconds: seconds,
  averageHoldSeconds: seconds,
  averageWrapUpSeconds: seconds,
  occupancy: ratio,
  firstContactResolution: ratio,
  callbacksClosed: int,
  callbacksReached: int,
  callbackCompletion: ratio,
  averageTimeToCallbackSeconds: seconds,
  surveys: int,
  satisfaction: z.number().nullable(),
  complaints: int,
  complaintRate: ratio,
  evaluations: int,
  qualityScore: z.number().nullable(),
};

export const contactCenterReportSchema = z
  .object({
    from: instant,
    to: instant,
    timeZone: z.string(),
    interval: z.string(),
    groupBy: z.string(),
    rolledThrough: instant.nullable().meta({ description: 'Intervals before this came from the rollup; null: all computed live' }),
    rows: z.array(z.object({ intervalStart: instant, intervalEnd: instant, key: z.string(), name: z.string().nullable(), ...figures })),
    totals: z.array(z.object({ key: z.string(), name: z.string().nullable(), ...figures })),
  })
  .meta({ id: 'ContactCenterReport', description: 'Every figure is defined in docs/metrics.md' });

export const staffingReportSchema = z
  .object({
    from: instant,
    to: instant,
    intervalMinutes: int,
    serviceLevelTarget: z.number(),
    maxOccupancy: z.number().nullable(),
    rows: z.array(
      z.object({
        scope: z.enum(['queue', 'desk']),
        name: z.string(),
        desk,
        intervalStart: instant,
        intervalEnd: instant,
        offered: int,
        handled: int,
        averageHandleSeconds: z.number().nullable(),
        handleTimeFrom: z.enum(['interval', 'range', 'default']).nullable(),
        erlangs: z.number(),
        serviceLevelSeconds: int,
        serviceLevelTarget: z.number(),
        staffed: z.number(),
        needed: int,
        difference: z.number(),
      }),
    ),
  })
  .meta({ id: 'StaffingReport' });

export const qualityReportSchema = z
  .object({
    from: instant,
    to: instant,
    groupBy: z.string(),
    groups: z.array(z.object({ key: z.string(), evaluations: int, averageScore: z.number().nullable(), criticalFailed: int, disputed: int, disputeRate: ratio, upheld: int, changed: int, recordings: int, flagged: int, flags: z.record(z.string(), int) }).loose()),
    mostFailedItems: z.array(z.object({ itemId: z.string(), title: z.string(), fails: int, scored: int, share: z.number() })),
  })
  .meta({ id: 'QualityReport' });

export const monitorSessionSchema = z
  .object({
    id: int,
    agentId: int,
    interactionId: int,
    mode: z.enum(['listen', 'whisper', 'barge']),
    status: z.string().meta({ description: 'dialing (your softphone rings), joined, ended' }),
    startedAt: instant,
    joinedAt: instant.nullable(),
    endedAt: instant.nullable(),
    endReason: z.string().nullable(),
  })
  .meta({ id: 'MonitorSession', example: { id: 3, agentId: 1, interactionId: 12, mode: 'listen', status: 'joined', startedAt: '2026-11-23T03:01:00.000Z', joinedAt: '2026-11-23T03:01:02.000Z', endedAt: null, endReason: null } });

export const holdStateSchema = z
  .object({ interactionId: int, onHold: z.boolean(), hold: z.object({ id: int, startedAt: instant, endedAt: instant.nullable() }) })
  .meta({ id: 'HoldState' });

export const alertSettingsSchema = z
  .object({ settings: z.record(z.string(), z.object({ kind: z.string(), enabled: z.boolean(), raiseAt: z.number(), clearAt: z.number(), holdSeconds: int, minCalls: int })) })
  .meta({ id: 'AlertSettings' });

export const wsTicketSchema = z.object({ ticket: z.string(), expiresAt: instant }).meta({ id: 'WsTicket', description: 'Single use, 30 s: for ?ticket= on /ws, the recording player and /admin/queues/login' });

export const voiceTokenSchema = z
  .object({ token: z.string().meta({ description: 'A Twilio Voice SDK access token (JWT); renew before expiresAt' }), identity: z.string(), expiresAt: instant, mode: z.enum(['live', 'simulator']) })
  .meta({ id: 'VoiceToken' });

export const dispositionsSchema = z.array(z.object({ code: z.string(), label: z.string(), description: z.string() })).meta({ id: 'Dispositions' });

export const dispositionSetSchema = z.object({ interactionId: int, callSid: z.string(), agentId: int.nullable(), status: z.string(), disposition: z.string().nullable() });

const dncEntry = { phone: z.string().meta({ description: 'Masked unless the caller may dial it' }), reason: z.string().nullable(), addedBy: int.nullable(), addedAt: instant };
export const doNotCallPageSchema = z.object({ entries: z.array(z.object(dncEntry)), ...page });
export const doNotCallAddedSchema = z.object({ ...dncEntry, added: z.boolean(), closedCallbacks: z.array(int) });

export const callbackSettingSchema = z
  .object({ type: z.string(), mode: z.string(), callingStart: z.string(), callingEnd: z.string(), maxAttempts: int, retryMinutes: int })
  .meta({ id: 'CallbackSetting' });
export const callbackSettingsSchema = z.array(callbackSettingSchema);

const floorAlert = z
  .object({ id: int, kind: z.string(), subject: z.string(), agentId: int.nullable(), teamId: int.nullable(), raisedValue: z.number(), raiseAt: z.number(), clearAt: z.number(), message: z.string(), raisedAt: instant, clearedValue: z.number().nullable(), clearedAt: instant.nullable() })
  .meta({ id: 'FloorAlert' });
export const alertsSchema = z.object({ active: z.array(floorAlert), history: z.array(floorAlert) });

const integrationKey = { id: int, name: z.string(), prefix: z.string(), createdBy: int.nullable(), createdAt: instant, revokedAt: instant.nullable(), lastUsedAt: instant.nullable() };
export const integrationKeySchema = z.object(integrationKey).meta({ id: 'IntegrationKey' });
export const integrationKeysSchema = z.array(integrationKeySchema);
export const integrationKeyCreatedSchema = z.object({ ...integrationKey, key: z.string().meta({ description: 'The key itself (ik_…), shown this once; only its sha256 is stored' }) });

const account = { id: int, username: z.string(), displayName: z.string(), role: z.enum(ROLES), teamId: int.nullable(), department: z.string().nullable(), active: z.boolean(), createdAt: instant };
export const staffAccountSchema = z.object({ ...account, team: z.object({ id: int, name: z.string() }).nullable(), desks: z.array(deskSkill) }).meta({ id: 'StaffAccount' });
export const staffListSchema = z.object({ staff: z.array(staffAccountSchema) });
export const passwordResetSchema = z.object({ id: int, username: z.string(), mustChangePassword: z.boolean(), temporaryPassword: z.string().optional().meta({ description: 'Only when the server generated it: give it to the person, it is not shown again' }) });
export const teamsSchema = z.object({ teams: z.array(z.object({ id: int, name: z.string(), leadId: int.nullable(), members: z.array(z.object(account)) })) });

const scorecardVersion = z.object({ id: int, version: int, definition: z.object({ sections: z.array(z.unknown()) }).loose(), createdBy: int.nullable(), createdAt: instant }).meta({ id: 'ScorecardVersion' });
export const scorecardSchema = z
  .object({ id: int, name: z.string(), description: z.string().nullable(), active: z.boolean(), currentVersion: int, createdAt: instant, current: scorecardVersion })
  .meta({ id: 'Scorecard' });
export const scorecardsSchema = z.array(scorecardSchema);
export const scorecardDetailSchema = scorecardSchema.extend({ versions: z.array(z.object({ id: int, version: int, createdBy: int.nullable(), createdAt: instant })) });
export { scorecardVersion as scorecardVersionSchema };

export const surveysSchema = z.object({
  total: int,
  average: z.number().nullable(),
  answers: z.array(z.object({ id: int, callSid: z.string(), interactionId: int, agentId: int, teamId: int.nullable(), queue: z.string(), desk: z.string(), rating: int, answeredAt: instant, comment: z.object({ seconds: z.number().nullable(), recordedAt: instant.nullable(), stored: z.boolean() }).nullable() })),
});

export const workOrderSchema = z
  .object({
    id: int,
    number: z.string(),
    status: z.string(),
    category: z.string(),
    complaintType: z.string().nullable(),
    description: z.string(),
    orderNumber: z.string().nullable(),
    customerId: int.nullable(),
    callSid: z.string().nullable(),
    agentId: int.nullable(),
    department: z.string().nullable(),
    departmentAnswer: z.string().nullable(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'WorkOrder' });
export const workOrdersSchema = z.array(workOrderSchema);
export const workOrderDetailSchema = workOrderSchema.extend({ history: z.array(z.object({ id: int, action: z.string(), fromStatus: z.string().nullable(), toStatus: z.string().nullable(), actorId: int.nullable(), note: z.string().nullable(), at: instant })) });

export const qaSamplingSchema = z.object({ period: z.string(), candidates: int, added: int, byReason: z.record(z.string(), int) });
const qaAssignment = { id: int, recordingId: int, reason: z.string(), period: z.string(), status: z.string(), assignedTo: int.nullable(), assignedAt: instant.nullable(), evaluationId: int.nullable(), createdAt: instant };
export const qaAssignmentSchema = z.object(qaAssignment).meta({ id: 'QaAssignment' });
const workListItem = z.object({ ...qaAssignment, recording: z.object({ agentId: int.nullable(), teamId: int.nullable(), desk: z.string().nullable(), direction: z.string(), startedAt: instant, durationSeconds: z.number().nullable(), flags: z.array(z.string()) }) });
export const qaWorkListSchema = z.object({ open: z.array(workListItem), mine: z.array(workListItem) });

const reviewCustomer = z.object({ id: int, name: z.string().nullable(), tier: z.string().nullable() }).loose().nullable();
const claim = z.object({ agentId: int, until: instant }).nullable().meta({ description: 'Who is reviewing it, until when (then it goes back to the list)' });
const reviewHistory = z.array(z.object({ action: z.string(), actorId: int.nullable(), at: instant }).loose());
export const rmaReviewSchema = z
  .object({ id: int, number: z.string(), kind: z.string(), status: z.string(), reason: z.string().nullable(), orderNumber: z.string().nullable(), customer: reviewCustomer, quantity: int.nullable(), policy: z.object({ eligible: z.boolean(), reasons: z.array(z.string()) }).loose(), claim, createdAt: instant, updatedAt: instant })
  .loose()
  .meta({ id: 'RmaUnderReview' });
export const rmaReviewPageSchema = z.object({ items: z.array(rmaReviewSchema), total: int, limit: int, offset: int });
export const rmaReviewDetailSchema = rmaReviewSchema.extend({ history: reviewHistory, callbacks: z.array(z.unknown()) });
export const orderReviewSchema = z
  .object({
    id: int,
    number: z.string(),
    status: z.string(),
    review: z.string().nullable(),
    amountFen: int,
    paidFen: int.nullable(),
    items: z.array(z.object({ sku: z.string(), quantity: int, priceFen: int }).loose()),
    phone: z.string().nullable(),
    placedAt: instant,
    heldAt: instant.nullable(),
    holdReasons: z.array(z.object({ rule: z.string() }).loose()),
    checklist: z.array(z.object({ item: z.string() }).loose()),
    claim,
    customer: reviewCustomer,
    decidedBy: int.nullable(),
    decidedAt: instant.nullable(),
    updatedAt: instant,
  })
  .loose()
  .meta({ id: 'OrderUnderReview' });
export const orderReviewPageSchema = z.object({ items: z.array(orderReviewSchema), total: int, limit: int, offset: int });
export const orderReviewDetailSchema = orderReviewSchema.extend({ history: reviewHistory, questions: z.array(z.unknown()) });

export const interactionEndedSchema = z.object({ id: int, status: z.string(), endedAt: instant.nullable(), agentId: int.nullable(), callSid: z.string() });

const dialAttempt = z
  .object({ id: int, state: z.string(), agentId: int.nullable(), result: z.string().nullable(), answeredBy: z.string().nullable(), callSid: z.string().nullable(), note: z.string().nullable(), createdAt: instant, dialedAt: instant.nullable(), endedAt: instant.nullable() })
  .meta({ id: 'DialAttempt' });
export const callbackCallSchema = z.object({ callbackId: int, attempt: dialAttempt });
export const callbackOutcomeSchema = z.object({ id: int, status: z.string(), outcome: z.string().nullable(), attempts: int, dueAt: instant, attemptList: z.array(dialAttempt) });

export const recordingPausedSchema = z.object({ id: int, paused: z.boolean(), pauses: z.array(z.object({ start: z.number(), end: z.number().nullable() })) });
export const playbackTicketSchema = z.object({ ticket: z.string(), url: z.string().meta({ description: 'The audio URL with the ticket, for an <audio> element' }), expiresAt: instant });
export const recordingKeptSchema = z.object({ id: int, keep: z.boolean() });

const spread = z.number().nullable();
export const calibrationSchema = z.object({
  recordingId: int,
  evaluators: z.array(z.object({ evaluationId: int, evaluatorId: int, calibration: z.boolean(), scorecardVersionId: int, score: z.number().nullable() })),
  items: z.array(z.object({ itemId: z.string(), title: z.string(), scale: z.object({ min: z.number(), max: z.number() }), scores: z.array(z.object({ evaluatorId: int, score: z.number().nullable() })), spread, standardDeviation: spread })),
  total: z.object({ spread, standardDeviation: spread, mean: spread }),
});

export const ivrFlowsSchema = z.object({
  flows: z.array(
    z.object({ id: z.string(), description: z.string().nullable(), numbers: z.array(z.string()), purpose: z.string(), start: z.string(), defaultLanguage: z.string(), nodes: z.array(z.object({ id: z.string(), type: z.string() }).loose()) }),
  ),
});

const simLeg = z.object({ callSid: z.string(), from: z.string() }).nullable();
export const simSoftphoneSchema = z.object({ identity: z.string(), ringing: simLeg, connected: simLeg }).meta({ id: 'SimSoftphone', description: 'Simulator mode only' });

const fieldError = z.object({ path: z.string().meta({ description: "Dotted path inside the record (customer.phone, items.0.price); '' for the record" }), message: z.string() });

export const intakeResultSchema = z
  .object({
    index: z.number().int().meta({ description: "The record's position in the request (0-based)" }),
    number: z.string().optional(),
    result: z.enum(['created', 'updated', 'unchanged', 'rejected']),
    id: z.number().int().optional(),
    status: z.string().optional(),
    review: z.string().nullable().optional(),
    errors: z.array(fieldError).optional(),
  })
  .meta({ id: 'IntakeResult', example: { index: 0, number: 'ERP-0001', result: 'created', id: 42, status: 'confirmed', review: 'auto_approved' } });

export const intakeBatchSchema = z
  .object({ created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), rejected: z.number().int(), results: z.array(intakeResultSchema) })
  .meta({
    id: 'IntakeBatchResult',
    example: {
      created: 1,
      updated: 0,
      unchanged: 0,
      rejected: 1,
      results: [
        { index: 0, number: 'ERP-0001', result: 'created', id: 42, status: 'confirmed', review: 'auto_approved' },
        { index: 1, number: 'ERP-0002', result: 'rejected', errors: [{ path: 'customer.phone', message: 'customer.phone must be an E.164 number like +8613800138000' }] },
      ],
    },
  });

export const intakeRejectedSchema = z
  .object({ error: z.literal('invalid_record'), message: z.string(), errors: z.array(fieldError) })
  .meta({ id: 'IntakeRejected', example: { error: 'invalid_record', message: 'placedAt: placedAt must be an ISO 8601 time with a zone, like 2026-11-23T10:00:00+08:00', errors: [{ path: 'placedAt', message: 'placedAt must be an ISO 8601 time with a zone, like 2026-11-23T10:00:00+08:00' }] } });

/** The worked example of the intake documentation (docs/intake-api.md): one prepaid order. */
export const EXAMPLE_ORDER = {
  number: 'ERP-20261123-0001',
  version: 1,
  customer: { accountNumber: 'C-100234', name: '王芳', phone: '+8613800138000', tier: 'returning' },
  payment: 'prepaid',
  amount: '398.00',
  paid: '398.00',
  items: [{ sku: 'CUP-350', name: '保温杯 350ml', quantity: 2, price: '199.00' }],
  address: '上海市黄浦区南京东路 1 号',
  phone: '+8613800138000',
  invoice: { title: '上海某某有限公司', taxId: '91310000MA1FL0000X' },
  placedAt: '2026-11-23T10:00:00+08:00',
} as const;

export const EXAMPLE_RMA = {
  number: 'RMA-20261125-0007',
  version: 1,
  orderNumber: 'ERP-20261123-0001',
  kind: 'return',
  itemSku: 'CUP-350',
  itemName: '保温杯 350ml',
  quantity: 1,
  paid: '199.00',
  deliveredAt: '2026-11-24T15:20:00+08:00',
  qcPassed: true,
  reason: '颜色与图片不符',
  createdAt: '2026-11-25T09:00:00+08:00',
} as const;
