/**
 * The postmortem's timeline: the causal chain's upstream anomalies, monitor alerts that came first,
 * the incident window and its detection, the other incidents of its cascade, and the monitors it
 * left behind, each on its day with the evidence events behind it. Every sentence is made of the
 * numbers it cites.
 */
import { incidentLabel, formatDay, formatMetricValue, formatZ, metricLabel, plural } from "./format.ts";
import { cascadeOf, detectionThreshold, leadDays, monitorsOf, nodeEvidence, type PostmortemInput, precedingAlerts, topPath, upstreamNodes } from "./context.ts";
import type { TimelineEntry } from "./postmortem-schema.ts";
import { TIMELINE_KINDS } from "./postmortem-schema.ts";
import { daysBetween } from "../time.ts";

/** Evidence ids listed per timeline entry; the count says how many there are in all. */
export const TIMELINE_EVIDENCE_IDS = 10;

const METHOD_NAMES: Record<string, string> = { mad_zscore: "MAD z-score", isolation_forest: "isolation forest", changepoint: "change-point detection" };

export function buildTimeline(input: PostmortemInput, status: "resolved" | "ongoing"): TimelineEntry[] {
  const { incident } = input;
  const entries: TimelineEntry[] = [];
  const entry = (e: Omit<TimelineEntry, "evidence_event_ids" | "evidence_event_count" | "related_incident_id"> & Partial<TimelineEntry>) =>
    entries.push({
      timestamp: e.timestamp,
      kind: e.kind,
      event_description: e.event_description,
      metric_name: e.metric_name,
      metric_value: e.metric_value,
      evidence_event_ids: (e.evidence_event_ids ?? []).slice(0, TIMELINE_EVIDENCE_IDS),
      evidence_event_count: e.evidence_event_count ?? 0,
      related_incident_id: e.related_incident_id ?? null,
    });

  const start = incident.incident_window_start;
  for (const node of upstreamNodes(topPath(incident))) {
    if (!node.anomaly_window) continue;
    const [from, to] = node.anomaly_window;
    const lead = daysBetween(from, start);
    const evidence = nodeEvidence(node);
    entry({
      timestamp: from,
      kind: "upstream_anomaly",
      event_description:
        `${metricLabel(node.metric_name)} turned anomalous${lead > 0 ? `, ${plural(lead, "day")} before the incident window opened` : ""}: ` +
        `it reached ${formatMetricValue(node.metric_name, node.metric_value)} against a baseline of ${formatMetricValue(node.metric_name, node.metric_baseline)} (${formatZ(node.metric_zscore)}) and stayed anomalous through ${formatDay(to)}.`,
      metric_name: node.metric_name,
      metric_value: node.metric_value,
      evidence_event_ids: evidence.ids,
      evidence_event_count: evidence.count,
    });
  }

  const monitorNames = new Map(input.monitors.map((m) => [m.monitor_id, m.name]));
  for (const alert of precedingAlerts(input)) {
    const lead = leadDays(alert, incident);
    entry({
      timestamp: alert.triggered_at,
      kind: "monitor_alert",
      event_description:
        `Prevention monitor "${monitorNames.get(alert.monitor_id) ?? alert.monitor_id}" alerted: ${metricLabel(alert.metric_name).toLowerCase()} at ${formatMetricValue(alert.metric_name, alert.current_value)} ` +
        `against a baseline of ${formatMetricValue(alert.metric_name, alert.baseline_value)} (${formatZ(alert.zscore)}, ${alert.threshold})` +
        (lead > 0 ? `, ${plural(lead, "day")} before detection.` : ", on the day of detection."),
      metric_name: alert.metric_name,
      metric_value: alert.current_value,
    });
  }

  const primary = metricLabel(incident.primary_metric);
  if (start !== incident.detected_at) {
    entry({
      timestamp: start,
      kind: "incident_window_opened",
      event_description: `The incident window opened: first day ${primary.toLowerCase()} was beyond its detection threshold.`,
      metric_name: incident.primary_metric,
      metric_value: null,
    });
  }
  const methods = incident.detection_methods.map((m) => METHOD_NAMES[m] ?? m);
  entry({
    timestamp: incident.detected_at,
    kind: "detection",
    event_description:
      `${incidentLabel(incident.incident_type)} detected by the ${methods.join(" + ")}: ${detectionReason(incident, primary)} ` +
      `Severity ${incident.severity}, confidence ${incident.confidence}; ${plural(incident.evidence_event_count, "evidence event")} in the window.`,
    metric_name: incident.primary_metric,
    metric_value: null,
    evidence_event_ids: incident.evidence_event_ids,
    evidence_event_count: incident.evidence_event_count,
  });

  const cascade = cascadeOf(input);
  if (cascade) {
    const byId = new Map(input.incidents.map((i) => [i.incident_id, i]));
    const position = cascade.incident_ids.indexOf(incident.incident_id);
    cascade.incident_ids.forEach((id, i) => {
      if (id === incident.incident_id) return;
      const other = byId.get(id);
      if (!other) return;
      const relation = i < position ? "upstream of this incident" : "downstream of this incident";
      entry({
        timestamp: other.detected_at,
        kind: "cascade",
        event_description:
          `${incidentLabel(other.incident_type)} detected (${other.severity}), ${relation} in cascade ${cascade.cascade_path.map((t) => incidentLabel(t)).join(" → ")}: ` +
          `${metricLabel(other.primary_metric).toLowerCase()} at ${formatMetricValue(other.primary_metric, other.primary_metric_value)} (${formatZ(other.primary_metric_zscore)}).`,
        metric_name: other.primary_metric,
        metric_value: other.primary_metric_value,
        related_incident_id: other.incident_id,
      });
    });
  }

  if (status === "resolved") {
    entry({
      timestamp: incident.incident_window_end,
      kind: "incident_window_closed",
      event_description: `Last day ${primary.toLowerCase()} was beyond its detection threshold; the incident window closed after ${plural(daysBetween(start, incident.incident_window_end) + 1, "day")}.`,
      metric_name: incident.primary_metric,
      metric_value: null,
    });
  } else {
    entry({
      timestamp: input.asOf,
      kind: "still_ongoing",
      event_description: `Still anomalous on the last scanned day (${formatDay(input.asOf)}): the incident window has not closed.`,
      metric_name: incident.primary_metric,
      metric_value: null,
    });
  }

  for (const monitor of monitorsOf(input)) {
    if (monitor.source_incident_id !== incident.incident_id) continue;
    entry({
      timestamp: monitor.created_at,
      kind: "monitor_created",
      event_description: `Prevention monitor "${monitor.name}" armed: ${monitor.condition} on ${metricLabel(monitor.metric_name).toLowerCase()}, checked daily against a ${monitor.baseline_window_days}-day baseline.`,
      metric_name: monitor.metric_name,
      metric_value: null,
    });
  }

  const order = (kind: TimelineEntry["kind"]) => TIMELINE_KINDS.indexOf(kind);
  return entries
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.timestamp !== b.e.timestamp ? (a.e.timestamp < b.e.timestamp ? -1 : 1) : order(a.e.kind) - order(b.e.kind) || a.i - b.i))
    .map(({ e }) => e);
}

/** Why detection fired: the incident's own notes when it was not a trigger crossing its threshold. */
function detectionReason(incident: PostmortemInput["incident"], primary: string): string {
  const notes = (incident as { detection_notes?: unknown }).detection_notes;
  if (Array.isArray(notes) && notes.length > 0) return notes.join(" ");
  return `${primary.toLowerCase()} crossed |z| ${detectionThreshold(incident).toFixed(1)}.`;
}
