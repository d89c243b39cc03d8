// The post-call survey: the caller's 1-5 rating of the call they just had, and an optional recorded comment.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { staff } from './staff';
import { calls } from './calls';
import { interactions } from './acd';

/** One answer per conversation (interaction); the row exists once the caller gave a rating. */
export const surveyResponses = sqliteTable(
  'survey_responses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callSid: text('call_sid').notNull().references(() => calls.sid),
    interactionId: integer('interaction_id').notNull().references(() => interactions.id),
    agentId: integer('agent_id').notNull().references(() => staff.id),
    /** The agent's team at the time of the call (a team lead sees their team's answers). */
    teamId: integer('team_id'),
    /** The queue the caller was answered from. */
    queue: text('queue').notNull(),
    desk: text('desk', { enum: ['front', 'middle', 'back'] }).notNull(),
    customerId: integer('customer_id'),
    /** 1 (very unhappy) to 5 (very happy). */
    rating: integer('rating').notNull(),
    answeredAt: integer('answered_at', { mode: 'timestamp_ms' }).notNull(),
    /** The recorded comment (a <Record> on the caller's leg), if the caller left one. */
    commentRecordingSid: text('comment_recording_sid'),
    commentRecordingUrl: text('comment_recording_url'),
    commentSeconds: integer('comment_seconds'),
    /** Path under recordings/ once the comment's audio is downloaded. */
    commentLocalPath: text('comment_local_path'),
    commentedAt: integer('commented_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('survey_responses_interaction').on(t.interactionId),
    index('survey_responses_call').on(t.callSid),
    index('survey_responses_answered').on(t.answeredAt),
    index('survey_responses_agent').on(t.agentId, t.answeredAt),
  ],
);
