CREATE INDEX `queue_entries_enqueued` ON `queue_entries` (`enqueued_at`);--> statement-breakpoint
CREATE INDEX `interactions_offered` ON `interactions` (`offered_at`);