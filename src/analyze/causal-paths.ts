/**
 * BRE-RCA Steps 5–7 on any causal DAG: from scored upstream nodes to ranked causal paths.
 * Used for the business DAG (rca.ts) and, unchanged, for the PetShop service graph (bench/).
 *
 * Which paths exist (docs/decisions.md, "Root cause analysis"):
 * - a *candidate* is an upstream node whose contribution score reaches `minContribution` (anomalous in
 *   the direction that would explain the incident, and moving with it), with its anomaly episode
 *   [onset, end];
 * - A *can precede* B when A's episode began no later than B's (plus `onsetTolerance`) and was still
 *   going on, or had ended at most `maxGap` days, when B's began: a blip that ended a week before is
 *   not what started B;
 * - a path follows the DAG from a candidate to the incident metric; its nodes are the candidates it
 *   passes through, each able to precede the next (a DAG node on the way that was not anomalous, or
 *   whose episode is out of order, is kept as an unobserved mediator in `dag_path`, not as a node);
 * - the *root causes* are the candidates with a path that no other candidate with a path can precede
 *   from upstream; paths start at root causes;
 * - paths are ranked by the product of their nodes' contribution scores (the incident metric's own
 *   score included), best first, top K;
 * - with no path at all, the single path is the incident metric alone: it is its own root.
 * Option `mediators: false` (service call graphs) keeps only paths whose every node was anomalous.
 */
import { allPaths, type CausalGraph, upstreamDistances } from "./business-dag.ts";

export interface ScoredNode {
  node: string;
  /** The node's contribution score (the incident metric's: its magnitude × data quality). */
  contribution: number;
  /** Index of the first day (or step) of the node's anomaly episode (the incident's window start). */
  onset: number;
  /** Index of the episode's last day (the incident's window end); defaults to `onset`. */
  end?: number;
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
  /** Weakest contribution that still counts as a possible cause (default: any positive score). */
  minContribution?: number;
  /** An upstream episode may begin up to this many days after a downstream one and still precede it. */
  onsetTolerance: number;
  /** An upstream episode may end up to this many days before a downstream one begins and still precede it. */
  maxGap?: number;
  /**
   * Days a node remembers its causes beyond `maxGap` (a rolling 30-day ratio carries a cost for 30
   * days): an upstream episode may end this much earlier still. Default: none.
   */
  memory?: (node: string) => number;
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
    if (s.contribution > 0 && s.contribution >= (options.minContribution ?? 0)) candidates.set(s.node, s);
  }
  const alone = [{ nodes: [target.node], dag_path: [target.node], score: target.contribution }];
  if (candidates.size === 0) return alone;

  const mediators = options.mediators ?? true;
  const maxGap = options.maxGap ?? Number.POSITIVE_INFINITY;
  const memory = options.memory ?? (() => 0);
  const precedes = (a: ScoredNode, b: ScoredNode) => a.onset <= b.onset + options.onsetTolerance && (a.end ?? a.onset) >= b.onset - maxGap - memory(b.node);
  const nodeOf = (name: string) => (name === target.node ? target : candidates.get(name)!);

  // Every valid path from every candidate, by the anomalous nodes it passes through.
  const pathsFrom = new Map<string, RankedPath[]>();
  for (const candidate of [...candidates.values()].sort((a, b) => (a.node < b.node ? -1 : 1))) {
    const byProjection = new Map<string, RankedPath>();
    for (const dagPath of allPaths(graph, candidate.node, target.node)) {
      if (!mediators && !dagPath.every((n) => n === target.node || candidates.has(n))) continue;
      const anomalous = dagPath.filter((n) => n === target.node || candidates.has(n));
      // Without mediators every node must be in order; with them, an out-of-order node becomes one.
      const nodes = mediators ? orderedProjection(anomalous, nodeOf, precedes) : anomalous.every((n, i) => i === 0 || precedes(nodeOf(anomalous[i - 1]!), nodeOf(n))) ? anomalous : null;
      if (nodes === null) continue;
      const key = nodes.join(">");
      const known = byProjection.get(key);
      // Of two DAG routes with the same anomalous nodes, show the one with fewer unobserved mediators.
      if (!known || dagPath.length < known.dag_path.length) {
        byProjection.set(key, { nodes, dag_path: [...dagPath], score: nodes.reduce((product, n) => product * nodeOf(n).contribution, 1) });
      }
    }
    if (byProjection.size > 0) pathsFrom.set(candidate.node, [...byProjection.values()]);
  }
  const reaches = (from: string, to: string) => (mediators ? upstreamDistances(graph, to).has(from) : reachesThrough(graph, from, to, candidates));
  const linked = [...pathsFrom.keys()].map((n) => candidates.get(n)!);
  const roots = linked.filter((c) => !linked.some((p) => p.node !== c.node && precedes(p, c) && reaches(p.node, c.node)));
  const ranked = roots.flatMap((r) => pathsFrom.get(r.node)!);
  if (ranked.length === 0) return alone;
  return ranked
    .sort((a, b) => b.score - a.score || a.nodes.length - b.nodes.length || (a.nodes.join(">") < b.nodes.join(">") ? -1 : 1))
    .slice(0, options.topK);
}

/**
 * The anomalous nodes of a DAG route that form a chain in time: first and last kept, each kept node
 * able to precede the next. An intermediate node whose episode is out of order (the backlog crossing
 * its threshold two days after the resolution time it feeds) is dropped to a mediator rather than
 * breaking the chain; the longest such chain is kept (the best product among equals). Null when the
 * first node cannot reach the last in time at all.
 */
function orderedProjection(nodes: readonly string[], nodeOf: (n: string) => ScoredNode, precedes: (a: ScoredNode, b: ScoredNode) => boolean): string[] | null {
  const inner = nodes.slice(1, -1);
  let best: string[] | null = null;
  let bestScore = -1;
  // Routes are short (at most 7 nodes in the business DAG), so every subset of intermediates is tried.
  for (let mask = (1 << inner.length) - 1; mask >= 0; mask--) {
    const chain = [nodes[0]!, ...inner.filter((_, i) => mask & (1 << i)), nodes.at(-1)!];
    if (!chain.every((n, i) => i === 0 || precedes(nodeOf(chain[i - 1]!), nodeOf(n)))) continue;
    const score = chain.reduce((p, n) => p * nodeOf(n).contribution, 1);
    if (best === null || chain.length > best.length || (chain.length === best.length && score > bestScore)) {
      best = chain;
      bestScore = score;
    }
  }
  return nodes.length === 1 ? [...nodes] : best;
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
