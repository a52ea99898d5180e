import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CanonicalEvent, type CanonicalEventInput, validateEvent } from "../events/canonical.ts";
import { parseRetractions, type Retraction } from "../events/retraction.ts";
import { computeGoldMetrics } from "./gold.ts";
import { AR_AGED_KEY, LOW_REVIEWS_KEY, MemoryLedger, PRODUCT_LOW_REVIEWS_PREFIX, PRODUCT_REFUNDS_PREFIX, SALES_KEY, VENDOR_DELAYS_PREFIX, ITEM_COST_PREFIX, ITEM_EXPENSES_KEY, ITEM_UNITS_PREFIX } from "./ledger.ts";
import { DailyAggregates } from "./series.ts";

function ev(input: Partial<CanonicalEventInput> & Pick<CanonicalEventInput, "event_id" | "event_type" | "event_time">): CanonicalEvent {
  const result = validateEvent(
    { source: "test", source_entity_id: input.event_id, entity_type: "invoice", entity_id: input.event_id, ...input },
    "2025-06-01T00:00:00Z",
  );
  if (!result.ok) throw new Error(JSON.stringify(result.rejection));
  return result.event;
}

const issued = (id: string, day: string, due: string, amount: number) =>
  ev({ event_id: `${id}-i`, event_type: "invoice_issued", event_time: `${day}T09:00:00Z`, entity_id: id, amount, currency: "USD", attributes: { due_date: due } });
const paid = (id: string, day: string, amount: number) =>
  ev({ event_id: `${id}-p`, event_type: "invoice_paid", event_time: `${day}T09:00:00Z`, entity_id: id, amount, currency: "USD", attributes: { days_to_pay: 1 } });

function metricsOf(events: CanonicalEvent[], first: string, last: string) {
  const ledger = new MemoryLedger();
  ledger.append(events);
  const aggregates = new DailyAggregates(ledger.snapshot(), first, last);
  return { days: aggregates.days, metrics: computeGoldMetrics(aggregates) };
}

