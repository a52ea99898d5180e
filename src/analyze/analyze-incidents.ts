/**
 * The analysis half of the scan, after detection: blast radius, cascades and BRE-RCA for every
 * incident, and each cascade's combined blast radius. The scan calls this once with all incidents.
 */
import { type DetectionConfig, madScores, type ScoreTable } from "../detect/detect.ts";
import type { EvidenceSource } from "../evidence.ts";
import type { GoldMetrics, MetricName } from "../metrics/gold.ts";
import type { DailyAggregates } from "../metrics/series.ts";
import type { Cascade, CausalChain, EvidenceCluster, Incident } from "../scan-contract.ts";
import { type BlastDetail, type BlastRadiusConfig, characteristicEntities, collectBlastDetail, DEFAULT_BLAST_RADIUS_CONFIG, emptyBlastDetail, mergeBlastDetails, summarizeBlastRadius } from "./blast-radius.ts";
import { BUSINESS_DAG_NODES, dagNodeForMetric } from "./business-dag.ts";
import { type CascadeConfig, correlateCascades, DEFAULT_CASCADE_CONFIG } from "./cascades.ts";
import { contributionScore } from "./contribution-score.ts";
import { causalGraphView } from "./graph-view.ts";
import { memoizeEvidence } from "./memo-evidence.ts";
import { round6, round6OrNull } from "./precision.ts";
import { analyzeRootCause, DEFAULT_RCA_CONFIG, type RcaConfig, type RcaIncident } from "./rca.ts";

export interface AnalysisConfig {
  /** Switches for the ablation and the overhead benchmark; all on in production. */
  rootCause: boolean;
  cascades: boolean;
  blastRadius: boolean;
  rca: RcaConfig;
  cascade: CascadeConfig;
  blast: BlastRadiusConfig;
}

export const DEFAULT_ANALYSIS_CONFIG: AnalysisConfig = {
  rootCause: true,
  cascades: true,
  blastRadius: true,
  rca: DEFAULT_RCA_CONFIG,
  cascade: DEFAULT_CASCADE_CONFIG,
  blast: DEFAULT_BLAST_RADIUS_CONFIG,
};

/** The incident fields detection fills in (the contract's passthrough index makes `Omit` unusable). */
export type DetectedIncidentFields = Pick<
  Incident,
  | "incident_id"
  | "incident_type"
  | "severity"
  | "confidence"
  | "detected_at"
  | "incident_window_start"
  | "incident_window_end"
  | "primary_metric"
  | "primary_metric_value"
  | "primary_metric_baseline"
  | "primary_metric_zscore"
  | "supporting_metrics"
  | "detection_methods"
  | "evidence_event_ids"
  | "evidence_event_count"
  | "data_quality_score"
  | "status"
>;

/** An incident with everything but its analysis, and what RCA needs to know about it. */
export interface IncidentToAnalyze {
  incident: DetectedIncidentFields & Record<string, unknown>;
  rca: RcaIncident;
}

export interface AnalysisContext {
  runId: string;
  aggregates: DailyAggregates;
  metrics: GoldMetrics;
  scores: ScoreTable;
  detection: DetectionConfig;
  evidence: EvidenceSource;
  /** Share of a metric's source events without data-quality flags over day indexes [from, to]. */
  dataQuality(metric: MetricName, from: number, to: number): number;
}

export interface AnalysisResult {
  incidents: Incident[];
  cascades: Cascade[];
}

