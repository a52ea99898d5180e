/**
 * The monitor runtime (spec, Component J): every enabled monitor evaluated day by day over the
 * scan's history, each day against its own trailing baseline (the detection's MAD z-score with the
 * monitor's window), exactly as a daily run on that day would have seen it.
 *
 * - A monitor only guards the future: a run of firing days counts only when it starts after the
 *   monitor's `created_at`. A run already under way on that day is the tail of the incident the
 *   monitor was born from, not a recurrence.
 * - Consecutive firing days (allowing the detection's `mergeGapDays` quiet days) are one alert,
 *   dated by the first day; its id derives from the monitor and that day, so re-scans keep it.
 */
import { type DetectionConfig, madScores, type PointScore } from "../detect/detect.ts";
import { RULES_BY_TYPE } from "../detect/rules.ts";
import { stableId } from "../ids.ts";
import type { DailyAggregates } from "../metrics/series.ts";
import { type GoldMetrics, METRIC_NAMES, type MetricName } from "../metrics/gold.ts";
import { formatDay, formatMetricValue } from "../report/format.ts";
import type { Incident, Monitor, MonitorAlert } from "../scan-contract.ts";
import { addDays, daysBetween } from "../time.ts";
import { conditionHolds } from "./condition.ts";
import { round6 } from "../analyze/precision.ts";

/** An alert "precedes" an incident on its metric detected within this many days after it. */
export const PRECEDENCE_LOOKAHEAD_DAYS = 14;

export interface MonitorRuntimeInput {
  days: readonly string[];
  metrics: GoldMetrics;
  /** For `minBaselineValues` and `mergeGapDays`; each monitor brings its own baseline window. */
  detection: DetectionConfig;
  /** The scan's incidents, to tell which incident an alert came ahead of. */
  incidents: readonly Incident[];
  /**
   * The scan's daily aggregates: with them a monitor scores its metric exactly as detection does
   * (weekly seasonality, sampling-noise floors, exact tails for counts), so a normal Monday or a
   * quiet week's single refund does not alert. Without them, weekly seasonality only.
   */
  aggregates?: DailyAggregates;
}

/** One run of consecutive firing days (day indexes, inclusive). */
export interface FiringRun {
  start: number;
  end: number;
  firingDays: number;
}

/**
 * Runs of days on which the condition held, merged across at most `mergeGapDays` quiet days.
 * @example firingRuns([false, true, true, false, true, false, false, true], 1)
 * // [{ start: 1, end: 4, firingDays: 3 }, { start: 7, end: 7, firingDays: 1 }]
 */
export function firingRuns(fires: readonly boolean[], mergeGapDays: number): FiringRun[] {
  if (!(mergeGapDays >= 0)) throw new Error(`firingRuns: mergeGapDays must be ≥ 0, got ${mergeGapDays}`);
  const runs: FiringRun[] = [];
  let open: FiringRun | null = null;
  for (let i = 0; i < fires.length; i++) {
    if (!fires[i]) continue;
    if (open && i - open.end - 1 <= mergeGapDays) {
      open.end = i;
      open.firingDays++;
    } else {
      open = { start: i, end: i, firingDays: 1 };
      runs.push(open);
    }
  }
  return runs;
}

/** `{value}`, `{baseline}` and `{source_incident_date}` filled in, in the metric's unit. */
export function renderAlertMessage(monitor: Monitor, value: number, baseline: number): string {
  return monitor.alert_message_template
    .replaceAll("{value}", formatMetricValue(monitor.metric_name, value))
    .replaceAll("{baseline}", formatMetricValue(monitor.metric_name, baseline))
    .replaceAll("{source_incident_date}", formatDay(monitor.source_incident_date));
}

export function alertId(monitorId: string, triggeredAt: string): string {
  return `alr_${stableId(monitorId, triggeredAt)}`;
}

