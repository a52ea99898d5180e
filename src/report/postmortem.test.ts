import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { METRIC_NAMES } from "../metrics/gold.ts";
import { planMonitors } from "../monitors/generate.ts";
import { fulfillmentIncident, node, refundIncident } from "../monitors/testing/incidents.ts";
import type { Cascade, Incident, MonitorAlert } from "../scan-contract.ts";
import { formatDayRange, formatMetricValue, formatMoney, formatZ } from "./format.ts";
import { buildPostmortem, type PostmortemInput } from "./postmortem.ts";
import { postmortemSchema } from "./postmortem-schema.ts";

const GENERATED_AT = "2025-04-01T03:00:00.000Z";

function input(incident: Incident, extra: Partial<PostmortemInput> = {}): PostmortemInput {
  const incidents = extra.incidents ?? [incident];
  return {
    incident,
    incidents,
    cascades: [],
    monitors: planMonitors(incidents, [], { baselineDays: 30 }),
    alerts: [],
    runId: "run_pm",
    asOf: "2025-03-31",
    generatedAt: GENERATED_AT,
    ...extra,
  };
}

const support: Incident = refundIncident({
  incident_id: "inc_support",
  incident_type: "SUPPORT_LOAD_SURGE",
  primary_metric: "ticket_volume",
  primary_metric_value: 61,
  primary_metric_baseline: 22,
  primary_metric_zscore: 6.4,
  severity: "HIGH",
  detected_at: "2025-02-10",
  incident_window_start: "2025-02-10",
  incident_window_end: "2025-02-13",
  cascade_id: "casc_1",
});
const cascade: Cascade = {
  cascade_id: "casc_1",
  root_incident_id: "inc_fulfillment",
  incident_ids: ["inc_fulfillment", "inc_support"],
  cascade_path: ["FULFILLMENT_SLA_DEGRADATION", "SUPPORT_LOAD_SURGE"],
  cascade_score: 0.47,
  detected_at: "2025-02-10",
};

describe("formatting", () => {
  it("writes numbers in their unit, the same in every runtime", () => {
    expect(formatMetricValue("refund_rate", 0.1234)).toBe("12.3%");
    expect(formatMetricValue("refund_rate", 0.0012)).toBe("0.12%");
    expect(formatMetricValue("ar_aging_amount", 1234567.8)).toBe("$1,234,568");
    expect(formatMetricValue("ar_aging_amount", -42.5)).toBe("-$42.50");
    expect(formatMetricValue("avg_resolution_time", 14.25)).toBe("14.3 h");
    expect(formatMetricValue("review_score_avg", 3.456)).toBe("3.46 / 5");
    expect(formatMetricValue("order_volume", null)).toBe("n/a");
    expect(formatZ(-3.14159)).toBe("z = -3.1");
    expect(formatMoney(18_400)).toBe("$18,400");
  });

  it("says day ranges the short way", () => {
    expect(formatDayRange("2025-02-08", "2025-02-14")).toBe("Feb 8–14, 2025");
    expect(formatDayRange("2025-02-27", "2025-03-02")).toBe("Feb 27 – Mar 2, 2025");
    expect(formatDayRange("2024-12-30", "2025-01-02")).toBe("Dec 30, 2024 – Jan 2, 2025");
    expect(formatDayRange("2025-02-08", "2025-02-08")).toBe("Feb 8, 2025");
  });
});

