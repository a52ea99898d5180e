import { describe, expect, it } from "vitest";
import { whatifGraph } from "./whatif-graph.js";

// Shaped as POST /v1/simulate answered for delivery delays +200 % and refunds +150 % on the demo company.
const step = (from: string, to: string, sign: 1 | -1, used: boolean) => ({ from, to, sign, used, lag_days: used ? 0 : null, slope: used ? -3.18 : null, correlation: used ? -0.4 : null, pairs: 90, effect_change_pct: null, reason: used ? "fit" : "weak" });
const metric = (level: number, last: number, changed: boolean) => ({ level, simulated: [last], change_pct: ((last - level) / level) * 100, changed });
const scenario = {
  perturbations: [
    { metric: "delivery_delay_rate", change_pct: 200 },
    { metric: "refund_rate", change_pct: 150 },
  ],
  propagation: [
    step("refund_rate", "margin_proxy", -1, false),
    step("delivery_delay_rate", "review_score_avg", -1, true),
    step("review_score_avg", "churn_proxy", -1, true),
    step("churn_proxy", "daily_revenue", -1, false),
  ],
  simulated_metrics: {
    delivery_delay_rate: metric(0.0137, 0.0411, true),
    refund_rate: metric(0.006, 0.015, true),
    margin_proxy: metric(-0.28, -0.28, false),
    review_score_avg: metric(4.45, 4.36, true),
    churn_proxy: metric(0.00926, 0.01136, true),
    daily_revenue: metric(284, 284, false),
  },
  triggered_incidents: [{ incident_type: "REFUND_SPIKE", severity: "HIGH", primary_metric: "refund_rate", primary_metric_zscore: 6.68, days_after_start: 1 }],
};

describe("whatifGraph (the propagation drawn as a DAG)", () => {
  const { nodes, edges } = whatifGraph(scenario);
  const node = (id: string) => nodes.find((n) => n.id === id)!;

  it("has one node per metric the change was set on or tried to reach, with its causes as parents", () => {
    expect(nodes.map((n) => n.id).sort()).toEqual(["churn_proxy", "daily_revenue", "delivery_delay_rate", "margin_proxy", "refund_rate", "review_score_avg"]);
    expect(node("churn_proxy").parentIds).toEqual(["review_score_avg"]);
    expect(node("delivery_delay_rate").parentIds).toEqual([]);
  });

  it("says what became of each metric", () => {
    expect(node("delivery_delay_rate")).toMatchObject({ role: "root_cause", caption: "set +200%", fill: "#2a6fdb" });
    // churn 0.00926 → 0.01136 is +22.7 %: moved by propagation
    expect(node("churn_proxy")).toMatchObject({ role: "intermediate", caption: "moves +23%", on_top_path: true });
    expect(node("daily_revenue")).toMatchObject({ role: "mediator", caption: "not carried", on_top_path: false, fill: null });
    // set by hand and firing a HIGH refund spike: the severity's colour wins
    expect(node("refund_rate")).toMatchObject({ caption: "set +150% · fires", fill: "#e0602a", zscore: 6.68 });
  });

  it("draws carried edges bold and the others faint", () => {
    expect(edges.filter((e) => e.on_top_path).map((e) => e.id)).toEqual(["delivery_delay_rate->review_score_avg", "review_score_avg->churn_proxy"]);
    expect(edges[0]!.title).toBe("refund_rate → margin_proxy: not carried: weak");
  });
});