describe("ledger: AR aging from issued and paid invoices", () => {
  it("counts an invoice as overdue from the day after its due date until the day it is paid", () => {
    // A: $100 due 03-05, paid 03-08 (overdue at end of 03-06 and 03-07). B: $50 due 03-04, never paid.
    // C: $70 due 03-05, paid on 03-05 (on time: never overdue).
    const events = [issued("A", "2025-03-01", "2025-03-05", 100), paid("A", "2025-03-08", 100), issued("B", "2025-03-02", "2025-03-04", 50), issued("C", "2025-03-01", "2025-03-05", 70), paid("C", "2025-03-05", 70)];
    const { days, metrics } = metricsOf(events, "2025-03-01", "2025-03-09");
    const byDay = Object.fromEntries(days.map((d, i) => [d, [metrics.ar_aging_amount[i], metrics.ar_overdue_count[i]]]));
    expect(byDay).toEqual({
      "2025-03-01": [0, 0],
      "2025-03-02": [0, 0],
      "2025-03-03": [0, 0],
      "2025-03-04": [0, 0],
      "2025-03-05": [50, 1],
      "2025-03-06": [150, 2],
      "2025-03-07": [150, 2],
      "2025-03-08": [50, 1],
      "2025-03-09": [50, 1],
    });
  });

  it("keeps the balance still unpaid a week after it went overdue (state:ar_aged_amount)", () => {
    // A: $100 due 03-05, overdue from 03-06, paid 03-15 → aged 03-13 and 03-14. B: $50 due 03-04, never paid → aged from 03-12.
    // C: $70 due 03-05, paid 03-10: overdue four days, never aged.
    const events = [issued("A", "2025-03-01", "2025-03-05", 100), paid("A", "2025-03-15", 100), issued("B", "2025-03-02", "2025-03-04", 50), issued("C", "2025-03-01", "2025-03-05", 70), paid("C", "2025-03-10", 70)];
    const ledger = new MemoryLedger();
    ledger.append(events);
    const aggregates = new DailyAggregates(ledger.snapshot(), "2025-03-10", "2025-03-16");
    expect([...aggregates.runningTotal(AR_AGED_KEY)]).toEqual([0, 0, 50, 150, 150, 50, 50]);
  });

  it("gives the same aggregates whatever order and batching the events arrive in, and ignores duplicates", () => {
    const events = [
      issued("A", "2025-03-01", "2025-03-05", 100),
      paid("A", "2025-03-08", 100),
      issued("B", "2025-03-02", "2025-03-04", 50),
      ev({ event_id: "o1-p", event_type: "order_placed", event_time: "2025-03-01T10:00:00Z", entity_type: "order", entity_id: "o1" }),
      ev({ event_id: "o1-d", event_type: "order_delivered", event_time: "2025-03-04T10:00:00Z", entity_type: "order", entity_id: "o1" }),
      ev({ event_id: "t1-o", event_type: "support_ticket_opened", event_time: "2025-03-02T10:00:00Z", entity_type: "ticket", entity_id: "t1" }),
      ev({ event_id: "t1-c", event_type: "support_ticket_closed", event_time: "2025-03-03T10:00:00Z", entity_type: "ticket", entity_id: "t1", attributes: { resolution_time_hours: 20 } }),
      ev({ event_id: "b1-p", event_type: "expense_posted", event_time: "2025-03-01T10:00:00Z", entity_type: "expense", entity_id: "b1", amount: 10, currency: "USD" }),
      ev({ event_id: "b1-x", event_type: "expense_paid", event_time: "2025-03-11T10:00:00Z", entity_type: "payment", entity_id: "bp1", amount: 10, currency: "USD", related_entity_ids: { bill_ids: ["b1"] } }),
    ];
    const reference = new MemoryLedger();
    reference.append(events);
    const expected = reference.snapshot();
    fc.assert(
      fc.property(fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }), fc.integer({ min: 1, max: 9 }), (order, batch) => {
        const ledger = new MemoryLedger();
        for (let i = 0; i < order.length; i += batch) ledger.append(order.slice(i, i + batch));
        ledger.append(order.slice(0, 3)); // replays change nothing
        expect(ledger.snapshot()).toEqual(expected);
      }),
    );
  });
});

describe("ledger: sales as invoiced", () => {
  it("counts issued invoices and unapplied payments (cash sales) on their day, and not the payments of invoices", () => {
    const cashSale = ev({ event_id: "sr1", event_type: "payment_received", event_time: "2025-03-02T10:00:00Z", entity_type: "payment", amount: 40, currency: "USD" });
    const applied = ev({ event_id: "pm1", event_type: "payment_received", event_time: "2025-03-03T10:00:00Z", entity_type: "payment", amount: 100, currency: "USD", related_entity_ids: { invoice_ids: ["A"] } });
    const ledger = new MemoryLedger();
    ledger.append([issued("A", "2025-03-01", "2025-03-20", 100), issued("B", "2025-03-02", "2025-03-20", 50), cashSale, applied, paid("A", "2025-03-03", 100)]);
    const aggregates = new DailyAggregates(ledger.snapshot(), "2025-03-01", "2025-03-03");
    // Sales: 100 | 50 + 40 | 0. Revenue (as paid): 0 | 40 | 100.
    expect([...aggregates.column(SALES_KEY)]).toEqual([100, 90, 0]);
    expect([...aggregates.column("sum:revenue")]).toEqual([0, 40, 100]);
  });
});

describe("ledger: low reviews", () => {
  it("counts the 1–2 star reviews of each day (the count a satisfaction regression must move)", () => {
    const review = (id: string, day: string, score: number) => ev({ event_id: id, event_type: "review_submitted", event_time: `${day}T10:00:00Z`, entity_type: "order", entity_id: id, attributes: { score } });
    const ledger = new MemoryLedger();
    ledger.append([review("r1", "2025-01-01", 1), review("r2", "2025-01-01", 2), review("r3", "2025-01-01", 3), review("r4", "2025-01-02", 5), review("r5", "2025-01-03", 2)]);
    const aggregates = new DailyAggregates(ledger.snapshot(), "2025-01-01", "2025-01-03");
    expect([...aggregates.column(LOW_REVIEWS_KEY)]).toEqual([2, 0, 1]);
    expect([...aggregates.column("n:review_submitted")]).toEqual([3, 1, 1]);
  });
});

