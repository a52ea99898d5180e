import { describe, expect, it } from "vitest";
import { cluster, fulfillmentIncident, node, refundIncident } from "../monitors/testing/incidents.ts";
import type { Incident } from "../scan-contract.ts";
import { chainCauses, compareIncidents } from "./compare.ts";

/** A later fulfillment incident driven by an order surge rather than by the supplier. */
function demandDriven(): Incident {
  const base = fulfillmentIncident();
  return fulfillmentIncident({
    incident_id: "inc_fulfillment_june",
    severity: "MEDIUM",
    detected_at: "2025-06-10",
    incident_window_start: "2025-06-10",
    incident_window_end: "2025-06-13",
    primary_metric_value: 0.19,
    primary_metric_zscore: 4.3,
    blast_radius: { ...base.blast_radius, customers_affected: 95, estimated_revenue_exposure: 9_200 },
    causal_chain: {
      ...base.causal_chain,
      paths: [
        {
          rank: 1,
          overall_score: 2.1,
          nodes: [
            node("order_volume", { metric_value: 48, metric_baseline: 22, metric_zscore: 5.0, evidence_clusters: [cluster("Customer C-9 orders", ["o-1"], { entity_type: "customer", entity_id: "C-9", summary: "31 orders from customer C-9" })] }),
            node("fulfillment_backlog", { metric_zscore: 3.9 }),
            node("delivery_delay_rate", { metric_zscore: 4.3 }),
          ],
        },
      ],
    },
  });
}

describe("chainCauses", () => {
  it("lists each path's metrics before the incident metric, best rank first; a lone node is its own root", () => {
    expect(chainCauses(fulfillmentIncident()).map((c) => [c.metric_name, c.best_rank, c.is_root])).toEqual([
      ["supplier_delay_rate", 1, true],
      ["fulfillment_backlog", 1, false],
      ["order_volume", 2, true],
    ]);
    expect(chainCauses(refundIncident()).map((c) => c.metric_name)).toEqual(["refund_rate"]);
    // RCA may list the incident metric alone after the root causes' paths: it is not a cause then.
    const base = fulfillmentIncident();
    const withLone = fulfillmentIncident({
      causal_chain: { ...base.causal_chain, paths: [...base.causal_chain.paths, { rank: 3, overall_score: 0.5, nodes: [node("delivery_delay_rate")] }] },
    });
    expect(chainCauses(withLone).map((c) => c.metric_name)).toEqual(["supplier_delay_rate", "fulfillment_backlog", "order_volume"]);
  });
});

describe("compareIncidents", () => {
  it("separates shared and unique causes and compares severity and blast radius", () => {
    const c = compareIncidents(fulfillmentIncident(), demandDriven());
    expect(c).toMatchObject({
      incident_type: "FULFILLMENT_SLA_DEGRADATION",
      same_type: true,
      days_apart: 122, // Feb 8 → Jun 10, 2025: 20 + 31 + 30 + 31 + 10
      shared_root_causes: ["fulfillment_backlog", "order_volume"],
      unique_to_a: ["supplier_delay_rate"],
      unique_to_b: [],
      same_top_root_cause: false,
      severity_comparison: { a: "HIGH", b: "MEDIUM", more_severe: "a" },
    });
    // 127 → 95 customers: −32, −25.2 %; $18,400 → $9,200: −50 %.
    expect(c.blast_radius_comparison.customers_affected).toEqual({ a: 127, b: 95, change: -32, change_pct: -25.2 });
    expect(c.blast_radius_comparison.estimated_revenue_exposure).toEqual({ a: 18_400, b: 9_200, change: -9_200, change_pct: -50 });
    expect(c.blast_radius_comparison.products_affected.change_pct).toBeNull(); // 0 → 0: no percentage
    expect(c.metrics_comparison.duration_days).toEqual({ a: 7, b: 4 });
    expect(c.narrative).toBe(
      "These two Fulfillment SLA Degradation incidents (Feb 8–14, 2025 and Jun 10–13, 2025, 122 days apart) had different top root causes: " +
        "the first was driven by supplier delay rate, at 38.0% against 8.0% (z = +4.1); the second by order volume, at 48 against 22 (z = +5.0). " +
        "Both causal chains include fulfillment backlog and order volume. Only the first involved supplier delay rate. " +
        "The first was more severe (HIGH vs MEDIUM); the second touched 95 customers against 127 (-25%) and exposed $9,200 of revenue against $18,400 (-50%). " +
        "Delivery delay rate peaked at 31.0% (z = +5.2) over 7 days the first time and 19.0% (z = +4.3) over 4 days the second.",
    );
  });

  it("says when two incidents had the same root, and names evidence entities seen in both", () => {
    const a = fulfillmentIncident();
    const b = fulfillmentIncident({ incident_id: "inc_again", detected_at: "2025-05-01", incident_window_start: "2025-05-01", incident_window_end: "2025-05-03" });
    const c = compareIncidents(a, b);
    expect(c.same_top_root_cause).toBe(true);
    expect(c.shared_evidence_entities).toEqual(["AcmeSupplier"]);
    expect(c.narrative).toContain("had the same top root cause: supplier delay rate (z = +4.1 then z = +4.1).");
    expect(c.narrative).toContain("The evidence of both names AcmeSupplier.");
    expect(c.comparison_id).toBe(compareIncidents(a, b).comparison_id);
    expect(c.comparison_id).not.toBe(compareIncidents(b, a).comparison_id);
  });

  it("compares incidents of different types, flagged, and refuses an incident against itself", () => {
    const c = compareIncidents(refundIncident(), fulfillmentIncident());
    expect(c).toMatchObject({ same_type: false, incident_type: null, incident_types: ["REFUND_SPIKE", "FULFILLMENT_SLA_DEGRADATION"] });
    expect(c.narrative.startsWith("The Refund Spike of Mar 2–6, 2025 and the Fulfillment SLA Degradation of Feb 8–14, 2025 (22 days apart)")).toBe(true);
    expect(c.narrative).toContain("(the incident metric itself, no upstream cause)");
    expect(() => compareIncidents(refundIncident(), refundIncident())).toThrow(/compareIncidents: pick two different incidents/);
  });
});