/** Alerts of every enabled monitor over the history, ordered by day then monitor. */
export function runMonitors(monitors: readonly Monitor[], input: MonitorRuntimeInput): MonitorAlert[] {
  const { days, detection } = input;
  const scoreCache = new Map<string, PointScore[]>();
  const alerts: MonitorAlert[] = [];
  for (const monitor of monitors) {
    if (!monitor.enabled) continue;
    const metric = knownMetric(monitor);
    if (!Number.isInteger(monitor.baseline_window_days) || monitor.baseline_window_days < 1) {
      throw new Error(`runMonitors: monitor ${monitor.monitor_id} has baseline_window_days ${monitor.baseline_window_days}; it must be a positive whole number`);
    }
    const cacheKey = `${metric}|${monitor.baseline_window_days}`;
    let scores = scoreCache.get(cacheKey);
    if (!scores) {
      scores = madScores(metric, input.metrics[metric], { ...detection, baselineDays: monitor.baseline_window_days }, { days, aggregates: input.aggregates });
      scoreCache.set(cacheKey, scores);
    }
    const fires = scores.map((p) => conditionHolds(monitor.direction, monitor.threshold_z, p.z));
    const lastIndex = days.length - 1;
    for (const run of firingRuns(fires, detection.mergeGapDays)) {
      const triggeredAt = days[run.start]!;
      if (triggeredAt <= monitor.created_at) continue;
      const point = scores[run.start]!;
      const preceded = precededIncident(monitor, triggeredAt, input.incidents);
      alerts.push({
        alert_id: alertId(monitor.monitor_id, triggeredAt),
        monitor_id: monitor.monitor_id,
        triggered_at: triggeredAt,
        metric_name: monitor.metric_name,
        current_value: round6(point.value!),
        baseline_value: round6(point.baseline!),
        threshold: monitor.condition,
        severity: monitor.severity_if_triggered,
        message: renderAlertMessage(monitor, point.value!, point.baseline!),
        related_incident_id: monitor.source_incident_id,
        status: "active",
        zscore: round6(point.z!),
        last_day: days[run.end]!,
        firing_days: run.firingDays,
        ongoing: lastIndex - run.end <= detection.mergeGapDays,
        preceded_incident_id: preceded?.incident_id ?? null,
        lead_days: preceded ? daysBetween(triggeredAt, preceded.detected_at) : null,
      });
    }
  }
  return alerts.sort((a, b) => (a.triggered_at !== b.triggered_at ? (a.triggered_at < b.triggered_at ? -1 : 1) : a.monitor_id < b.monitor_id ? -1 : 1));
}

function knownMetric(monitor: Monitor): MetricName {
  if (!(METRIC_NAMES as readonly string[]).includes(monitor.metric_name)) {
    throw new Error(`runMonitors: monitor ${monitor.monitor_id} watches ${JSON.stringify(monitor.metric_name)}, which is not a gold metric`);
  }
  return monitor.metric_name as MetricName;
}

/**
 * The earliest incident on the monitor's metric (its primary metric, a trigger of its type, or a
 * node of its top causal path) detected on the alert's day or within the lookahead after it.
 */
export function precededIncident(monitor: Monitor, triggeredAt: string, incidents: readonly Incident[]): Incident | null {
  const horizon = addDays(triggeredAt, PRECEDENCE_LOOKAHEAD_DAYS);
  let best: Incident | null = null;
  for (const incident of incidents) {
    if (incident.detected_at < triggeredAt || incident.detected_at > horizon) continue;
    if (!watchesIncident(monitor.metric_name, incident)) continue;
    if (!best || incident.detected_at < best.detected_at || (incident.detected_at === best.detected_at && incident.incident_id < best.incident_id)) best = incident;
  }
  return best;
}

function watchesIncident(metric: string, incident: Incident): boolean {
  if (incident.primary_metric === metric) return true;
  if (RULES_BY_TYPE.get(incident.incident_type)?.triggers.some((t) => t.metric === metric)) return true;
  const top = [...incident.causal_chain.paths].sort((a, b) => a.rank - b.rank)[0];
  return top?.nodes.some((n) => n.metric_name === metric) ?? false;
}

