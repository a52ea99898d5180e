import { describe, expect, it } from "vitest";
import { DEFAULT_DETECTION_CONFIG } from "../detect/detect.ts";
import { type GoldMetrics, METRIC_NAMES } from "../metrics/gold.ts";
import { seededRandom } from "../rng.ts";
import { addDays } from "../time.ts";
import { laggedLinearFit } from "./lagged-linear-fit.ts";
import { clampMetric, runWhatIf, type WhatIfConfig, type WhatIfInput, type WhatIfModel } from "./whatif.ts";

const CONFIG: WhatIfConfig = {
  horizonDays: 14,
  historyDays: 90,
  maxLagDays: 7,
  minPairs: 20,
  minCorrelation: 0.3,
  levelDays: 7,
  cascadeWindowDays: 7,
  maxCascadeHops: 2,
  detection: DEFAULT_DETECTION_CONFIG,
};

/**
 * 120 days of a business built from known straight lines:
 *   order_volume(t)        = 20 + u(−3, 3)
 *   fulfillment_backlog(t) = 2 · order_volume(t − 1) + u(−0.5, 0.5)     slope 2, lag 1
 *   delivery_delay_rate(t) = 0.001 · fulfillment_backlog(t) + u(±0.0002) slope 0.001, lag 0
 *   ticket_volume(t)       = 100 + 5000 · delivery_delay_rate(t) + u(±2) slope 5000, lag 0
 * (tickets in the hundreds, so a surge stands clear of the detection's Poisson noise floor)
 *   refund_rate(t)         = 0.04 + u(±0.004), unrelated to orders
 */
function business(): { days: string[]; metrics: GoldMetrics } {
  const rand = seededRandom(5);
  const u = (half: number) => (rand() * 2 - 1) * half;
  const n = 120;
  const series = Object.fromEntries(METRIC_NAMES.map((m) => [m, Array.from({ length: n }, () => null as number | null)])) as unknown as GoldMetrics;
  for (let t = 0; t < n; t++) {
    series.order_volume[t] = 20 + u(3);
    series.fulfillment_backlog[t] = t === 0 ? 40 : 2 * series.order_volume[t - 1]! + u(0.5);
    series.delivery_delay_rate[t] = 0.001 * series.fulfillment_backlog[t]! + u(0.0002);
    series.ticket_volume[t] = 100 + 5000 * series.delivery_delay_rate[t]! + u(2);
    series.refund_rate[t] = 0.04 + u(0.004);
  }
  return { days: Array.from({ length: n }, (_, i) => addDays("2025-01-01", i)), metrics: series };
}

const MODEL: WhatIfModel = {
  edges: [
    ["order_volume", "fulfillment_backlog", 1],
    ["fulfillment_backlog", "delivery_delay_rate", 1],
    ["delivery_delay_rate", "ticket_volume", 1],
    ["order_volume", "refund_rate", 1],
  ],
  incidentEdges: [["FULFILLMENT_SLA_DEGRADATION", "SUPPORT_LOAD_SURGE"]],
};

function input(overrides: Partial<WhatIfInput> = {}): WhatIfInput {
  return { scope: "acme/run_1", ...business(), perturbations: [{ metric: "order_volume", change_pct: 50 }], model: MODEL, config: CONFIG, ...overrides };
}

describe("laggedLinearFit", () => {
  it("recovers an exact line and its lag", () => {
    // y(t) = 3 · x(t − 2) + 1 on a non-repeating x.
    const x = [5, 1, 4, 2, 8, 3, 9, 0, 7, 6, 2, 5];
    const y = x.map((_, t) => (t >= 2 ? 3 * x[t - 2]! + 1 : null));
    expect(laggedLinearFit(x, y, 1, 0, x.length - 1, 4, 5)).toEqual({ lag: 2, correlation: 1, slope: 3, pairs: 10 });
    // Expecting the opposite sign finds no support.
    expect(laggedLinearFit(x, y, -1, 0, x.length - 1, 4, 5)?.lag).not.toBe(2);
    expect(() => laggedLinearFit(x, y.slice(1), 1, 0, 5, 1, 3)).toThrow(/laggedLinearFit: cause has 12 days and effect 11/);
  });
});

