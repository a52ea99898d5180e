/**
 * BRE-RCA (spec, Component G): for one incident, the ranked causal paths from root cause to the
 * incident metric over the business DAG, with the evidence events behind each node.
 *
 * Step 1  incident metric node: the incident's primary metric (two trigger metrics map onto the DAG
 *         node they measure, see `dagNodeForMetric`).
 * Step 2  causal window: [window start − lookback (14 days), window end].
 * Step 3  upstream nodes: reverse breadth-first traversal of the DAG (graphology).
 * Step 4  contribution = min(|z|/3, 3) × best cross-correlation at lag 0..14 × exp(−lag/7)
 *         × 1/(path length + 1) × data-quality weight, for every upstream metric anomalous in the
 *         causal window in the direction that would explain the incident.
 * Step 5–7 ranked paths (causal-paths.ts), top K = 5, each node with its evidence clusters.
 */
import type { ScoreTable } from "../detect/detect.ts";
import type { EvidenceSource } from "../evidence.ts";
import { stableId } from "../ids.ts";
import type { GoldMetrics, MetricName } from "../metrics/gold.ts";
import type { CausalChain, CausalNode, EvidenceCluster, IncidentType, RcaCandidate } from "../scan-contract.ts";
import { bestLaggedCorrelation } from "./best-lagged-correlation.ts";
import { trailingMean } from "./trailing-mean.ts";
import { allPaths, BUSINESS_DAG, dagNodeForMetric, DEPENDENCY_GRAPH_VERSION, pathSign, upstreamDistances } from "./business-dag.ts";
import { type RankedPath, rankCausalPaths, rankedRoots, type ScoredNode } from "./causal-paths.ts";
import { contributionScore, type ContributionParts } from "./contribution-score.ts";
import { round6 as round, round6OrNull as roundOrNull } from "./precision.ts";
import { clusterEvidence, collectMetricEvidence, DEFAULT_CLUSTER_OPTIONS, METRIC_EVIDENCE } from "./evidence-clusters.ts";

export const ALGORITHM_VERSION = "BRE-RCA-v1";

export interface RcaConfig {
  /** Days before the incident window searched for causes (spec default 14). */
  lookbackDays: number;
  /** Largest lead, in days, tried by the cross-correlation (spec: lag bounds [0, lookback]). */
  maxLagDays: number;
  /** Paths kept (spec default K = 5). */
  topK: number;
  /** |z| an upstream metric must reach in the causal window to count as anomalous. */
  anomalyThreshold: number;
  /** Per-metric thresholds (the slow customer metrics use the detection rules' 2.5). */
  metricThresholds: Partial<Record<MetricName, number>>;
  /** An upstream anomaly starting up to this many days after a downstream one can still precede it. */
  onsetToleranceDays: number;
  /** An upstream anomaly that ended more than this many days before a downstream one began cannot precede it. */
  maxGapDays: number;
  /** Weakest contribution score that still counts as a possible cause. */
  minContribution: number;
  /**
   * Days of the trailing mean both series are smoothed with before the cross-correlation (1 = none):
   * daily counts and sums swing with the weekday, the rolling metrics they feed do not.
   */
  correlationSmoothingDays: number;
  /**
   * Incident types analysed from their most downstream anomalous trigger metric. The spec's Step 1
   * example does this for fulfillment (`delivery_delay_rate`, even when the backlog fired harder).
   */
  downstreamTrigger: readonly IncidentType[];
  /** Most events read per evidence query. */
  evidenceLimit: number;
}

export const DEFAULT_RCA_CONFIG: RcaConfig = {
  lookbackDays: 14,
  maxLagDays: 14,
  topK: 5,
  anomalyThreshold: 3,
  metricThresholds: { churn_proxy: 2.5, review_score_avg: 2.5 },
  onsetToleranceDays: 1,
  maxGapDays: 3,
  minContribution: 0.05,
  correlationSmoothingDays: 1,
  downstreamTrigger: ["FULFILLMENT_SLA_DEGRADATION"],
  evidenceLimit: 2_000,
};

