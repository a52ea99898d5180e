/** What a postmortem is written from, and the readings of it every section shares. */
import { RULES_BY_TYPE } from "../detect/rules.ts";
import { PRECEDENCE_LOOKAHEAD_DAYS } from "../monitors/runtime.ts";
import { addDays, daysBetween } from "../time.ts";
import type { Cascade, CausalNode, CausalPath, Incident, Monitor, MonitorAlert } from "../scan-contract.ts";

export interface PostmortemInput {
  incident: Incident;
  /** The scan's other incidents (for the cascade's members); may be just those of the cascade. */
  incidents: readonly Incident[];
  cascades: readonly Cascade[];
  /** All monitors of the company; the postmortem lists those watching this incident. */
  monitors: readonly Monitor[];
  /** All alerts of the company; the timeline lists those that came ahead of this incident. */
  alerts: readonly MonitorAlert[];
  runId: string;
  /** The last day the scan covered: decides "ongoing" and is the timeline's horizon. */
  asOf: string;
  /** ISO 8601 time stamped on the document (the scan's finish time for stored scans). */
  generatedAt: string;
  /** Quiet days inside one incident window (the detection's `mergeGapDays`). */
  mergeGapDays?: number;
}

/** The incident's ranked-first path (the spec's "top causal path"). */
export function topPath(incident: Incident): CausalPath | null {
  return [...incident.causal_chain.paths].sort((a, b) => a.rank - b.rank)[0] ?? null;
}

/** The path's nodes before the incident metric: upstream causes, root first. */
export function upstreamNodes(path: CausalPath | null): CausalNode[] {
  return path ? path.nodes.slice(0, -1) : [];
}

/** Did BRE-RCA run over the dependency graph, or is the chain the walking skeleton's stand-in? */
export function rcaRan(incident: Incident): boolean {
  return incident.causal_chain.dependency_graph_version !== "none";
}

/** The |z| the rule needs on the incident's primary metric (3 when the metric fires by an absolute rule). */
export function detectionThreshold(incident: Incident): number {
  const trigger = RULES_BY_TYPE.get(incident.incident_type)?.triggers.find((t) => t.metric === incident.primary_metric);
  return trigger && Number.isFinite(trigger.zThreshold) ? trigger.zThreshold : 3;
}

/** "rose" or "fell", from a z-score's sign (a trigger's direction when there is none). */
export function moved(z: number | null | undefined, fallback: "up" | "down" = "up"): "rose" | "fell" {
  if (z === null || z === undefined || z === 0 || !Number.isFinite(z)) return fallback === "up" ? "rose" : "fell";
  return z > 0 ? "rose" : "fell";
}

/** Every evidence event id listed on a node's clusters, and how many events they stand for. */
export function nodeEvidence(node: CausalNode): { ids: string[]; count: number } {
  const ids: string[] = [];
  let count = 0;
  for (const cluster of node.evidence_clusters) {
    ids.push(...cluster.event_ids);
    count += cluster.event_count;
  }
  return { ids: [...new Set(ids)], count };
}

export function monitorsOf(input: PostmortemInput): Monitor[] {
  return input.monitors.filter((m) => m.covered_incident_ids.includes(input.incident.incident_id) || m.source_incident_id === input.incident.incident_id);
}

export function cascadeOf(input: PostmortemInput): Cascade | null {
  const id = input.incident.cascade_id;
  return (id ? input.cascades.find((c) => c.cascade_id === id) : input.cascades.find((c) => c.incident_ids.includes(input.incident.incident_id))) ?? null;
}

/**
 * Alerts that came ahead of this incident: those the runtime attributed to it, and those of the
 * monitors watching it raised in the lookahead window before its detection (an alert is attributed
 * to the first incident it preceded, but it also warned of a cascade's later incidents).
 */
export function precedingAlerts(input: PostmortemInput): MonitorAlert[] {
  const { incident } = input;
  const watching = new Set(monitorsOf(input).map((m) => m.monitor_id));
  const earliest = addDays(incident.detected_at, -PRECEDENCE_LOOKAHEAD_DAYS);
  return input.alerts.filter(
    (a) =>
      a.preceded_incident_id === incident.incident_id ||
      (watching.has(a.monitor_id) && a.triggered_at >= earliest && a.triggered_at <= incident.detected_at),
  );
}

/** Days from an alert to this incident's detection. */
export function leadDays(alert: MonitorAlert, incident: Incident): number {
  return daysBetween(alert.triggered_at, incident.detected_at);
}
