/**
 * The incident comparator (spec, Component L): two incidents side by side — which causes their
 * causal chains share and which are their own, how severity, the primary metric and the blast
 * radius differ, which evidence entities recur — and a narrative made of those numbers.
 *
 * A chain's causes are the metrics on its ranked paths before the incident metric; a single-node
 * path counts its metric as its own root cause, so two incidents with no upstream cause still
 * share (or not) their root.
 */
import { stableId } from "../ids.ts";
import { formatDayRange, formatMetricValue, formatMoney, formatZ, incidentLabel, joinList, metricLabel, plural } from "../report/format.ts";
import type { BlastRadius, CausalNode, Incident, IncidentType, Severity } from "../scan-contract.ts";
import { daysBetween } from "../time.ts";

const SEVERITY_ORDER: readonly Severity[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];
const BLAST_FIELDS = [
  "customers_affected",
  "orders_affected",
  "products_affected",
  "vendors_involved",
  "estimated_revenue_exposure",
  "estimated_refund_exposure",
  "estimated_churn_exposure",
] as const satisfies readonly (keyof BlastRadius)[];
type BlastField = (typeof BLAST_FIELDS)[number];

export interface CauseSummary {
  metric_name: string;
  /** Best (lowest) path rank it appears on, and its z-score there. */
  best_rank: number;
  zscore: number | null;
  contribution_score: number;
  /** True when it starts a path (a root cause), false when it sits between root and incident. */
  is_root: boolean;
}

export interface SideSummary {
  incident_id: string;
  incident_type: IncidentType;
  detected_at: string;
  window: [string, string];
  duration_days: number;
  severity: Severity;
  confidence: Incident["confidence"];
  primary_metric: string;
  primary_metric_value: number | null;
  primary_metric_baseline: number | null;
  primary_metric_zscore: number | null;
  evidence_event_count: number;
  data_quality_score: number;
  causes: CauseSummary[];
  top_path: string[];
  evidence_clusters: { metric_name: string; cluster_label: string; event_count: number; entity_id: string | null; summary: string }[];
}

export interface IncidentComparison {
  comparison_id: string;
  incident_a_id: string;
  incident_b_id: string;
  /** The type both share, or null when they differ (see `incident_types`). */
  incident_type: IncidentType | null;
  incident_types: [IncidentType, IncidentType];
  same_type: boolean;
  days_apart: number;
  shared_root_causes: string[];
  unique_to_a: string[];
  unique_to_b: string[];
  /** Same top-ranked root cause on both sides. */
  same_top_root_cause: boolean;
  severity_comparison: { a: Severity; b: Severity; more_severe: "a" | "b" | "same" };
  metrics_comparison: {
    primary_metric: { a: string; b: string };
    value: { a: number | null; b: number | null };
    baseline: { a: number | null; b: number | null };
    zscore: { a: number | null; b: number | null };
    duration_days: { a: number; b: number };
    evidence_event_count: { a: number; b: number };
    data_quality_score: { a: number; b: number };
  };
  blast_radius_comparison: Record<BlastField, { a: number; b: number; change: number; change_pct: number | null }> & {
    blast_radius_severity: { a: BlastRadius["blast_radius_severity"]; b: BlastRadius["blast_radius_severity"] };
  };
  /** Entities (vendor, customer, product…) named by evidence clusters on both sides. */
  shared_evidence_entities: string[];
  a: SideSummary;
  b: SideSummary;
  narrative: string;
}

/**
 * Causes on a chain, best rank first: the nodes before the incident metric on every ranked path;
 * when no path has an upstream node, the incident metric alone (its own root). A single-node path
 * listed after paths with upstream causes adds nothing.
 */
export function chainCauses(incident: Incident): CauseSummary[] {
  const out = new Map<string, CauseSummary>();
  const paths = [...incident.causal_chain.paths].sort((a, b) => a.rank - b.rank);
  const anyUpstream = paths.some((p) => p.nodes.length > 1);
  for (const path of paths) {
    if (anyUpstream && path.nodes.length === 1) continue;
    const nodes: CausalNode[] = path.nodes.length === 1 ? path.nodes : path.nodes.slice(0, -1);
    nodes.forEach((node, i) => {
      const known = out.get(node.metric_name);
      if (known) {
        known.is_root ||= i === 0;
        return;
      }
      out.set(node.metric_name, { metric_name: node.metric_name, best_rank: path.rank, zscore: node.metric_zscore, contribution_score: node.contribution_score, is_root: i === 0 });
    });
  }
  return [...out.values()];
}

