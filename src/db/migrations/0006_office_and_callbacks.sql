CREATE TABLE `callback_attempts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`callback_id` integer NOT NULL,
	`agent_id` integer,
	`interaction_id` integer,
	`state` text DEFAULT 'pending' NOT NULL,
	`agent_call_sid` text,
	`conference` text,
	`result` text,
	`call_sid` text,
	`answered_by` text,
	`note` text,
	`created_at` integer NOT NULL,
	`dialed_at` integer,
	`ended_at` integer,
	FOREIGN KEY (`callback_id`) REFERENCES `callback_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `callback_attempts_callback` ON `callback_attempts` (`callback_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `callback_attempts_call` ON `callback_attempts` (`call_sid`);--> statement-breakpoint
CREATE INDEX `callback_attempts_state` ON `callback_attempts` (`state`);--> statement-breakpoint
CREATE TABLE `callback_settings` (
	`type` text PRIMARY KEY NOT NULL,
	`mode` text DEFAULT 'progressive' NOT NULL,
	`calling_start_minute` integer DEFAULT 540 NOT NULL,
	`calling_end_minute` integer DEFAULT 1260 NOT NULL,
	`max_attempts` integer DEFAULT 4 NOT NULL,
	`retry_minutes` integer DEFAULT 10 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `do_not_call` (
	`phone` text PRIMARY KEY NOT NULL,
	`reason` text,
	`added_by` integer,
	`added_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `integration_keys` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`key_hash` text NOT NULL,
	`prefix` text NOT NULL,
	`created_by` integer,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	`last_used_at` integer,
	FOREIGN KEY (`created_by`) REFERENCES `staff`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `integration_keys_hash` ON `integration_keys` (`key_hash`);--> statement-breakpoint
CREATE TABLE `review_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`subject` text NOT NULL,
	`subject_id` integer NOT NULL,
	`action` text NOT NULL,
	`actor_id` integer,
	`from_status` text,
	`to_status` text,
	`note` text,
	`data` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `review_history_subject` ON `review_history` (`subject`,`subject_id`,`id`);--> statement-breakpoint
ALTER TABLE `customers` ADD `time_zone` text DEFAULT 'Asia/Shanghai' NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `phone` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `invoice_requested` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `orders` ADD `paid_fen` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `review` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `hold_reasons` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `checklist` text;--> statement-breakpoint
ALTER TABLE `orders` ADD `held_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `claimed_by` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `claim_expires_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `decided_by` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `decided_at` integer;--> statement-breakpoint
ALTER TABLE `orders` ADD `cancel_reason` text;--> statement-breakpoint
CREATE INDEX `orders_review_held` ON `orders` (`review`,`held_at`);--> statement-breakpoint
ALTER TABLE `rmas` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rmas` ADD `item_sku` text;--> statement-breakpoint
ALTER TABLE `rmas` ADD `item_name` text;--> statement-breakpoint
ALTER TABLE `rmas` ADD `quantity` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `rmas` ADD `paid_fen` integer;--> statement-breakpoint
ALTER TABLE `rmas` ADD `delivered_at` integer;--> statement-breakpoint
ALTER TABLE `rmas` ADD `qc_passed` integer;--> statement-breakpoint
ALTER TABLE `rmas` ADD `qc_note` text;--> statement-breakpoint
ALTER TABLE `rmas` ADD `replacement_sku` text;--> statement-breakpoint
ALTER TABLE `rmas` ADD `refund_fen` integer;--> statement-breakpoint
ALTER TABLE `rmas` ADD `claimed_by` integer;--> statement-breakpoint
ALTER TABLE `rmas` ADD `claim_expires_at` integer;--> statement-breakpoint
ALTER TABLE `rmas` ADD `reviewed_by` integer;--> statement-breakpoint
ALTER TABLE `rmas` ADD `reviewed_at` integer;--> statement-breakpoint
CREATE INDEX `rmas_status_created` ON `rmas` (`status`,`created_at`);--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `order_id` integer;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `rma_id` integer;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `priority` integer DEFAULT 10 NOT NULL;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `due_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `eligible_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `owner_id` integer;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `time_zone` text DEFAULT 'Asia/Shanghai' NOT NULL;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `question` text;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `answer` text;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `last_result` text;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `outcome` text;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `reserved_by` integer;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `dedupe_key` text;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `updated_at` integer;--> statement-breakpoint
ALTER TABLE `callback_requests` ADD `closed_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `callback_requests_dedupe` ON `callback_requests` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `callback_requests_pool` ON `callback_requests` (`status`,`desk`,`owner_id`,"priority" desc,`eligible_at`);--> statement-breakpoint
CREATE INDEX `callback_requests_owner` ON `callback_requests` (`status`,`owner_id`,`eligible_at`);--> statement-breakpoint
ALTER TABLE `interactions` ADD `callback_id` integer;--> statement-breakpoint
ALTER TABLE `interactions` ADD `attempt_id` integer;--> statement-breakpoint
ALTER TABLE `interactions` ADD `direction` text DEFAULT 'inbound' NOT NULL;--> statement-breakpoint
UPDATE `callback_requests` SET `due_at` = `requested_at`, `eligible_at` = `requested_at`, `updated_at` = `requested_at`;--> statement-breakpoint
INSERT INTO `callback_settings` (`type`) VALUES ('ivr'), ('queue'), ('work_order'), ('need_info'), ('rma_status');
