/**
 * BRE-RCA on the PetShop service graph: the same contribution score and path ranking as the business
 * DAG (src/analyze/), fed with the services' metrics instead of gold metrics.
 *
 * - causal graph: the call graph reversed (a slow or failing callee degrades its callers);
 * - incident metric: the target's metric and statistic (PetSite latency up, or availability down);
 *   every edge pushes the same way, so an upstream node explains the incident when its own metric
 *   moves the same way;
 * - z-score: modified z of each step against the node's normal data (median, MAD with the mean-absolute
 *   deviation fallback); anomalous at |z| ≥ 3 in that direction, as in the business engine;
 * - the incident exists only if the target itself is anomalous in the issue window (the engine runs
 *   RCA on detected incidents only);
 * - temporal precedence: best cross-correlation at lag 0..3 steps × exp(−lag/7) over the issue window
 *   preceded by the last 12 normal steps (the issue files hold only 5 steps);
 * - data-quality weight: share of non-missing values of the node's series in that window;
 * - root causes ranked by their best path (product of contribution scores), as in the product.
 */
import { robustBaseline } from "../../src/detect/mad.ts";
import { bestLaggedCorrelation } from "../../src/analyze/best-lagged-correlation.ts";
import { buildCausalGraph, type CausalGraph, upstreamDistances } from "../../src/analyze/business-dag.ts";
import { rankCausalPaths, rankedRoots } from "../../src/analyze/causal-paths.ts";
import { contributionScore } from "../../src/analyze/contribution-score.ts";
import { column, type Issue, type MetricTable } from "./load.ts";

export interface PetshopRcaOptions {
  /** Normal steps placed before the issue window (context for the cross-correlation). */
  contextSteps: number;
  /** Correlate over the issue window only (true) or context + window (false). */
  correlateWindowOnly: boolean;
  maxLagSteps: number;
  minPairs: number;
  zThreshold: number;
  /** Steps by which an upstream anomaly may start after a downstream one and still precede it. */
  onsetTolerance: number;
  /** Steps an upstream anomaly may have ended before a downstream one began and still precede it. */
  maxGap: number;
  /** Paths through services that were not anomalous (see PathRankingOptions.mediators). */
  mediators: boolean;
  /**
   * Run RCA only when the target's own z reaches this in the bad direction (the engine runs RCA on
   * detected incidents); −Infinity trusts the dataset's SLO violation as given.
   */
  targetThreshold: number;
  /**
   * Steps analysed, like the dataset's issue files (5): a longer "abnormal" stretch (the specificity
   * protocol passes hundreds of normal steps) is cut to the 5 steps around the target's first
   * departure, two steps before it (the baseline also looks at the third step).
   */
  windowSteps: number;
}

export const DEFAULT_PETSHOP_OPTIONS: PetshopRcaOptions = { contextSteps: 12, correlateWindowOnly: true, maxLagSteps: 0, minPairs: 3, zThreshold: 3, onsetTolerance: 0, maxGap: 1, mediators: false, targetThreshold: 2, windowSteps: 5 };

export function causalGraphOf(nodes: readonly string[], calls: readonly [string, string][]): CausalGraph {
  return buildCausalGraph(nodes, calls.map(([caller, callee]) => [callee, caller, 1] as const));
}

interface NodeSeries {
  /** Normal context followed by the issue window. */
  values: (number | null)[];
  z: (number | null)[];
}

function seriesOf(normal: MetricTable, issue: MetricTable, key: string, steps: number, contextSteps: number): NodeSeries | null {
  const history = (normal.get(key) ?? []).filter((v): v is number => v !== null && Number.isFinite(v));
  if (history.length < 10) return null;
  // A constant normal series has no spread: any departure from it is anomalous (a tiny scale floor).
  const center = history.slice().sort((a, b) => a - b)[history.length >> 1]!;
  const { median: middle, scale } = robustBaseline(history, Math.max(1e-9, Math.abs(center) * 1e-6));
  const context = (normal.get(key) ?? []).slice(-contextSteps);
  const window = issue.get(key) ?? Array.from({ length: steps }, () => null);
  const values = [...context, ...window];
  return { values, z: values.map((v) => (v === null ? null : (v - middle) / scale)) };
}

