CREATE TABLE `visibility_alerted` (
	`conflict_id` text PRIMARY KEY NOT NULL,
	`alerted_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visibility_alerts` (
	`alert_id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`destination` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`conflict_count` integer NOT NULL,
	`escalation_count` integer NOT NULL,
	`conflict_ids_json` text NOT NULL,
	`message_json` text NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `visibility_alerts_created` ON `visibility_alerts` (`created_at`);--> statement-breakpoint
CREATE TABLE `visibility_audit` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`conflict_id` text NOT NULL,
	`at` text NOT NULL,
	`action` text NOT NULL,
	`actor` text NOT NULL,
	`from_status` text,
	`to_status` text,
	`reason` text NOT NULL,
	`escalation_level` integer,
	`notified_json` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `visibility_audit_conflict` ON `visibility_audit` (`conflict_id`,`seq`);--> statement-breakpoint
CREATE TABLE `visibility_conflicts` (
	`conflict_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`product_id` text NOT NULL,
	`store_id` text NOT NULL,
	`category` text,
	`teams` text NOT NULL,
	`decision_team` text NOT NULL,
	`status` text NOT NULL,
	`first_seen` text NOT NULL,
	`last_seen` text NOT NULL,
	`detected_at` text NOT NULL,
	`occurrences` integer NOT NULL,
	`active` integer NOT NULL,
	`escalation_level` integer NOT NULL,
	`resolved_at` text,
	`shard` integer NOT NULL,
	`body_json` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `visibility_conflicts_detected` ON `visibility_conflicts` (`detected_at`);--> statement-breakpoint
CREATE INDEX `visibility_conflicts_first_seen` ON `visibility_conflicts` (`first_seen`);--> statement-breakpoint
CREATE INDEX `visibility_conflicts_status` ON `visibility_conflicts` (`status`,`detected_at`);--> statement-breakpoint
CREATE INDEX `visibility_conflicts_pair` ON `visibility_conflicts` (`product_id`,`store_id`);--> statement-breakpoint
CREATE TABLE `visibility_contracts` (
	`team` text NOT NULL,
	`version` integer NOT NULL,
	`registration_json` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`team`, `version`)
);
--> statement-breakpoint
CREATE TABLE `visibility_flags` (
	`flag_id` text PRIMARY KEY NOT NULL,
	`product_id` text NOT NULL,
	`store_id` text NOT NULL,
	`reason` text NOT NULL,
	`first_seen` text NOT NULL,
	`active` integer NOT NULL,
	`body_json` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `visibility_flags_first_seen` ON `visibility_flags` (`first_seen`);--> statement-breakpoint
CREATE TABLE `visibility_incidents` (
	`incident_id` text PRIMARY KEY NOT NULL,
	`severity` text NOT NULL,
	`confidence` text NOT NULL,
	`detected_at` text NOT NULL,
	`last_raised_at` text NOT NULL,
	`window_start` text NOT NULL,
	`window_end` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`body_json` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `visibility_incidents_detected` ON `visibility_incidents` (`detected_at`);--> statement-breakpoint
CREATE TABLE `visibility_okr_daily` (
	`day` text PRIMARY KEY NOT NULL,
	`body_json` text NOT NULL,
	`computed_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visibility_rollup` (
	`day` text NOT NULL,
	`dimension` text NOT NULL,
	`value` text NOT NULL,
	`decision_events` integer DEFAULT 0 NOT NULL,
	`conflicting_events` integer DEFAULT 0 NOT NULL,
	`unverified_events` integer DEFAULT 0 NOT NULL,
	`ground_truth_events` integer DEFAULT 0 NOT NULL,
	`rejected_events` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `dimension`, `value`)
);
--> statement-breakpoint
CREATE TABLE `visibility_settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value_json` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `visibility_teams` (
	`team` text PRIMARY KEY NOT NULL,
	`role` text NOT NULL,
	`price_tolerance_pct` real NOT NULL,
	`contract_version` integer NOT NULL,
	`registration_json` text NOT NULL,
	`key_hash` text NOT NULL,
	`key_prefix` text NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `visibility_teams_key` ON `visibility_teams` (`key_hash`);