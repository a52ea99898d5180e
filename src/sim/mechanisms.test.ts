/**
 * Each mechanism moves its downstream metrics in the right direction. Every check compares a run
 * with its counterfactual: the same business, seed and random draws, without the injection
 * (identical until the onset), so a difference after it is the injection's doing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { validateEvent } from "../events/canonical.ts";
import { computeGoldMetrics, type GoldMetrics, type MetricName } from "../metrics/gold.ts";
import { MemoryLedger } from "../metrics/ledger.ts";
import { DailyAggregates } from "../metrics/series.ts";
import { type SimEvent, type SimulateOptions, simulate } from "./index.ts";

interface Run {
  metrics: GoldMetrics;
  events: SimEvent[];
  onset: number;
}

function metricsOf(events: readonly SimEvent[], firstDay: string, lastDay: string): GoldMetrics {
  const ledger = new MemoryLedger();
  ledger.append(
    events.map((e) => {
      const result = validateEvent(e, "2030-01-01T00:00:00.000Z");
      if (!result.ok) throw new Error(`metricsOf: ${e.event_id} rejected (${result.rejection.field} ${result.rejection.reason})`);
      return result.event;
    }),
  );
  return computeGoldMetrics(new DailyAggregates(ledger.snapshot(), firstDay, lastDay));
}

function pair(options: SimulateOptions): { factual: Run; counterfactual: Run } {
  const make = (counterfactual: boolean): Run => {
    const run = simulate({ ...options, qbo: false, counterfactual });
    return { metrics: metricsOf(run.events, run.labels.start_day, run.labels.end_day), events: run.events, onset: run.labels.injections[0]!.onset_day };
  };
  return { factual: make(false), counterfactual: make(true) };
}

/** Mean of a metric over days [from, to] after the onset (missing values skipped). */
function mean(run: Run, metric: MetricName, from: number, to: number): number {
  const values = run.metrics[metric].slice(run.onset + from, run.onset + to + 1).filter((v): v is number => v !== null);
  if (values.length === 0) throw new Error(`mean: ${metric} has no values in [${from}, ${to}] after the onset`);
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Events of a type on days [from, to] after the onset that pass the filter. */
function count(run: Run, type: string, from: number, to: number, filter: (e: SimEvent) => boolean = () => true): number {
  const start = dayOffset(run, from);
  const end = dayOffset(run, to);
  return run.events.filter((e) => e.event_type === type && e.event_time.slice(0, 10) >= start && e.event_time.slice(0, 10) <= end && filter(e)).length;
}

function dayOffset(run: Run, offset: number): string {
  const firstDay = run.events[0]!.event_time.slice(0, 10);
  return new Date(Date.parse(`${firstDay}T00:00:00Z`) + (run.onset + offset) * 86_400_000).toISOString().slice(0, 10);
}

const base = { seed: 5, days: 75, startDay: "2026-01-05" } as const;

describe("mechanisms", () => {
  it("a late supplier empties shelves: supplier delays, then backlog, late deliveries and tickets rise", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, scenario: "supplier_delay_cascade", overrides: { onsetDay: 35, durationDays: 7, magnitude: 7 } });
    expect(mean(f, "supplier_delay_rate", 0, 8)).toBeGreaterThan(mean(c, "supplier_delay_rate", 0, 8) + 0.1);
    expect(mean(f, "fulfillment_backlog", 2, 12)).toBeGreaterThan(mean(c, "fulfillment_backlog", 2, 12) * 1.2);
    expect(mean(f, "delivery_delay_rate", 4, 16)).toBeGreaterThan(mean(c, "delivery_delay_rate", 4, 16) * 1.5);
    expect(count(f, "support_ticket_opened", 3, 20)).toBeGreaterThan(count(c, "support_ticket_opened", 3, 20));
    expect(count(f, "inventory_low", 0, 10)).toBeGreaterThan(count(c, "inventory_low", 0, 10));
  });

  it("a slow carrier makes deliveries late, brings tickets and lowers reviews", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, scenario: "carrier_delays", overrides: { onsetDay: 35, durationDays: 10, magnitude: 3 } });
    expect(mean(f, "delivery_delay_rate", 4, 16)).toBeGreaterThan(mean(c, "delivery_delay_rate", 4, 16) * 1.5);
    expect(count(f, "support_ticket_opened", 3, 20)).toBeGreaterThan(count(c, "support_ticket_opened", 3, 20));
    expect(mean(f, "review_score_avg", 5, 20)).toBeLessThan(mean(c, "review_score_avg", 5, 20));
  });

  it("a campaign surge without more warehouse capacity grows the backlog, then late deliveries and tickets", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, scenario: "order_surge_cascade", overrides: { onsetDay: 35, durationDays: 3, magnitude: 3 } });
    expect(mean(f, "order_volume", 0, 2)).toBeGreaterThan(mean(c, "order_volume", 0, 2) * 2);
    expect(mean(f, "fulfillment_backlog", 1, 10)).toBeGreaterThan(mean(c, "fulfillment_backlog", 1, 10) * 1.5);
    expect(mean(f, "delivery_delay_rate", 4, 14)).toBeGreaterThan(mean(c, "delivery_delay_rate", 4, 14) * 2);
    expect(mean(f, "ticket_volume", 3, 12)).toBeGreaterThan(mean(c, "ticket_volume", 3, 12) * 1.3);
    expect(mean(f, "avg_resolution_time", 5, 20)).toBeGreaterThan(mean(c, "avg_resolution_time", 5, 20));
  });

  it("too few agents grow the ticket backlog and resolution time, and waiting customers leave", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, scenario: "support_failure_churn", overrides: { onsetDay: 35, durationDays: 14, magnitude: 0.35 } });
    expect(mean(f, "ticket_backlog", 3, 14)).toBeGreaterThan(mean(c, "ticket_backlog", 3, 14) * 2);
    expect(mean(f, "avg_resolution_time", 7, 20)).toBeGreaterThan(mean(c, "avg_resolution_time", 7, 20) * 2);
    expect(count(f, "customer_churned", 5, 30)).toBeGreaterThan(count(c, "customer_churned", 5, 30));
    expect(count(f, "customer_churned", 5, 30, (e) => e.attributes.reason === "slow_support")).toBeGreaterThan(
      count(c, "customer_churned", 5, 30, (e) => e.attributes.reason === "slow_support") + 5,
    );
  });

  it("a defective product brings refunds, defect tickets and bad reviews", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, scenario: "product_quality_regression", overrides: { onsetDay: 35, durationDays: 25, magnitude: 0.4 } });
    expect(mean(f, "refund_rate", 3, 25)).toBeGreaterThan(mean(c, "refund_rate", 3, 25) * 1.5);
    expect(mean(f, "review_score_avg", 3, 25)).toBeLessThan(mean(c, "review_score_avg", 3, 25));
    const defectTickets = (r: Run) => count(r, "support_ticket_opened", 0, 25, (e) => e.attributes.category === "damaged_or_defective");
    expect(defectTickets(f)).toBeGreaterThan(defectTickets(c) * 1.5);
  });

  it("key accounts that skip their statement run push overdue receivables up, and days-to-pay up when they finally pay", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, days: 80, scenario: "ar_aging_liquidity", overrides: { onsetDay: 42, durationDays: 30, magnitude: 20 } });
    expect(mean(f, "ar_aging_amount", 0, 20)).toBeGreaterThan(mean(c, "ar_aging_amount", 0, 20) + 5000);
    expect(mean(f, "dso_proxy", 28, 36)).toBeGreaterThan(mean(c, "dso_proxy", 28, 36));
  });

  it("costlier suppliers raise expenses and compress the margin", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, scenario: "vendor_cost_increase", overrides: { onsetDay: 35, durationDays: 40, magnitude: 1.5 } });
    expect(mean(f, "daily_expenses", 8, 38)).toBeGreaterThan(mean(c, "daily_expenses", 8, 38) * 1.08);
    expect(mean(f, "margin_proxy", 8, 38)).toBeLessThan(mean(c, "margin_proxy", 8, 38));
  });

  it("a competitor's churn wave takes customers and, later, revenue", () => {
    const { factual: f, counterfactual: c } = pair({ ...base, scenario: "competitor_churn_wave", overrides: { onsetDay: 35, durationDays: 20, magnitude: 0.15 } });
    expect(mean(f, "churn_proxy", 5, 20)).toBeGreaterThan(mean(c, "churn_proxy", 5, 20) * 1.5);
    expect(mean(f, "order_volume", 14, 38)).toBeLessThan(mean(c, "order_volume", 14, 38));
  });

  it("a late delivery never lowers the late-delivery rate, whatever the seed (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50_000 }), (seed) => {
        const { factual: f, counterfactual: c } = pair({ scenario: "carrier_delays", seed, days: 55, startDay: "2026-01-05", overrides: { onsetDay: 30, durationDays: 8, magnitude: 3 } });
        return mean(f, "delivery_delay_rate", 4, 14) >= mean(c, "delivery_delay_rate", 4, 14);
      }),
      { numRuns: 2, seed: 7 },
    );
  });
});

