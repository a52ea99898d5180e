/**
 * The business dependency DAG of BRE-RCA (spec, Component G, Step 0): 17 metrics and the 20 known
 * causal edges between them, held in graphology. Domain knowledge, not learned from data.
 *
 * Each edge also carries the direction of the effect (`sign`): +1 when more of the cause means more
 * of the effect (supplier delays → delivery delays), −1 when it means less (delivery delays → review
 * score). RCA uses the sign to ask "did the upstream metric move the way that would explain the
 * incident?" (docs/decisions.md, "Root cause analysis").
 */
import { DirectedGraph } from "graphology";
import { bfsFromNode } from "graphology-traversal";
import { stableId } from "../ids.ts";
import type { MetricName } from "../metrics/gold.ts";

export const BUSINESS_DAG_NODES = [
  "supplier_delay_rate",
  "order_volume",
  "fulfillment_backlog",
  "delivery_delay_rate",
  "ticket_volume",
  "ticket_backlog",
  "avg_resolution_time",
  "review_score_avg",
  "churn_proxy",
  "refund_rate",
  "daily_revenue",
  "daily_expenses",
  "expense_ratio",
  "margin_proxy",
  "net_cash_proxy",
  "dso_proxy",
  "ar_aging_amount",
] as const satisfies readonly MetricName[];
export type DagMetric = (typeof BUSINESS_DAG_NODES)[number];

export type EdgeSign = 1 | -1;

/** [cause, effect, sign] exactly as the spec lists them (signs are ours). */
export const BUSINESS_DAG_EDGES: readonly (readonly [DagMetric, DagMetric, EdgeSign])[] = [
  ["supplier_delay_rate", "delivery_delay_rate", 1],
  ["supplier_delay_rate", "fulfillment_backlog", 1],
  ["order_volume", "fulfillment_backlog", 1],
  ["fulfillment_backlog", "delivery_delay_rate", 1],
  ["delivery_delay_rate", "ticket_volume", 1],
  ["delivery_delay_rate", "review_score_avg", -1],
  ["ticket_volume", "ticket_backlog", 1],
  ["ticket_backlog", "avg_resolution_time", 1],
  ["avg_resolution_time", "review_score_avg", -1],
  ["review_score_avg", "churn_proxy", -1],
  ["ticket_volume", "churn_proxy", 1],
  ["churn_proxy", "daily_revenue", -1],
  ["refund_rate", "margin_proxy", -1],
  ["refund_rate", "daily_revenue", -1],
  ["daily_revenue", "margin_proxy", 1],
  ["daily_expenses", "expense_ratio", 1],
  ["expense_ratio", "margin_proxy", -1],
  ["margin_proxy", "net_cash_proxy", 1],
  ["dso_proxy", "ar_aging_amount", 1],
  ["ar_aging_amount", "net_cash_proxy", -1],
];

/** Names the graph's content: changes whenever a node, an edge or a sign changes. */
export const DEPENDENCY_GRAPH_VERSION = `business-dag-v1-${stableId(
  BUSINESS_DAG_NODES.join(","),
  BUSINESS_DAG_EDGES.map((e) => e.join(">")).join(","),
).slice(0, 8)}`;

export interface CausalEdgeAttributes {
  sign: EdgeSign;
}

/** A causal DAG over named nodes: edges go cause → effect. */
export type CausalGraph = DirectedGraph<Record<string, never>, CausalEdgeAttributes>;

/** Builds a causal graph from edges; fails on a cycle, since every analysis assumes a DAG. */
export function buildCausalGraph(nodes: readonly string[], edges: readonly (readonly [string, string, EdgeSign])[]): CausalGraph {
  const graph: CausalGraph = new DirectedGraph();
  for (const node of nodes) graph.mergeNode(node);
  for (const [from, to, sign] of edges) {
    if (!graph.hasNode(from) || !graph.hasNode(to)) throw new Error(`buildCausalGraph: edge ${from} → ${to} names an unknown node`);
    graph.mergeEdge(from, to, { sign });
  }
  assertAcyclic(graph);
  return graph;
}