export async function analyzeIncidents(items: readonly IncidentToAnalyze[], ctx: AnalysisContext, config: AnalysisConfig = DEFAULT_ANALYSIS_CONFIG): Promise<AnalysisResult> {
  const days = ctx.aggregates.days;
  const scores = config.rootCause ? withDagScores(ctx.scores, ctx.metrics, ctx.detection) : ctx.scores;
  const clusterCache = new Map<string, Promise<EvidenceCluster[]>>();
  const details = new Map<string, BlastDetail>();
  const chains = new Map<string, CausalChain>();
  for (const { incident, rca } of items) {
    // One incident's blast radius and RCA ask overlapping questions; answers are kept for that
    // incident only, so a scan's memory does not grow with its number of incidents.
    const evidence = memoizeEvidence(ctx.evidence);
    if (config.blastRadius || config.cascades) {
      details.set(incident.incident_id, await collectBlastDetail({ type: incident.incident_type, startIndex: rca.startIndex, endIndex: rca.endIndex }, ctx.aggregates, evidence, config.blast));
    }
    chains.set(
      incident.incident_id,
      config.rootCause
        ? await analyzeRootCause(rca, { runId: ctx.runId, days, metrics: ctx.metrics, scores, dataQuality: ctx.dataQuality, evidence, config: config.rca, clusterCache })
        : selfChain(incident, rca, ctx),
    );
  }

  const correlation = config.cascades
    ? correlateCascades(
        items.map(({ incident }) => ({
          id: incident.incident_id,
          type: incident.incident_type,
          detectedAt: incident.detected_at,
          windowStart: incident.incident_window_start,
          windowEnd: incident.incident_window_end,
          entities: characteristicEntities(details.get(incident.incident_id) ?? emptyDetail()),
          metricNode: dagNodeForMetric(incident.primary_metric),
          rootCause: config.rootCause ? (chains.get(incident.incident_id)?.paths[0]?.nodes[0]?.metric_name ?? null) : null,
        })),
        config.cascade,
      )
    : { cascades: [], cascadeOf: new Map<string, string>(), downstreamOf: new Map<string, string[]>() };

  const incidents: Incident[] = [];
  for (const { incident } of items) {
    const downstream = correlation.downstreamOf.get(incident.incident_id) ?? [];
    const detail = details.get(incident.incident_id);
    const analyzed: Incident = {
      ...incident,
      cascade_id: correlation.cascadeOf.get(incident.incident_id) ?? null,
      causal_chain: chains.get(incident.incident_id)!,
      blast_radius: summarizeBlastRadius(config.blastRadius && detail ? detail : emptyDetail(), downstream),
    };
    incidents.push({ ...analyzed, causal_graph: causalGraphView(analyzed) });
  }

  const cascades: Cascade[] = correlation.cascades.map((group) => ({
    cascade_id: group.cascade_id,
    root_incident_id: group.root_incident_id,
    incident_ids: group.incident_ids,
    cascade_path: group.cascade_path,
    cascade_score: round6(group.cascade_score),
    detected_at: group.detected_at,
    links: group.links.map((l) => ({
      ...l,
      cascade_score: round6(l.cascade_score),
      temporal_weight: round6(l.temporal_weight),
      entity_overlap: round6(l.entity_overlap),
    })),
    total_blast_radius: summarizeBlastRadius(
      mergeBlastDetails(group.incident_ids.map((id) => details.get(id) ?? emptyDetail())),
      group.incident_ids.slice(1),
      "This cascade",
    ),
  }));
  return { incidents, cascades };
}

/** The 17 DAG metrics scored with the detection's own MAD settings when the detector did not need them. */
export function withDagScores(scores: ScoreTable, metrics: GoldMetrics, detection: DetectionConfig): ScoreTable {
  const missing = BUSINESS_DAG_NODES.filter((m) => !scores.has(m));
  if (missing.length === 0) return scores;
  const table: ScoreTable = new Map(scores);
  for (const metric of missing) table.set(metric, madScores(metric, metrics[metric], detection));
  return table;
}

/** With RCA switched off: the incident metric alone, scored like a root with no upstream search. */
function selfChain(incident: IncidentToAnalyze["incident"], rca: RcaIncident, ctx: AnalysisContext): CausalChain {
  const days = ctx.aggregates.days;
  const parts = contributionScore({ z: rca.primary.z ?? 3, correlation: 1, lag: 0, pathLength: 0, dataQuality: incident.data_quality_score });
  return {
    chain_id: `chain_${incident.incident_id}`,
    algorithm_version: "self",
    dependency_graph_version: "none",
    causal_window: [days[rca.startIndex]!, days[rca.endIndex]!],
    paths: [
      {
        rank: 1,
        overall_score: round6(parts.contribution_score),
        nodes: [
          {
            metric_name: incident.primary_metric,
            contribution_score: round6(parts.contribution_score),
            anomaly_magnitude: round6(parts.anomaly_magnitude),
            temporal_precedence: 1,
            graph_proximity: 1,
            data_quality_weight: round6(parts.data_quality_weight),
            metric_value: round6OrNull(rca.primary.value),
            metric_baseline: round6OrNull(rca.primary.baseline),
            metric_zscore: round6OrNull(rca.primary.z),
            anomaly_window: [days[rca.startIndex]!, days[rca.endIndex]!],
            evidence_clusters: [],
          },
        ],
      },
    ],
  };
}

function emptyDetail(): BlastDetail {
  return mergeBlastDetails([emptyBlastDetail()]);
}