function side(incident: Incident): SideSummary {
  const top = [...incident.causal_chain.paths].sort((a, b) => a.rank - b.rank)[0];
  return {
    incident_id: incident.incident_id,
    incident_type: incident.incident_type,
    detected_at: incident.detected_at,
    window: [incident.incident_window_start, incident.incident_window_end],
    duration_days: daysBetween(incident.incident_window_start, incident.incident_window_end) + 1,
    severity: incident.severity,
    confidence: incident.confidence,
    primary_metric: incident.primary_metric,
    primary_metric_value: incident.primary_metric_value,
    primary_metric_baseline: incident.primary_metric_baseline,
    primary_metric_zscore: incident.primary_metric_zscore,
    evidence_event_count: incident.evidence_event_count,
    data_quality_score: incident.data_quality_score,
    causes: chainCauses(incident),
    top_path: top?.nodes.map((n) => n.metric_name) ?? [],
    evidence_clusters: (top?.nodes ?? []).flatMap((n) =>
      n.evidence_clusters.map((c) => ({ metric_name: n.metric_name, cluster_label: c.cluster_label, event_count: c.event_count, entity_id: c.entity_id, summary: c.summary })),
    ),
  };
}

function change(a: number, b: number) {
  return { a, b, change: round2(b - a), change_pct: a === 0 ? null : round2(((b - a) / Math.abs(a)) * 100) };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

export function comparisonId(aId: string, bId: string): string {
  return `cmp_${stableId(aId, bId)}`;
}

export function compareIncidents(a: Incident, b: Incident): IncidentComparison {
  if (a.incident_id === b.incident_id) throw new Error(`compareIncidents: pick two different incidents (both are ${a.incident_id})`);
  const sa = side(a);
  const sb = side(b);
  const causesB = new Set(sb.causes.map((c) => c.metric_name));
  const causesA = new Set(sa.causes.map((c) => c.metric_name));
  const shared = sa.causes.filter((c) => causesB.has(c.metric_name)).map((c) => c.metric_name);
  const uniqueA = sa.causes.filter((c) => !causesB.has(c.metric_name)).map((c) => c.metric_name);
  const uniqueB = sb.causes.filter((c) => !causesA.has(c.metric_name)).map((c) => c.metric_name);
  const rankA = SEVERITY_ORDER.indexOf(a.severity);
  const rankB = SEVERITY_ORDER.indexOf(b.severity);
  const blast = Object.fromEntries(BLAST_FIELDS.map((f) => [f, change(a.blast_radius[f], b.blast_radius[f])])) as Record<BlastField, ReturnType<typeof change>>;
  const entitiesA = new Set(sa.evidence_clusters.flatMap((c) => (c.entity_id ? [c.entity_id] : [])));
  const sharedEntities = [...new Set(sb.evidence_clusters.flatMap((c) => (c.entity_id && entitiesA.has(c.entity_id) ? [c.entity_id] : [])))].sort();
  const comparison: Omit<IncidentComparison, "narrative"> = {
    comparison_id: comparisonId(a.incident_id, b.incident_id),
    incident_a_id: a.incident_id,
    incident_b_id: b.incident_id,
    incident_type: a.incident_type === b.incident_type ? a.incident_type : null,
    incident_types: [a.incident_type, b.incident_type],
    same_type: a.incident_type === b.incident_type,
    days_apart: Math.abs(daysBetween(a.detected_at, b.detected_at)),
    shared_root_causes: shared,
    unique_to_a: uniqueA,
    unique_to_b: uniqueB,
    same_top_root_cause: sa.top_path[0] !== undefined && sa.top_path[0] === sb.top_path[0],
    severity_comparison: { a: a.severity, b: b.severity, more_severe: rankA === rankB ? "same" : rankA > rankB ? "a" : "b" },
    metrics_comparison: {
      primary_metric: { a: a.primary_metric, b: b.primary_metric },
      value: { a: a.primary_metric_value, b: b.primary_metric_value },
      baseline: { a: a.primary_metric_baseline, b: b.primary_metric_baseline },
      zscore: { a: a.primary_metric_zscore, b: b.primary_metric_zscore },
      duration_days: { a: sa.duration_days, b: sb.duration_days },
      evidence_event_count: { a: a.evidence_event_count, b: b.evidence_event_count },
      data_quality_score: { a: a.data_quality_score, b: b.data_quality_score },
    },
    blast_radius_comparison: { ...blast, blast_radius_severity: { a: a.blast_radius.blast_radius_severity, b: b.blast_radius.blast_radius_severity } },
    shared_evidence_entities: sharedEntities,
    a: sa,
    b: sb,
  };
  return { ...comparison, narrative: comparisonNarrative(comparison, a, b) };
}

function rootPhrase(s: SideSummary, incident: Incident): string {
  const root = s.top_path[0];
  if (!root) return "no ranked cause";
  const node = [...incident.causal_chain.paths].sort((x, y) => x.rank - y.rank)[0]!.nodes[0]!;
  const own = s.top_path.length === 1 ? " (the incident metric itself, no upstream cause)" : "";
  return `${metricLabel(root).toLowerCase()}${own}, at ${formatMetricValue(root, node.metric_value)} against ${formatMetricValue(root, node.metric_baseline)} (${formatZ(node.metric_zscore)})`;
}

function comparisonNarrative(c: Omit<IncidentComparison, "narrative">, a: Incident, b: Incident): string {
  const when = (s: SideSummary) => formatDayRange(s.window[0], s.window[1]);
  const labels = c.same_type
    ? `These two ${incidentLabel(a.incident_type)} incidents (${when(c.a)} and ${when(c.b)}, ${plural(c.days_apart, "day")} apart)`
    : `The ${incidentLabel(a.incident_type)} of ${when(c.a)} and the ${incidentLabel(b.incident_type)} of ${when(c.b)} (${plural(c.days_apart, "day")} apart)`;
  const sentences: string[] = [];
  if (c.same_top_root_cause) {
    sentences.push(`${labels} had the same top root cause: ${metricLabel(c.a.top_path[0]!).toLowerCase()} (${formatZ(c.a.causes[0]?.zscore)} then ${formatZ(c.b.causes[0]?.zscore)}).`);
  } else {
    sentences.push(`${labels} had different top root causes: the first was driven by ${rootPhrase(c.a, a)}; the second by ${rootPhrase(c.b, b)}.`);
  }
  const names = (xs: string[]) => joinList(xs.map((m) => metricLabel(m).toLowerCase()));
  if (c.shared_root_causes.length > 0 && !(c.same_top_root_cause && c.shared_root_causes.length === 1)) sentences.push(`Both causal chains include ${names(c.shared_root_causes)}.`);
  if (c.unique_to_a.length > 0) sentences.push(`Only the first involved ${names(c.unique_to_a)}.`);
  if (c.unique_to_b.length > 0) sentences.push(`Only the second involved ${names(c.unique_to_b)}.`);
  if (c.shared_evidence_entities.length > 0) sentences.push(`The evidence of both names ${joinList(c.shared_evidence_entities)}.`);

  const sev = c.severity_comparison;
  const severity = sev.more_severe === "same" ? `Both were ${sev.a}` : `The ${sev.more_severe === "a" ? "first" : "second"} was more severe (${sev.a} vs ${sev.b})`;
  const br = c.blast_radius_comparison;
  const delta = (x: { change_pct: number | null }) => (x.change_pct === null ? "" : ` (${x.change_pct > 0 ? "+" : ""}${Math.round(x.change_pct)}%)`);
  sentences.push(
    `${severity}; the second touched ${br.customers_affected.b} customers against ${br.customers_affected.a}${delta(br.customers_affected)} ` +
      `and exposed ${formatMoney(br.estimated_revenue_exposure.b)} of revenue against ${formatMoney(br.estimated_revenue_exposure.a)}${delta(br.estimated_revenue_exposure)}.`,
  );
  if (c.same_type) {
    const m = a.primary_metric;
    sentences.push(
      `${metricLabel(m)} peaked at ${formatMetricValue(m, a.primary_metric_value)} (${formatZ(a.primary_metric_zscore)}) over ${plural(c.a.duration_days, "day")} the first time ` +
        `and ${formatMetricValue(b.primary_metric, b.primary_metric_value)} (${formatZ(b.primary_metric_zscore)}) over ${plural(c.b.duration_days, "day")} the second.`,
    );
  }
  return sentences.join(" ");
}
