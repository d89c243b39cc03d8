// The contact-center figures rolled up per dimension at three grains: 15 minutes, and the local hours and days made of
// them (sums and counts, never ratios, so any interval and group adds up), and how far the rollup has gone.
import { sqliteTable, text, integer, real, primaryKey } from 'drizzle-orm/sqlite-core';

export const REPORT_DIMENSIONS = ['desk', 'queue', 'team', 'agent'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export const ROLLUP_GRAINS = ['15m', 'hour', 'day'] as const;

export const reportRollups = sqliteTable(
  'report_rollups',
  {
    dimension: text('dimension', { enum: REPORT_DIMENSIONS }).notNull(),
    /** 15m rows for every rolled interval; hour and day rows (their sums) only for hours and days wholly rolled up. */
    grain: text('grain', { enum: ROLLUP_GRAINS }).notNull(),
    /** The desk, queue name, team id or agent id; `none` for facts without one (a call abandoned before any agent). */
    key: text('key').notNull(),
    /** Epoch ms of the interval's start (a local hour or day in the center's time zone for those grains). */
    intervalStart: integer('interval_start').notNull(),
    offered: integer('offered').notNull().default(0),
    answered: integer('answered').notNull().default(0),
    abandoned: integer('abandoned').notNull().default(0),
    shortAbandoned: integer('short_abandoned').notNull().default(0),
    answeredInTarget: integer('answered_in_target').notNull().default(0),
    answerWaitMs: integer('answer_wait_ms').notNull().default(0),
    handled: integer('handled').notNull().default(0),
    talkMs: integer('talk_ms').notNull().default(0),
    holdMs: integer('hold_ms').notNull().default(0),
    wrapUpMs: integer('wrap_up_ms').notNull().default(0),
    staffedMs: integer('staffed_ms').notNull().default(0),
    busyMs: integer('busy_ms').notNull().default(0),
    fcrCalls: integer('fcr_calls').notNull().default(0),
    fcrResolved: integer('fcr_resolved').notNull().default(0),
    callbacksClosed: integer('callbacks_closed').notNull().default(0),
    callbacksReached: integer('callbacks_reached').notNull().default(0),
    callbackWaitMs: integer('callback_wait_ms').notNull().default(0),
    surveys: integer('surveys').notNull().default(0),
    surveyRatingSum: integer('survey_rating_sum').notNull().default(0),
    complaints: integer('complaints').notNull().default(0),
    evaluations: integer('evaluations').notNull().default(0),
    evaluationScoreSum: real('evaluation_score_sum').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.dimension, t.grain, t.intervalStart, t.key] })],
);

/** One row: the rollup holds every interval that starts before `rolledThrough` (later ones are computed live). */
export const reportRollupState = sqliteTable('report_rollup_state', {
  id: integer('id').primaryKey(),
  rolledThrough: integer('rolled_through').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
