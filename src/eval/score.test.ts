import { describe, expect, it } from "vitest";
import type { Incident, ScanResult } from "../scan-contract.ts";
import type { Labels } from "../sim/labels.ts";
import { quantile } from "./quantile.ts";
import { episodeOf, scoreRun, summarize } from "./score.ts";

function labels(partial: Partial<Labels>): Labels {
  return {
    schema_version: "sim_labels_v1",
    scenario: "supplier_delay_cascade",
    family: "spec",
    title: "t",
    description: "d",
    seed: 1,
    profile: "standard",
    start_day: "2026-01-01",
    end_day: "2026-04-30",
    days: 120,
    injections: [],
    incidents: [
      { id: "supplier", incident_type: "SUPPLIER_DEPENDENCY_FAILURE", onset_day: 40, onset: "2026-02-10", duration_days: 7, root_cause_metric: "supplier_delay_rate", caused_by: null, lag_days: null, min_severity: null, entities: {}, effect_marker: null, effect_onset: null },
      { id: "fulfillment", incident_type: "FULFILLMENT_SLA_DEGRADATION", onset_day: 40, onset: "2026-02-10", duration_days: 10, root_cause_metric: "supplier_delay_rate", caused_by: "supplier", lag_days: [2, 4], min_severity: null, entities: {}, effect_marker: null, effect_onset: null },
    ],
    cascades: [{ from: "supplier", to: "fulfillment", path: ["SUPPLIER_DEPENDENCY_FAILURE", "FULFILLMENT_SLA_DEGRADATION"], lag_days: [2, 4], effect_lag_days: 1 }],
    tolerated_incident_types: ["SUPPORT_LOAD_SURGE"],
    tolerance_days: 10,
    data_quality_issues: [],
    notes: [],
    ...partial,
  };
}

function incident(id: string, type: Incident["incident_type"], detected: string, roots: string[] = []): Incident {
  return {
    incident_id: id,
    incident_type: type,
    severity: "MEDIUM",
    confidence: "MEDIUM",
    detected_at: detected,
    incident_window_start: detected,
    incident_window_end: detected,
    primary_metric: "m",
    primary_metric_value: 1,
    primary_metric_baseline: 0,
    primary_metric_zscore: 4,
    supporting_metrics: [],
    detection_methods: ["mad_zscore"],
    evidence_event_ids: [],
    evidence_event_count: 0,
    data_quality_score: 1,
    cascade_id: null,
    causal_chain: {
      chain_id: "c",
      algorithm_version: "v",
      dependency_graph_version: "g",
      causal_window: [detected, detected],
      paths: roots.map((root, k) => ({ rank: k + 1, overall_score: 1, nodes: [{ metric_name: root, contribution_score: 1, anomaly_magnitude: 1, temporal_precedence: 1, graph_proximity: 1, data_quality_weight: 1, metric_value: 1, metric_baseline: 0, metric_zscore: 4, anomaly_window: null, evidence_clusters: [] }] })),
    },
    blast_radius: { customers_affected: 0, orders_affected: 0, products_affected: 0, vendors_involved: 0, estimated_revenue_exposure: 0, estimated_refund_exposure: 0, estimated_churn_exposure: 0, downstream_incidents_triggered: [], blast_radius_severity: "contained", narrative: "" },
    status: "open",
  };
}

const scan = (incidents: Incident[], cascades: ScanResult["cascades"] = []) => ({ incidents, cascades });

