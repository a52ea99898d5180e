import { describe, expect, it } from "vitest";
import type { EvidenceEvent } from "../evidence.ts";
import type { MetricName } from "../metrics/gold.ts";
import type { PointScore } from "./layer1.ts";
import { evidenceUpgrade, RULES_BY_TYPE, ruleSeverity, severityForDecline, severityForZ } from "./rules.ts";

const point = (value: number, z: number | null = null, baseline: number | null = null): PointScore => ({ value, z, baseline });
const table = (entries: Partial<Record<MetricName, PointScore[]>>) => new Map(Object.entries(entries)) as Map<MetricName, PointScore[]>;

describe("severity scale", () => {
  it.each([
    [3.01, "LOW"],
    [3.99, "LOW"],
    [4, "MEDIUM"],
    [6, "MEDIUM"],
    [6.01, "HIGH"],
    [8, "HIGH"],
    [8.01, "CRITICAL"],
  ])("|z| = %s is %s", (z, severity) => {
    expect(severityForZ(z)).toBe(severity);
  });

  it("classes a review-score decline in points", () => {
    expect([0.29, 0.3, 0.6, 1].map(severityForDecline)).toEqual(["LOW", "MEDIUM", "HIGH", "CRITICAL"]);
  });
});

describe("type rules", () => {
  const refund = RULES_BY_TYPE.get("REFUND_SPIKE")!;
  const fired = (metric: MetricName, z: number) => [{ metric, value: 1, baseline: 0, z }];

  it("makes a refund spike CRITICAL only when refunds exceed 10 % of trailing revenue", () => {
    // 30 days of $1,000 revenue = $30,000; the window (days 28–29) refunds $2,000 + $1,500 = $3,500 > $3,000.
    const revenue = Array.from({ length: 30 }, () => point(1000));
    const heavy = Array.from({ length: 30 }, (_, i) => point(i === 28 ? 2000 : i === 29 ? 1500 : 0));
    const light = Array.from({ length: 30 }, (_, i) => point(i === 29 ? 2500 : 0));
    const ctx = (refunds: PointScore[]) => ({ scores: table({ daily_revenue: revenue, daily_refunds: refunds }), day: 29, windowStart: 28 });
    expect(ruleSeverity(refund, fired("refund_rate", 9), ctx(heavy))).toBe("CRITICAL");
    expect(ruleSeverity(refund, fired("refund_rate", 9), ctx(light))).toBe("HIGH");
    expect(ruleSeverity(refund, fired("refund_rate", 5), ctx(heavy))).toBe("MEDIUM");
  });

  it("upgrades a support surge when resolution time is also anomalous", () => {
    const support = RULES_BY_TYPE.get("SUPPORT_LOAD_SURGE")!;
    const ctx = (z: number) => ({ scores: table({ avg_resolution_time: [point(30, z)] }), day: 0, windowStart: 0 });
    expect(ruleSeverity(support, fired("ticket_volume", 5), ctx(1))).toBe("MEDIUM");
    expect(ruleSeverity(support, fired("ticket_volume", 5), ctx(3.5))).toBe("HIGH");
  });

  it("makes liquidity CRITICAL when both triggers fire the same day", () => {
    const liquidity = RULES_BY_TYPE.get("LIQUIDITY_CRUNCH_RISK")!;
    const both = [...fired("net_cash_proxy", -3.2), ...fired("ar_aging_amount", 3.4)];
    expect(ruleSeverity(liquidity, both, { scores: table({}), day: 0, windowStart: 0 })).toBe("CRITICAL");
    expect(ruleSeverity(liquidity, fired("ar_aging_amount", 3.4), { scores: table({}), day: 0, windowStart: 0 })).toBe("LOW");
  });

  it("upgrades churn above a 5 % absolute rate and grades satisfaction by the decline", () => {
    const churn = RULES_BY_TYPE.get("CHURN_ACCELERATION")!;
    expect(ruleSeverity(churn, fired("churn_proxy", 2.8), { scores: table({ churn_proxy: [point(0.08)] }), day: 0, windowStart: 0 })).toBe("MEDIUM");
    const satisfaction = RULES_BY_TYPE.get("CUSTOMER_SATISFACTION_REGRESSION")!;
    // z −2.6 alone is LOW; the average fell 0.7 points (4.5 → 3.8) → HIGH.
    expect(ruleSeverity(satisfaction, fired("review_score_avg", -2.6), { scores: table({ review_score_avg: [point(3.8, -2.6, 4.5)] }), day: 0, windowStart: 0 })).toBe("HIGH");
  });
});

describe("evidence upgrades", () => {
  let n = 0;
  const event = (type: EvidenceEvent["event_type"], vendor: string | null, customer: string | null): EvidenceEvent => ({
    event_id: `e${n++}`,
    event_type: type,
    event_time: "2025-03-01T00:00:00.000Z",
    entity_type: customer ? "customer" : "vendor",
    entity_id: customer ?? vendor ?? "x",
    related_entity_ids: vendor ? { vendor_id: vendor } : {},
    amount: null,
    attributes: {},
  });

  it("upgrades a supplier failure concentrated on one vendor", () => {
    const concentrated = [event("shipment_delayed", "V-001", null), event("shipment_delayed", "V-001", null), event("shipment_delayed", "V-002", null)];
    expect(evidenceUpgrade("SUPPLIER_DEPENDENCY_FAILURE", "MEDIUM", concentrated, new Set())).toEqual({ severity: "HIGH", reason: "67% of delayed shipments come from V-001" });
    const spread = [event("shipment_delayed", "V-001", null), event("shipment_delayed", "V-002", null), event("shipment_delayed", "V-003", null)];
    expect(evidenceUpgrade("SUPPLIER_DEPENDENCY_FAILURE", "MEDIUM", spread, new Set()).severity).toBe("MEDIUM");
  });

  it("upgrades churn that takes a top customer", () => {
    const churned = [event("customer_churned", null, "big-co")];
    expect(evidenceUpgrade("CHURN_ACCELERATION", "LOW", churned, new Set(["big-co"])).severity).toBe("MEDIUM");
    expect(evidenceUpgrade("CHURN_ACCELERATION", "LOW", churned, new Set(["other"])).severity).toBe("LOW");
  });
});
