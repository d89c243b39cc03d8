CREATE TABLE `evaluation_comments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`evaluation_id` integer NOT NULL,
	`author_id` integer NOT NULL,
	`at_seconds` real NOT NULL,
	`item_id` text,
	`text` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`evaluation_id`) REFERENCES `evaluations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evaluation_comments_evaluation` ON `evaluation_comments` (`evaluation_id`);--> statement-breakpoint
CREATE TABLE `evaluations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_id` integer NOT NULL,
	`scorecard_version_id` integer NOT NULL,
	`evaluator_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`calibration` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`answers` text DEFAULT '[]' NOT NULL,
	`score` real,
	`critical_failed` integer DEFAULT false NOT NULL,
	`summary` text,
	`created_at` integer NOT NULL,
	`submitted_at` integer,
	`acknowledged_at` integer,
	`dispute_reason` text,
	`disputed_at` integer,
	`resolution` text,
	`resolution_note` text,
	`resolved_by` integer,
	`resolved_at` integer,
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`scorecard_version_id`) REFERENCES `scorecard_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`evaluator_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `evaluations_recording` ON `evaluations` (`recording_id`);--> statement-breakpoint
CREATE INDEX `evaluations_agent_submitted` ON `evaluations` (`agent_id`,`submitted_at`);--> statement-breakpoint
CREATE INDEX `evaluations_status` ON `evaluations` (`status`);--> statement-breakpoint
CREATE TABLE `qa_assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_id` integer NOT NULL,
	`reason` text NOT NULL,
	`period` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`assigned_to` integer,
	`assigned_at` integer,
	`evaluation_id` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`recording_id`) REFERENCES `recordings`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `qa_assignments_recording_period` ON `qa_assignments` (`recording_id`,`period`);--> statement-breakpoint
CREATE INDEX `qa_assignments_status` ON `qa_assignments` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `recordings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`recording_sid` text NOT NULL,
	`call_sid` text NOT NULL,
	`interaction_id` integer,
	`agent_id` integer,
	`team_id` integer,
	`desk` text,
	`customer_id` integer,
	`customer_phone` text,
	`direction` text NOT NULL,
	`disposition` text,
	`customer_channel` integer DEFAULT 0 NOT NULL,
	`channels` integer DEFAULT 2 NOT NULL,
	`started_at` integer NOT NULL,
	`duration_seconds` integer,
	`status` text NOT NULL,
	`media_url` text,
	`storage_key` text,
	`content_type` text,
	`size_bytes` integer,
	`sha256` text,
	`stored_at` integer,
	`pauses` text DEFAULT '[]' NOT NULL,
	`keep` integer DEFAULT false NOT NULL,
	`deleted_at` integer,
	`analysed_at` integer,
	`customer_talk_seconds` real,
	`agent_talk_seconds` real,
	`agent_talk_ratio` real,
	`longest_silence_seconds` real,
	`talk_over_count` integer,
	`talk_over_seconds` real,
	`hold_seconds` real,
	`flags` text DEFAULT '[]' NOT NULL,
	`analysis` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `recordings_sid` ON `recordings` (`recording_sid`);--> statement-breakpoint
CREATE INDEX `recordings_call` ON `recordings` (`call_sid`);--> statement-breakpoint
CREATE INDEX `recordings_started` ON `recordings` (`started_at`);--> statement-breakpoint
CREATE INDEX `recordings_agent_started` ON `recordings` (`agent_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `recordings_team_started` ON `recordings` (`team_id`,`started_at`);--> statement-breakpoint
CREATE INDEX `recordings_status_started` ON `recordings` (`status`,`started_at`);--> statement-breakpoint
CREATE TABLE `scorecard_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`scorecard_id` integer NOT NULL,
	`version` integer NOT NULL,
	`definition` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`scorecard_id`) REFERENCES `scorecards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scorecard_versions_version` ON `scorecard_versions` (`scorecard_id`,`version`);--> statement-breakpoint
CREATE TABLE `scorecards` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`active` integer DEFAULT true NOT NULL,
	`current_version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scorecards_name_unique` ON `scorecards` (`name`);