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
 *
 * The formula is the spec's; `DEFAULT_RCA_CONFIG` adds extensions that change what it is fed (which
 * metric measures a node, when an episode begins, how daily totals are correlated) and which paths
 * exist and how roots are listed (rolling-window memory, the incident metric in the top 3).
 * `SPEC_RCA_CONFIG` switches them off (docs/decisions.md, "RCA extensions"; ablation in BENCHMARKS.md).
 */
import type { ScoreTable } from "../detect/detect.ts";
import type { EvidenceSource } from "../evidence.ts";
import { stableId } from "../ids.ts";
import type { GoldMetrics, MetricName } from "../metrics/gold.ts";
import type { CausalChain, CausalNode, EvidenceCluster, IncidentType, RcaCandidate } from "../scan-contract.ts";
import { bestLaggedCorrelation } from "./best-lagged-correlation.ts";
import { trailingMean } from "./trailing-mean.ts";
import { allPaths, BUSINESS_DAG, dagNodeForMetric, DEPENDENCY_GRAPH_VERSION, pathSign, upstreamDistances } from "./business-dag.ts";
import { type RankedPath, rankCausalPaths, type ScoredNode } from "./causal-paths.ts";
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
  /**
   * Extension (docs/decisions.md, "RCA extensions"): a DAG node is read through every metric that
   * measures it (supplier delays: rate and severity; reviews: average and trend), the strongest
   * reading counting. Off: the node's own metric only, as the spec lists the nodes.
   */
  nodeMeasurements: boolean;
  /**
   * Extension: an anomaly episode (the candidate's and the incident's) is the whole excursion past
   * this |z| around the run past the threshold (hysteresis), so its onset is when the metric left
   * its normal band, not when it crossed 3. Null: the run past the threshold only.
   */
  excursionLevel: number | null;
  /**
   * Extension: the incident metric alone (a cause outside the DAG) is listed no lower than this
   * rank. Null: after the best path of every upstream root.
   */
  selfRootRank: number | null;
  /**
   * Extension: days of the trailing mean the daily totals (order, ticket, revenue and expense
   * counts and sums, which swing with the weekday) are smoothed with before the cross-correlation,
   * so they are compared with the rolling metrics they feed on the same footing. 1: as every other
   * metric (`correlationSmoothingDays`).
   */
  dailyTotalSmoothingDays: number;
  /**
   * Extension: a rolling-window metric remembers its causes for its window (`ROLLING_WINDOW_DAYS`),
   * so an upstream episode may end that many days (− 1) before the metric's own begins and still
   * precede it (a large bill depresses the 30-day margin for 30 days). Off: `maxGapDays` for every node.
   */
  rollingMemory: boolean;
}

export const DEFAULT_RCA_CONFIG: RcaConfig = {
  lookbackDays: 14,
  maxLagDays: 14,
  topK: 5,
  // 2.5 and 1 (3 and 3 in SPEC_RCA_CONFIG) were tuned with the extensions on seeds 1–6 (BENCHMARKS.md).
  anomalyThreshold: 2.5,
  metricThresholds: { churn_proxy: 2.5, review_score_avg: 2.5 },
  onsetToleranceDays: 1,
  maxGapDays: 1,
  minContribution: 0.05,
  correlationSmoothingDays: 1,
  downstreamTrigger: ["FULFILLMENT_SLA_DEGRADATION"],
  evidenceLimit: 2_000,
  nodeMeasurements: true,
  excursionLevel: 1.5,
  selfRootRank: 3,
  dailyTotalSmoothingDays: 7,
  rollingMemory: true,
};

/** BRE-RCA exactly as the spec writes it: every extension off (the ablation's reference). */
export const SPEC_RCA_CONFIG: RcaConfig = { ...DEFAULT_RCA_CONFIG, anomalyThreshold: 3, maxGapDays: 3, nodeMeasurements: false, excursionLevel: null, selfRootRank: null, dailyTotalSmoothingDays: 1, rollingMemory: false };

/** The DAG metrics computed over a trailing 30-day window (src/metrics/gold.ts formulas, Σ30). */
const ROLLING_WINDOW_DAYS: Partial<Record<string, number>> = { expense_ratio: 30, margin_proxy: 30, net_cash_proxy: 30 };

