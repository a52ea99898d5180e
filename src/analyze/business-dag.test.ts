import { describe, expect, it } from "vitest";
import {
  allPaths,
  BUSINESS_DAG,
  BUSINESS_DAG_EDGES,
  BUSINESS_DAG_NODES,
  buildCausalGraph,
  dagNodeForMetric,
  DEPENDENCY_GRAPH_VERSION,
  pathSign,
  upstreamDistances,
} from "./business-dag.ts";
import { rankCausalPaths, rankedRoots } from "./causal-paths.ts";

describe("the business DAG", () => {
  it("has the spec's 17 nodes and 20 edges", () => {
    expect(BUSINESS_DAG.order).toBe(17);
    expect(BUSINESS_DAG.size).toBe(20);
    expect(BUSINESS_DAG.hasEdge("supplier_delay_rate", "delivery_delay_rate")).toBe(true);
    expect(BUSINESS_DAG.hasEdge("ar_aging_amount", "net_cash_proxy")).toBe(true);
    expect(DEPENDENCY_GRAPH_VERSION).toMatch(/^business-dag-v1-[0-9a-f]{8}$/);
  });

  it("finds the spec's upstream set of delivery_delay_rate with path lengths (Step 3)", () => {
    expect(Object.fromEntries(upstreamDistances(BUSINESS_DAG, "delivery_delay_rate"))).toEqual({
      supplier_delay_rate: 1,
      fulfillment_backlog: 1,
      order_volume: 2,
    });
  });

  it("feeds the whole graph into net_cash_proxy", () => {
    // Every other node reaches net cash (spec: "the whole graph feeds into it").
    expect(upstreamDistances(BUSINESS_DAG, "net_cash_proxy").size).toBe(16);
    // supplier → delivery → ticket_volume → churn → revenue → margin → net cash: 6 edges
    expect(upstreamDistances(BUSINESS_DAG, "net_cash_proxy").get("supplier_delay_rate")).toBe(6);
  });

  it("gives every route between two metrics the same direction of effect", () => {
    for (const from of BUSINESS_DAG_NODES) {
      for (const to of BUSINESS_DAG_NODES) {
        const signs = new Set(allPaths(BUSINESS_DAG, from, to).map((p) => pathSign(BUSINESS_DAG, p)));
        expect(signs.size, `${from} → ${to}`).toBeLessThanOrEqual(1);
      }
    }
    // Worse delivery lowers reviews, which raises churn: both routes to churn_proxy are positive.
    expect(pathSign(BUSINESS_DAG, ["delivery_delay_rate", "review_score_avg", "churn_proxy"])).toBe(1);
  });

  it("refuses a cycle and unknown nodes", () => {
    expect(() => buildCausalGraph(["a", "b"], [["a", "b", 1], ["b", "a", 1]])).toThrow(/cycle/);
    expect(() => buildCausalGraph(["a"], [["a", "z", 1]])).toThrow(/unknown node/);
    expect(BUSINESS_DAG_EDGES.length).toBe(20);
  });

  it("reads the two non-DAG trigger metrics as the node they measure", () => {
    expect(dagNodeForMetric("supplier_delay_severity")).toBe("supplier_delay_rate");
    expect(dagNodeForMetric("review_score_trend")).toBe("review_score_avg");
    expect(dagNodeForMetric("refund_rate")).toBe("refund_rate");
    expect(dagNodeForMetric("dpo_proxy")).toBeNull();
  });
});

