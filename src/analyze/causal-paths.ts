/**
 * BRE-RCA Steps 5–7 on any causal DAG: from scored upstream nodes to ranked causal paths.
 * Used for the business DAG (rca.ts) and, unchanged, for the PetShop service graph (bench/).
 *
 * Which paths exist (docs/decisions.md, "Root cause analysis"):
 * - a *candidate* is an upstream node with a positive contribution score (anomalous in the direction
 *   that would explain the incident, and moving with it);
 * - a candidate is *explained* when another candidate upstream of it became anomalous no later than
 *   it did (plus a tolerance); the *root causes* are the candidates nobody explains;
 * - a path follows the DAG from a root cause to the incident metric; its nodes are the candidates it
 *   passes through (a DAG node on the way that was not anomalous is kept as an unobserved mediator in
 *   `dag_path`, not as a node);
 * - paths are ranked by the product of their nodes' contribution scores (the incident metric's own
 *   score included), best first, top K;
 * - with no candidate at all, the single path is the incident metric alone: it is its own root.
 * Option `mediators: false` (service call graphs) keeps only paths whose every node was anomalous.
 */
import { allPaths, type CausalGraph, upstreamDistances } from "./business-dag.ts";

export interface ScoredNode {
  node: string;
  /** The node's contribution score (the incident metric's: its magnitude × data quality). */
  contribution: number;
  /** Index of the first day (or step) the node was anomalous; earlier explains later. */
  onset: number;
}

export interface RankedPath {
  /** Root cause first, incident metric last. */
  nodes: string[];
  /** The DAG path the causal path follows, mediators included. */
  dag_path: string[];
  /** Product of the nodes' contribution scores. */
  score: number;
}

export interface PathRankingOptions {
  topK: number;
  /** An upstream node that turned anomalous up to this many days after a downstream one still explains it. */
  onsetTolerance: number;
  /**
   * May a path pass through DAG nodes that were not anomalous (unobserved mediators)? Yes (default)
   * for the business DAG, whose metrics measure different things and may not all move; no for a
   * service call graph, where every service on the way carries the same metric and a cause must show
   * along it.
   */
  mediators?: boolean;
}

export function rankCausalPaths(
  graph: CausalGraph,
  target: ScoredNode,
  scored: readonly ScoredNode[],
  options: PathRankingOptions,
): RankedPath[] {
  if (!Number.isInteger(options.topK) || options.topK < 1) throw new Error(`rankCausalPaths: topK must be a whole number ≥ 1, got ${options.topK}`);
  const upstream = upstreamDistances(graph, target.node);
  const candidates = new Map<string, ScoredNode>();
  for (const s of scored) {
    if (!upstream.has(s.node)) throw new Error(`rankCausalPaths: ${s.node} is not upstream of ${target.node}`);
    if (s.contribution > 0) candidates.set(s.node, s);
  }
  if (candidates.size === 0) return [{ nodes: [target.node], dag_path: [target.node], score: target.contribution }];

  const mediators = options.mediators ?? true;
  const reaches = (from: string, to: string) => (mediators ? upstreamDistances(graph, to).has(from) : reachesThrough(graph, from, to, candidates));
  const roots = [...candidates.values()].filter(
    (c) => ![...candidates.values()].some((p) => p.node !== c.node && p.onset <= c.onset + options.onsetTolerance && reaches(p.node, c.node)),
  );

  const byProjection = new Map<string, RankedPath>();
  for (const root of roots.sort((a, b) => (a.node < b.node ? -1 : 1))) {
    for (const dagPath of allPaths(graph, root.node, target.node)) {
      if (!mediators && !dagPath.every((n) => n === target.node || candidates.has(n))) continue;
      const nodes = dagPath.filter((n) => n === target.node || candidates.has(n));
      const key = nodes.join(">");
      const score = nodes.reduce((product, n) => product * (n === target.node ? target.contribution : candidates.get(n)!.contribution), 1);
      const known = byProjection.get(key);
      // Of two DAG routes with the same anomalous nodes, show the one with fewer unobserved mediators.
      if (!known || dagPath.length < known.dag_path.length) byProjection.set(key, { nodes, dag_path: [...dagPath], score });
    }
  }
  if (byProjection.size === 0) return [{ nodes: [target.node], dag_path: [target.node], score: target.contribution }];
  return [...byProjection.values()]
    .sort((a, b) => b.score - a.score || a.nodes.length - b.nodes.length || (a.nodes.join(">") < b.nodes.join(">") ? -1 : 1))
    .slice(0, options.topK);
}

/** Is there a directed path from `from` to `to` whose nodes (after `from`) are all in `allowed`? */
function reachesThrough(graph: CausalGraph, from: string, to: string, allowed: ReadonlyMap<string, unknown>): boolean {
  const stack = [from];
  const seen = new Set<string>([from]);
  while (stack.length > 0) {
    for (const next of graph.outNeighbors(stack.pop()!)) {
      if (next === to) return true;
      if (seen.has(next) || !allowed.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return false;
}

/** Distinct root causes in the order of the ranked paths (for top-k accuracy). */
export function rankedRoots(paths: readonly { nodes: readonly string[] }[]): string[] {
  const roots: string[] = [];
  for (const path of paths) {
    const root = path.nodes[0];
    if (root !== undefined && !roots.includes(root)) roots.push(root);
  }
  return roots;
}
