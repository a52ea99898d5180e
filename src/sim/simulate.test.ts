import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CanonicalEventInput, validateEvent } from "../events/canonical.ts";
import { DAG_METRICS, generateDemoCompany, labelsSchema, SCENARIO_NAMES, SCENARIOS, type SimEvent, simulate, simulateStream } from "./index.ts";

const ndjson = (events: readonly SimEvent[]) => events.map((e) => JSON.stringify(e)).join("\n");
const INGESTED_AT = "2030-01-01T00:00:00.000Z";

describe("determinism", () => {
  it("gives byte-identical output for the same scenario, seed and days, and different output for another seed", () => {
    const a = simulate({ scenario: "supplier_delay_cascade", seed: 3, days: 60 });
    const b = simulate({ scenario: "supplier_delay_cascade", seed: 3, days: 60 });
    const c = simulate({ scenario: "supplier_delay_cascade", seed: 4, days: 60 });
    expect(ndjson(a.events)).toBe(ndjson(b.events));
    expect(JSON.stringify(a.labels)).toBe(JSON.stringify(b.labels));
    expect(JSON.stringify(a.qbo)).toBe(JSON.stringify(b.qbo));
    expect(ndjson(a.events)).not.toBe(ndjson(c.events));
  });

  it("streams the same events day by day as the batch call", () => {
    const batch = simulate({ scenario: "control_steady_growth", seed: 2, days: 45, qbo: false });
    const stream = simulateStream({ scenario: "control_steady_growth", seed: 2, days: 45, qbo: false });
    const streamed: SimEvent[] = [];
    let days = 0;
    for (const day of stream.days) {
      days++;
      for (const e of day.events) {
        expect(e.event_time.slice(0, 10)).toBe(day.day);
        streamed.push(e);
      }
    }
    expect(days).toBe(45);
    expect(ndjson(streamed)).toBe(ndjson(batch.events));
    expect(stream.labels()).toEqual(batch.labels);
  });

  it("is deterministic for any seed (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: 100_000 }), (seed) => {
        const a = simulate({ scenario: "control_weekly_seasonality", seed, days: 30, qbo: false });
        const b = simulate({ scenario: "control_weekly_seasonality", seed, days: 30, qbo: false });
        return ndjson(a.events) === ndjson(b.events);
      }),
      { numRuns: 3 },
    );
  });

  it("changes nothing before the onset: a scenario and its counterfactual agree until then", () => {
    const factual = simulate({ scenario: "carrier_delays", seed: 6, days: 60, qbo: false });
    const counterfactual = simulate({ scenario: "carrier_delays", seed: 6, days: 60, qbo: false, counterfactual: true });
    const onset = factual.labels.injections[0]!.onset;
    const before = (events: SimEvent[]) => ndjson(events.filter((e) => e.event_time.slice(0, 10) < onset));
    expect(before(factual.events).length).toBeGreaterThan(1000);
    expect(before(factual.events)).toBe(before(counterfactual.events));
    expect(ndjson(factual.events)).not.toBe(ndjson(counterfactual.events));
  });
});

