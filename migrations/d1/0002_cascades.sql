CREATE TABLE `cascades` (
	`cascade_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`run_id` text NOT NULL,
	`root_incident_id` text NOT NULL,
	`detected_at` text NOT NULL,
	`cascade_score` real NOT NULL,
	`body_json` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cascades_company_run` ON `cascades` (`company_id`,`run_id`,`detected_at`);