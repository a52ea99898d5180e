import { describe, expect, it } from "vitest";
import type { PointScore, ScoreTable } from "../detect/detect.ts";
import { type GoldMetrics, METRIC_NAMES, type MetricName } from "../metrics/gold.ts";
import { causalChainSchema } from "../scan-contract.ts";
import { dayRange } from "../time.ts";
import { analyzeRootCause, DEFAULT_RCA_CONFIG, type RcaContext, type RcaIncident, SPEC_RCA_CONFIG } from "./rca.ts";
import { event, evidenceOf } from "./testing/events.ts";

const DAYS = dayRange("2025-03-01", "2025-03-30");

/** Delivery delay rate with a spike on days 18–24; the supplier delay rate runs the same curve two days earlier. */
const delivery = (t: number) => (t < 18 ? 0.05 + 0.01 * ((t * 7) % 5) : [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.4, 0.3, 0.2, 0.1, 0.08, 0.07, 0.06, 0.05][t - 18]!);

function context(supplierZ: (t: number) => number, dq: Partial<Record<MetricName, number>> = {}): RcaContext {
  const metrics = Object.fromEntries(METRIC_NAMES.map((m) => [m, DAYS.map(() => null)])) as unknown as GoldMetrics;
  metrics.delivery_delay_rate = DAYS.map((_, t) => delivery(t));
  metrics.supplier_delay_rate = DAYS.map((_, t) => delivery(t + 2));
  metrics.fulfillment_backlog = DAYS.map((_, t) => 40 + (t % 3));
  metrics.order_volume = DAYS.map((_, t) => 30 + (t % 4));
  const flat = (values: (number | null)[]): PointScore[] => values.map((value) => ({ value, baseline: value, z: 0.5 }));
  const scores: ScoreTable = new Map([
    ["delivery_delay_rate", flat(metrics.delivery_delay_rate)],
    ["supplier_delay_rate", metrics.supplier_delay_rate.map((value, t) => ({ value, baseline: 0.06, z: supplierZ(t) }))],
    ["fulfillment_backlog", flat(metrics.fulfillment_backlog)],
    ["order_volume", flat(metrics.order_volume)],
  ]);
  return {
    runId: "run_test",
    days: DAYS,
    metrics,
    scores,
    dataQuality: (metric) => dq[metric] ?? 1,
    evidence: evidenceOf([
      ...[17, 17, 18].map((t, i) =>
        event({ event_type: "shipment_delayed", event_time: `${DAYS[t]}T10:00:00Z`, entity_type: "vendor", entity_id: "V-001", related_entity_ids: { vendor_id: "V-001" }, attributes: { days_delayed: 3 + i } }),
      ),
      event({ event_type: "order_late", event_time: `${DAYS[21]}T10:00:00Z`, entity_type: "order", entity_id: "O-1", related_entity_ids: { customer_id: "C-1" }, attributes: { days_late: 2 } }),
    ]),
    // The spec as written, unsmoothed, so the cross-correlation is the hand-checkable r = 1 at lag 2.
    config: { ...SPEC_RCA_CONFIG, correlationSmoothingDays: 1 },
    clusterCache: new Map(),
  };
}

const incident: RcaIncident = {
  incidentId: "inc_test",
  type: "FULFILLMENT_SLA_DEGRADATION",
  primaryMetric: "delivery_delay_rate",
  direction: 1,
  primary: { value: 0.5, baseline: 0.06, z: 9 },
  startIndex: 20,
  endIndex: 24,
};

