import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CanonicalEvent, type CanonicalEventInput, validateEvent } from "../events/canonical.ts";
import { computeGoldMetrics } from "./gold.ts";
import { MemoryLedger } from "./ledger.ts";
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