describe("ledger: per-product counts", () => {
  it("counts each product's refunds, credit memos and low reviews per day, once per event", () => {
    const refund = (id: string, day: string, products: string[], type: "refund_issued" | "credit_memo_issued" = "refund_issued") =>
      ev({ event_id: id, event_type: type, event_time: `${day}T10:00:00Z`, entity_type: "payment", entity_id: id, amount: 10, currency: "USD", related_entity_ids: { product_ids: products } });
    const review = (id: string, day: string, score: number, products: string[]) =>
      ev({ event_id: id, event_type: "review_submitted", event_time: `${day}T10:00:00Z`, entity_type: "order", entity_id: id, related_entity_ids: { product_ids: products }, attributes: { score } });
    const ledger = new MemoryLedger();
    ledger.append([
      refund("f1", "2025-01-01", ["P-1", "P-2"]),
      refund("f2", "2025-01-01", ["P-1", "P-1"]), // a product named twice is one refund of it
      refund("f3", "2025-01-02", ["P-2"], "credit_memo_issued"),
      review("r1", "2025-01-01", 1, ["P-1"]),
      review("r2", "2025-01-02", 4, ["P-1"]), // not low
      review("r3", "2025-01-02", 2, ["P-1", "P-2"]),
    ]);
    const aggregates = new DailyAggregates(ledger.snapshot(), "2025-01-01", "2025-01-02");
    expect([...aggregates.column(`${PRODUCT_REFUNDS_PREFIX}P-1`)]).toEqual([2, 0]);
    expect([...aggregates.column(`${PRODUCT_REFUNDS_PREFIX}P-2`)]).toEqual([1, 1]);
    expect([...aggregates.column(`${PRODUCT_LOW_REVIEWS_PREFIX}P-1`)]).toEqual([1, 1]);
    expect([...aggregates.column(`${PRODUCT_LOW_REVIEWS_PREFIX}P-2`)]).toEqual([0, 1]);
    expect(aggregates.keysWithPrefix(PRODUCT_REFUNDS_PREFIX)).toEqual([`${PRODUCT_REFUNDS_PREFIX}P-1`, `${PRODUCT_REFUNDS_PREFIX}P-2`]);
  });
});

describe("ledger: per-supplier delays", () => {
  it("counts each supplier's delayed shipments per day, from the related vendor or the vendor_id attribute", () => {
    const delayed = (id: string, day: string, related: Record<string, string>, attributes: Record<string, unknown> = {}) =>
      ev({ event_id: id, event_type: "shipment_delayed", event_time: `${day}T15:00:00Z`, entity_type: "order", entity_id: id, related_entity_ids: related, attributes: { days_delayed: 2, ...attributes } });
    const ledger = new MemoryLedger();
    ledger.append([
      delayed("s1", "2025-01-01", { vendor_id: "V-1" }),
      delayed("s2", "2025-01-01", { vendor_id: "V-1" }),
      delayed("s3", "2025-01-02", {}, { vendor_id: "V-2" }),
      delayed("s4", "2025-01-02", {}), // no vendor known: counted in the total only
    ]);
    const aggregates = new DailyAggregates(ledger.snapshot(), "2025-01-01", "2025-01-02");
    expect([...aggregates.column(`${VENDOR_DELAYS_PREFIX}V-1`)]).toEqual([2, 0]);
    expect([...aggregates.column(`${VENDOR_DELAYS_PREFIX}V-2`)]).toEqual([0, 1]);
    expect([...aggregates.column("n:shipment_delayed")]).toEqual([2, 2]);
    expect(aggregates.keysWithPrefix(VENDOR_DELAYS_PREFIX)).toHaveLength(2);
  });
});

