CREATE TABLE `monitor_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`interaction_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`monitor_id` integer NOT NULL,
	`mode` text NOT NULL,
	`status` text NOT NULL,
	`conference_sid` text NOT NULL,
	`monitor_call_sid` text,
	`started_at` integer NOT NULL,
	`joined_at` integer,
	`ended_at` integer,
	`end_reason` text,
	FOREIGN KEY (`interaction_id`) REFERENCES `interactions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agent_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`monitor_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `monitor_sessions_interaction` ON `monitor_sessions` (`interaction_id`,`status`);--> statement-breakpoint
CREATE UNIQUE INDEX `monitor_sessions_live_monitor` ON `monitor_sessions` (`monitor_id`) WHERE status in ('ringing', 'joined');