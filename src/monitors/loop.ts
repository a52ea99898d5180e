/**
 * The closed loop as the scan runs it, after incidents, cascades and RCA are assembled: plan the
 * monitors (stored ones with their user edits, plus new ones born from this scan's incidents), then
 * run every enabled monitor over the history.
 */
import type { DetectionConfig } from "../detect/detect.ts";
import type { GoldMetrics } from "../metrics/gold.ts";
import type { DailyAggregates } from "../metrics/series.ts";
import type { Incident, Monitor, MonitorAlert } from "../scan-contract.ts";
import { planMonitors } from "./generate.ts";
import { runMonitors } from "./runtime.ts";

export interface MonitorLoopInput {
  incidents: readonly Incident[];
  /** Monitors stored by earlier scans, with people's edits (enabled, threshold). */
  stored: readonly Monitor[];
  days: readonly string[];
  metrics: GoldMetrics;
  detection: DetectionConfig;
  /** The scan's daily aggregates, so monitors score their metric exactly as detection does. */
  aggregates?: DailyAggregates;
}

export function runMonitorLoop(input: MonitorLoopInput): { monitors: Monitor[]; alerts: MonitorAlert[] } {
  const monitors = planMonitors(input.incidents, input.stored, { baselineDays: input.detection.baselineDays });
  const alerts = runMonitors(monitors, { days: input.days, metrics: input.metrics, detection: input.detection, incidents: input.incidents, aggregates: input.aggregates });
  return { monitors, alerts };
}
