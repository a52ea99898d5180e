CREATE TABLE `comparisons` (
	`comparison_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`incident_a_id` text NOT NULL,
	`incident_b_id` text NOT NULL,
	`body_json` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `comparisons_company` ON `comparisons` (`company_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `monitor_alerts` (
	`alert_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`monitor_id` text NOT NULL,
	`triggered_at` text NOT NULL,
	`metric_name` text NOT NULL,
	`severity` text NOT NULL,
	`preceded_incident_id` text,
	`status` text DEFAULT 'active' NOT NULL,
	`status_changed_at` text,
	`body_json` text NOT NULL,
	`run_id` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `monitor_alerts_company` ON `monitor_alerts` (`company_id`,`triggered_at`);--> statement-breakpoint
CREATE INDEX `monitor_alerts_preceded` ON `monitor_alerts` (`preceded_incident_id`);--> statement-breakpoint
CREATE TABLE `monitors` (
	`monitor_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`metric_name` text NOT NULL,
	`direction` text NOT NULL,
	`source_incident_id` text NOT NULL,
	`created_at` text NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`threshold_z` real NOT NULL,
	`edited_at` text,
	`body_json` text NOT NULL,
	`run_id` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `monitors_company` ON `monitors` (`company_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `simulations` (
	`scenario_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`run_id` text NOT NULL,
	`request_json` text NOT NULL,
	`body_json` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `simulations_company` ON `simulations` (`company_id`,`created_at`);