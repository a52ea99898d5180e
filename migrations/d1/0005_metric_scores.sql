ALTER TABLE `gold_metrics` ADD `expected` real;--> statement-breakpoint
ALTER TABLE `gold_metrics` ADD `scale` real;--> statement-breakpoint
ALTER TABLE `gold_metrics` ADD `zscore` real;