describe("the canonical event contract", () => {
  const runs = SCENARIO_NAMES.map((scenario) => ({ scenario, run: simulate({ scenario, seed: 1, days: 45, qbo: false }) }));

  it.each(SCENARIO_NAMES)("%s: every event validates, ids are unique, times are ordered", (scenario) => {
    const { run } = runs.find((r) => r.scenario === scenario)!;
    const ids = new Set<string>();
    let previous = "";
    for (const event of run.events) {
      const result = validateEvent(event, INGESTED_AT);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      if (!result.ok) continue;
      // Only the missing-fields control may lose key attributes; opening-balance invoices may be flagged as due before the sync day.
      const flags = result.event.data_quality_flags.filter((f) => !(f === "inconsistent:due_before_issue" && event.attributes.opening_balance === true));
      if (scenario !== "control_missing_fields") expect(flags, event.event_id).toEqual([]);
      expect(ids.has(event.event_id), event.event_id).toBe(false);
      ids.add(event.event_id);
      expect(event.event_time >= previous).toBe(true);
      previous = event.event_time;
    }
  });

  it("carries the attributes the ledger and the evidence clustering read", () => {
    const events = runs.find((r) => r.scenario === "supplier_delay_cascade")!.run.events;
    const of = (type: string) => events.filter((e) => e.event_type === type);
    for (const e of of("invoice_issued")) expect(typeof e.attributes.due_date).toBe("string");
    for (const e of of("invoice_paid")) {
      expect(e.attributes.days_to_pay).toBeGreaterThanOrEqual(0);
      expect(typeof e.attributes.original_due_date).toBe("string");
    }
    for (const e of of("order_delivered")) expect(e.attributes.actual_delivery).toBe(e.event_time.slice(0, 10));
    const delivered = new Set(of("order_delivered").map((e) => e.entity_id));
    expect(of("order_late").length).toBeGreaterThan(0);
    for (const e of of("order_late")) {
      expect(e.attributes.days_late).toBeGreaterThan(0);
      // A late order emits both order_delivered and order_late.
      expect(delivered.has(e.entity_id)).toBe(true);
      expect(e.related_entity_ids.customer_id).toBeTruthy();
      expect(e.related_entity_ids.order_id).toBe(e.entity_id);
    }
    expect(of("purchase_order_placed").length).toBeGreaterThan(0);
    for (const e of of("shipment_delayed")) {
      expect(e.attributes.days_delayed).toBeGreaterThan(0);
      expect(e.attributes.vendor_id).toBe(e.related_entity_ids.vendor_id);
    }
    for (const e of of("support_ticket_closed")) expect(e.attributes.resolution_time_hours).toBeGreaterThan(0);
    for (const e of of("review_submitted")) expect([1, 2, 3, 4, 5]).toContain(e.attributes.score);
    for (const e of of("expense_paid")) expect(e.related_entity_ids.bill_ids?.length).toBe(1);
    for (const e of of("order_placed")) expect(e.related_entity_ids.product_ids?.length).toBeGreaterThan(0);
    for (const e of [...of("refund_issued"), ...of("credit_memo_issued")]) {
      expect(e.related_entity_ids.customer_id).toBeTruthy();
      expect(e.related_entity_ids.order_id).toBeTruthy();
    }
  });

  it("flags the fields the missing-fields control drops, as its labels say", () => {
    const { run } = runs.find((r) => r.scenario === "control_missing_fields")!;
    expect(run.labels.data_quality_issues.length).toBeGreaterThanOrEqual(2);
    for (const issue of run.labels.data_quality_issues) {
      const after = run.events.filter((e) => e.event_type === issue.event_type && e.event_time.slice(0, 10) >= issue.onset);
      const flagged = after.filter((e) => {
        const result = validateEvent(e, INGESTED_AT);
        return result.ok && result.event.data_quality_flags.includes(issue.flag);
      });
      const keyAttribute = ["days_late", "resolution_time_hours", "score", "days_to_pay", "days_delayed", "due_date"].includes(issue.field);
      if (keyAttribute && after.length >= 20) {
        expect(flagged.length / after.length).toBeGreaterThan(issue.share / 3);
        expect(flagged.length / after.length).toBeLessThan(Math.min(1, issue.share * 2.5));
      }
      const before = run.events.filter((e) => e.event_type === issue.event_type && e.event_time.slice(0, 10) < issue.onset);
      expect(before.every((e) => e.attributes[issue.field] !== undefined)).toBe(true);
    }
  });
});

