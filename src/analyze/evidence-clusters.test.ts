import { describe, expect, it } from "vitest";
import { memoizeEvidence } from "./memo-evidence.ts";
import { clusterEvidence, collectMetricEvidence, DEFAULT_CLUSTER_OPTIONS, describeCounts, formatMoney } from "./evidence-clusters.ts";
import { event, evidenceOf } from "./testing/events.ts";

const shipment = (vendor: string, day: string, days: number, products: string[]) =>
  event({
    event_type: "shipment_delayed",
    event_time: `${day}T10:00:00Z`,
    entity_type: "vendor",
    entity_id: vendor,
    related_entity_ids: { vendor_id: vendor, product_ids: products },
    attributes: { days_delayed: days, vendor_id: vendor },
  });

describe("clusterEvidence", () => {
  const events = [
    shipment("V-001", "2025-02-05", 2, ["P-01", "P-06"]),
    shipment("V-001", "2025-02-06", 4, ["P-01"]),
    shipment("V-001", "2025-02-06", 4, ["P-01", "P-06"]),
    shipment("V-001", "2025-02-07", 5, ["P-06"]),
    shipment("V-001", "2025-02-08", 5, ["P-01"]),
    shipment("V-002", "2025-02-08", 1, ["P-02"]),
  ];

  it("summarises all events, then each vendor and product that concentrates them", () => {
    const clusters = clusterEvidence(events, { ...DEFAULT_CLUSTER_OPTIONS, measure: { attribute: "days_delayed", unit: "days delayed" } });
    // All: (2 + 4 + 4 + 5 + 5 + 1) / 6 = 3.5 days. V-001: (2 + 4 + 4 + 5 + 5) / 5 = 4.0. P-01 is on 4 shipments
    // (2, 4, 4, 5 → 3.75), P-06 on 3 (2, 4, 5 → 3.67). V-002 and P-02 have one event each: below minEvents.
    expect(clusters.map((c) => [c.cluster_label, c.event_count, c.entity_type, c.entity_id])).toEqual([
      ["All events", 6, "vendor", null],
      ["Vendor V-001", 5, "vendor", "V-001"],
      ["Product P-01", 4, "product", "P-01"],
      ["Product P-06", 3, "product", "P-06"],
    ]);
    expect(clusters[0]!.summary).toBe("6 delayed shipments between 2025-02-05 and 2025-02-08 (avg 3.5 days delayed)");
    expect(clusters[1]!.summary).toBe("5 delayed shipments from vendor V-001 between 2025-02-05 and 2025-02-08 (avg 4.0 days delayed)");
    expect(clusters[2]!.summary).toContain("(avg 3.8 days delayed)");
    expect(clusters[1]!.event_ids).toEqual(events.slice(0, 5).map((e) => e.event_id));
    expect(clusters[1]!.total_amount).toBeNull();
  });

  it("totals amounts and caps the listed ids but not the count", () => {
    const refunds = Array.from({ length: 4 }, (_, i) =>
      event({ event_type: "refund_issued", event_time: "2025-03-01T10:00:00Z", entity_type: "order", entity_id: `O-${i}`, related_entity_ids: { customer_id: "C-9" }, amount: 12.5 * (i + 1), currency: "USD" }),
    );
    const [all, customer] = clusterEvidence(refunds, { ...DEFAULT_CLUSTER_OPTIONS, maxEventIds: 2 });
    // 12.5 + 25 + 37.5 + 50 = 125
    expect(all!.total_amount).toBe(125);
    expect(all!.event_ids).toHaveLength(2);
    expect(customer!.summary).toBe("4 refunds for customer C-9 on 2025-03-01, totalling $125");
  });

  it("returns nothing for no events", () => {
    expect(clusterEvidence([])).toEqual([]);
  });
});

