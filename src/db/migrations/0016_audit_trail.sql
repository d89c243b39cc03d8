ALTER TABLE `audit_log` ADD `outcome` text DEFAULT 'success' NOT NULL;--> statement-breakpoint
CREATE INDEX `audit_log_actor_at` ON `audit_log` (`actor_id`,`at`);--> statement-breakpoint
CREATE TRIGGER `audit_log_no_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed'); END;--> statement-breakpoint
CREATE TRIGGER `audit_log_no_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END;--> statement-breakpoint
CREATE TRIGGER `audit_log_outcome_known` BEFORE INSERT ON `audit_log` WHEN NEW.`outcome` NOT IN ('success', 'denied', 'failed') BEGIN SELECT RAISE(ABORT, 'audit_log.outcome must be success, denied or failed'); END;
