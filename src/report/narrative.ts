/**
 * The postmortem's prose: title, one-line summary, root-cause paragraph and contributing factors.
 * Each sentence states numbers from the incident, its causal chain, its cascade and its blast
 * radius; where a number is missing the sentence says so rather than guessing.
 */
import type { CausalNode, Incident } from "../scan-contract.ts";
import { daysBetween } from "../time.ts";
import { cascadeOf, moved, nodeEvidence, type PostmortemInput, rcaRan, topPath, upstreamNodes } from "./context.ts";
import { formatDay, formatDayRange, formatMetricValue, formatMoney, formatScore, formatShare, formatZ, incidentLabel, joinList, metricLabel, plural } from "./format.ts";

/** Supporting metrics at or beyond this |z| are named as contributing factors. */
export const CORROBORATION_Z = 2;
/** Below this data-quality score the evidence is called out as weakened. */
export const QUALITY_WARNING = 0.95;

export function durationDays(incident: Incident): number {
  return daysBetween(incident.incident_window_start, incident.incident_window_end) + 1;
}

/** "Fulfillment SLA Degradation — Feb 8–14, 2025". */
export function postmortemTitle(incident: Incident): string {
  return `${incidentLabel(incident.incident_type)} — ${formatDayRange(incident.incident_window_start, incident.incident_window_end)}`;
}

function nodeReading(node: CausalNode): string {
  return `${formatMetricValue(node.metric_name, node.metric_value)} against a baseline of ${formatMetricValue(node.metric_name, node.metric_baseline)} (${formatZ(node.metric_zscore)})`;
}

function primaryReading(incident: Incident): string {
  return `${formatMetricValue(incident.primary_metric, incident.primary_metric_value)} against a baseline of ${formatMetricValue(incident.primary_metric, incident.primary_metric_baseline)} (${formatZ(incident.primary_metric_zscore)})`;
}

function blastClause(incident: Incident): string {
  const b = incident.blast_radius;
  const parts: string[] = [];
  if (b.orders_affected > 0) parts.push(plural(b.orders_affected, "order"));
  if (b.customers_affected > 0) parts.push(plural(b.customers_affected, "customer"));
  if (b.vendors_involved > 0) parts.push(plural(b.vendors_involved, "vendor"));
  const touched = parts.length > 0 ? `${joinList(parts)} touched` : "no affected entity in the evidence";
  return `${touched}, ${formatMoney(b.estimated_revenue_exposure)} of revenue exposed (${b.blast_radius_severity})`;
}

/** The last node of the top path: the metric RCA explained (not always the one detection fired on). */
function chainTarget(incident: Incident): CausalNode | null {
  const path = topPath(incident);
  return path ? path.nodes[path.nodes.length - 1]! : null;
}

/** One sentence: what moved, how far, over which days, and what it touched. */
export function oneLineSummary(incident: Incident): string {
  const label = metricLabel(incident.primary_metric);
  const window = formatDayRange(incident.incident_window_start, incident.incident_window_end);
  const causes = upstreamNodes(topPath(incident));
  const what = `${label} ${moved(incident.primary_metric_zscore)} to ${primaryReading(incident)} over ${window}`;
  if (causes.length === 0) return `${what}; ${blastClause(incident)}.`;
  const root = causes[0]!;
  const target = chainTarget(incident);
  const via = [...causes.slice(1), ...(target && target.metric_name !== incident.primary_metric ? [target] : [])].map((n) => metricLabel(n.metric_name).toLowerCase());
  const rootStart = root.anomaly_window ? ` from ${formatDay(root.anomaly_window[0])}` : "";
  return (
    `${metricLabel(root.metric_name)} ${moved(root.metric_zscore)} to ${nodeReading(root)}${rootStart}` +
    `${via.length > 0 ? `, moving ${joinList(via)}` : ""}, and ${label.toLowerCase()} followed to ${primaryReading(incident)} over ${window}; ${blastClause(incident)}.`
  );
}