/** Every path is ranked (the chain shows the top K; its root causes come from all of them). */
const ALL_PATHS = 1_000;

/** What RCA needs to know about one detected incident. */
export interface RcaIncident {
  incidentId: string;
  type: IncidentType;
  primaryMetric: MetricName;
  /** +1 when the incident is the metric going up, −1 when going down. */
  direction: 1 | -1;
  primary: { value: number | null; baseline: number | null; z: number | null };
  startIndex: number;
  endIndex: number;
  /** The day of the incident's strongest reading; its episode dates the incident in time. */
  peakIndex?: number;
  /** The rule's trigger metrics and the direction each fires in (the primary metric among them). */
  triggers?: readonly { metric: MetricName; direction: 1 | -1; threshold: number }[];
}

export interface RcaContext {
  runId: string;
  days: readonly string[];
  metrics: GoldMetrics;
  /** MAD z-scores; must cover the 17 DAG metrics (`ensureDagScores`). */
  scores: ScoreTable;
  dataQuality(metric: MetricName, from: number, to: number): number;
  evidence: EvidenceSource;
  config: RcaConfig;
  /** Evidence clusters by metric and window, shared by the incidents of one scan. */
  clusterCache: Map<string, Promise<EvidenceCluster[]>>;
}

/** One upstream metric as RCA judged it (the chain's `candidates`). */
export type ScoredCandidate = RcaCandidate;

interface Scored {
  candidate: ScoredCandidate;
  onset: number;
  peakIndex: number;
  window: [number, number] | null;
}

