ALTER TABLE `callback_requests` ADD `source` text DEFAULT 'ivr' NOT NULL;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `work_order_id` integer;--> statement-breakpoint
ALTER TABLE `queue_entries` ADD `reserved_by` integer;--> statement-breakpoint
ALTER TABLE `queue_entries` ADD `announced_at` integer;--> statement-breakpoint
CREATE INDEX `queue_entries_routing` ON `queue_entries` (`status`,`desk`,`priority`,`enqueued_at`);--> statement-breakpoint
ALTER TABLE `staff` ADD `department` text;--> statement-breakpoint
CREATE INDEX `agent_desks_desk` ON `agent_desks` (`desk`,`staff_id`);--> statement-breakpoint
CREATE INDEX `agent_presence_state_idle` ON `agent_presence` (`state`,`idle_since`);--> statement-breakpoint
CREATE UNIQUE INDEX `interactions_live_call` ON `interactions` (`call_sid`) WHERE status in ('offered', 'connected');--> statement-breakpoint
CREATE UNIQUE INDEX `interactions_live_agent` ON `interactions` (`agent_id`) WHERE status in ('offered', 'connected');