describe("analyzeRootCause", () => {
  it("scores an upstream metric exactly as the spec's formula (hand calculation) and ranks its path", async () => {
    const chain = await analyzeRootCause(incident, context((t) => (t === 17 || t === 18 ? 6 : 0.2), { supplier_delay_rate: 0.8 }));
    expect(causalChainSchema.parse(chain)).toBeTruthy();
    expect(chain).toMatchObject({
      incident_id: "inc_test",
      run_id: "run_test",
      algorithm_version: "BRE-RCA-v1",
      causal_window: ["2025-03-07", "2025-03-25"], // window start (index 20) − 14 days … window end
      lookback_days: 14,
    });
    // supplier: magnitude min(6/3, 3) = 2; the curve leads by 2 days exactly → r = 1 at lag 2 → precedence
    // e^(−2/7) = 0.751477; direct parent → proximity 1/2; data quality 0.8 → 2 × 0.751477 × 0.5 × 0.8 = 0.601182
    const supplier = chain.candidates!.find((c) => c.metric_name === "supplier_delay_rate")!;
    expect(supplier).toMatchObject({ anomalous: true, lag_days: 2, cross_correlation: 1, peak_zscore: 6, peak_day: "2025-03-18", onset_day: "2025-03-18", path_length: 1 });
    expect(supplier.contribution_score).toBeCloseTo(2 * Math.exp(-2 / 7) * 0.5 * 0.8, 6);
    // The incident metric scores its own magnitude: min(9/3, 3) = 3.
    const [top] = chain.paths;
    expect(top!.nodes.map((n) => n.metric_name)).toEqual(["supplier_delay_rate", "delivery_delay_rate"]);
    expect(top!.overall_score).toBeCloseTo(2 * Math.exp(-2 / 7) * 0.5 * 0.8 * 3, 5);
    expect(top!.dag_path).toEqual(["supplier_delay_rate", "delivery_delay_rate"]);
    expect(top!.nodes[0]).toMatchObject({ role: "root_cause", anomaly_window: ["2025-03-18", "2025-03-19"], metric_zscore: 6 });
    expect(top!.nodes[0]!.evidence_clusters[1]).toMatchObject({ cluster_label: "Vendor V-001", event_count: 3 });
    expect(top!.nodes[1]!.evidence_clusters[0]).toMatchObject({ cluster_label: "All events", event_count: 1 });
    // The incident metric itself closes the lists: the cause may lie outside the DAG.
    expect(chain.root_causes).toEqual([
      { rank: 1, metric_name: "supplier_delay_rate", best_path_score: top!.overall_score },
      { rank: 2, metric_name: "delivery_delay_rate", best_path_score: 3 },
    ]);
    expect(chain.paths.map((p) => p.nodes.map((n) => n.metric_name))).toEqual([["supplier_delay_rate", "delivery_delay_rate"], ["delivery_delay_rate"]]);
    // Not anomalous upstream metrics are listed with no contribution.
    expect(chain.candidates!.find((c) => c.metric_name === "order_volume")).toMatchObject({ anomalous: false, contribution_score: 0, path_length: 2 });
  });

  it("finds the same lead on weekly-smoothed series (the default)", async () => {
    const ctx = context((t) => (t === 17 || t === 18 ? 6 : 0.2));
    const chain = await analyzeRootCause(incident, { ...ctx, config: DEFAULT_RCA_CONFIG });
    const supplier = chain.candidates!.find((c) => c.metric_name === "supplier_delay_rate")!;
    expect(supplier.lag_days).toBe(2);
    expect(supplier.cross_correlation).toBeGreaterThan(0.95);
  });

  it("makes the incident metric its own root when nothing upstream is anomalous", async () => {
    const chain = await analyzeRootCause(incident, context(() => 1));
    expect(chain.paths).toHaveLength(1);
    expect(chain.paths[0]!.nodes.map((n) => n.metric_name)).toEqual(["delivery_delay_rate"]);
    expect(chain.paths[0]!.overall_score).toBe(3);
    expect(chain.root_causes).toEqual([{ rank: 1, metric_name: "delivery_delay_rate", best_path_score: 3 }]);
  });

  it("does not blame an upstream metric that moved the wrong way", async () => {
    // Supplier delays *fell* sharply: that cannot explain late deliveries.
    const chain = await analyzeRootCause(incident, context((t) => (t === 17 ? -8 : 0)));
    expect(chain.candidates!.find((c) => c.metric_name === "supplier_delay_rate")).toMatchObject({ anomalous: false, expected_direction: 1 });
    expect(chain.paths[0]!.nodes).toHaveLength(1);
  });
});
