import { describe, expect, it } from "vitest";
import { type CanonicalEvent, type CanonicalEventInput, validateEvent } from "../events/canonical.ts";
import { addDays } from "../time.ts";
import { computeGoldMetrics, GOLD_METRICS, type GoldMetrics, METRIC_NAMES } from "./gold.ts";
import { MemoryLedger } from "./ledger.ts";
import { DailyAggregates } from "./series.ts";

// Every expected number below is computed by hand from the events of its test.
const D0 = "2025-03-01";
const day = (n: number) => addDays(D0, n);
let seq = 0;
function ev(type: CanonicalEventInput["event_type"], n: number, fields: Partial<CanonicalEventInput> = {}): CanonicalEvent {
  const id = `e${seq++}`;
  const result = validateEvent(
    { event_id: id, event_type: type, event_time: `${day(n)}T10:00:00Z`, source: "test", source_entity_id: id, entity_type: "order", entity_id: id, ...fields },
    "2025-06-01T00:00:00Z",
  );
  if (!result.ok) throw new Error(JSON.stringify(result.rejection));
  return result.event;
}
function metrics(events: CanonicalEvent[], days: number): GoldMetrics {
  const ledger = new MemoryLedger();
  ledger.append(events);
  return computeGoldMetrics(new DailyAggregates(ledger.snapshot(), D0, day(days - 1)));
}
const money = (amount: number, extra: Partial<CanonicalEventInput> = {}) => ({ amount, currency: "USD", ...extra });
const paid = (n: number, amount: number, customer = "c1", daysToPay = 10) =>
  ev("invoice_paid", n, { entity_type: "invoice", ...money(amount), related_entity_ids: { customer_id: customer }, attributes: { days_to_pay: daysToPay } });

describe("gold metric table", () => {
  it("defines the spec's 27 metrics (11 financial, 8 operational, 8 customer), each with a formula and sources", () => {
    expect(METRIC_NAMES).toHaveLength(27);
    const byDomain = (d: string) => GOLD_METRICS.filter((m) => m.domain === d).length;
    expect([byDomain("financial"), byDomain("operational"), byDomain("customer")]).toEqual([11, 8, 8]);
    for (const m of GOLD_METRICS) {
      expect(m.formula.length).toBeGreaterThan(10);
      expect(m.sources.length).toBeGreaterThan(0);
    }
  });
});