describe("scoreRun", () => {
  it("matches expected incidents by type and window, measures delay, RCA and the cascade lag", () => {
    const score = scoreRun(
      labels({}),
      scan([
        incident("a", "SUPPLIER_DEPENDENCY_FAILURE", "2026-02-11", ["supplier_delay_rate"]),
        incident("b", "FULFILLMENT_SLA_DEGRADATION", "2026-02-14", ["delivery_delay_rate", "fulfillment_backlog", "supplier_delay_rate"]),
        // Tolerated type inside the episode (10 Feb − 2 … 19 Feb + 10): not a false positive.
        incident("c", "SUPPORT_LOAD_SURGE", "2026-02-20"),
        // Tolerated type after the episode, and an unexpected type: false positives.
        incident("d", "SUPPORT_LOAD_SURGE", "2026-03-15"),
        incident("e", "REFUND_SPIKE", "2026-02-12"),
      ]),
    );
    expect(score.expected.map((e) => [e.label_id, e.detected, e.delay_days, e.rca_top1, e.rca_top3])).toEqual([
      ["supplier", true, 1, true, true],
      ["fulfillment", true, 4, false, true],
    ]);
    expect(score.cascades).toEqual([{ from: "supplier", to: "fulfillment", both_detected: true, lag_days: 3, lag_in_window: true, linked_by_engine: null }]);
    expect(score.detections).toBe(5);
    expect(score.true_positives).toBe(3);
    expect(score.false_positives.map((f) => f.detected_at)).toEqual(["2026-02-12", "2026-03-15"]);
  });

  it("does not match a detection more than 2 days early or 7 days after the cause ends", () => {
    const score = scoreRun(labels({}), scan([incident("a", "SUPPLIER_DEPENDENCY_FAILURE", "2026-02-07"), incident("b", "FULFILLMENT_SLA_DEGRADATION", "2026-02-27")]));
    // Supplier: onset 10 Feb, 3 days early. Fulfillment: cause ends 19 Feb, 8 days after.
    expect(score.expected.map((e) => e.detected)).toEqual([false, false]);
    expect(score.cascades[0]!.both_detected).toBe(false);
  });

  it("accepts a later detection of the child type for the cascade lag when the first one came too early", () => {
    const score = scoreRun(
      labels({}),
      scan([incident("a", "SUPPLIER_DEPENDENCY_FAILURE", "2026-02-10"), incident("b", "FULFILLMENT_SLA_DEGRADATION", "2026-02-11"), incident("c", "FULFILLMENT_SLA_DEGRADATION", "2026-02-14")]),
    );
    expect(score.expected[1]!.delay_days).toBe(1);
    expect(score.cascades[0]).toMatchObject({ lag_days: 4, lag_in_window: true });
  });

  it("credits the engine's cascade only when it links both incidents", () => {
    const linked = scoreRun(
      labels({}),
      scan([incident("a", "SUPPLIER_DEPENDENCY_FAILURE", "2026-02-10"), incident("b", "FULFILLMENT_SLA_DEGRADATION", "2026-02-13")], [
        { cascade_id: "k", root_incident_id: "a", incident_ids: ["a", "b"], cascade_path: ["SUPPLIER_DEPENDENCY_FAILURE", "FULFILLMENT_SLA_DEGRADATION"], cascade_score: 0.5, detected_at: "2026-02-13" },
      ]),
    );
    expect(linked.cascades[0]!.linked_by_engine).toBe(true);
  });

  it("counts the effect delay from the first day the cause shows in the books, the delay from the cause's start", () => {
    // Parcels shipped from 10 Feb arrive late from 14 Feb: a detection on 15 Feb is 5 days after the cause, 1 after its effect.
    const base = labels({});
    const withEffect = { ...base, incidents: base.incidents.map((l) => (l.id === "supplier" ? { ...l, effect_onset: "2026-02-14" } : l)) };
    const score = scoreRun(withEffect, scan([incident("a", "SUPPLIER_DEPENDENCY_FAILURE", "2026-02-15"), incident("b", "FULFILLMENT_SLA_DEGRADATION", "2026-02-16")]));
    expect(score.expected.map((e) => [e.label_id, e.delay_days, e.effect_delay_days])).toEqual([
      ["supplier", 5, 1],
      // No effect onset in the label: counted from the onset.
      ["fulfillment", 6, 6],
    ]);
    const s = summarize([score]);
    expect([s.delay_median, s.effect_delay_median]).toEqual([5, 1]);
  });
});

describe("episodeOf", () => {
  it("spans first onset − 2 days to the last cause end + tolerance", () => {
    expect(episodeOf(labels({}))).toEqual(["2026-02-08", "2026-03-01"]);
    expect(episodeOf(labels({ incidents: [] }))).toBeNull();
  });
});

describe("summarize", () => {
  it("computes recall, precision, delays and false positives per 30 days on controls", () => {
    const incidentRun = scoreRun(labels({}), scan([incident("a", "SUPPLIER_DEPENDENCY_FAILURE", "2026-02-11", ["supplier_delay_rate"]), incident("e", "REFUND_SPIKE", "2026-03-20")]));
    const controlRun = scoreRun(labels({ scenario: "control", family: "control", incidents: [], cascades: [], tolerated_incident_types: [], days: 60 }), scan([incident("x", "REFUND_SPIKE", "2026-01-20")]));
    const s = summarize([incidentRun, controlRun]);
    expect(s.expected).toBe(2);
    expect(s.detected).toBe(1);
    expect(s.recall).toBe(0.5);
    // Precision counts incident runs only: 1 true of 2 detections.
    expect(s.precision).toBe(0.5);
    expect(s.delay_median).toBe(1);
    expect(s.rca_top1).toBe(1);
    // One false positive in 60 control days = 0.5 per 30 days.
    expect(s.fp_per_30_days).toBe(0.5);
    expect(s.cascades_lag_in_window).toBe(0);
  });
});

describe("quantile", () => {
  it("is the nearest-rank quantile", () => {
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBe(5);
    expect(quantile([], 0.5)).toBeNull();
    expect(() => quantile([1], 0)).toThrow(/quantile: q must be in \(0, 1\]/);
  });
});