describe("labels", () => {
  it.each(SCENARIO_NAMES)("%s: labels follow the schema and name DAG metrics as root causes", (scenario) => {
    const { labels } = simulate({ scenario, seed: 2, days: 60, qbo: false });
    expect(labelsSchema.safeParse(labels).success).toBe(true);
    for (const incident of labels.incidents) expect(DAG_METRICS).toContain(incident.root_cause_metric);
    const definition = SCENARIOS.find((s) => s.name === scenario)!;
    if (definition.family === "control") {
      expect(labels.incidents).toEqual([]);
      // Controls inject nothing into the business; the only thing the missing-fields control changes is the data.
      expect(labels.injections.every((i) => i.kind === "missing_fields")).toBe(true);
    } else {
      expect(labels.incidents.length).toBeGreaterThan(0);
      expect(labels.injections.length).toBeGreaterThan(0);
    }
  });

  it("randomises magnitude, onset and entities by seed (property)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const { labels } = simulate({ scenario: "refund_spike", seed, days: 60, qbo: false });
        const injection = labels.injections[0]!;
        seen.add(JSON.stringify([injection.onset_day, injection.duration_days, injection.parameters]));
        return injection.onset_day >= 21 && injection.onset_day + injection.duration_days <= 60;
      }),
      { numRuns: 6, seed: 42 },
    );
    expect(seen.size).toBeGreaterThanOrEqual(5);
  });
});

describe("the demo company", () => {
  const demo = generateDemoCompany();
  const count = (type: string) => demo.events.filter((e) => e.event_type === type).length;

  it("follows the spec's seeding plan: about 500 customers, 2,000 invoices, 800 expenses, 100 refunds, 50 vendors", () => {
    expect(demo.events.length).toBeGreaterThanOrEqual(5_000);
    expect(demo.events.length).toBeLessThanOrEqual(20_000);
    expect(count("customer_created")).toBeGreaterThanOrEqual(400);
    expect(count("customer_created")).toBeLessThanOrEqual(650);
    expect(count("invoice_issued")).toBeGreaterThanOrEqual(1_600);
    expect(count("invoice_issued")).toBeLessThanOrEqual(2_400);
    expect(count("expense_posted")).toBeGreaterThanOrEqual(600);
    expect(count("expense_posted")).toBeLessThanOrEqual(1_000);
    expect(count("refund_issued") + count("credit_memo_issued")).toBeGreaterThanOrEqual(60);
    expect(count("refund_issued") + count("credit_memo_issued")).toBeLessThanOrEqual(200);
    expect(demo.qbo!.Vendor.length).toBe(50);
  });

  it("hands canonical event inputs to the upload API", () => {
    // Type-level: the events are what POST /v1/ingest/upload takes.
    const upload: CanonicalEventInput[] = demo.events;
    expect(upload.length).toBe(demo.events.length);
  });

  it("spans six months ending on its fixed default day, with three planted incidents", () => {
    expect(demo.labels.end_day).toBe("2026-10-31");
    expect(demo.labels.days).toBe(184);
    expect(demo.events[0]!.event_time.slice(0, 10)).toBe(demo.labels.start_day);
    expect(demo.events.at(-1)!.event_time.slice(0, 10) <= demo.labels.end_day).toBe(true);
    expect(demo.labels.injections.map((i) => i.kind)).toEqual(["supplier_delay", "defect_batch", "payment_freeze"]);
    expect(labelsSchema.safeParse(demo.labels).success).toBe(true);
  });

  it("keeps QuickBooks books that agree with its events", () => {
    const books = demo.qbo!;
    const invoices = new Map(books.Invoice.map((i) => [i.Id as string, i]));
    const paid = new Set(demo.events.filter((e) => e.event_type === "invoice_paid").map((e) => e.entity_id));
    for (const e of demo.events.filter((x) => x.event_type === "invoice_issued")) {
      const invoice = invoices.get(e.entity_id);
      expect(invoice, e.entity_id).toBeTruthy();
      expect(invoice!.TotalAmt).toBe(e.amount);
      expect(invoice!.Balance).toBe(paid.has(e.entity_id) ? 0 : e.amount);
    }
    const bills = new Set(books.Bill.map((b) => b.Id as string));
    for (const e of demo.events.filter((x) => x.event_type === "expense_posted")) expect(bills.has(e.entity_id)).toBe(true);
    const payments = new Set(books.Payment.map((p) => p.Id as string));
    for (const e of demo.events.filter((x) => x.event_type === "payment_received")) expect(payments.has(e.entity_id)).toBe(true);
  });
});
