import { describe, expect, it } from "vitest";
import type { CanonicalEvent } from "../events/canonical.ts";
import { MemoryLedger } from "../metrics/ledger.ts";
import { DailyAggregates } from "../metrics/series.ts";
import { addDays } from "../time.ts";
import { blastRadiusSeverity, collectBlastDetail, mergeBlastDetails, summarizeBlastRadius } from "./blast-radius.ts";
import { event, evidenceOf } from "./testing/events.ts";

/** $1,000 a day from a customer the incidents never touch, 2025-01-01 … 2025-02-10. */
function background(): CanonicalEvent[] {
  return Array.from({ length: 41 }, (_, i) =>
    event({ event_type: "payment_received", event_time: `${addDays("2025-01-01", i)}T12:00:00Z`, entity_type: "payment", entity_id: `PAY-${i}`, related_entity_ids: { customer_id: "C-R" }, amount: 1000, currency: "USD" }),
  );
}

function world(extra: CanonicalEvent[]) {
  const events = [...background(), ...extra];
  const ledger = new MemoryLedger();
  ledger.append(events);
  const aggregates = new DailyAggregates(ledger.snapshot(), "2025-01-01", "2025-02-10");
  const at = (day: string) => aggregates.indexOf(day)!;
  return { aggregates, evidence: evidenceOf(events), at };
}

const placed = (id: string, customer: string, day: string, amount: number, promise: string, products: string[]) =>
  event({ event_type: "order_placed", event_time: `${day}T09:00:00Z`, entity_type: "order", entity_id: id, related_entity_ids: { customer_id: customer, product_ids: products }, amount, currency: "USD", attributes: { estimated_delivery: promise } });
const late = (id: string, customer: string, day: string, products: string[]) =>
  event({ event_type: "order_late", event_time: `${day}T09:00:00Z`, entity_type: "order", entity_id: id, related_entity_ids: { customer_id: customer, product_ids: products }, attributes: { days_late: 2 } });