/** Daily counts and sums (not rolling, not a state): the metrics `dailyTotalSmoothingDays` smooths. */
const DAILY_TOTALS: ReadonlySet<MetricName> = new Set(["order_volume", "ticket_volume", "daily_revenue", "daily_expenses"]);

/** Metrics besides a DAG node's own that measure the same thing (`dagNodeForMetric` maps them back). */
const OTHER_MEASUREMENTS: Partial<Record<MetricName, readonly MetricName[]>> = {
  supplier_delay_rate: ["supplier_delay_severity"],
  review_score_avg: ["review_score_trend"],
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

  const targetZ = incident.primary.z ?? alignedPeak(readings(ctx, (target ?? incident.primaryMetric) as MetricName, incident.direction), incident.direction, incident.startIndex, to).z ?? 3;
  const targetDq = ctx.dataQuality(incident.primaryMetric, from, to);
  const targetParts = contributionScore({ z: targetZ, correlation: 1, lag: 0, pathLength: 0, dataQuality: targetDq });
  const targetNode: ScoredNode = { node: target ?? incident.primaryMetric, contribution: targetParts.contribution_score, onset: incidentOnset(incident, from, ctx), end: to };
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
    {
      topK: ALL_PATHS,
      onsetTolerance: config.onsetToleranceDays,
      maxGap: config.maxGapDays,
      minContribution: config.minContribution,
      ...(config.rollingMemory ? { memory: (node: string) => Math.max(0, (ROLLING_WINDOW_DAYS[node] ?? 1) - 1) } : {}),
    },
  );
  // The top K show every root cause's best path before a second route of the same root (five
  // variants of one explanation tell a reader less than the best path of each alternative), and the
  // incident metric alone: the possibility that the cause lies outside the DAG (a product defect, a
  // competitor, a carrier) and the upstream anomalies are coincidences. It comes after every upstream
  // root, or at `selfRootRank` at the latest (extension).
  const firsts = new Map<string, RankedPath>();
  for (const p of allRanked) if (!firsts.has(p.nodes[0]!)) firsts.set(p.nodes[0]!, p);
  const outside: RankedPath[] = firsts.has(targetNode.node) ? [] : [{ nodes: [targetNode.node], dag_path: [targetNode.node], score: targetNode.contribution }];
  const upstreamFirsts = [...firsts.values()];
  const selfAt = config.selfRootRank === null ? upstreamFirsts.length : Math.min(upstreamFirsts.length, config.selfRootRank - 1);
  const rootOrder = [...upstreamFirsts.slice(0, selfAt), ...outside, ...upstreamFirsts.slice(selfAt)];
  const ranked = [...rootOrder, ...allRanked.filter((p) => firsts.get(p.nodes[0]!) !== p)].slice(0, config.topK);

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
      const point = readings(ctx, name as MetricName, s.candidate.expected_direction)[s.peakIndex];
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

  return {
    ...chainBase,
    paths,
    // The incident metric is listed among the roots when upstream causes were found (the cause may lie outside the DAG).
    // rootOrder holds each root's best path once (the incident metric's own, when outside the DAG's paths, with its contribution).
    root_causes: rootOrder.map((path, i) => rootEntry(i + 1, path.nodes[0]!, path.score)),
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
  const series = readings(ctx, metric, direction);
  const peak = alignedPeak(series, direction, from, to);
  const anomalous = peak.z !== null && direction * peak.z >= threshold;
  let onset = -1;
  let window: [number, number] | null = null;
  if (anomalous) {
    // The anomaly episode around the peak; its first day is the onset.
    window = episode(series, peak.index, direction, threshold, ctx.config.excursionLevel, from, to);
    onset = window[0];
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
      ...(peak.z !== null && series[peak.index]!.metric !== metric ? { measured_by: series[peak.index]!.metric } : {}),
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
    const peak = alignedPeak(ownReadings(ctx, t.metric), t.direction, incident.startIndex, incident.endIndex);
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
 * When the incident metric's own anomaly began: the episode around the incident's peak where its
 * primary metric stayed past the detection threshold (extended to the whole excursion when
 * `excursionLevel` is set, back to the causal window's start at most). Detection may merge an earlier
 * blip into the window; a cause is judged against the episode that made the incident, not that blip.
 */
function incidentOnset(incident: RcaIncident, from: number, ctx: RcaContext): number {
  const peak = incident.peakIndex;
  const node = dagNodeForMetric(incident.primaryMetric);
  const series = node !== null && ctx.config.nodeMeasurements ? readings(ctx, node, incident.direction) : ownReadings(ctx, incident.primaryMetric);
  if (peak === undefined || series.length === 0) return incident.startIndex;
  const threshold = ctx.config.metricThresholds[incident.primaryMetric] ?? ctx.config.anomalyThreshold;
  const z = series[peak]?.z;
  if (z === null || z === undefined || incident.direction * z < threshold) return incident.startIndex;
  const level = ctx.config.excursionLevel;
  return episode(series, peak, incident.direction, threshold, level, level === null ? incident.startIndex : from, peak)[0];
}

/**
 * The run of days around `peak` (within [from, to]) where direction × z stays at or past `threshold`;
 * with `level` (below the threshold), widened to the run at or past `level` that contains it.
 */
function episode(series: readonly Reading[], peak: number, direction: 1 | -1, threshold: number, level: number | null, from: number, to: number): [number, number] {
  const past = (i: number, bar: number) => {
    const z = series[i]?.z;
    return z !== null && z !== undefined && direction * z >= bar;
  };
  const bar = level === null ? threshold : Math.min(level, threshold);
  let a = peak;
  let b = peak;
  while (a - 1 >= from && past(a - 1, bar)) a--;
  while (b + 1 <= to && past(b + 1, bar)) b++;
  return [a, b];
}

/** One day of a DAG node as RCA reads it: the z, value and baseline of the metric that measured it. */
interface Reading {
  z: number | null;
  value: number | null;
  baseline: number | null;
  metric: MetricName;
}

const readingCache = new WeakMap<ScoreTable, Map<string, Reading[]>>();

/** A metric's own Layer 1 scores as readings. */
function ownReadings(ctx: RcaContext, metric: MetricName): readonly Reading[] {
  return readings(ctx, metric, 1, false);
}

/**
 * The node's readings: its own metric's scores or, with `nodeMeasurements`, each day the one of the
 * metrics measuring the node that lies furthest in `direction` (cached per scan).
 */
function readings(ctx: RcaContext, metric: MetricName, direction: 1 | -1, measurements = ctx.config.nodeMeasurements): readonly Reading[] {
  const others = measurements ? (OTHER_MEASUREMENTS[metric] ?? []) : [];
  let cache = readingCache.get(ctx.scores);
  if (!cache) readingCache.set(ctx.scores, (cache = new Map()));
  const key = others.length === 0 ? metric : `${metric}|${direction}`;
  const known = cache.get(key);
  if (known) return known;
  const own = ctx.scores.get(metric) ?? [];
  const out: Reading[] = own.map((p) => ({ z: p.z, value: p.value, baseline: p.baseline, metric }));
  for (const other of others) {
    for (const [i, p] of (ctx.scores.get(other) ?? []).entries()) {
      const current = out[i]?.z;
      if (p.z === null) continue;
      if (current === null || current === undefined || direction * p.z > direction * current) out[i] = { z: p.z, value: p.value, baseline: p.baseline, metric: other };
    }
  }
  cache.set(key, out);
  return out;
}

/** The day in [from, to] where the reading's z is furthest in `direction` (largest direction × z). */
function alignedPeak(series: readonly Reading[], direction: 1 | -1, from: number, to: number): { z: number | null; index: number } {
  let best: { z: number | null; index: number } = { z: null, index: from };
  for (let i = from; i <= to; i++) {
    const z = series[i]?.z;
    if (z === null || z === undefined) continue;
    if (best.z === null || direction * z > direction * best.z) best = { z, index: i };
  }
  return best;
}

const smoothCache = new WeakMap<GoldMetrics, Map<string, (number | null)[]>>();

/** The metric's trailing mean over its smoothing days (cached per scan). */
function smoothed(ctx: RcaContext, metric: MetricName): readonly (number | null)[] {
  const days = DAILY_TOTALS.has(metric) ? Math.max(ctx.config.correlationSmoothingDays, ctx.config.dailyTotalSmoothingDays) : ctx.config.correlationSmoothingDays;
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

