/**
 * Prevention monitors (spec, Component I, "Monitor Rules"): for each node of an incident's top causal
 * path, a daily early-warning rule on that metric — modified z-score beyond 2.5 in the direction that
 * caused trouble, over the same trailing baseline as detection.
 *
 * One monitor per metric and direction: the first incident whose top path needs it creates it (its
 * id derives from that incident and the metric, so re-scans find the same monitor); later incidents
 * with the same node are listed in `covered_incident_ids` instead of duplicating it, so one
 * recurrence raises one alert (docs/decisions.md, "Postmortems and monitors").
 */
import { INCIDENT_RULES, RULES_BY_TYPE } from "../detect/rules.ts";
import { stableId } from "../ids.ts";
import { formatDay, formatZ, incidentLabel, metricLabel } from "../report/format.ts";
import type { CausalNode, Incident, Monitor } from "../scan-contract.ts";
import { monitorCondition } from "./condition.ts";

/** The spec's early-warning level, "slightly lower than incident detection at 3.0σ". */
export const EARLY_WARNING_Z = 2.5;
/** How far below a metric's own detection threshold its monitor sits when that is already ≤ 2.5. */
export const EARLY_WARNING_MARGIN = 0.5;
/** The general detection threshold, for metrics that trigger no rule themselves. */
const GENERAL_DETECTION_Z = 3;

export type Direction = "up" | "down";
export type PathRole = Monitor["path_role"];

/** A metric the monitors should watch, as found on an incident's top causal path. */
export interface WatchedNode {
  metric: string;
  direction: Direction;
  role: PathRole;
  zscore: number | null;
}

export interface MonitorOptions {
  /** Trailing days in the baseline: the detection's own window (spec: "the same window used in detection"). */
  baselineDays: number;
}

/** `mon_` + a hash of the source incident and the metric: stable across re-scans. */
export function monitorId(sourceIncidentId: string, metric: string): string {
  return `mon_${stableId(sourceIncidentId, metric)}`;
}

/**
 * Lowest finite |z| at which any incident rule fires on `metric`, or 3 when no rule triggers on it.
 * @example detectionThresholdFor("churn_proxy") // 2.5
 */
export function detectionThresholdFor(metric: string): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const rule of INCIDENT_RULES) {
    for (const t of rule.triggers) if (t.metric === metric && Number.isFinite(t.zThreshold)) lowest = Math.min(lowest, t.zThreshold);
  }
  return Number.isFinite(lowest) ? lowest : GENERAL_DETECTION_Z;
}

/**
 * The monitor's threshold: 2.5, or 0.5 below the metric's detection threshold when detection itself
 * already fires at 2.5 or lower (churn, review score), so the monitor always warns first.
 * @example earlyWarningThreshold("refund_rate") // 2.5
 * @example earlyWarningThreshold("review_score_avg") // 2.0
 */
export function earlyWarningThreshold(metric: string): number {
  return Math.min(EARLY_WARNING_Z, detectionThresholdFor(metric) - EARLY_WARNING_MARGIN);
}

/**
 * The metrics of the incident's top-ranked causal path, root cause first, each with the direction
 * it moved: the rule's trigger direction for the incident metric, otherwise the sign of the node's
 * z-score (or RCA's `expected_direction` when the node has no z-score).
 */
export function watchedNodes(incident: Incident): WatchedNode[] {
  const top = [...incident.causal_chain.paths].sort((a, b) => a.rank - b.rank)[0];
  const nodes: CausalNode[] = top?.nodes ?? [];
  if (nodes.length === 0) {
    return [{ metric: incident.primary_metric, direction: triggerDirection(incident, incident.primary_metric) ?? zDirection(incident.primary_metric_zscore) ?? "up", role: "incident_metric", zscore: incident.primary_metric_zscore }];
  }
  const last = nodes.length - 1;
  const seen = new Set<string>();
  const out: WatchedNode[] = [];
  nodes.forEach((node, i) => {
    if (seen.has(node.metric_name)) return;
    seen.add(node.metric_name);
    const role: PathRole = i === last ? "incident_metric" : i === 0 ? "root_cause" : "intermediate";
    const direction =
      (i === last ? triggerDirection(incident, node.metric_name) : null) ??
      zDirection(node.metric_zscore) ??
      expectedDirection(node) ??
      triggerDirection(incident, node.metric_name) ??
      "up";
    out.push({ metric: node.metric_name, direction, role, zscore: node.metric_zscore });
  });
  return out;
}

function triggerDirection(incident: Incident, metric: string): Direction | null {
  const rule = RULES_BY_TYPE.get(incident.incident_type);
  return rule?.triggers.find((t) => t.metric === metric)?.direction ?? null;
}

function zDirection(z: number | null | undefined): Direction | null {
  if (z === null || z === undefined || !Number.isFinite(z) || z === 0) return null;
  return z > 0 ? "up" : "down";
}

