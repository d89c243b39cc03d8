DROP INDEX `queue_entries_routing`;--> statement-breakpoint
CREATE INDEX `queue_entries_routing` ON `queue_entries` (`status`,`desk`,`reserved_by`,"priority" desc,`enqueued_at`);