describe("financial metrics", () => {
  // Revenue $100 a day for 30 days (invoice paid, days_to_pay 10 then 20 from day 20); expenses $40
  // a day; a $35 refund on day 6 and a $70 credit memo on day 7.
  const events = [
    ...Array.from({ length: 30 }, (_, n) => paid(n, 100, "c1", n < 20 ? 10 : 20)),
    ...Array.from({ length: 30 }, (_, n) => ev("expense_posted", n, { entity_type: "expense", ...money(40) })),
    ev("refund_issued", 6, { entity_type: "payment", ...money(35) }),
    ev("credit_memo_issued", 7, { entity_type: "invoice", ...money(70) }),
  ];
  const m = metrics(events, 30);

  it("sums revenue, expenses and refunds per day", () => {
    expect([m.daily_revenue[6], m.daily_expenses[6], m.daily_refunds[6], m.daily_refunds[7], m.daily_refunds[8]]).toEqual([100, 40, 35, 70, 0]);
  });

  it("computes refunds over 7 days against the usual week's revenue, undefined until the first week is full", () => {
    // Revenue is $100 every day, so the usual week is $700 whatever the look-back.
    expect(m.refund_rate.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(m.refund_rate[6]).toBeCloseTo(35 / 700, 12); // days 0–6
    expect(m.refund_rate[7]).toBeCloseTo(105 / 700, 12); // days 1–7
    expect(m.refund_rate[13]).toBeCloseTo(70 / 700, 12); // days 7–13: only the credit memo
  });

  it("computes expense ratio and margin over 30 days (costs arrive monthly)", () => {
    expect(m.expense_ratio[28]).toBeNull();
    expect(m.expense_ratio[29]).toBeCloseTo(1200 / 3000, 12);
    // margin = (3000 − 1200 − 105) / 3000 on day 29
    expect(m.margin_proxy[29]).toBeCloseTo(1695 / 3000, 12);
  });

  it("computes net cash over 30 days and the rolling mean days to pay", () => {
    expect(m.net_cash_proxy[28]).toBeNull();
    expect(m.net_cash_proxy[29]).toBeCloseTo(30 * 60 - 105, 9); // 3000 − 1200 − 105
    expect(m.dso_proxy[19]).toBeCloseTo(10, 12);
    expect(m.dso_proxy[22]).toBeCloseTo((4 * 10 + 3 * 20) / 7, 12); // days 16–22
  });

  it("derives days payable from posted and paid bills", () => {
    const bills = [
      ev("expense_posted", 0, { entity_type: "expense", entity_id: "b1", ...money(10) }),
      ev("expense_posted", 1, { entity_type: "expense", entity_id: "b2", ...money(10) }),
      ev("expense_paid", 8, { entity_type: "payment", ...money(20), related_entity_ids: { bill_ids: ["b1", "b2"] } }),
    ];
    const dpo = metrics(bills, 10).dpo_proxy;
    expect(dpo[8]).toBeCloseTo((8 + 7) / 2, 12);
    expect(dpo[5]).toBeNull(); // no bill paid in days 0–5: no value, not 0
  });

  it("takes an explicit invoice_overdue balance when the invoice's terms are unknown, and drops it when paid", () => {
    const events2 = [
      ev("invoice_overdue", 2, { entity_type: "invoice", entity_id: "inv9", attributes: { balance_remaining: 300 } }),
      ev("invoice_paid", 5, { entity_type: "invoice", entity_id: "inv9", ...money(300) }),
    ];
    const m2 = metrics(events2, 7);
    expect(m2.ar_aging_amount).toEqual([0, 0, 300, 300, 300, 0, 0]);
    expect(m2.ar_overdue_count).toEqual([0, 0, 1, 1, 1, 0, 0]);
  });
});

describe("operational metrics", () => {
  // Days 0–9: 10 orders placed a day, each delivered 2 days later; on day 9 two deliveries are late
  // by 3 and 5 days. 3 purchase orders a day, one shipment delayed 4 days on days 6 and 8.
  const events: CanonicalEvent[] = [];
  for (let n = 0; n < 10; n++) {
    for (let k = 0; k < 10; k++) {
      const id = `o${n}-${k}`;
      events.push(ev("order_placed", n, { entity_id: id }));
      if (n + 2 < 10) events.push(ev("order_delivered", n + 2, { entity_id: id }));
    }
    for (let k = 0; k < 3; k++) events.push(ev("purchase_order_placed", n, { entity_id: `po${n}-${k}` }));
  }
  events.push(ev("order_late", 9, { entity_id: "o7-0", attributes: { days_late: 3 } }), ev("order_late", 9, { entity_id: "o7-1", attributes: { days_late: 5 } }));
  events.push(ev("shipment_delayed", 6, { entity_type: "vendor", entity_id: "v1", attributes: { days_delayed: 4 } }), ev("shipment_delayed", 8, { entity_type: "vendor", entity_id: "v1", attributes: { days_delayed: 4 } }));
  const m = metrics(events, 10);

  it("counts orders, deliveries and late deliveries per day", () => {
    expect([m.order_volume[0], m.delivery_count[0], m.delivery_count[2], m.late_delivery_count[9]]).toEqual([10, 0, 10, 2]);
  });

  it("computes the late share over 7 days and the mean delay of late orders", () => {
    // Days 3–9 hold 70 deliveries (10 a day from day 2), 2 late → 2/70.
    expect(m.delivery_delay_rate[9]).toBeCloseTo(2 / 70, 12);
    expect(m.avg_delivery_delay_days[9]).toBeCloseTo(4, 12);
    expect(m.avg_delivery_delay_days[8]).toBeNull(); // no late order yet
  });

  it("counts the open-order backlog, undefined until 14 days of history", () => {
    expect(m.fulfillment_backlog[9]).toBeNull();
    const longer = metrics(events, 16).fulfillment_backlog;
    // Day 13: orders of days 8 and 9 were never delivered and are not stale yet → 20 open.
    expect(longer[13]).toBe(20);
  });

  it("computes the supplier delay share and severity over 7 days", () => {
    expect(m.supplier_delay_rate[8]).toBeCloseTo(2 / 21, 12); // days 2–8: 21 POs, 2 delays
    expect(m.supplier_delay_severity[8]).toBeCloseTo(4, 12);
  });
});

describe("customer metrics", () => {
  it("counts tickets, their backlog and the rolling mean resolution time", () => {
    const events: CanonicalEvent[] = [];
    for (let n = 0; n < 15; n++) {
      events.push(ev("support_ticket_opened", n, { entity_type: "ticket", entity_id: `t${n}a` }), ev("support_ticket_opened", n, { entity_type: "ticket", entity_id: `t${n}b` }));
      // Ticket a closes the next day after 24 h; ticket b stays open.
      if (n + 1 < 15) events.push(ev("support_ticket_closed", n + 1, { entity_type: "ticket", entity_id: `t${n}a`, attributes: { resolution_time_hours: n < 8 ? 24 : 48 } }));
    }
    const m = metrics(events, 15);
    expect([m.ticket_volume[3], m.ticket_close_volume[3], m.ticket_close_volume[0]]).toEqual([2, 1, 0]);
    // Day 13: the 14 "b" tickets of days 0–13 are open (none stale yet) plus 13's "a" → 15.
    expect(m.ticket_backlog[13]).toBe(15);
    // Closures on days 7–13 resolved tickets of days 6–12: 24 h for days 6 and 7, 48 h after.
    expect(m.avg_resolution_time[13]).toBeCloseTo((2 * 24 + 5 * 48) / 7, 12);
  });

  it("averages review scores over 7 days and takes the 14-day least-squares slope", () => {
    // One review a day scoring 5 on days 0–6, then 4, then 3…: the rolling mean falls by 1/7 a day.
    const scores = [5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3];
    const m = metrics(
      scores.map((score, n) => ev("review_submitted", n, { entity_type: "customer", entity_id: `r${n}`, attributes: { score } })),
      scores.length,
    );
    expect(m.review_score_avg[6]).toBe(5);
    expect(m.review_score_avg[10]).toBeCloseTo((3 * 5 + 4 * 4) / 7, 12);
    // Days 7–20 of the rolling mean lie on a straight line of slope −1/7.
    expect(m.review_score_trend[20]).toBeCloseTo(-1 / 7, 12);
  });

  it("computes explicit churn over the customer base", () => {
    const events = [
      ...Array.from({ length: 100 }, (_, k) => ev("customer_created", 0, { entity_type: "customer", entity_id: `c${k}` })),
      ev("customer_churned", 20, { entity_type: "customer", entity_id: "c1" }),
      ev("customer_churned", 21, { entity_type: "customer", entity_id: "c2" }),
    ];
    const churn = metrics(events, 40).churn_proxy;
    expect(churn[12]).toBeNull(); // 14-day window not full
    expect(churn[21]).toBeCloseTo(2 / 100, 12);
    expect(churn[34]).toBeCloseTo(1 / 99, 12); // window days 21–34: c2 only; base 100 − 1 (c1 churned before)
    expect(churn[35]).toBe(0);
  });

  it("counts repeat buyers who stop buying as churn (repeat-purchase drop-off)", () => {
    // Ten customers buy every 5 days from day 0; c0 buys on days 0, 5, 10 and then stops. Its
    // horizon is max(3·5, 1.5·5) = 15 days → it drops off on day 25 (10 + 15). On day 25 the
    // window days 12–25 holds that one drop-off; the repeat buyers active on day 11 are all 10.
    const events: CanonicalEvent[] = [];
    for (let k = 0; k < 10; k++) for (let n = 0; n < 40; n += 5) if (k !== 0 || n <= 10) events.push(paid(n, 50, `c${k}`));
    const churn = metrics(events, 40).churn_proxy;
    expect(churn[24]).toBe(0);
    expect(churn[25]).toBeCloseTo(1 / 10, 12);
  });

  it("measures revenue concentration in the top 10 % of customers over 30 days", () => {
    // Day 0: c0 pays 910, c1…c9 pay 10 each → top 10 % (1 customer) holds 910/1000.
    const events = [paid(0, 910, "c0"), ...Array.from({ length: 9 }, (_, k) => paid(0, 10, `c${k + 1}`))];
    const m = metrics(events, 31);
    expect(m.customer_concentration[28]).toBeNull();
    expect(m.customer_concentration[29]).toBeCloseTo(0.91, 12);
    expect(m.customer_concentration[30]).toBeNull(); // day 0 left the window: no revenue, no value
  });
});

describe("missing days and zero denominators", () => {
  it("never produce NaN or Infinity: counts are 0 on empty days, ratios and means have no value", () => {
    const m = metrics([paid(0, 100), paid(20, 100)], 30);
    expect(metrics([paid(20, 100)], 30).refund_rate[10]).toBeNull(); // no revenue at all yet
    for (const name of METRIC_NAMES) {
      for (const v of m[name]) expect(v === null || Number.isFinite(v)).toBe(true);
    }
    expect(m.order_volume[10]).toBe(0);
    expect(m.delivery_delay_rate[10]).toBeNull();
    expect(m.refund_rate[15]).toBeCloseTo(0, 12); // no refunds; usual revenue 100 over 16 days
    expect(m.refund_rate[20]).toBe(0);
  });
});
