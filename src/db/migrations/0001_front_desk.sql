CREATE TABLE `agent_desks` (
	`staff_id` integer NOT NULL,
	`desk` text NOT NULL,
	`skill` integer DEFAULT 3 NOT NULL,
	PRIMARY KEY(`staff_id`, `desk`),
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `agent_presence` (
	`staff_id` integer PRIMARY KEY NOT NULL,
	`state` text DEFAULT 'offline' NOT NULL,
	`reason` text,
	`since` integer NOT NULL,
	`next_state` text,
	`next_reason` text,
	`wrap_up_until` integer,
	`last_heartbeat` integer,
	`idle_since` integer,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `agent_state_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`staff_id` integer NOT NULL,
	`from_state` text NOT NULL,
	`to_state` text NOT NULL,
	`reason` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `agent_state_log_staff_at` ON `agent_state_log` (`staff_id`,`at`);--> statement-breakpoint
CREATE TABLE `auth_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`staff_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`staff_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `auth_tokens_hash` ON `auth_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `login_failures` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`ip` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_failures_username_at` ON `login_failures` (`username`,`at`);--> statement-breakpoint
CREATE INDEX `login_failures_ip_at` ON `login_failures` (`ip`,`at`);--> statement-breakpoint
CREATE TABLE `staff` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text NOT NULL,
	`role` text NOT NULL,
	`team_id` integer,
	`password_hash` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`team_id`) REFERENCES `teams`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `staff_username_unique` ON `staff` (`username`);--> statement-breakpoint
CREATE TABLE `teams` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`lead_id` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `teams_name_unique` ON `teams` (`name`);--> statement-breakpoint
CREATE TABLE `interactions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`queue_entry_id` integer,
	`agent_id` integer NOT NULL,
	`status` text NOT NULL,
	`conference` text NOT NULL,
	`agent_call_sid` text,
	`offered_at` integer NOT NULL,
	`answered_at` integer,
	`ended_at` integer,
	`disposition` text,
	`recording_sid` text,
	`recording_url` text,
	FOREIGN KEY (`call_sid`) REFERENCES `calls`(`sid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`queue_entry_id`) REFERENCES `queue_entries`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agent_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `interactions_call` ON `interactions` (`call_sid`);--> statement-breakpoint
CREATE INDEX `interactions_agent` ON `interactions` (`agent_id`,`status`);--> statement-breakpoint
CREATE TABLE `queue_settings` (
	`name` text PRIMARY KEY NOT NULL,
	`desk` text NOT NULL,
	`service_level_seconds` integer DEFAULT 15 NOT NULL,
	`max_wait_seconds` integer DEFAULT 600 NOT NULL,
	`overflow_action` text DEFAULT 'callback_or_voicemail' NOT NULL,
	`overflow_queue` text,
	`wrap_up_seconds` integer DEFAULT 30 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `work_order_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`work_order_id` integer NOT NULL,
	`actor_id` integer,
	`action` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`note` text,
	`at` integer NOT NULL,
	FOREIGN KEY (`work_order_id`) REFERENCES `work_orders`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `work_order_history_order` ON `work_order_history` (`work_order_id`);--> statement-breakpoint
CREATE TABLE `work_orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` text NOT NULL,
	`call_sid` text,
	`customer_id` integer,
	`agent_id` integer NOT NULL,
	`category` text NOT NULL,
	`complaint_type` text,
	`description` text NOT NULL,
	`order_number` text,
	`status` text NOT NULL,
	`department` text,
	`department_answer` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`call_sid`) REFERENCES `calls`(`sid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agent_id`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `work_orders_number_unique` ON `work_orders` (`number`);--> statement-breakpoint
CREATE INDEX `work_orders_status` ON `work_orders` (`status`);--> statement-breakpoint
CREATE INDEX `work_orders_customer` ON `work_orders` (`customer_id`);