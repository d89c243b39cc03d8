CREATE TABLE `alert_settings` (
	`kind` text PRIMARY KEY NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`raise_at` real NOT NULL,
	`clear_at` real NOT NULL,
	`hold_seconds` integer DEFAULT 0 NOT NULL,
	`min_calls` integer DEFAULT 0 NOT NULL,
	`updated_by` integer,
	`updated_at` integer,
	FOREIGN KEY (`updated_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `floor_alerts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`agent_id` integer,
	`team_id` integer,
	`raised_value` real NOT NULL,
	`raise_at` real NOT NULL,
	`clear_at` real NOT NULL,
	`message` text NOT NULL,
	`raised_at` integer NOT NULL,
	`cleared_value` real,
	`cleared_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `floor_alerts_active` ON `floor_alerts` (`kind`,`subject`) WHERE cleared_at is null;--> statement-breakpoint
CREATE INDEX `floor_alerts_raised` ON `floor_alerts` (`raised_at`);--> statement-breakpoint
CREATE INDEX `queue_entries_ended` ON `queue_entries` (`ended_at`);--> statement-breakpoint
CREATE INDEX `interactions_status_ended` ON `interactions` (`status`,`ended_at`);