CREATE TABLE `survey_responses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`interaction_id` integer NOT NULL,
	`agent_id` integer NOT NULL,
	`team_id` integer,
	`queue` text NOT NULL,
	`desk` text NOT NULL,
	`customer_id` integer,
	`rating` integer NOT NULL,
	`answered_at` integer NOT NULL,
	`comment_recording_sid` text,
	`comment_recording_url` text,
	`comment_seconds` integer,
	`comment_local_path` text,
	`commented_at` integer,
	FOREIGN KEY (`call_sid`) REFERENCES `calls`(`sid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`interaction_id`) REFERENCES `interactions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agent_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `survey_responses_interaction` ON `survey_responses` (`interaction_id`);--> statement-breakpoint
CREATE INDEX `survey_responses_call` ON `survey_responses` (`call_sid`);--> statement-breakpoint
CREATE INDEX `survey_responses_answered` ON `survey_responses` (`answered_at`);--> statement-breakpoint
CREATE INDEX `survey_responses_agent` ON `survey_responses` (`agent_id`,`answered_at`);--> statement-breakpoint
ALTER TABLE `queue_settings` ADD `post_call_survey` integer DEFAULT false NOT NULL;