describe("controls", () => {
  it("steady growth grows orders while capacity planning keeps deliveries on time", () => {
    const run = simulate({ scenario: "control_steady_growth", seed: 3, days: 120, qbo: false });
    const metrics = metricsOf(run.events, run.labels.start_day, run.labels.end_day);
    const avg = (metric: MetricName, from: number, to: number) => {
      const values = metrics[metric].slice(from, to).filter((v): v is number => v !== null);
      return values.reduce((s, v) => s + v, 0) / values.length;
    };
    const created = run.events.filter((e) => e.event_type === "customer_created").length;
    const churned = run.events.filter((e) => e.event_type === "customer_churned").length;
    const opening = run.events.filter((e) => e.event_type === "customer_created" && e.event_time.slice(0, 10) === run.labels.start_day).length;
    expect(created - churned).toBeGreaterThan(opening * 1.2);
    // Four whole weeks at each end, so the weekly pattern cancels out.
    expect(avg("order_volume", 92, 120)).toBeGreaterThan(avg("order_volume", 0, 28) * 1.05);
    expect(avg("delivery_delay_rate", 92, 120)).toBeLessThan(avg("delivery_delay_rate", 14, 42) + 0.05);
  });

  it("a holiday closes the warehouse and dips orders, and promises skip it", () => {
    const run = simulate({ scenario: "control_holiday_dip", seed: 2, days: 90, qbo: false });
    const holiday = run.labels.notes[0]!.match(/\((\d{4}-\d{2}-\d{2})\)/)![1]!;
    const onDay = (type: string, day: string) => run.events.filter((e) => e.event_type === type && e.event_time.slice(0, 10) === day).length;
    const weekBefore = new Date(Date.parse(`${holiday}T00:00:00Z`) - 7 * 86_400_000).toISOString().slice(0, 10);
    expect(onDay("order_placed", holiday)).toBeLessThan(onDay("order_placed", weekBefore) * 0.7);
    expect(onDay("order_delivered", holiday)).toBe(0);
    for (const e of run.events.filter((x) => x.event_type === "order_placed")) expect(e.attributes.estimated_delivery).not.toBe(holiday);
  });
});
