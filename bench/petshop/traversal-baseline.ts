/**
 * The PetShop repository's anomaly-traversal baseline, re-implemented from its description and
 * code (`code/baseline_anomaly_traversal.py`, `code/data_preprocessing.py`, commit 1c5992d) so it can
 * be measured in the same run as BRE-RCA:
 *
 * 1. per node, a DoWhy `MedianDeviationScorer` fitted on the normal data of the target metric and
 *    statistic: score = |x − median| / mad, with statsmodels' `mad` = MAD / Φ⁻¹(3/4) (so the score is the
 *    modified z-score); fewer than 10 normal values → no model (never anomalous); a constant normal
 *    series → score |x − mean| with threshold 0;
 * 2. the analysed step is the third one (index 2), or the first later step where the target is
 *    anomalous; if the target is not anomalous there, no root cause is returned;
 * 3. anomalous = score > 5; root causes = anomalous nodes with no anomalous parent in the causal graph
 *    (the call graph reversed);
 * 4. each root cause is scored by the largest sum of scores along a path to the target whose nodes are
 *    all anomalous; roots without such a path are dropped; ranked by score.
 *
 * Ties (possible with infinite scores when MAD = 0) are broken by node name here; upstream they follow
 * Python's set order.
 */
import { median } from "../../src/detect/median.ts";
import { type Issue, column, type MetricTable } from "./load.ts";

export const TRAVERSAL_THRESHOLD = 5;

interface Scorer {
  score(x: number): number;
  threshold: number;
}

function fit(values: readonly (number | null)[]): Scorer | null {
  const data = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (data.length < 10) return null;
  const mean = data.reduce((s, v) => s + v, 0) / data.length;
  const variance = data.reduce((s, v) => s + (v - mean) ** 2, 0) / data.length;
  if (variance === 0) return { score: (x) => Math.abs(x - mean), threshold: 0 };
  const center = median(data);
  const mad = median(data.map((v) => Math.abs(v - center))) / 0.6744897501960817;
  return {
    score: (x) => {
      const deviation = Math.abs(x - center);
      return mad === 0 ? (deviation === 0 ? 0 : Number.POSITIVE_INFINITY) : deviation / mad;
    },
    threshold: TRAVERSAL_THRESHOLD,
  };
}

export interface RankedCause {
  node: string;
  score: number;
}

/** `callers` maps a node to the nodes that call it (its children in the causal graph). */
export function traversalBaseline(
  nodes: readonly string[],
  calls: readonly [string, string][],
  normal: MetricTable,
  issue: Pick<Issue, "metrics" | "steps" | "target">,
): RankedCause[] {
  const { node: target, metric, agg } = issue.target;
  const inGraph = new Set(nodes);
  const anomalousAt = (step: number) => {
    const out = new Map<string, number>();
    for (const [key, values] of issue.metrics) {
      const [node, m, s] = key.split("|");
      if (m !== metric || s !== agg || !inGraph.has(node!)) continue;
      const scorer = fit(normal.get(column(node!, metric, agg)) ?? []);
      const x = values[step];
      if (!scorer || x === null || x === undefined) continue;
      const score = scorer.score(x);
      if (score > scorer.threshold) out.set(node!, score);
    }
    return out;
  };
  let step = 2;
  let anomalous = anomalousAt(step);
  for (let i = 2; i < issue.steps && !anomalous.has(target); i++) {
    anomalous = anomalousAt(i);
    step = i;
  }
  if (!anomalous.has(target)) return [];
  // Causal graph: callee → caller. A node's causal parents are its callees.
  const callees = new Map<string, string[]>();
  const callers = new Map<string, string[]>();
  for (const [caller, callee] of calls) {
    callees.set(caller, [...(callees.get(caller) ?? []), callee]);
    callers.set(callee, [...(callers.get(callee) ?? []), caller]);
  }
  const roots = [...anomalous.keys()].filter((n) => !(callees.get(n) ?? []).some((p) => anomalous.has(p)));
  const out: RankedCause[] = [];
  for (const root of roots) {
    let best = Number.NEGATIVE_INFINITY;
    // Simple paths root → target in the causal graph whose nodes are all anomalous.
    const walk = (node: string, seen: Set<string>, sum: number) => {
      if (node === target && seen.size > 1) {
        best = Math.max(best, sum);
        return;
      }
      for (const next of callers.get(node) ?? []) {
        if (seen.has(next) || !anomalous.has(next)) continue;
        seen.add(next);
        walk(next, seen, sum + anomalous.get(next)!);
        seen.delete(next);
      }
    };
    if (root !== target) walk(root, new Set([root]), anomalous.get(root)!);
    if (best > Number.NEGATIVE_INFINITY) out.push({ node: root, score: best });
  }
  return out.sort((a, b) => b.score - a.score || (a.node < b.node ? -1 : 1));
}