function windowOf(normal: MetricTable, issue: Pick<Issue, "metrics" | "steps" | "target">, options: PetshopRcaOptions): Pick<Issue, "metrics" | "steps" | "target"> {
  if (issue.steps <= options.windowSteps) return issue;
  const { node, metric, agg } = issue.target;
  const direction = metric === "availability" ? -1 : 1;
  const series = seriesOf(normal, issue.metrics, column(node, metric, agg), issue.steps, 0);
  const first = series ? series.z.findIndex((z) => z !== null && direction * z >= Math.max(options.targetThreshold, 0)) : -1;
  const start = Math.min(Math.max(0, first - 2), issue.steps - options.windowSteps);
  const metrics: MetricTable = new Map([...issue.metrics].map(([k, v]) => [k, v.slice(start, start + options.windowSteps)]));
  return { metrics, steps: options.windowSteps, target: issue.target };
}

export interface BreRcaResult {
  /** Root causes, best first (empty when the target is not anomalous: no incident). */
  roots: string[];
  targetAnomalous: boolean;
}

export function breRcaPetshop(
  graph: CausalGraph,
  normal: MetricTable,
  given: Pick<Issue, "metrics" | "steps" | "target">,
  options: PetshopRcaOptions = DEFAULT_PETSHOP_OPTIONS,
): BreRcaResult {
  const issue = windowOf(normal, given, options);
  const { node: target, metric, agg } = issue.target;
  const direction = metric === "availability" ? -1 : 1;
  const Z_THRESHOLD = options.zThreshold;
  const targetSeries = seriesOf(normal, issue.metrics, column(target, metric, agg), issue.steps, options.contextSteps);
  if (!targetSeries) return { roots: [], targetAnomalous: false };
  const from = targetSeries.values.length - issue.steps;
  const to = targetSeries.values.length - 1;
  const peakOf = (s: NodeSeries) => {
    let best: { z: number; index: number } | null = null;
    for (let i = from; i <= to; i++) {
      const z = s.z[i];
      if (z !== null && z !== undefined && (best === null || direction * z > direction * best.z)) best = { z, index: i };
    }
    return best;
  };
  const targetPeak = peakOf(targetSeries);
  const targetAnomalous = targetPeak !== null && direction * targetPeak.z >= Z_THRESHOLD;
  if (!targetPeak || direction * targetPeak.z < options.targetThreshold) return { roots: [], targetAnomalous };
  // A node's episode: the run of anomalous steps around its peak (a missing step does not break it),
  // as the business engine dates an anomaly; a separate earlier dip is not when it began.
  const episodeOf = (s: NodeSeries): { onset: number; end: number } => {
    const peak = peakOf(s);
    if (!peak) return { onset: to, end: to };
    const above = (i: number) => s.z[i] === null || s.z[i] === undefined || direction * s.z[i]! >= Z_THRESHOLD;
    let onset = peak.index;
    let end = peak.index;
    while (onset - 1 >= from && above(onset - 1)) onset--;
    while (end + 1 <= to && above(end + 1)) end++;
    return { onset, end };
  };
  const quality = (s: NodeSeries) => s.values.filter((v) => v !== null).length / s.values.length;
  const targetParts = contributionScore({ z: targetPeak.z, correlation: 1, lag: 0, pathLength: 0, dataQuality: quality(targetSeries) });

  const scored = [];
  for (const [node, distance] of upstreamDistances(graph, target)) {
    const series = seriesOf(normal, issue.metrics, column(node, metric, agg), issue.steps, options.contextSteps);
    if (!series) continue;
    const peak = peakOf(series);
    if (!peak || direction * peak.z < Z_THRESHOLD) continue;
    const best = bestLaggedCorrelation(series.values, targetSeries.values, 1, options.correlateWindowOnly ? from : 0, to, options.maxLagSteps, options.minPairs);
    const parts = contributionScore({ z: peak.z, correlation: best.correlation, lag: best.lag, pathLength: distance, dataQuality: quality(series) });
    scored.push({ node, contribution: parts.contribution_score, ...episodeOf(series) });
  }
  const paths = rankCausalPaths(graph, { node: target, contribution: targetParts.contribution_score, onset: episodeOf(targetSeries).onset, end: to }, scored, { topK: 1_000, onsetTolerance: options.onsetTolerance, maxGap: options.maxGap, mediators: options.mediators });
  return { roots: rankedRoots(paths).filter((r) => r !== target), targetAnomalous };
}
