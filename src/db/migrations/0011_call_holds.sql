CREATE TABLE `call_holds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`interaction_id` integer NOT NULL,
	`call_sid` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	`started_by` integer NOT NULL,
	FOREIGN KEY (`interaction_id`) REFERENCES `interactions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`started_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `call_holds_interaction` ON `call_holds` (`interaction_id`);--> statement-breakpoint
CREATE INDEX `call_holds_call` ON `call_holds` (`call_sid`,`started_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `call_holds_one_open` ON `call_holds` (`interaction_id`) WHERE ended_at is null;