CREATE TABLE `report_rollup_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`rolled_through` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `report_rollups` (
	`dimension` text NOT NULL,
	`grain` text NOT NULL,
	`key` text NOT NULL,
	`interval_start` integer NOT NULL,
	`offered` integer DEFAULT 0 NOT NULL,
	`answered` integer DEFAULT 0 NOT NULL,
	`abandoned` integer DEFAULT 0 NOT NULL,
	`short_abandoned` integer DEFAULT 0 NOT NULL,
	`answered_in_target` integer DEFAULT 0 NOT NULL,
	`answer_wait_ms` integer DEFAULT 0 NOT NULL,
	`handled` integer DEFAULT 0 NOT NULL,
	`talk_ms` integer DEFAULT 0 NOT NULL,
	`hold_ms` integer DEFAULT 0 NOT NULL,
	`wrap_up_ms` integer DEFAULT 0 NOT NULL,
	`staffed_ms` integer DEFAULT 0 NOT NULL,
	`busy_ms` integer DEFAULT 0 NOT NULL,
	`fcr_calls` integer DEFAULT 0 NOT NULL,
	`fcr_resolved` integer DEFAULT 0 NOT NULL,
	`callbacks_closed` integer DEFAULT 0 NOT NULL,
	`callbacks_reached` integer DEFAULT 0 NOT NULL,
	`callback_wait_ms` integer DEFAULT 0 NOT NULL,
	`surveys` integer DEFAULT 0 NOT NULL,
	`survey_rating_sum` integer DEFAULT 0 NOT NULL,
	`complaints` integer DEFAULT 0 NOT NULL,
	`evaluations` integer DEFAULT 0 NOT NULL,
	`evaluation_score_sum` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`dimension`, `grain`, `interval_start`, `key`)
);
--> statement-breakpoint
CREATE INDEX `callback_requests_closed` ON `callback_requests` (`closed_at`);--> statement-breakpoint
CREATE INDEX `calls_from_started` ON `calls` (`from_number`,`started_at`);--> statement-breakpoint
CREATE INDEX `queue_entries_enqueued` ON `queue_entries` (`enqueued_at`);--> statement-breakpoint
CREATE INDEX `agent_state_log_at` ON `agent_state_log` (`at`);--> statement-breakpoint
CREATE INDEX `interactions_ended` ON `interactions` (`ended_at`);--> statement-breakpoint
CREATE INDEX `interactions_queue_entry` ON `interactions` (`queue_entry_id`);--> statement-breakpoint
CREATE INDEX `work_orders_created` ON `work_orders` (`created_at`);--> statement-breakpoint
CREATE INDEX `evaluations_submitted` ON `evaluations` (`submitted_at`);