function assertAcyclic(graph: CausalGraph): void {
  const state = new Map<string, 1 | 2>();
  const visit = (node: string, trail: string[]): void => {
    const seen = state.get(node);
    if (seen === 2) return;
    if (seen === 1) throw new Error(`buildCausalGraph: the graph has a cycle through ${[...trail, node].join(" → ")}`);
    state.set(node, 1);
    for (const next of graph.outNeighbors(node)) visit(next, [...trail, node]);
    state.set(node, 2);
  };
  for (const node of graph.nodes()) visit(node, []);
}

export const BUSINESS_DAG: CausalGraph = buildCausalGraph(BUSINESS_DAG_NODES, BUSINESS_DAG_EDGES);

/**
 * Every node upstream of `target` with its shortest path length to it (Step 3); the target itself
 * is not included.
 * @example upstreamDistances(BUSINESS_DAG, "delivery_delay_rate")
 * // Map { supplier_delay_rate → 1, fulfillment_backlog → 1, order_volume → 2 }
 */
export function upstreamDistances(graph: CausalGraph, target: string): ReadonlyMap<string, number> {
  if (!graph.hasNode(target)) throw new Error(`upstreamDistances: ${target} is not a node of the graph`);
  const cache = memo(upstreamCache, graph);
  const known = cache.get(target);
  if (known) return known;
  const out = new Map<string, number>();
  bfsFromNode(
    graph,
    target,
    (node, _attributes, depth) => {
      if (node !== target) out.set(node, depth);
    },
    { mode: "inbound" },
  );
  cache.set(target, out);
  return out;
}

// Analyses ask the same structural questions of a fixed graph many times per scan. A graph must not
// be changed after these are asked (buildCausalGraph's graphs never are).
const upstreamCache = new WeakMap<CausalGraph, Map<string, ReadonlyMap<string, number>>>();
const pathCache = new WeakMap<CausalGraph, Map<string, readonly (readonly string[])[]>>();

function memo<V>(store: WeakMap<CausalGraph, Map<string, V>>, graph: CausalGraph): Map<string, V> {
  let cache = store.get(graph);
  if (!cache) store.set(graph, (cache = new Map()));
  return cache;
}

/** Is there a directed path from `from` to `to` (of length ≥ 1)? */
export function isAncestor(graph: CausalGraph, from: string, to: string): boolean {
  return from !== to && upstreamDistances(graph, to).has(from);
}

/**
 * Every simple directed path from `from` to `to`, nodes in order (in a DAG every path is simple).
 * Neighbours are visited in sorted order so the list is deterministic.
 */
export function allPaths(graph: CausalGraph, from: string, to: string): readonly (readonly string[])[] {
  const cache = memo(pathCache, graph);
  const key = `${from}\u0000${to}`;
  const known = cache.get(key);
  if (known) return known;
  const paths: string[][] = [];
  const upstreamOfTarget = upstreamDistances(graph, to);
  const walk = (node: string, trail: string[]) => {
    if (node === to) {
      paths.push(trail);
      return;
    }
    for (const next of [...graph.outNeighbors(node)].sort()) {
      if (next === to || upstreamOfTarget.has(next)) walk(next, [...trail, next]);
    }
  };
  if (from === to) paths.push([from]);
  else if (upstreamOfTarget.has(from)) walk(from, [from]);
  cache.set(key, paths);
  return paths;
}

/** Product of the edge signs along a path: the direction the path's first node pushes its last. */
export function pathSign(graph: CausalGraph, path: readonly string[]): EdgeSign {
  let sign: EdgeSign = 1;
  for (let i = 0; i + 1 < path.length; i++) {
    const edge = graph.edge(path[i]!, path[i + 1]!);
    if (edge === undefined) throw new Error(`pathSign: no edge ${path[i]} → ${path[i + 1]}`);
    sign = (sign * graph.getEdgeAttribute(edge, "sign")) as EdgeSign;
  }
  return sign;
}

/**
 * Which DAG node an incident's primary metric stands for. Two trigger metrics are not DAG nodes;
 * they are read as the node they measure: supplier delay severity → supplier_delay_rate, review score
 * trend → review_score_avg.
 */
export function dagNodeForMetric(metric: string): DagMetric | null {
  if ((BUSINESS_DAG_NODES as readonly string[]).includes(metric)) return metric as DagMetric;
  if (metric === "supplier_delay_severity") return "supplier_delay_rate";
  if (metric === "review_score_trend") return "review_score_avg";
  return null;
}