describe("rankCausalPaths", () => {
  const target = { node: "delivery_delay_rate", contribution: 1.5, onset: 10 };
  const options = { topK: 5, onsetTolerance: 1 };

  it("starts paths at unexplained candidates and ranks by the product of scores", () => {
    const paths = rankCausalPaths(
      BUSINESS_DAG,
      target,
      [
        { node: "supplier_delay_rate", contribution: 0.6, onset: 5, end: 9 },
        { node: "fulfillment_backlog", contribution: 0.5, onset: 6, end: 10 }, // preceded by supplier (5 ≤ 6 + 1)
        { node: "order_volume", contribution: 0.2, onset: 9 }, // began after the backlog, just before the incident
      ],
      options,
    );
    // [sup, del] = 0.6 × 1.5 = 0.9; [sup, bkl, del] = 0.6 × 0.5 × 1.5 = 0.45. Order volume cannot have
    // started the backlog (day 9 > 6 + 1), so its route keeps the backlog as a mediator: [ov, del] = 0.3.
    expect(paths.map((p) => [p.nodes.join(">"), Number(p.score.toFixed(6))])).toEqual([
      ["supplier_delay_rate>delivery_delay_rate", 0.9],
      ["supplier_delay_rate>fulfillment_backlog>delivery_delay_rate", 0.45],
      ["order_volume>delivery_delay_rate", 0.3],
    ]);
    expect(paths[2]!.dag_path).toEqual(["order_volume", "fulfillment_backlog", "delivery_delay_rate"]);
    expect(rankedRoots(paths)).toEqual(["supplier_delay_rate", "order_volume"]);
  });

  it("does not let a blip that ended days before the incident explain it", () => {
    const candidates = [{ node: "order_volume", contribution: 0.3, onset: 2, end: 3 }]; // the incident begins on day 10
    expect(rankCausalPaths(BUSINESS_DAG, target, candidates, { ...options, maxGap: 3 }).map((p) => p.nodes)).toEqual([["delivery_delay_rate"]]);
    // Still going on 3 days before: it can.
    expect(rankedRoots(rankCausalPaths(BUSINESS_DAG, target, [{ ...candidates[0]!, end: 7 }], { ...options, maxGap: 3 }))).toEqual(["order_volume"]);
  });

  it("lets a rolling-window metric remember a cause for its window (memory)", () => {
    // A one-day cost spike on day 2; the 30-day margin crosses its threshold on day 20.
    const margin = { node: "margin_proxy", contribution: 1, onset: 20 };
    const spike = [{ node: "daily_expenses", contribution: 0.4, onset: 2, end: 2 }];
    expect(rankCausalPaths(BUSINESS_DAG, margin, spike, { ...options, maxGap: 1 }).map((p) => p.nodes)).toEqual([["margin_proxy"]]);
    // 2 ≥ 20 − 1 − 29: within the margin's 30 days.
    const memory = (node: string) => (node === "margin_proxy" ? 29 : 0);
    expect(rankCausalPaths(BUSINESS_DAG, margin, spike, { ...options, maxGap: 1, memory }).map((p) => p.nodes)).toEqual([["daily_expenses", "margin_proxy"]]);
    // Memory is the effect's: a spike that ended before a day-20 episode of a non-rolling metric still cannot precede it.
    expect(rankCausalPaths(BUSINESS_DAG, { ...target, onset: 20 }, [{ node: "order_volume", contribution: 0.4, onset: 2, end: 2 }], { ...options, maxGap: 1, memory }).map((p) => p.nodes)).toEqual([["delivery_delay_rate"]]);
  });

  it("lets a later upstream anomaly not explain an earlier downstream one", () => {
    const paths = rankCausalPaths(
      BUSINESS_DAG,
      target,
      [
        { node: "supplier_delay_rate", contribution: 0.3, onset: 9 },
        { node: "fulfillment_backlog", contribution: 0.5, onset: 4 }, // 9 > 4 + 1: backlog is its own root
      ],
      options,
    );
    expect(rankedRoots(paths)).toEqual(["fulfillment_backlog", "supplier_delay_rate"]);
  });

  it("keeps unobserved mediators in the DAG path only", () => {
    const paths = rankCausalPaths(
      BUSINESS_DAG,
      { node: "churn_proxy", contribution: 1, onset: 20 },
      [{ node: "ticket_backlog", contribution: 0.4, onset: 3 }],
      options,
    );
    expect(paths).toEqual([
      { nodes: ["ticket_backlog", "churn_proxy"], dag_path: ["ticket_backlog", "avg_resolution_time", "review_score_avg", "churn_proxy"], score: 0.4 },
    ]);
  });

  it("returns the incident metric alone when nothing upstream is anomalous", () => {
    const paths = rankCausalPaths(BUSINESS_DAG, target, [{ node: "order_volume", contribution: 0, onset: 3 }], options);
    expect(paths).toEqual([{ nodes: ["delivery_delay_rate"], dag_path: ["delivery_delay_rate"], score: 1.5 }]);
  });

  it("keeps only the top K", () => {
    const scored = [...upstreamDistances(BUSINESS_DAG, "net_cash_proxy").keys()].map((node, i) => ({ node, contribution: 0.1 + i / 100, onset: 0 }));
    expect(rankCausalPaths(BUSINESS_DAG, { node: "net_cash_proxy", contribution: 1, onset: 5 }, scored, options)).toHaveLength(5);
    expect(() => rankCausalPaths(BUSINESS_DAG, target, [{ node: "churn_proxy", contribution: 1, onset: 0 }], options)).toThrow(/not upstream/);
  });
});