describe("buildPostmortem", () => {
  it("fills the spec's eight sections from a multi-node causal chain", () => {
    const pm = buildPostmortem(input(fulfillmentIncident()));
    expect(postmortemSchema.parse(pm)).toEqual(pm);
    expect(pm).toMatchObject({
      incident_id: "inc_fulfillment",
      title: "Fulfillment SLA Degradation — Feb 8–14, 2025",
      severity: "HIGH",
      duration: "7 days", // Feb 8 to Feb 14 inclusive
      duration_days: 7,
      status: "resolved",
      incident_status: "open",
      generated_at: GENERATED_AT,
      algorithm_version: "BRE-RCA-v1",
      run_id: "run_pm",
      data_quality_score: 0.96,
    });
    // The summary quotes the chain's own numbers: root 38.0% vs 8.0% (z 4.1), incident 31.0% vs 6.0% (z 5.2).
    for (const fact of ["Supplier delay rate rose to 38.0% against a baseline of 8.0% (z = +4.1)", "from Feb 3, 2025", "31.0% against a baseline of 6.0% (z = +5.2)", "342 orders", "127 customers", "$18,400"]) {
      expect(pm.one_line_summary).toContain(fact);
    }
    expect(pm.root_cause_summary).toContain("runs supplier delay rate → fulfillment backlog → delivery delay rate");
    expect(pm.root_cause_summary).toContain("(5 days before the incident window opened)"); // Feb 3 → Feb 8
    expect(pm.root_cause_summary).toContain("23 delayed shipments from vendor AcmeSupplier averaging 3.8 days late");
    // Path 2's root and the corroborating delay days (z 3.4) are factors; order volume at z 0.4 is not corroboration.
    expect(pm.contributing_factors).toEqual([
      "Order volume at 41 against a baseline of 22 (z = +3.2), anomalous Feb 1–4, 2025: on causal path 2 (score 1.92).",
      "Average delivery delay stood at 4.2 days against a baseline of 2.9 days (z = +3.4) at the incident's peak.",
    ]);
    expect(pm.monitors.map((m) => m.metric_name)).toEqual(["supplier_delay_rate", "fulfillment_backlog", "delivery_delay_rate"]);
    expect(pm.recommendations[0]).toContain("AcmeSupplier");
    expect(pm.confidence_note).toBe(
      "RCA confidence is HIGH based on detection confidence HIGH (mad_zscore + isolation_forest); a top causal path of 3 metrics with score 2.84; data quality 0.96; 41 evidence events.",
    );
  });

  it("orders the timeline by day: upstream anomalies, an early alert, detection, the cascade, closure, new monitors", () => {
    const incident = fulfillmentIncident({ cascade_id: "casc_1" });
    const monitors = planMonitors([incident], [], { baselineDays: 30 });
    const alert: MonitorAlert = {
      alert_id: "alr_x", monitor_id: monitors[2]!.monitor_id, triggered_at: "2025-02-06", metric_name: "delivery_delay_rate", current_value: 0.14, baseline_value: 0.06,
      threshold: "zscore > 2.5", severity: "HIGH", message: "", related_incident_id: "inc_older", status: "active", zscore: 2.7, last_day: "2025-02-14", firing_days: 9,
      ongoing: false, preceded_incident_id: "inc_fulfillment", lead_days: 2,
    };
    const pm = buildPostmortem(input(incident, { incidents: [incident, support], cascades: [cascade], monitors, alerts: [alert] }));
    expect(pm.timeline.map((e) => [e.timestamp, e.kind])).toEqual([
      ["2025-02-03", "upstream_anomaly"],
      ["2025-02-05", "upstream_anomaly"],
      ["2025-02-06", "monitor_alert"],
      ["2025-02-08", "detection"],
      ["2025-02-10", "cascade"],
      ["2025-02-14", "incident_window_closed"],
      ["2025-02-14", "monitor_created"],
      ["2025-02-14", "monitor_created"],
      ["2025-02-14", "monitor_created"],
    ]);
    const [supplier, , early, detection, downstream] = pm.timeline;
    expect(supplier).toMatchObject({ metric_name: "supplier_delay_rate", metric_value: 0.38, evidence_event_ids: ["sd-1", "sd-2", "sd-3"], evidence_event_count: 23 });
    expect(early!.event_description).toBe(
      'Prevention monitor "Delivery Delay Rate Watch" alerted: delivery delay rate at 14.0% against a baseline of 6.0% (z = +2.7, zscore > 2.5), 2 days before detection.',
    );
    expect(detection).toMatchObject({ evidence_event_ids: ["late-1", "late-2", "late-3"], evidence_event_count: 41 });
    expect(downstream).toMatchObject({ related_incident_id: "inc_support" });
    expect(downstream!.event_description).toContain("downstream of this incident in cascade Fulfillment SLA Degradation → Support Load Surge");
    expect(pm.contributing_factors).toContain("Part of cascade Fulfillment SLA Degradation → Support Load Surge (cascade score 0.47); this incident started it.");
  });

  it("credits an alert of a watching monitor raised before detection, even when it was attributed to an earlier incident", () => {
    // The supplier monitor alerted on Feb 4 ahead of an upstream supplier incident; 4 days later
    // this fulfillment incident (whose top path starts at the supplier delay rate) was detected.
    const incident = fulfillmentIncident();
    const older = refundIncident({ incident_id: "inc_supplier_old", incident_type: "SUPPLIER_DEPENDENCY_FAILURE", primary_metric: "supplier_delay_rate", detected_at: "2025-01-02", incident_window_start: "2025-01-02", incident_window_end: "2025-01-05",
      causal_chain: { ...refundIncident().causal_chain, paths: [{ rank: 1, overall_score: 1, nodes: [node("supplier_delay_rate", { metric_zscore: 5 })] }] } });
    const monitors = planMonitors([older, incident], [], { baselineDays: 30 });
    const watch = monitors.find((m) => m.metric_name === "supplier_delay_rate")!;
    expect(watch.covered_incident_ids).toEqual(["inc_supplier_old", "inc_fulfillment"]);
    const alert: MonitorAlert = {
      alert_id: "alr_s", monitor_id: watch.monitor_id, triggered_at: "2025-02-04", metric_name: "supplier_delay_rate", current_value: 0.2, baseline_value: 0.08,
      threshold: "zscore > 2.5", severity: "HIGH", message: "", related_incident_id: "inc_supplier_old", status: "active", zscore: 2.8, last_day: "2025-02-10", firing_days: 7,
      ongoing: false, preceded_incident_id: "inc_supplier_upstream", lead_days: 0,
    };
    const pm = buildPostmortem(input(incident, { incidents: [older, incident], monitors, alerts: [alert] }));
    expect(pm.timeline.find((e) => e.kind === "monitor_alert")!.event_description).toContain("4 days before detection");
    expect(pm.recommendations).toContain(
      'Act on "Supplier Delay Rate Watch" (zscore > 2.5 on supplier delay rate, daily, 30-day baseline) when it alerts: it alerted on Feb 4, 2025, 4 days before this incident was detected.',
    );
    // An alert more than 14 days before detection is not "ahead" of it.
    const stale = buildPostmortem(input(incident, { incidents: [older, incident], monitors, alerts: [{ ...alert, triggered_at: "2025-01-20" }] }));
    expect(stale.timeline.some((e) => e.kind === "monitor_alert")).toBe(false);
    expect(stale.recommendations.some((r) => r.startsWith('Consider a lower threshold for "Supplier Delay Rate Watch"'))).toBe(true);
  });

  it("does not call a monitor a miss when it was born after the incident or during the same episode", () => {
    const incident = fulfillmentIncident(); // supplier delay rate anomalous Feb 3–12, detected Feb 8
    const older = refundIncident({
      incident_id: "inc_supplier_feb",
      incident_type: "SUPPLIER_DEPENDENCY_FAILURE",
      primary_metric: "supplier_delay_rate",
      detected_at: "2025-02-03",
      incident_window_start: "2025-02-03",
      incident_window_end: "2025-02-05",
      causal_chain: { ...refundIncident().causal_chain, paths: [{ rank: 1, overall_score: 1, nodes: [node("supplier_delay_rate", { metric_zscore: 5 })] }] },
    });
    const later = fulfillmentIncident({ incident_id: "inc_later", detected_at: "2025-02-09", incident_window_start: "2025-02-09", incident_window_end: "2025-02-20" });
    // Supplier watch armed Feb 5 (after the anomaly began Feb 3); the incident's own monitors exist from Feb 14.
    const monitors = planMonitors([older, incident], [], { baselineDays: 30 });
    const pm = buildPostmortem(input(incident, { incidents: [older, incident], monitors }));
    expect(pm.recommendations).toContain(
      'Keep "Supplier Delay Rate Watch" (zscore > 2.5 on supplier delay rate, daily, 30-day baseline): supplier delay rate was already anomalous from Feb 3, 2025, before the monitor was armed on Feb 5, 2025; it guards against the next recurrence.',
    );
    // A later incident of the same episode (detected Feb 9) sees the monitors born Feb 14 as armed after it.
    const pmLater = buildPostmortem(input(later, { incidents: [incident, later], monitors: planMonitors([incident, later], [], { baselineDays: 30 }) }));
    expect(pmLater.recommendations.some((r) => r.startsWith('Keep "Fulfillment Backlog Watch"') && r.includes("created on Feb 14, 2025 from a related incident"))).toBe(true);
  });

  it("says plainly when the incident metric is its own root and RCA has not run", () => {
    const pm = buildPostmortem(input(refundIncident()));
    expect(pm.root_cause_summary).toBe(
      "Root-cause analysis over the business dependency graph has not run for this incident (BRE-RCA-v0-self), so the incident metric stands as its own root cause: " +
        "refund rate reached 12.0% against a baseline of 4.5% (z = +4.6) over Mar 2–6, 2025. Evidence: the 48 events of the incident window listed with the incident.",
    );
    expect(pm.confidence).toBe("MEDIUM");
    expect(pm.monitors).toHaveLength(1);
    // RCA ran and found nothing upstream: a different, equally plain sentence.
    const ran = refundIncident({ causal_chain: { ...refundIncident().causal_chain, algorithm_version: "BRE-RCA-v1", dependency_graph_version: "business-dag-v1-x" } });
    expect(buildPostmortem(input(ran)).root_cause_summary).toContain("found no metric upstream of refund rate in the business dependency graph that was anomalous");
  });

  it("names both metrics when RCA explained another trigger of the incident than the one detection fired on", () => {
    const base = fulfillmentIncident();
    const backlogFired = { primary_metric: "fulfillment_backlog", primary_metric_value: 128, primary_metric_baseline: 45, primary_metric_zscore: 3.8 };
    const lone = fulfillmentIncident({
      ...backlogFired,
      causal_chain: { ...base.causal_chain, paths: [{ rank: 1, overall_score: 1, nodes: [node("delivery_delay_rate", { metric_value: 0.31, metric_baseline: 0.06, metric_zscore: 5.2 })] }] },
    });
    expect(buildPostmortem(input(lone)).root_cause_summary.startsWith(
      "Detection fired on fulfillment backlog (128 against a baseline of 45 (z = +3.8)); BRE-RCA (BRE-RCA-v1) analysed the incident from delivery delay rate, which reached 31.0% against a baseline of 6.0% (z = +5.2), and found no metric upstream of it",
    )).toBe(true);
    const chained = fulfillmentIncident({
      ...backlogFired,
      causal_chain: { ...base.causal_chain, paths: [{ rank: 1, overall_score: 1, nodes: [base.causal_chain.paths[0]!.nodes[0]!, node("delivery_delay_rate", { metric_value: 0.31, metric_baseline: 0.06, metric_zscore: 5.2 })] }] },
    });
    const pm = buildPostmortem(input(chained));
    expect(pm.root_cause_summary).toContain("Delivery delay rate then reached 31.0% against a baseline of 6.0% (z = +5.2), and detection fired on fulfillment backlog at 128 against a baseline of 45 (z = +3.8)");
    expect(pm.one_line_summary).toContain("moving delivery delay rate, and fulfillment backlog followed to 128");
  });

  it("is ongoing while the last scanned day is inside the window or its merge gap", () => {
    const incident = refundIncident(); // window ends 2025-03-06
    expect(buildPostmortem(input(incident, { asOf: "2025-03-06" })).status).toBe("ongoing");
    expect(buildPostmortem(input(incident, { asOf: "2025-03-07" })).status).toBe("ongoing");
    expect(buildPostmortem(input(incident, { asOf: "2025-03-08" })).status).toBe("resolved");
    expect(buildPostmortem(input(incident, { asOf: "2025-03-06" })).timeline.at(-2)).toMatchObject({ kind: "still_ongoing", timestamp: "2025-03-06" });
  });

  it("lowers confidence for poor data and missing evidence, and says why", () => {
    const poor = buildPostmortem(input(fulfillmentIncident({ data_quality_score: 0.7 })));
    expect(poor.confidence).toBe("MEDIUM");
    expect(poor.confidence_note).toContain("data quality 0.70 (below 0.80)");
    expect(poor.contributing_factors).toContain(
      "30% of the events behind delivery delay rate carried data-quality flags (quality score 0.70), which weakens the evidence.",
    );
    const empty = buildPostmortem(input(fulfillmentIncident({ data_quality_score: 0.7, evidence_event_count: 0 })));
    expect(empty.confidence).toBe("LOW");
  });

  it("is deterministic and refuses a missing clock value or a horizon before the incident", () => {
    expect(JSON.stringify(buildPostmortem(input(fulfillmentIncident())))).toBe(JSON.stringify(buildPostmortem(input(fulfillmentIncident()))));
    expect(() => buildPostmortem(input(fulfillmentIncident(), { generatedAt: "yesterday" }))).toThrow(/buildPostmortem: generatedAt must be an ISO 8601 time/);
    expect(() => buildPostmortem(input(fulfillmentIncident(), { asOf: "2025-02-10" }))).toThrow(/asOf 2025-02-10 is before the incident window's end 2025-02-14/);
  });

  it("always has at least one monitor, a sorted timeline and no undefined or NaN in its prose (property)", () => {
    const nodeArb = fc.record({
      metric: fc.constantFrom(...METRIC_NAMES),
      z: fc.option(fc.double({ min: -40, max: 40, noNaN: true }), { nil: null }),
      value: fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }),
      start: fc.integer({ min: 0, max: 20 }),
    });
    fc.assert(
      fc.property(fc.array(nodeArb, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 30 }), (nodes, evidence) => {
        const base = fulfillmentIncident();
        const path = nodes.map((n) =>
          node(n.metric, { metric_zscore: n.z, metric_value: n.value, metric_baseline: n.value === null ? null : n.value / 2, anomaly_window: [`2025-01-${String(10 + n.start).padStart(2, "0")}`, "2025-02-10"] }),
        );
        const incident = fulfillmentIncident({
          evidence_event_count: evidence,
          primary_metric: path[path.length - 1]!.metric_name,
          causal_chain: { ...base.causal_chain, paths: [{ rank: 1, overall_score: 1, nodes: path }] },
        });
        const pm = buildPostmortem(input(incident));
        expect(pm.monitors.length).toBeGreaterThanOrEqual(1);
        const days = pm.timeline.map((e) => e.timestamp);
        expect(days).toEqual([...days].sort());
        const prose = JSON.stringify([pm.one_line_summary, pm.root_cause_summary, pm.contributing_factors, pm.recommendations, pm.timeline, pm.confidence_note]);
        expect(prose).not.toMatch(/undefined|NaN|Infinity|\[object/);
      }),
      { numRuns: 200 },
    );
  });
});