describe("runWhatIf", () => {
  it("carries a change down the graph with the historical slopes and lags", () => {
    const s = runWhatIf(input());
    const step = (to: string) => s.propagation.find((p) => p.to === to)!;
    // Built with slope 2 at lag 1, 0.001 at lag 0, 5000 at lag 0 (noise moves the estimates a little).
    expect(step("fulfillment_backlog")).toMatchObject({ from: "order_volume", used: true, lag_days: 1 });
    expect(step("fulfillment_backlog").slope!).toBeCloseTo(2, 1);
    expect(step("delivery_delay_rate")).toMatchObject({ used: true, lag_days: 0 });
    expect(step("delivery_delay_rate").slope!).toBeCloseTo(0.001, 4);
    expect(step("ticket_volume").slope! / 5000).toBeCloseTo(1, 1);
    // Refunds do not follow orders in this history: the edge carries nothing, and says why.
    expect(step("refund_rate").used).toBe(false);

    const orders = s.simulated_metrics.order_volume!;
    const backlog = s.simulated_metrics.fulfillment_backlog!;
    // +50 % of the order level from day 1; the backlog moves one day later by slope × 0.5 × level.
    expect(orders.simulated[0]! / orders.level!).toBeCloseTo(1.5, 6); // outputs carry six decimals
    expect(backlog.simulated[0]).toBe(backlog.level);
    const slope = step("fulfillment_backlog").slope!;
    expect(backlog.simulated[1]! - backlog.level!).toBeCloseTo(slope * 0.5 * orders.level!, 3);
    expect(s.simulated_metrics.refund_rate!.changed).toBe(false);
  });

  it("runs the detector on the simulated days and reports the incidents and cascade the change would cause", () => {
    const s = runWhatIf(input());
    expect(s.baseline_incidents).toEqual([]);
    // Day 1 only orders move (no rule watches them); the backlog, delivery delays and tickets follow
    // on day 2, and detection confirms a moderate first day on the next one: both are reported on day 3.
    expect(s.triggered_incidents.map((i) => [i.incident_type, i.days_after_start])).toEqual([
      ["FULFILLMENT_SLA_DEGRADATION", 3],
      ["SUPPORT_LOAD_SURGE", 3],
    ]);
    expect(s.triggered_incidents[0]!.detected_at).toBe(addDays("2025-01-01", 122));
    expect(s.triggered_cascades).toEqual([{ cascade_path: ["FULFILLMENT_SLA_DEGRADATION", "SUPPORT_LOAD_SURGE"], detected_days: [3, 3] }]);
    expect(s.narrative.startsWith("Linear stress test, not a causal forecast: order volume +50%")).toBe(true);
    expect(s.narrative).toContain("Not carried: order volume → refund rate");
    expect(s.narrative).toContain("within an estimated 3 days");
    expect(s.narrative).toContain("They would form the cascade Fulfillment SLA Degradation → Support Load Surge.");
  });

  it("links same-day incidents whichever way the incident graph points, upstream type first", () => {
    // Same simulated incidents, graph reversed: the cascade now runs support → fulfillment.
    const reversed: WhatIfModel = { ...MODEL, incidentEdges: [["SUPPORT_LOAD_SURGE", "FULFILLMENT_SLA_DEGRADATION"]] };
    const s = runWhatIf(input({ model: reversed }));
    expect(s.triggered_incidents.map((i) => i.incident_type)).toEqual(["SUPPORT_LOAD_SURGE", "FULFILLMENT_SLA_DEGRADATION"]);
    expect(s.triggered_cascades).toEqual([{ cascade_path: ["SUPPORT_LOAD_SURGE", "FULFILLMENT_SLA_DEGRADATION"], detected_days: [3, 3] }]);
  });

  it("reports no incident for a change the history absorbs, with the closest z-score", () => {
    const s = runWhatIf(input({ perturbations: [{ metric: "refund_rate", change_pct: 2 }] }));
    expect(s.triggered_incidents).toEqual([]);
    expect(s.narrative).toMatch(/No new incident would fire on the 14 simulated days; the largest z-score on the horizon is .+ at z = [+-]\d/);
  });

  it("is deterministic, names scenarios by scope and request, and validates the request naming the field", () => {
    expect(JSON.stringify(runWhatIf(input()))).toBe(JSON.stringify(runWhatIf(input())));
    expect(runWhatIf(input()).scenario_id).not.toBe(runWhatIf(input({ perturbations: [{ metric: "order_volume", change_pct: 40 }] })).scenario_id);
    expect(() => runWhatIf(input({ perturbations: [{ metric: "vibes", change_pct: 5 }] }))).toThrow(/perturbations\[0\]\.metric "vibes" is not a gold metric/);
    expect(() => runWhatIf(input({ perturbations: [{ metric: "order_volume", change_pct: -150 }] }))).toThrow(/perturbations\[0\]\.change_pct must be between -100 and 1000/);
    expect(() => runWhatIf(input({ perturbations: [] }))).toThrow(/at least one metric/);
    expect(() =>
      runWhatIf(input({ perturbations: [{ metric: "order_volume", change_pct: 5 }, { metric: "order_volume", change_pct: 6 }] })),
    ).toThrow(/perturbations\[1\]\.metric order_volume is listed twice/);
    expect(() => runWhatIf(input({ config: { ...CONFIG, horizonDays: 0 } }))).toThrow(/horizon_days must be a whole number from 1 to 60/);
    const short = business();
    expect(() => runWhatIf(input({ days: short.days.slice(0, 5), metrics: Object.fromEntries(Object.entries(short.metrics).map(([k, v]) => [k, v.slice(0, 5)])) as unknown as GoldMetrics }))).toThrow(
      new RegExp(`needs at least ${DEFAULT_DETECTION_CONFIG.minBaselineValues + 1} scanned days of history, got 5`),
    );
  });

  it("keeps simulated values possible: rates not below 0, review scores on 1–5", () => {
    expect(clampMetric("refund_rate", -0.2)).toBe(0);
    expect(clampMetric("delivery_delay_rate", 1.4)).toBe(1);
    expect(clampMetric("review_score_avg", 6)).toBe(5);
    expect(clampMetric("net_cash_proxy", -5000)).toBe(-5000);
    const halved = runWhatIf(input({ perturbations: [{ metric: "order_volume", change_pct: -100 }] }));
    expect(halved.simulated_metrics.order_volume!.simulated.every((v) => v === 0)).toBe(true);
    expect(halved.simulated_metrics.fulfillment_backlog!.simulated.every((v) => v! >= 0)).toBe(true);
  });
});