/** The root-cause paragraph (spec: "Human-readable paragraph"), from the top path and its evidence. */
export function rootCauseSummary(incident: Incident): string {
  const chain = incident.causal_chain;
  const path = topPath(incident);
  const label = metricLabel(incident.primary_metric);
  const window = formatDayRange(incident.incident_window_start, incident.incident_window_end);
  const causal = formatDayRange(chain.causal_window[0], chain.causal_window[1]);
  const sentences: string[] = [];
  const causes = upstreamNodes(path);

  if (!rcaRan(incident)) {
    sentences.push(
      `Root-cause analysis over the business dependency graph has not run for this incident (${chain.algorithm_version}), so the incident metric stands as its own root cause: ` +
        `${label.toLowerCase()} reached ${primaryReading(incident)} over ${window}.`,
    );
  } else if (causes.length === 0) {
    const target = chainTarget(incident);
    if (target && target.metric_name !== incident.primary_metric) {
      sentences.push(
        `Detection fired on ${label.toLowerCase()} (${primaryReading(incident)}); BRE-RCA (${chain.algorithm_version}) analysed the incident from ${metricLabel(target.metric_name).toLowerCase()}, ` +
          `which reached ${nodeReading(target)}, and found no metric upstream of it in the business dependency graph that was anomalous in the causal window (${causal}) in the direction that would explain it, so it is its own root cause.`,
      );
    } else {
      sentences.push(
        `BRE-RCA (${chain.algorithm_version}) found no metric upstream of ${label.toLowerCase()} in the business dependency graph that was anomalous in the causal window (${causal}) in the direction that would explain it, ` +
          `so the incident metric is its own root cause: it reached ${primaryReading(incident)} over ${window}.`,
      );
    }
  } else {
    const names = path!.nodes.map((n) => metricLabel(n.metric_name).toLowerCase());
    sentences.push(
      `BRE-RCA (${chain.algorithm_version}) ranked ${plural(chain.paths.length, "causal path")} over the causal window ${causal}; ` +
        `the top path (score ${formatScore(path!.overall_score)}) runs ${names.join(" → ")}.`,
    );
    causes.forEach((node, i) => {
      const lead = node.anomaly_window ? daysBetween(node.anomaly_window[0], incident.incident_window_start) : null;
      const when = node.anomaly_window
        ? `was anomalous from ${formatDayRange(node.anomaly_window[0], node.anomaly_window[1])}${lead !== null && lead > 0 ? ` (${plural(lead, "day")} before the incident window opened)` : lead !== null && lead < 0 ? ` (${plural(-lead, "day")} after the incident window opened)` : ""}`
        : "was anomalous in the causal window";
      const opener = i === 0 ? `${metricLabel(node.metric_name)} moved first: it` : `${metricLabel(node.metric_name)} came next: it`;
      sentences.push(`${opener} ${when}, reaching ${nodeReading(node)}; contribution score ${formatScore(node.contribution_score)}.`);
    });
    const target = chainTarget(incident);
    if (target && target.metric_name !== incident.primary_metric) {
      sentences.push(`${metricLabel(target.metric_name)} then reached ${nodeReading(target)}, and detection fired on ${label.toLowerCase()} at ${primaryReading(incident)} over ${window}.`);
    } else {
      sentences.push(`${label} then reached ${primaryReading(incident)} over ${window}.`);
    }
  }

  // A catch-all cluster that holds exactly the events of an entity cluster of the same metric says nothing more.
  const clusters = (path?.nodes ?? []).flatMap((n) =>
    n.evidence_clusters
      .filter((c) => c.entity_id !== null || !n.evidence_clusters.some((o) => o.entity_id !== null && o.event_count === c.event_count))
      .map((c) => ({ metric: n.metric_name, cluster: c })),
  );
  if (clusters.length > 0) {
    // The same events can stand behind several metrics of the path: say them once, naming each metric.
    const bySummary = new Map<string, { summary: string; count: number; label: string; metrics: string[] }>();
    for (const { metric, cluster } of clusters) {
      const known = bySummary.get(cluster.summary);
      if (known) {
        if (!known.metrics.includes(metric)) known.metrics.push(metric);
      } else {
        bySummary.set(cluster.summary, { summary: cluster.summary, count: cluster.event_count, label: cluster.cluster_label, metrics: [metric] });
      }
    }
    const top = [...bySummary.values()].sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)).slice(0, 3);
    sentences.push(`Evidence: ${top.map((c) => `${c.summary} (${joinList(c.metrics.map((m) => metricLabel(m).toLowerCase()))})`).join("; ")}.`);
  } else if (incident.evidence_event_count > 0) {
    sentences.push(`Evidence: the ${plural(incident.evidence_event_count, "event")} of the incident window listed with the incident.`);
  } else {
    sentences.push("No evidence events were found in the incident window.");
  }
  return sentences.join(" ");
}

/** Factors beyond the top path: other ranked roots, corroborating metrics, data quality, the cascade. */
export function contributingFactors(input: PostmortemInput): string[] {
  const { incident } = input;
  const factors: string[] = [];
  const path = topPath(incident);
  const onTop = new Set((path?.nodes ?? []).map((n) => n.metric_name));
  const seen = new Set<string>();
  for (const other of [...incident.causal_chain.paths].sort((a, b) => a.rank - b.rank)) {
    if (other === path) continue;
    for (const node of other.nodes) {
      if (onTop.has(node.metric_name) || seen.has(node.metric_name)) continue;
      seen.add(node.metric_name);
      const when = node.anomaly_window ? `, anomalous ${formatDayRange(node.anomaly_window[0], node.anomaly_window[1])}` : "";
      factors.push(`${metricLabel(node.metric_name)} at ${nodeReading(node)}${when}: on causal path ${other.rank} (score ${formatScore(other.overall_score)}).`);
    }
  }
  for (const s of incident.supporting_metrics) {
    if (s.zscore === null || Math.abs(s.zscore) < CORROBORATION_Z || onTop.has(s.metric_name) || seen.has(s.metric_name)) continue;
    factors.push(
      `${metricLabel(s.metric_name)} stood at ${formatMetricValue(s.metric_name, s.value)} against a baseline of ${formatMetricValue(s.metric_name, s.baseline)} (${formatZ(s.zscore)}) at the incident's peak.`,
    );
  }
  if (incident.data_quality_score < QUALITY_WARNING) {
    factors.push(
      `${formatShare(1 - incident.data_quality_score)} of the events behind ${metricLabel(incident.primary_metric).toLowerCase()} carried data-quality flags (quality score ${formatScore(incident.data_quality_score)}), which weakens the evidence.`,
    );
  }
  const cascade = cascadeOf(input);
  if (cascade) {
    const position = cascade.incident_ids.indexOf(incident.incident_id);
    const role = position === 0 ? "started it" : `is step ${position + 1} of ${cascade.incident_ids.length}`;
    factors.push(`Part of cascade ${cascade.cascade_path.map((t) => incidentLabel(t)).join(" → ")} (cascade score ${formatScore(cascade.cascade_score)}); this incident ${role}.`);
  }
  const downstream = incident.blast_radius.downstream_incidents_triggered.length;
  if (downstream > 0 && !cascade) factors.push(`${plural(downstream, "downstream incident")} followed this one.`);
  if (factors.length === 0) {
    factors.push(`No contributing factor beyond the root cause was measured: no other causal path, and no supporting metric at |z| ${CORROBORATION_Z} or more.`);
  }
  return factors;
}