export async function analyzeRootCause(given: RcaIncident, ctx: RcaContext): Promise<CausalChain> {
  const { config, days } = ctx;
  const incident = config.downstreamTrigger.includes(given.type) ? fromDownstreamTrigger(given, ctx) : given;
  const target = dagNodeForMetric(incident.primaryMetric);
  const from = Math.max(0, incident.startIndex - config.lookbackDays);
  const to = incident.endIndex;
  const chainBase = {
    chain_id: `chain_${stableId(incident.incidentId)}`,
    incident_id: incident.incidentId,
    run_id: ctx.runId,
    algorithm_version: ALGORITHM_VERSION,
    dependency_graph_version: DEPENDENCY_GRAPH_VERSION,
    causal_window: [days[from]!, days[to]!] as [string, string],
    lookback_days: config.lookbackDays,
    incident_metric: given.primaryMetric,
  };

  const targetZ = incident.primary.z ?? alignedPeak(ctx.scores, target ?? incident.primaryMetric, incident.direction, incident.startIndex, to).z ?? 3;
  const targetDq = ctx.dataQuality(incident.primaryMetric, from, to);
  const targetParts = contributionScore({ z: targetZ, correlation: 1, lag: 0, pathLength: 0, dataQuality: targetDq });
  const targetNode: ScoredNode = { node: target ?? incident.primaryMetric, contribution: targetParts.contribution_score, onset: incidentOnset(incident, ctx), end: to };
  const targetEvidence = clustersFor(ctx, incident.primaryMetric, incident.startIndex, to);

  if (target === null) {
    // Not a DAG metric: nothing upstream to search; the metric is its own root.
    const node = await causalNode(targetNode.node, targetParts, incident.primary, [incident.startIndex, to], targetEvidence, ctx, {});
    return { ...chainBase, paths: [{ rank: 1, overall_score: round(targetParts.contribution_score), nodes: [node] }], root_causes: [rootEntry(1, node.metric_name, targetParts.contribution_score)], candidates: [] };
  }

  const scored = new Map<string, Scored>();
  for (const [metric, pathLength] of [...upstreamDistances(BUSINESS_DAG, target)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    scored.set(metric, scoreUpstream(metric as MetricName, target, pathLength, incident.direction, from, to, ctx));
  }

  const allRanked = rankCausalPaths(
    BUSINESS_DAG,
    targetNode,
    [...scored.values()].map((s) => ({ node: s.candidate.metric_name, contribution: s.candidate.contribution_score, onset: s.onset, end: s.window?.[1] ?? s.onset })),
    { topK: ALL_PATHS, onsetTolerance: config.onsetToleranceDays, maxGap: config.maxGapDays, minContribution: config.minContribution },
  );
  // The top K show every root cause's best path before a second route of the same root (five
  // variants of one explanation tell a reader less than the best path of each alternative), then the
  // incident metric alone: the possibility that the cause lies outside the DAG (a product defect, a
  // competitor, a carrier) and the upstream anomalies are coincidences.
  const firsts = new Map<string, RankedPath>();
  for (const p of allRanked) if (!firsts.has(p.nodes[0]!)) firsts.set(p.nodes[0]!, p);
  const outside: RankedPath[] = firsts.has(targetNode.node) ? [] : [{ nodes: [targetNode.node], dag_path: [targetNode.node], score: targetNode.contribution }];
  const ranked = [...firsts.values(), ...outside, ...allRanked.filter((p) => firsts.get(p.nodes[0]!) !== p)].slice(0, config.topK);

  const paths: CausalChain["paths"] = [];
  for (const [i, path] of ranked.entries()) {
    const nodes: CausalNode[] = [];
    for (const [position, name] of path.nodes.entries()) {
      const role = position === path.nodes.length - 1 ? "incident" : position === 0 ? "root_cause" : "intermediate";
      if (name === targetNode.node) {
        nodes.push(await causalNode(name, targetParts, incident.primary, [incident.startIndex, to], targetEvidence, ctx, { role, path_length: 0, lag_days: 0, cross_correlation: 1 }));
        continue;
      }
      const s = scored.get(name)!;
      const point = ctx.scores.get(name as MetricName)?.[s.peakIndex];
      nodes.push(
        await causalNode(name, s.candidate, { value: point?.value ?? null, baseline: point?.baseline ?? null, z: point?.z ?? null }, s.window!, clustersFor(ctx, name as MetricName, s.window![0], s.window![1]), ctx, {
          role,
          path_length: s.candidate.path_length,
          lag_days: s.candidate.lag_days,
          cross_correlation: roundOrNull(s.candidate.cross_correlation),
          onset_day: s.candidate.onset_day,
        }),
      );
    }
    paths.push({ rank: i + 1, overall_score: round(path.score), nodes, dag_path: path.dag_path } as CausalChain["paths"][number]);
  }

  const bestByRoot = new Map<string, number>();
  for (const p of allRanked) if (!bestByRoot.has(p.nodes[0]!)) bestByRoot.set(p.nodes[0]!, p.score);
  return {
    ...chainBase,
    paths,
    // The incident metric closes the list when upstream causes were found (the cause may lie outside the DAG).
    root_causes: [...rankedRoots(allRanked), ...outside.map((p) => p.nodes[0]!)].map((metric, i) => rootEntry(i + 1, metric, bestByRoot.get(metric) ?? targetNode.contribution)),
    candidates: [...scored.values()].map((s) => roundCandidate(s.candidate)),
  };
}

function rootEntry(rank: number, metric: string, score: number) {
  return { rank, metric_name: metric, best_path_score: round(score) };
}

/** Step 4 for one upstream metric. */
function scoreUpstream(metric: MetricName, target: string, pathLength: number, incidentDirection: 1 | -1, from: number, to: number, ctx: RcaContext): Scored {
  const sign = pathSign(BUSINESS_DAG, allPaths(BUSINESS_DAG, metric, target)[0]!);
  const direction = (incidentDirection * sign) as 1 | -1;
  const threshold = ctx.config.metricThresholds[metric] ?? ctx.config.anomalyThreshold;
  const peak = alignedPeak(ctx.scores, metric, direction, from, to);
  const anomalous = peak.z !== null && direction * peak.z >= threshold;
  let onset = -1;
  let window: [number, number] | null = null;
  const series = ctx.scores.get(metric) ?? [];
  if (anomalous) {
    // The anomaly episode: the run of anomalous days around the peak; its first day is the onset.
    let a = peak.index;
    let b = peak.index;
    const above = (i: number) => {
      const z = series[i]?.z;
      return z !== null && z !== undefined && direction * z >= threshold;
    };
    while (a - 1 >= from && above(a - 1)) a--;
    while (b + 1 <= to && above(b + 1)) b++;
    window = [a, b];
    onset = a;
  }
  // Only an anomalous metric can contribute: the correlation search is skipped for the others.
  const best = anomalous
    ? bestLaggedCorrelation(smoothed(ctx, metric), smoothed(ctx, target as MetricName), sign, from, to, ctx.config.maxLagDays)
    : null;
  const parts = contributionScore({
    z: peak.z ?? 0,
    correlation: best?.correlation ?? 0,
    lag: best?.lag ?? 0,
    pathLength,
    dataQuality: anomalous ? ctx.dataQuality(metric, from, to) : 1,
  });
  return {
    candidate: {
      metric_name: metric,
      path_length: pathLength,
      expected_direction: direction,
      anomalous,
      peak_zscore: peak.z,
      peak_day: peak.z === null ? null : ctx.days[peak.index]!,
      onset_day: onset >= 0 ? ctx.days[onset]! : null,
      lag_days: best?.lag ?? null,
      cross_correlation: best?.correlation ?? null,
      ...parts,
      contribution_score: anomalous ? parts.contribution_score : 0,
    },
    onset,
    peakIndex: peak.index,
    window,
  };
}

/**
 * Step 1 as the spec's example reads it (fulfillment degradation → `delivery_delay_rate` even when the
 * backlog fired harder): the incident is analysed from its most downstream trigger metric in the DAG
 * that was itself anomalous in the window, so the other trigger (the backlog) becomes a candidate
 * cause instead of hiding the causes of the one it feeds. Its own peak then dates and sizes it.
 */
function fromDownstreamTrigger(incident: RcaIncident, ctx: RcaContext): RcaIncident {
  const nodes = (incident.triggers ?? [])
    .map((t) => ({ ...t, node: dagNodeForMetric(t.metric) }))
    .filter((t): t is typeof t & { node: NonNullable<typeof t.node> } => t.node !== null);
  const own = dagNodeForMetric(incident.primaryMetric);
  for (const t of nodes) {
    if (t.node === own || !upstreamDistances(BUSINESS_DAG, t.node).has(own ?? "")) continue;
    // t is downstream of the primary metric: use it if it was anomalous in the incident's window.
    const peak = alignedPeak(ctx.scores, t.metric, t.direction, incident.startIndex, incident.endIndex);
    if (peak.z === null || t.direction * peak.z < t.threshold) continue;
    const point = ctx.scores.get(t.metric)?.[peak.index];
    return {
      ...incident,
      primaryMetric: t.metric,
      direction: t.direction,
      primary: { value: point?.value ?? null, baseline: point?.baseline ?? null, z: peak.z },
      peakIndex: peak.index,
    };
  }
  return incident;
}

/**
 * When the incident metric's own anomaly began: the run of days around the incident's peak where its
 * primary metric stayed past the detection threshold. Detection may merge an earlier blip into the
 * window; a cause is judged against the episode that made the incident, not against that blip.
 */
function incidentOnset(incident: RcaIncident, ctx: RcaContext): number {
  const peak = incident.peakIndex;
  const series = ctx.scores.get(incident.primaryMetric);
  if (peak === undefined || !series) return incident.startIndex;
  const threshold = ctx.config.metricThresholds[incident.primaryMetric] ?? ctx.config.anomalyThreshold;
  const past = (i: number) => {
    const z = series[i]?.z;
    return z !== null && z !== undefined && incident.direction * z >= threshold;
  };
  if (!past(peak)) return incident.startIndex;
  let onset = peak;
  while (onset - 1 >= incident.startIndex && past(onset - 1)) onset--;
  return onset;
}

/** The day in [from, to] where the metric's z is furthest in `direction` (largest direction × z). */
function alignedPeak(scores: ScoreTable, metric: string, direction: 1 | -1, from: number, to: number): { z: number | null; index: number } {
  const series = scores.get(metric as MetricName) ?? [];
  let best: { z: number | null; index: number } = { z: null, index: from };
  for (let i = from; i <= to; i++) {
    const z = series[i]?.z;
    if (z === null || z === undefined) continue;
    if (best.z === null || direction * z > direction * best.z) best = { z, index: i };
  }
  return best;
}

const smoothCache = new WeakMap<GoldMetrics, Map<string, (number | null)[]>>();

/** The metric's trailing mean over `correlationSmoothingDays` (cached per scan). */
function smoothed(ctx: RcaContext, metric: MetricName): readonly (number | null)[] {
  const days = ctx.config.correlationSmoothingDays;
  if (days <= 1) return ctx.metrics[metric];
  let cache = smoothCache.get(ctx.metrics);
  if (!cache) smoothCache.set(ctx.metrics, (cache = new Map()));
  const key = `${metric}|${days}`;
  let series = cache.get(key);
  if (!series) cache.set(key, (series = trailingMean(ctx.metrics[metric], days)));
  return series;
}

function clustersFor(ctx: RcaContext, metric: MetricName, from: number, to: number): Promise<EvidenceCluster[]> {
  const key = `${metric}|${from}|${to}`;
  let cached = ctx.clusterCache.get(key);
  if (!cached) {
    cached = (async () => {
      const found = await collectMetricEvidence(ctx.evidence, metric, ctx.days[from]!, ctx.days[to]!, ctx.config.evidenceLimit);
      const measure = METRIC_EVIDENCE[metric].measure;
      return clusterEvidence(found.events, { ...DEFAULT_CLUSTER_OPTIONS, truncated: found.truncated, ...(measure ? { measure } : {}) });
    })();
    ctx.clusterCache.set(key, cached);
  }
  return cached;
}

async function causalNode(
  name: string,
  parts: ContributionParts,
  point: { value: number | null; baseline: number | null; z: number | null },
  window: [number, number],
  clusters: Promise<EvidenceCluster[]>,
  ctx: RcaContext,
  extra: Record<string, unknown>,
): Promise<CausalNode> {
  return {
    metric_name: name,
    contribution_score: round(parts.contribution_score),
    anomaly_magnitude: round(parts.anomaly_magnitude),
    temporal_precedence: round(parts.temporal_precedence),
    graph_proximity: round(parts.graph_proximity),
    data_quality_weight: round(parts.data_quality_weight),
    metric_value: roundOrNull(point.value),
    metric_baseline: roundOrNull(point.baseline),
    metric_zscore: roundOrNull(point.z),
    anomaly_window: [ctx.days[window[0]]!, ctx.days[window[1]]!],
    evidence_clusters: await clusters,
    ...extra,
  };
}

function roundCandidate(c: ScoredCandidate): ScoredCandidate {
  return {
    ...c,
    peak_zscore: roundOrNull(c.peak_zscore),
    cross_correlation: roundOrNull(c.cross_correlation),
    anomaly_magnitude: round(c.anomaly_magnitude),
    temporal_precedence: round(c.temporal_precedence),
    graph_proximity: round(c.graph_proximity),
    data_quality_weight: round(c.data_quality_weight),
    contribution_score: round(c.contribution_score),
  };
}

