CREATE TABLE `qbo_connections` (
	`realm_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`status` text NOT NULL,
	`environment` text NOT NULL,
	`connected_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`last_webhook_at` text,
	`last_sync_at` text,
	`last_sweep_at` text,
	`backfill_status` text DEFAULT 'pending' NOT NULL,
	`backfill_done` text DEFAULT '' NOT NULL,
	`last_error` text,
	`last_error_at` text
);
--> statement-breakpoint
CREATE INDEX `qbo_connections_company` ON `qbo_connections` (`company_id`);--> statement-breakpoint
CREATE TABLE `qbo_oauth_states` (
	`nonce` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`expires_at` text NOT NULL,
	`used_at` text
);
