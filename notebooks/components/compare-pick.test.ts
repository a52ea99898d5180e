import { describe, expect, it } from "vitest";
import { defaultPair, topRootCause } from "./compare-pick.js";

const incident = (id: string, type: string, day: string, ...path: string[]) => ({
  incident_id: id,
  incident_type: type,
  detected_at: day,
  causal_chain: { paths: [{ rank: 1, nodes: path.map((metric_name) => ({ metric_name })) }] },
});

describe("defaultPair (the comparison the page opens on)", () => {
  it("prefers two incidents of one type whose different root causes were both found upstream, older first", () => {
    const list = [
      incident("s1", "SUPPORT_LOAD_SURGE", "2026-08-30", "ticket_backlog"),
      incident("s2", "SUPPORT_LOAD_SURGE", "2026-10-29", "ticket_volume"),
      incident("c1", "CUSTOMER_SATISFACTION_REGRESSION", "2026-05-27", "supplier_delay_rate", "review_score_avg"),
      incident("c2", "CUSTOMER_SATISFACTION_REGRESSION", "2026-08-02", "delivery_delay_rate", "review_score_avg"),
      incident("c3", "CUSTOMER_SATISFACTION_REGRESSION", "2026-09-20", "supplier_delay_rate", "review_score_avg"),
    ];
    // The support surges are newer and differ, but neither root was upstream (tier 2); among the
    // satisfaction regressions c3 and c1 share a root, so the newest differing pair is c2 with c3.
    expect(defaultPair(list)).toEqual(["c2", "c3"]);
  });

  it("then takes different roots, then the newest two of one type, then the two newest incidents", () => {
    const differ = [incident("a1", "REFUND_SPIKE", "2026-05-01", "refund_rate"), incident("m1", "MARGIN_COMPRESSION", "2026-06-01", "expense_ratio", "margin_proxy"), incident("m2", "MARGIN_COMPRESSION", "2026-07-01", "margin_proxy"), incident("a2", "REFUND_SPIKE", "2026-10-01", "refund_rate")];
    expect(defaultPair(differ)).toEqual(["m1", "m2"]);
    const same = [incident("a1", "REFUND_SPIKE", "2026-08-12", "refund_rate"), incident("x", "CHURN_ACCELERATION", "2026-09-01", "churn_proxy"), incident("a0", "REFUND_SPIKE", "2026-06-01", "refund_rate"), incident("a2", "REFUND_SPIKE", "2026-10-01", "refund_rate")];
    expect(defaultPair(same)).toEqual(["a1", "a2"]);
    const distinct = [incident("x", "CHURN_ACCELERATION", "2026-09-01", "churn_proxy"), incident("y", "REFUND_SPIKE", "2026-10-01", "refund_rate"), incident("z", "MARGIN_COMPRESSION", "2026-07-01", "expense_ratio")];
    expect(defaultPair(distinct)).toEqual(["x", "y"]);
    expect(defaultPair([distinct[0]!])).toBeNull();
  });

  it("reads the root cause from the best-ranked path", () => {
    const i = { causal_chain: { paths: [{ rank: 2, nodes: [{ metric_name: "b" }] }, { rank: 1, nodes: [{ metric_name: "a" }, { metric_name: "m" }] }] } };
    expect(topRootCause(i)).toBe("a");
  });
});