describe("ledger: bills' item lines", () => {
  it("sums units and cost per item and day, and the item lines' total, skipping lines without an item or a quantity", () => {
    const bill = (id: string, day: string, amount: number, lines: unknown[]) =>
      ev({ event_id: id, event_type: "expense_posted", event_time: `${day}T10:00:00Z`, entity_type: "expense", entity_id: id, amount, currency: "USD", attributes: { line_items: lines } });
    const ledger = new MemoryLedger();
    ledger.append([
      bill("b1", "2025-01-01", 130, [{ item_id: "I-1", qty: 10, amount: 100 }, { account_id: "60", amount: 30 }]),
      bill("b2", "2025-01-01", 55, [{ item_id: "I-1", qty: 2, amount: 22 }, { item_id: "I-2", qty: 3, amount: 33 }]),
      bill("b3", "2025-01-02", 40, [{ item_id: "I-2", amount: 40 }, { item_id: "I-2", qty: 0, amount: 5 }]), // no usable quantity
    ]);
    const aggregates = new DailyAggregates(ledger.snapshot(), "2025-01-01", "2025-01-02");
    expect([...aggregates.column(`${ITEM_UNITS_PREFIX}I-1`)]).toEqual([12, 0]);
    expect([...aggregates.column(`${ITEM_COST_PREFIX}I-1`)]).toEqual([122, 0]);
    expect([...aggregates.column(`${ITEM_UNITS_PREFIX}I-2`)]).toEqual([3, 0]);
    expect([...aggregates.column(ITEM_EXPENSES_KEY)]).toEqual([155, 0]);
    expect([...aggregates.column("sum:expenses")]).toEqual([185, 40]);
  });
});

describe("ledger: backlogs and payables", () => {
  it("counts an order in the backlog from the day it is placed until delivered, at most 14 days", () => {
    const events = [
      ev({ event_id: "a-p", event_type: "order_placed", event_time: "2025-01-01T10:00:00Z", entity_type: "order", entity_id: "a" }),
      ev({ event_id: "a-d", event_type: "order_delivered", event_time: "2025-01-03T10:00:00Z", entity_type: "order", entity_id: "a" }),
      ev({ event_id: "b-p", event_type: "order_placed", event_time: "2025-01-02T10:00:00Z", entity_type: "order", entity_id: "b" }),
    ];
    const { metrics } = metricsOf(events, "2025-01-01", "2025-01-20");
    // Undefined until the 14-day window is full; then a (delivered 01-03) is gone and b stays
    // open through 01-15 (14 days from 01-02) and is dropped as stale on 01-16.
    expect(metrics.fulfillment_backlog.slice(0, 13)).toEqual(Array(13).fill(null));
    expect(metrics.fulfillment_backlog.slice(13)).toEqual([1, 1, 0, 0, 0, 0, 0]);
  });

  it("measures days payable from a bill's posting to its payment, whichever arrives first", () => {
    const posted = ev({ event_id: "b-p", event_type: "expense_posted", event_time: "2025-01-01T10:00:00Z", entity_type: "expense", entity_id: "b", amount: 10, currency: "USD" });
    const payment = ev({ event_id: "bp", event_type: "expense_paid", event_time: "2025-01-08T10:00:00Z", entity_type: "payment", entity_id: "bp", amount: 10, currency: "USD", related_entity_ids: { bill_ids: ["b"] } });
    for (const order of [[posted, payment], [payment, posted]]) {
      const ledger = new MemoryLedger();
      for (const e of order) ledger.append([e]);
      const rows = ledger.snapshot().daily.filter((r) => r.key.endsWith("days_payable"));
      expect(rows).toEqual([
        { day: "2025-01-08", key: "n:days_payable", value: 1 },
        { day: "2025-01-08", key: "sq:days_payable", value: 49 },
        { day: "2025-01-08", key: "sum:days_payable", value: 7 },
      ]);
    }
  });
});

