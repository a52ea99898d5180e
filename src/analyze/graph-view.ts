/**
 * An incident's causal chain as a graph ready to draw (`GET /v1/incidents/{id}/graph`): one node per
 * metric on any ranked path, unobserved mediators included, and one edge per DAG edge the paths use.
 * Nodes carry `parentIds` so d3-dag's `graphStratify()` can lay them out directly.
 */
import type { CausalGraphView, Incident } from "../scan-contract.ts";
import { BUSINESS_DAG } from "./business-dag.ts";

export type GraphNode = CausalGraphView["nodes"][number];
export type GraphEdge = CausalGraphView["edges"][number];

export function causalGraphView(incident: Pick<Incident, "incident_id" | "incident_type" | "causal_chain">): CausalGraphView {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, GraphEdge>();
  for (const path of incident.causal_chain.paths) {
    const scored = new Map(path.nodes.map((n) => [n.metric_name, n]));
    const route = ((path as { dag_path?: string[] }).dag_path ?? path.nodes.map((n) => n.metric_name)).slice();
    const top = path.rank === 1;
    for (const [i, metric] of route.entries()) {
      const node = scored.get(metric);
      const role: GraphNode["role"] = !node ? "mediator" : i === route.length - 1 ? "incident" : i === 0 ? "root_cause" : "intermediate";
      const known = nodes.get(metric);
      if (!known) {
        nodes.set(metric, {
          id: metric,
          label: metric.replaceAll("_", " "),
          role,
          zscore: node?.metric_zscore ?? null,
          contribution_score: node?.contribution_score ?? null,
          anomaly_window: node?.anomaly_window ?? null,
          best_path_rank: path.rank,
          on_top_path: top,
          parentIds: [],
        });
      } else {
        known.best_path_rank = Math.min(known.best_path_rank, path.rank);
        known.on_top_path ||= top;
        if (known.role === "mediator" && node) {
          Object.assign(known, { role, zscore: node.metric_zscore, contribution_score: node.contribution_score, anomaly_window: node.anomaly_window });
        }
        // A node that roots one path but sits inside another is drawn as a root cause.
        if (known.role === "intermediate" && role === "root_cause") known.role = role;
      }
      if (i === 0) continue;
      const source = route[i - 1]!;
      const id = `${source}->${metric}`;
      const edge = edges.get(id);
      if (edge) {
        if (!edge.path_ranks.includes(path.rank)) edge.path_ranks.push(path.rank);
        edge.on_top_path ||= top;
        continue;
      }
      const dagEdge = BUSINESS_DAG.hasNode(source) && BUSINESS_DAG.hasNode(metric) ? BUSINESS_DAG.edge(source, metric) : undefined;
      edges.set(id, {
        id,
        source,
        target: metric,
        sign: dagEdge === undefined ? 1 : BUSINESS_DAG.getEdgeAttribute(dagEdge, "sign"),
        path_ranks: [path.rank],
        on_top_path: top,
      });
      const child = nodes.get(metric)!;
      if (!child.parentIds.includes(source)) child.parentIds.push(source);
    }
  }
  return { incident_id: incident.incident_id, incident_type: incident.incident_type, nodes: [...nodes.values()], edges: [...edges.values()] };
}
