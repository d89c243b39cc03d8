// Recordings and quality control: the stored call recordings with their audio figures, scorecards (versioned),
// evaluations with their comments and disputes, and the quality work list.
import { sqliteTable, text, integer, real, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';

/** One recording of one call leg, in two channels: the customer on one, the agent (and anyone else) on the other. */
export const recordings = sqliteTable(
  'recordings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The carrier's RE…: a repeated status callback finds this row and stores nothing twice. */
    recordingSid: text('recording_sid').notNull(),
    /** The call leg recorded (the customer's call) and the conversation it belongs to. */
    callSid: text('call_sid').notNull(),
    interactionId: integer('interaction_id'),
    agentId: integer('agent_id'),
    teamId: integer('team_id'),
    desk: text('desk', { enum: ['front', 'middle', 'back'] }),
    customerId: integer('customer_id'),
    /** E.164; shown masked to everyone but quality staff. */
    customerPhone: text('customer_phone'),
    direction: text('direction', { enum: ['inbound', 'outbound'] }).notNull(),
    /** The interaction's disposition, copied for filtering. */
    disposition: text('disposition'),
    /** Which channel holds whom: channel 1 (index 0) the recorded leg's own party. */
    customerChannel: integer('customer_channel').notNull().default(0),
    channels: integer('channels').notNull().default(2),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    durationSeconds: integer('duration_seconds'),
    /** awaiting_media (callback seen, download queued) → stored | failed; → deleted by retention. */
    status: text('status', { enum: ['recording', 'awaiting_media', 'stored', 'failed', 'deleted'] }).notNull(),
    /** The carrier's media URL (checked against the carrier's host before any download). */
    mediaUrl: text('media_url'),
    /** Key in the recording store (a path under recordings/ on local disk). */
    storageKey: text('storage_key'),
    contentType: text('content_type'),
    sizeBytes: integer('size_bytes'),
    sha256: text('sha256'),
    storedAt: integer('stored_at', { mode: 'timestamp_ms' }),
    /** JSON [{start, end}] seconds from the recording's start where it was paused (sensitive data). */
    pauses: text('pauses').notNull().default('[]'),
    /** Kept past the retention period (a supervisor's or QA's flag). */
    keep: integer('keep', { mode: 'boolean' }).notNull().default(false),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
    // The audio figures (src/recordings/audio-signals.ts), once analysed.
    analysedAt: integer('analysed_at', { mode: 'timestamp_ms' }),
    customerTalkSeconds: real('customer_talk_seconds'),
    agentTalkSeconds: real('agent_talk_seconds'),
    agentTalkRatio: real('agent_talk_ratio'),
    longestSilenceSeconds: real('longest_silence_seconds'),
    talkOverCount: integer('talk_over_count'),
    talkOverSeconds: real('talk_over_seconds'),
    holdSeconds: real('hold_seconds'),
    /** JSON array of flag codes (long_silence, talk_over, agent_talk_ratio). */
    flags: text('flags').notNull().default('[]'),
    /** JSON of the full analysis (segments, silences, talk-over intervals, peaks) for the player. */
    analysis: text('analysis'),
  },
  (t) => [
    uniqueIndex('recordings_sid').on(t.recordingSid),
    index('recordings_call').on(t.callSid),
    index('recordings_started').on(t.startedAt),
    index('recordings_agent_started').on(t.agentId, t.startedAt),
    index('recordings_team_started').on(t.teamId, t.startedAt),
    index('recordings_status_started').on(t.status, t.startedAt),
  ],
);

/** A scorecard; its content lives in versions, so an evaluation keeps the version it was scored with. */
export const scorecards = sqliteTable('scorecards', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull().unique(),
  description: text('description'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  /** The version new evaluations use. */
  currentVersion: integer('current_version').notNull().default(1),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export const scorecardVersions = sqliteTable(
  'scorecard_versions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    scorecardId: integer('scorecard_id').notNull().references(() => scorecards.id),
    version: integer('version').notNull(),
    /** JSON {sections: [{id, title, weight, items: [{id, title, weight, scale: {min, max}, critical, description}]}]}. */
    definition: text('definition').notNull(),
    createdBy: integer('created_by').references(() => staff.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('scorecard_versions_version').on(t.scorecardId, t.version)],
);

export const evaluations = sqliteTable(
  'evaluations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordingId: integer('recording_id').notNull().references(() => recordings.id),
    scorecardVersionId: integer('scorecard_version_id').notNull().references(() => scorecardVersions.id),
    evaluatorId: integer('evaluator_id').notNull().references(() => staff.id),
    /** The agent evaluated (copied from the recording). */
    agentId: integer('agent_id').notNull(),
    /** A calibration evaluation: several controllers score one call to compare, not counted in the agent's figures. */
    calibration: integer('calibration', { mode: 'boolean' }).notNull().default(false),
    /** draft → submitted → acknowledged | disputed → resolved. */
    status: text('status', { enum: ['draft', 'submitted', 'acknowledged', 'disputed', 'resolved'] }).notNull(),
    /** JSON [{itemId, score | null (not applicable), comment}]. */
    answers: text('answers').notNull().default('[]'),
    /** 0–100, computed by the server; 0 when a critical item failed. */
    score: real('score'),
    criticalFailed: integer('critical_failed', { mode: 'boolean' }).notNull().default(false),
    summary: text('summary'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    submittedAt: integer('submitted_at', { mode: 'timestamp_ms' }),
    acknowledgedAt: integer('acknowledged_at', { mode: 'timestamp_ms' }),
    disputeReason: text('dispute_reason'),
    disputedAt: integer('disputed_at', { mode: 'timestamp_ms' }),
    /** upheld (score stands) or changed (the supervisor rescored: answers/score replaced, the old kept in history). */
    resolution: text('resolution', { enum: ['upheld', 'changed'] }),
    resolutionNote: text('resolution_note'),
    resolvedBy: integer('resolved_by'),
    resolvedAt: integer('resolved_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('evaluations_recording').on(t.recordingId), index('evaluations_agent_submitted').on(t.agentId, t.submittedAt), index('evaluations_status').on(t.status), index('evaluations_submitted').on(t.submittedAt)],
);

/** A comment tied to a moment of the recording. */
export const evaluationComments = sqliteTable(
  'evaluation_comments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    evaluationId: integer('evaluation_id').notNull().references(() => evaluations.id),
    authorId: integer('author_id').notNull(),
    /** Seconds from the recording's start. */
    atSeconds: real('at_seconds').notNull(),
    itemId: text('item_id'),
    text: text('text').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('evaluation_comments_evaluation').on(t.evaluationId)],
);

/** The quality work list: calls picked for evaluation, each assigned to at most one controller. */
export const qaAssignments = sqliteTable(
  'qa_assignments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recordingId: integer('recording_id').notNull().references(() => recordings.id),
    /** random | complaint | flagged | outlier | manual */
    reason: text('reason').notNull(),
    /** The sampling run's week (e.g. 2026-W48), so a rerun picks nothing twice. */
    period: text('period').notNull(),
    status: text('status', { enum: ['open', 'assigned', 'done'] }).notNull().default('open'),
    assignedTo: integer('assigned_to'),
    assignedAt: integer('assigned_at', { mode: 'timestamp_ms' }),
    evaluationId: integer('evaluation_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('qa_assignments_recording_period').on(t.recordingId, t.period), index('qa_assignments_status').on(t.status, t.createdAt)],
);
