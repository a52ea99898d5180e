import { describe, expect, it } from "vitest";
import type { CausalChain, CausalNode } from "../scan-contract.ts";
import { causalGraphView } from "./graph-view.ts";

const node = (metric_name: string, z: number): CausalNode => ({
  metric_name,
  contribution_score: 0.5,
  anomaly_magnitude: 1,
  temporal_precedence: 1,
  graph_proximity: 0.5,
  data_quality_weight: 1,
  metric_value: 1,
  metric_baseline: 0,
  metric_zscore: z,
  anomaly_window: ["2025-02-01", "2025-02-03"],
  evidence_clusters: [],
});

describe("causalGraphView", () => {
  it("draws every path's DAG route once, marking mediators, roots and the top path", () => {
    const chain: CausalChain = {
      chain_id: "c",
      algorithm_version: "BRE-RCA-v1",
      dependency_graph_version: "v",
      causal_window: ["2025-01-20", "2025-02-10"],
      paths: [
        { rank: 1, overall_score: 0.9, nodes: [node("order_volume", 5), node("ticket_volume", 4)], dag_path: ["order_volume", "fulfillment_backlog", "delivery_delay_rate", "ticket_volume"] },
        { rank: 2, overall_score: 0.4, nodes: [node("supplier_delay_rate", 3.5), node("delivery_delay_rate", 3.2), node("ticket_volume", 4)], dag_path: ["supplier_delay_rate", "delivery_delay_rate", "ticket_volume"] },
      ],
    };
    const view = causalGraphView({ incident_id: "inc", incident_type: "SUPPORT_LOAD_SURGE", causal_chain: chain });
    const byId = Object.fromEntries(view.nodes.map((n) => [n.id, n]));
    expect(Object.keys(byId).sort()).toEqual(["delivery_delay_rate", "fulfillment_backlog", "order_volume", "supplier_delay_rate", "ticket_volume"]);
    expect(byId.order_volume).toMatchObject({ role: "root_cause", on_top_path: true, zscore: 5, parentIds: [] });
    expect(byId.fulfillment_backlog).toMatchObject({ role: "mediator", zscore: null, parentIds: ["order_volume"] });
    // Seen first as a mediator on path 1, then anomalous on path 2: drawn with its scores.
    expect(byId.delivery_delay_rate).toMatchObject({ role: "intermediate", zscore: 3.2, best_path_rank: 1, parentIds: ["fulfillment_backlog", "supplier_delay_rate"] });
    expect(byId.ticket_volume).toMatchObject({ role: "incident", parentIds: ["delivery_delay_rate"] });
    const edge = view.edges.find((e) => e.id === "delivery_delay_rate->ticket_volume")!;
    expect(edge).toMatchObject({ source: "delivery_delay_rate", target: "ticket_volume", sign: 1, path_ranks: [1, 2], on_top_path: true });
    expect(view.edges).toHaveLength(4);
  });
});
