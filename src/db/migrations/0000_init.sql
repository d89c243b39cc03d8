CREATE TABLE `customer_phones` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`customer_id` integer NOT NULL,
	`phone` text NOT NULL,
	`label` text DEFAULT 'mobile' NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customer_phones_phone` ON `customer_phones` (`phone`);--> statement-breakpoint
CREATE INDEX `customer_phones_customer` ON `customer_phones` (`customer_id`);--> statement-breakpoint
CREATE TABLE `customers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_number` text NOT NULL,
	`name` text NOT NULL,
	`tier` text DEFAULT 'new' NOT NULL,
	`preferred_language` text DEFAULT 'zh' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_account_number_unique` ON `customers` (`account_number`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` text NOT NULL,
	`customer_id` integer NOT NULL,
	`amount_fen` integer NOT NULL,
	`payment` text NOT NULL,
	`status` text NOT NULL,
	`shipping_carrier` text,
	`tracking_number` text,
	`items` text NOT NULL,
	`address` text,
	`invoice_title` text,
	`invoice_tax_id` text,
	`placed_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `orders_number_unique` ON `orders` (`number`);--> statement-breakpoint
CREATE INDEX `orders_customer_placed` ON `orders` (`customer_id`,`placed_at`);--> statement-breakpoint
CREATE TABLE `rmas` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`number` text NOT NULL,
	`order_id` integer NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`order_id`) REFERENCES `orders`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rmas_number_unique` ON `rmas` (`number`);--> statement-breakpoint
CREATE INDEX `rmas_order` ON `rmas` (`order_id`);--> statement-breakpoint
CREATE TABLE `call_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`type` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `call_events_dedupe` ON `call_events` (`call_sid`,`dedupe_key`);--> statement-breakpoint
CREATE INDEX `call_events_at` ON `call_events` (`at`);--> statement-breakpoint
CREATE TABLE `callback_requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text,
	`customer_id` integer,
	`phone` text NOT NULL,
	`desk` text DEFAULT 'front' NOT NULL,
	`reason` text NOT NULL,
	`language` text DEFAULT 'zh' NOT NULL,
	`queue_seconds` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`requested_at` integer NOT NULL,
	FOREIGN KEY (`call_sid`) REFERENCES `calls`(`sid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `callback_requests_call` ON `callback_requests` (`call_sid`);--> statement-breakpoint
CREATE INDEX `callback_requests_status` ON `callback_requests` (`status`);--> statement-breakpoint
CREATE TABLE `calls` (
	`sid` text PRIMARY KEY NOT NULL,
	`direction` text NOT NULL,
	`from_number` text NOT NULL,
	`to_number` text NOT NULL,
	`status` text NOT NULL,
	`customer_id` integer,
	`started_at` integer NOT NULL,
	`answered_at` integer,
	`ended_at` integer,
	`duration_seconds` integer,
	`flow_id` text,
	`language` text,
	`ivr_state` text,
	`ivr_path` text DEFAULT '[]' NOT NULL,
	`step` integer DEFAULT 0 NOT NULL,
	`last_twiml` text,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `calls_started` ON `calls` (`started_at`);--> statement-breakpoint
CREATE INDEX `calls_customer` ON `calls` (`customer_id`);--> statement-breakpoint
CREATE TABLE `queue_entries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`queue` text NOT NULL,
	`desk` text NOT NULL,
	`priority` integer NOT NULL,
	`reason` text,
	`status` text NOT NULL,
	`enqueued_at` integer NOT NULL,
	`ended_at` integer,
	`wait_seconds` integer,
	FOREIGN KEY (`call_sid`) REFERENCES `calls`(`sid`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `queue_entries_call` ON `queue_entries` (`call_sid`);--> statement-breakpoint
CREATE INDEX `queue_entries_waiting` ON `queue_entries` (`status`,`queue`);--> statement-breakpoint
CREATE TABLE `voicemails` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`call_sid` text NOT NULL,
	`customer_id` integer,
	`from_number` text NOT NULL,
	`recording_sid` text,
	`recording_url` text NOT NULL,
	`duration_seconds` integer NOT NULL,
	`local_path` text,
	`status` text DEFAULT 'new' NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`call_sid`) REFERENCES `calls`(`sid`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `voicemails_call` ON `voicemails` (`call_sid`);--> statement-breakpoint
CREATE TABLE `job_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`queue` text NOT NULL,
	`name` text NOT NULL,
	`job_id` text NOT NULL,
	`payload` text NOT NULL,
	`created_at` integer NOT NULL,
	`dispatched_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_outbox_job_id_unique` ON `job_outbox` (`job_id`);--> statement-breakpoint
CREATE INDEX `job_outbox_pending` ON `job_outbox` (`dispatched_at`,`id`);