describe("collectBlastDetail + summarizeBlastRadius", () => {
  it("counts a fulfillment incident's late and overdue-open orders and prices them (hand calculation)", async () => {
    const { aggregates, evidence, at } = world([
      event({ event_type: "refund_issued", event_time: "2025-01-15T12:00:00Z", entity_type: "order", entity_id: "O-old", related_entity_ids: { customer_id: "C-R" }, amount: 300, currency: "USD" }),
      placed("O-1", "C-1", "2025-01-28", 100, "2025-02-01", ["P-1"]),
      late("O-1", "C-1", "2025-02-03", ["P-1"]),
      placed("O-2", "C-2", "2025-01-29", 50, "2025-02-02", ["P-2"]),
      late("O-2", "C-2", "2025-02-05", ["P-2"]),
      placed("O-3", "C-3", "2025-02-02", 70, "2025-02-05", ["P-1"]), // past its promise, never delivered
      placed("O-4", "C-4", "2025-02-06", 80, "2025-02-09", ["P-3"]), // still in transit at the window's end
      event({ event_type: "support_ticket_opened", event_time: "2025-02-04T10:00:00Z", entity_type: "ticket", entity_id: "T-1", related_entity_ids: { customer_id: "C-1" } }),
    ]);
    const detail = await collectBlastDetail({ type: "FULFILLMENT_SLA_DEGRADATION", startIndex: at("2025-02-01"), endIndex: at("2025-02-07") }, aggregates, evidence);
    const radius = summarizeBlastRadius(detail, ["inc_downstream"]);
    // Exposure: O-1 $100 + O-2 $50 + O-3 $70 = $220. Monthly revenue: 30 days × $1,000 = $30,000 → 0.73 %.
    // Historical refund rate: $300 refunded / $31,000 revenue in the 31 days before the window.
    // Churn risk: C-1 had a late order and a ticket (2 signals); C-2 and C-3 one each.
    expect(radius).toMatchObject({
      customers_affected: 3,
      orders_affected: 3,
      products_affected: 2,
      vendors_involved: 0,
      estimated_revenue_exposure: 220,
      estimated_refund_exposure: Math.round(((220 * 300) / 31_000) * 100) / 100,
      estimated_churn_exposure: 1,
      downstream_incidents_triggered: ["inc_downstream"],
      blast_radius_severity: "contained",
      monthly_revenue: 30_000,
    });
    expect(radius.revenue_exposure_share).toBeCloseTo(220 / 30_000, 6);
    expect(radius.narrative).toBe(
      "This incident affected 3 orders and 2 products across 3 customers, with estimated revenue exposure of $220 (0.7 % of monthly revenue: contained), refund exposure of $2 and churn risk for 1 customer. It led to 1 downstream incident.",
    );
  });

  it("prices customers reached without an order by their typical monthly revenue", async () => {
    const { aggregates, evidence, at } = world([
      event({ event_type: "payment_received", event_time: "2025-01-10T12:00:00Z", entity_type: "payment", entity_id: "P-a", related_entity_ids: { customer_id: "C-5" }, amount: 300, currency: "USD" }),
      event({ event_type: "payment_received", event_time: "2025-01-20T12:00:00Z", entity_type: "payment", entity_id: "P-b", related_entity_ids: { customer_id: "C-5" }, amount: 300, currency: "USD" }),
      event({ event_type: "support_ticket_opened", event_time: "2025-02-05T10:00:00Z", entity_type: "ticket", entity_id: "T-5", related_entity_ids: { customer_id: "C-5" } }),
    ]);
    const detail = await collectBlastDetail({ type: "SUPPORT_LOAD_SURGE", startIndex: at("2025-02-05"), endIndex: at("2025-02-07") }, aggregates, evidence);
    // History: 2025-01-01 … 02-07 = 38 days = 38/30 months; C-5 paid $600 → $600 / (38/30) = $473.68 a month.
    expect(summarizeBlastRadius(detail, []).estimated_revenue_exposure).toBeCloseTo(600 / (38 / 30), 2);
  });

  it("reads a supplier failure as the vendors that stand out and the orders that need their products", async () => {
    const delay = (vendor: string, day: string, product: string) =>
      event({ event_type: "shipment_delayed", event_time: `${day}T08:00:00Z`, entity_type: "vendor", entity_id: vendor, related_entity_ids: { vendor_id: vendor, product_ids: [product] }, attributes: { days_delayed: 4 } });
    const { aggregates, evidence, at } = world([
      delay("V-001", "2025-01-10", "P-1"), // one delay in the 30-day baseline
      delay("V-002", "2025-01-05", "P-2"),
      delay("V-002", "2025-01-12", "P-2"),
      delay("V-002", "2025-01-19", "P-2"),
      delay("V-002", "2025-01-26", "P-2"),
      ...["2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04", "2025-02-05", "2025-02-06"].map((d) => delay("V-001", d, "P-1")),
      delay("V-002", "2025-02-03", "P-2"), // its usual rate: not this failure
      placed("O-a", "C-a", "2025-02-02", 40, "2025-02-05", ["P-1"]),
      placed("O-b", "C-b", "2025-02-04", 60, "2025-02-07", ["P-1", "P-9"]),
      placed("O-c", "C-c", "2025-02-04", 90, "2025-02-07", ["P-2"]),
    ]);
    const detail = await collectBlastDetail({ type: "SUPPLIER_DEPENDENCY_FAILURE", startIndex: at("2025-02-01"), endIndex: at("2025-02-07") }, aggregates, evidence);
    // The supplier delay rate is a 7-day rolling rate: its evidence starts 6 days before the window,
    // 01-26 … 02-07 (13 days). V-001: 6 delays vs 1 in the 30 days before → (6/13)/(1/30) = 13.8, stands out;
    // V-002: 2 delays (01-26, 02-03) vs 3 before (01-05, 01-12, 01-19) → (2/13)/(3/30) = 1.54, its usual rate.
    expect(summarizeBlastRadius(detail, [])).toMatchObject({ vendors_involved: 1, products_affected: 1, orders_affected: 2, customers_affected: 2, estimated_revenue_exposure: 100 });
  });

  it("puts only spending above its usual rate at stake, and only vendors whose bills stand out", async () => {
    const bill = (id: string, vendor: string, day: string, amount: number) =>
      event({ event_type: "expense_posted", event_time: `${day}T09:00:00Z`, entity_type: "expense", entity_id: id, related_entity_ids: { vendor_id: vendor }, amount, currency: "USD" });
    const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => addDays(from, i));
    const { aggregates, evidence, at } = world([
      ...days("2025-01-01", 25).map((d) => bill(`a-${d}`, "V-1", d, 500)),
      ...days("2025-01-26", 13).map((d) => bill(`b-${d}`, "V-1", d, 900)),
      ...days("2025-02-01", 5).map((d) => bill(`c-${d}`, "V-2", d, 300)),
    ]);
    const detail = await collectBlastDetail({ type: "MARGIN_COMPRESSION", startIndex: at("2025-02-01"), endIndex: at("2025-02-07") }, aggregates, evidence);
    // The margin metrics are 7-day rolling: the window is read from 01-26 (13 days to 02-07).
    // Usual spending: $500 a day over the 25 days before → 13 × 500 = $6,500; spent: 13 × 900 + 5 × 300
    // = $13,200 → $6,700 above the usual rate. V-1: 13 bills vs 25 in 25 days (lift 1.2): its usual
    // supplier; V-2: 5 bills, none before (lift 11.5): involved.
    expect(summarizeBlastRadius(detail, [])).toMatchObject({ estimated_revenue_exposure: 6_700, vendors_involved: 1, customers_affected: 0 });
  });

  it("merges details without counting a customer twice", async () => {
    const { aggregates, evidence, at } = world([
      placed("O-1", "C-1", "2025-01-28", 100, "2025-02-01", ["P-1"]),
      late("O-1", "C-1", "2025-02-03", ["P-1"]),
      event({ event_type: "payment_received", event_time: "2025-01-20T12:00:00Z", entity_type: "payment", entity_id: "P-c1", related_entity_ids: { customer_id: "C-1" }, amount: 500, currency: "USD" }),
      event({ event_type: "customer_churned", event_time: "2025-02-06T10:00:00Z", entity_type: "customer", entity_id: "C-1" }),
    ]);
    const fulfillment = await collectBlastDetail({ type: "FULFILLMENT_SLA_DEGRADATION", startIndex: at("2025-02-01"), endIndex: at("2025-02-07") }, aggregates, evidence);
    const churn = await collectBlastDetail({ type: "CHURN_ACCELERATION", startIndex: at("2025-02-06"), endIndex: at("2025-02-07") }, aggregates, evidence);
    expect(summarizeBlastRadius(churn, []).estimated_revenue_exposure).toBeGreaterThan(0); // C-1's typical revenue
    const both = summarizeBlastRadius(mergeBlastDetails([fulfillment, churn]), [], "This cascade");
    // C-1 is priced once, through order O-1; churned → at churn risk.
    expect(both).toMatchObject({ customers_affected: 1, orders_affected: 1, estimated_revenue_exposure: 100, estimated_churn_exposure: 1 });
    expect(both.narrative).toMatch(/^This cascade affected 1 order and 1 product across 1 customer, /);
  });
});

describe("blastRadiusSeverity", () => {
  it("classes exposure by share of monthly revenue", () => {
    expect(blastRadiusSeverity(99, 10_000)).toBe("contained");
    expect(blastRadiusSeverity(100, 10_000)).toBe("significant");
    expect(blastRadiusSeverity(499, 10_000)).toBe("significant");
    expect(blastRadiusSeverity(500, 10_000)).toBe("severe");
    expect(blastRadiusSeverity(1_499, 10_000)).toBe("severe");
    expect(blastRadiusSeverity(1_500, 10_000)).toBe("catastrophic");
    expect(blastRadiusSeverity(0, 0)).toBe("contained");
    expect(blastRadiusSeverity(1, 0)).toBe("catastrophic");
    expect(() => blastRadiusSeverity(Number.NaN, 1)).toThrow(/blastRadiusSeverity/);
  });
});