describe("gold metrics: hand-computed values", () => {
  it("refund rate is Σ7 refunds / usual weekly revenue (7 × mean daily revenue of up to 30 days), undefined until a full week", () => {
    const events: CanonicalEvent[] = [];
    for (let d = 1; d <= 9; d++) {
      const day = `2025-01-0${d}`;
      if (d !== 8) events.push(ev({ event_id: `p${d}`, event_type: "invoice_paid", event_time: `${day}T10:00:00Z`, entity_id: `i${d}`, amount: 100, currency: "USD", attributes: { days_to_pay: d } }));
      events.push(ev({ event_id: `r${d}`, event_type: "refund_issued", event_time: `${day}T11:00:00Z`, entity_type: "payment", entity_id: `r${d}`, amount: d, currency: "USD" }));
    }
    const { metrics } = metricsOf(events, "2025-01-01", "2025-01-09");
    // day 7: refunds 1..7 = 28 over 7 × (700/7) = 700; day 9: refunds 3..9 = 42 over
    // 7 × (800/9) = 622.2 (nine days so far, no payment on day 8)
    expect(metrics.refund_rate.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(metrics.refund_rate[6]).toBeCloseTo(28 / 700, 12);
    expect(metrics.refund_rate[8]).toBeCloseTo(42 / ((7 * 800) / 9), 12);
    // dso: 7-day mean of days_to_pay: day 9 has payments on days 3..7 and 9 → (3+4+5+6+7+9)/6
    expect(metrics.dso_proxy[8]).toBeCloseTo(34 / 6, 12);
    expect(metrics.daily_revenue[7]).toBe(0);
  });
});

describe("ledger: retractions (voided or deleted source entities)", () => {
  // Entities named as their source names them: source "test", source_entity_id = entity id.
  const own = (e: CanonicalEvent): CanonicalEvent => ({ ...e, source_entity_id: e.entity_id });
  const voided = (entity: string): Retraction => ({ source: "test", source_entity_id: entity, reason: "voided" });
  // A: $100 issued 03-01 due 03-05, paid 03-08. B: $50 issued 03-02 due 03-04, never paid.
  // C: $70 issued 03-01 due 03-05, paid 03-05. Bill b1 ($10) posted 03-01, paid 03-11 by bp1.
  const events = [
    issued("A", "2025-03-01", "2025-03-05", 100),
    paid("A", "2025-03-08", 100),
    issued("B", "2025-03-02", "2025-03-04", 50),
    issued("C", "2025-03-01", "2025-03-05", 70),
    paid("C", "2025-03-05", 70),
    ev({ event_id: "b1-p", event_type: "expense_posted", event_time: "2025-03-01T10:00:00Z", entity_type: "expense", entity_id: "b1", amount: 10, currency: "USD" }),
    ev({ event_id: "bp1-x", event_type: "expense_paid", event_time: "2025-03-11T10:00:00Z", entity_type: "payment", entity_id: "bp1", amount: 10, currency: "USD", related_entity_ids: { bill_ids: ["b1"] } }),
    // D: known only from an explicit overdue notice on 03-10 ($30).
    ev({ event_id: "D-o", event_type: "invoice_overdue", event_time: "2025-03-10T10:00:00Z", entity_id: "D", amount: 30, currency: "USD", attributes: { balance_remaining: 30 } }),
  ].map(own);

  it("a voided invoice stops counting in revenue and AR aging (hand-computed)", () => {
    const ledger = new MemoryLedger();
    ledger.append(events);
    const at = (day: string) => {
      const aggregates = new DailyAggregates(ledger.snapshot(), "2025-03-01", "2025-03-11");
      const metrics = computeGoldMetrics(aggregates);
      const i = aggregates.days.indexOf(day);
      return { revenue: metrics.daily_revenue[i], ar: metrics.ar_aging_amount[i], overdue: metrics.ar_overdue_count[i] };
    };
    // Before: A's payment is 03-08's revenue; on 03-06 A ($100, due 03-05) and B ($50) are overdue.
    expect(at("2025-03-08").revenue).toBe(100);
    expect(at("2025-03-06")).toMatchObject({ ar: 150, overdue: 2 });
    expect(ledger.retract([voided("A")], events)).toEqual({ entities: 1, events: 2 });
    // After voiding A: no revenue on 03-08, only B overdue on 03-06; C (paid 03-05) is untouched.
    expect(at("2025-03-08").revenue).toBe(0);
    expect(at("2025-03-05").revenue).toBe(70);
    expect(at("2025-03-06")).toMatchObject({ ar: 50, overdue: 1 });
    // Sales count when invoiced: A's $100 leaves 03-01 with the void, C's $70 stays.
    expect(new DailyAggregates(ledger.snapshot(), "2025-03-01", "2025-03-11").column(SALES_KEY)[0]).toBe(70);
    ledger.retract([voided("B")], events);
    expect(at("2025-03-06")).toMatchObject({ ar: 0, overdue: 0 });
  });

  it("leaves the aggregates as if the entity had never been seen, whatever the order, batching and replays", () => {
    const removed = new Set(["A", "bp1", "D"]);
    const reference = new MemoryLedger();
    reference.append(events.filter((e) => !removed.has(e.entity_id)));
    const expected = reference.snapshot();
    const retractions = [voided("A"), { ...voided("bp1"), reason: "deleted" as const }, voided("D")];
    fc.assert(
      fc.property(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.integer({ min: 0, max: events.length }),
        fc.integer({ min: 1, max: 7 }),
        (order, retractAfter, batch) => {
          const ledger = new MemoryLedger();
          const appended: CanonicalEvent[] = [];
          const append = (from: number, to: number) => {
            for (let i = from; i < to; i += batch) {
              const slice = order.slice(i, Math.min(i + batch, to));
              ledger.append(slice);
              appended.push(...slice);
            }
          };
          append(0, retractAfter);
          ledger.retract(retractions, appended);
          append(retractAfter, order.length);
          ledger.retract(retractions, appended); // a replayed retraction changes nothing
          ledger.append(order.slice(0, 3)); // nor do replayed events
          expect(ledger.snapshot()).toEqual(expected);
        },
      ),
    );
  });

  it("a deleted bill payment leaves its bill unpaid (no days payable); a voided bill takes its payment's measure with it", () => {
    const daysPayable = (ledger: MemoryLedger) => ledger.snapshot().daily.filter((r) => r.key.endsWith("days_payable"));
    const bill = events.filter((e) => e.entity_id === "b1" || e.entity_id === "bp1");
    const ledger = new MemoryLedger();
    ledger.append(bill);
    expect(daysPayable(ledger)).toEqual([
      { day: "2025-03-11", key: "n:days_payable", value: 1 },
      { day: "2025-03-11", key: "sq:days_payable", value: 100 },
      { day: "2025-03-11", key: "sum:days_payable", value: 10 },
    ]);
    ledger.retract([{ source: "test", source_entity_id: "bp1", reason: "deleted" }], bill);
    expect(daysPayable(ledger)).toEqual([]);
    expect(ledger.snapshot().daily.filter((r) => r.key === "n:expense_paid")).toEqual([]);
    // The expense itself still counts.
    expect(ledger.snapshot().daily.filter((r) => r.key === "sum:expenses")).toEqual([{ day: "2025-03-01", key: "sum:expenses", value: 10 }]);

    const other = new MemoryLedger();
    other.append(bill);
    other.retract([voided("b1")], bill);
    expect(daysPayable(other)).toEqual([]);
    expect(other.snapshot().daily.filter((r) => r.key === "sum:expenses")).toEqual([]);
  });

  it("refuses malformed retractions with the index and field", () => {
    expect(parseRetractions([{ source: "qbo", source_entity_id: "Invoice:1", reason: "voided", at: "2025-03-01T00:00:00Z" }])).toEqual([
      { source: "qbo", source_entity_id: "Invoice:1", reason: "voided", at: "2025-03-01T00:00:00.000Z" },
    ]);
    expect(() => parseRetractions([voided("A"), { source: "qbo", source_entity_id: "Invoice:1", reason: "refunded" }])).toThrow(
      'parseRetractions: [1].reason must be "voided" or "deleted"',
    );
    expect(() => parseRetractions([{ source: "", source_entity_id: "x", reason: "voided" }])).toThrow("parseRetractions: [0].source must not be empty");
  });
});