function expectedDirection(node: CausalNode): Direction | null {
  const expected = (node as Record<string, unknown>).expected_direction;
  return expected === 1 ? "up" : expected === -1 ? "down" : null;
}

/** The monitor one node of an incident's top path asks for. */
export function monitorForNode(incident: Incident, node: WatchedNode, options: MonitorOptions): Monitor {
  const label = metricLabel(node.metric);
  const lower = label.toLowerCase();
  const threshold = earlyWarningThreshold(node.metric);
  const type = incidentLabel(incident.incident_type);
  const role =
    node.role === "root_cause"
      ? "the top-ranked root cause"
      : node.role === "intermediate"
        ? "a step on the top-ranked causal path"
        : "the incident metric";
  const move = node.direction === "up" ? "rises above" : "falls below";
  return {
    monitor_id: monitorId(incident.incident_id, node.metric),
    name: `${titleCase(label)} Watch`,
    description:
      `Early warning on ${lower}: alerts when its modified z-score against the trailing ${options.baselineDays}-day median ` +
      `${move} ${node.direction === "up" ? "" : "-"}${threshold.toFixed(1)} (incident detection fires at ${detectionThresholdFor(node.metric).toFixed(1)}). ` +
      `Born from the ${type} incident detected on ${formatDay(incident.detected_at)}, where ${lower} was ${role} (${formatZ(node.zscore)}).`,
    source_incident_id: incident.incident_id,
    metric_name: node.metric,
    condition: monitorCondition(node.direction, threshold),
    baseline_window_days: options.baselineDays,
    check_frequency: "daily",
    severity_if_triggered: incident.severity,
    enabled: true,
    // The postmortem can be written once the incident window has closed; the monitor guards what comes after.
    created_at: incident.incident_window_end,
    alert_message_template: `${label} has crossed its early-warning threshold: {value} (baseline: {baseline}). This pattern preceded a ${type} incident on {source_incident_date}.`,
    direction: node.direction,
    threshold_z: threshold,
    source_incident_type: incident.incident_type,
    source_incident_date: incident.detected_at,
    path_role: node.role,
    covered_incident_ids: [incident.incident_id],
  };
}

function titleCase(text: string): string {
  return text.replace(/(^|\s)[a-z]/g, (c) => c.toUpperCase());
}

/**
 * The monitors a scan runs: every stored monitor (kept with its user edits: enabled, threshold),
 * plus one new monitor for each metric and direction on an incident's top path that no monitor
 * watches yet. Incidents are taken in detection order, so the earliest incident creates the monitor.
 * `covered_incident_ids` lists this scan's incidents whose top path each monitor watches.
 */
export function planMonitors(incidents: readonly Incident[], stored: readonly Monitor[], options: MonitorOptions): Monitor[] {
  const byKey = new Map<string, Monitor>();
  const byId = new Map<string, Monitor>();
  for (const monitor of [...stored].sort(compareMonitors)) {
    if (byId.has(monitor.monitor_id)) throw new Error(`planMonitors: stored monitor ${monitor.monitor_id} is listed twice`);
    const copy = { ...monitor, covered_incident_ids: [] as string[] };
    byId.set(copy.monitor_id, copy);
    const key = watchKey(copy.metric_name, copy.direction);
    if (!byKey.has(key)) byKey.set(key, copy);
  }
  const ordered = [...incidents].sort((a, b) => (a.detected_at < b.detected_at ? -1 : a.detected_at > b.detected_at ? 1 : a.incident_id < b.incident_id ? -1 : 1));
  for (const incident of ordered) {
    for (const node of watchedNodes(incident)) {
      const key = watchKey(node.metric, node.direction);
      let monitor = byKey.get(key);
      if (!monitor) {
        monitor = { ...monitorForNode(incident, node, options), covered_incident_ids: [] };
        byKey.set(key, monitor);
        byId.set(monitor.monitor_id, monitor);
      }
      if (!monitor.covered_incident_ids.includes(incident.incident_id)) monitor.covered_incident_ids.push(incident.incident_id);
    }
  }
  return [...byId.values()].sort(compareMonitors);
}

function watchKey(metric: string, direction: Direction): string {
  return `${metric}\u0000${direction}`;
}

const ROLE_ORDER: Record<PathRole, number> = { root_cause: 0, intermediate: 1, incident_metric: 2 };

/** By birth day, then source incident, then root cause first along the path. */
function compareMonitors(a: Monitor, b: Monitor): number {
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  if (a.source_incident_id !== b.source_incident_id) return a.source_incident_id < b.source_incident_id ? -1 : 1;
  if (a.path_role !== b.path_role) return ROLE_ORDER[a.path_role] - ROLE_ORDER[b.path_role];
  return a.monitor_id < b.monitor_id ? -1 : a.monitor_id > b.monitor_id ? 1 : 0;
}
