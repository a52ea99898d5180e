CREATE TABLE `companies` (
	`company_id` text PRIMARY KEY NOT NULL,
	`created_at` text NOT NULL,
	`latest_run_id` text,
	`latest_run_at` text
);
--> statement-breakpoint
CREATE TABLE `gold_metrics` (
	`company_id` text NOT NULL,
	`metric` text NOT NULL,
	`day` text NOT NULL,
	`value` real,
	`metric_schema_version` text NOT NULL,
	`run_id` text NOT NULL,
	PRIMARY KEY(`company_id`, `metric`, `day`)
);
--> statement-breakpoint
CREATE TABLE `incidents` (
	`incident_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`run_id` text NOT NULL,
	`first_run_id` text NOT NULL,
	`incident_type` text NOT NULL,
	`severity` text NOT NULL,
	`confidence` text NOT NULL,
	`detected_at` text NOT NULL,
	`window_start` text NOT NULL,
	`window_end` text NOT NULL,
	`primary_metric` text NOT NULL,
	`cascade_id` text,
	`status` text DEFAULT 'open' NOT NULL,
	`body_json` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `incidents_company_run` ON `incidents` (`company_id`,`run_id`,`detected_at`);--> statement-breakpoint
CREATE TABLE `ingest_jobs` (
	`job_id` text PRIMARY KEY NOT NULL,
	`batch_id` text NOT NULL,
	`company_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`format` text,
	`bytes` integer,
	`sha256` text,
	`bronze_key` text,
	`records` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`duplicates` integer DEFAULT 0 NOT NULL,
	`rejected` integer DEFAULT 0 NOT NULL,
	`rejections_json` text DEFAULT '[]' NOT NULL,
	`rejections_truncated` integer DEFAULT false NOT NULL,
	`error` text,
	`request_id` text,
	`started_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `ingest_jobs_company` ON `ingest_jobs` (`company_id`,`started_at`);--> statement-breakpoint
CREATE TABLE `quality_reports` (
	`batch_id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`company_id` text NOT NULL,
	`source` text NOT NULL,
	`overall` real NOT NULL,
	`report_json` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `scan_runs` (
	`run_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`status` text NOT NULL,
	`trigger` text NOT NULL,
	`as_of` text,
	`request_id` text,
	`requested_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`incident_count` integer,
	`manifest_json` text
);
--> statement-breakpoint
CREATE INDEX `scan_runs_company` ON `scan_runs` (`company_id`,`requested_at`);