describe("collectMetricEvidence", () => {
  it("lists invoices that became overdue in the window and were unpaid by then (as the ledger counts them)", async () => {
    const issue = (id: string, issued: string, due: string) =>
      event({ event_type: "invoice_issued", event_time: `${issued}T09:00:00Z`, entity_type: "invoice", entity_id: id, related_entity_ids: { customer_id: `C-${id}` }, amount: 1000, currency: "USD", attributes: { due_date: due } });
    const pay = (id: string, day: string) =>
      event({ event_type: "invoice_paid", event_time: `${day}T09:00:00Z`, entity_type: "invoice", entity_id: id, amount: 1000, currency: "USD", attributes: { days_to_pay: 30 } });
    const source = evidenceOf([
      issue("A", "2025-01-01", "2025-01-31"), // overdue from 02-01, never paid → listed
      issue("B", "2025-01-02", "2025-02-01"), // paid on its due date → never overdue
      pay("B", "2025-02-01"),
      issue("C", "2025-01-03", "2025-02-02"), // overdue from 02-03, paid 02-05 → was overdue in the window
      pay("C", "2025-02-05"),
      issue("D", "2025-01-04", "2025-02-20"), // due after the window
      issue("E", "2024-12-01", "2024-12-31"), // overdue long before the window
    ]);
    const found = await collectMetricEvidence(source, "ar_aging_amount", "2025-02-01", "2025-02-10", 100);
    expect(found.events.map((e) => e.entity_id)).toEqual(["A", "C"]);
    expect(found.truncated).toBe(false);
  });

  it("keeps only orders past their promised day and still open for the backlog", async () => {
    const source = evidenceOf([
      event({ event_type: "order_placed", event_time: "2025-02-01T09:00:00Z", entity_type: "order", entity_id: "late-open", attributes: { estimated_delivery: "2025-02-04" } }),
      event({ event_type: "order_placed", event_time: "2025-02-01T09:00:00Z", entity_type: "order", entity_id: "delivered", attributes: { estimated_delivery: "2025-02-04" } }),
      event({ event_type: "order_delivered", event_time: "2025-02-03T09:00:00Z", entity_type: "order", entity_id: "delivered" }),
      event({ event_type: "order_placed", event_time: "2025-02-06T09:00:00Z", entity_type: "order", entity_id: "in-transit", attributes: { estimated_delivery: "2025-02-09" } }),
    ]);
    const found = await collectMetricEvidence(source, "fulfillment_backlog", "2025-02-01", "2025-02-07", 100);
    expect(found.events.map((e) => e.entity_id)).toEqual(["late-open"]);
  });

  it("says when a query hit its limit", async () => {
    const source = evidenceOf(Array.from({ length: 3 }, (_, i) => event({ event_type: "customer_churned", event_time: "2025-02-01T09:00:00Z", entity_type: "customer", entity_id: `C-${i}` })));
    expect((await collectMetricEvidence(source, "churn_proxy", "2025-02-01", "2025-02-01", 3)).truncated).toBe(true);
    expect((await collectMetricEvidence(source, "churn_proxy", "2025-02-01", "2025-02-01", 4)).truncated).toBe(false);
  });

  it("asks the source once per distinct question when memoized", async () => {
    let calls = 0;
    const inner = evidenceOf([]);
    const counting = { events: (q: Parameters<typeof inner.events>[0]) => (calls++, inner.events(q)) };
    const memo = memoizeEvidence(counting);
    await collectMetricEvidence(memo, "ticket_volume", "2025-02-01", "2025-02-03", 10);
    await collectMetricEvidence(memo, "ticket_volume", "2025-02-01", "2025-02-03", 10);
    await collectMetricEvidence(memo, "ticket_volume", "2025-02-01", "2025-02-04", 10);
    expect(calls).toBe(2);
  });
});

describe("wording", () => {
  it("counts mixed types in order of count and formats money", () => {
    const at = "2025-02-01T09:00:00Z";
    const events = [
      event({ event_type: "refund_issued", event_time: at, entity_type: "order", entity_id: "O-1", amount: 1, currency: "USD" }),
      event({ event_type: "credit_memo_issued", event_time: at, entity_type: "invoice", entity_id: "I-1", amount: 1, currency: "USD" }),
      event({ event_type: "refund_issued", event_time: at, entity_type: "order", entity_id: "O-2", amount: 1, currency: "USD" }),
    ];
    expect(describeCounts(events)).toBe("2 refunds and 1 credit memo");
    expect(formatMoney(1234567.5)).toBe("$1,234,568");
    expect(formatMoney(-999.4)).toBe("-$999");
  });
});
