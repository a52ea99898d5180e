import { describe, expect, it } from "vitest";
import { DEFAULT_DETECTION_CONFIG } from "../detect/detect.ts";
import type { GoldMetrics } from "../metrics/gold.ts";
import { monitorSchema } from "../scan-contract.ts";
import { conditionHolds, monitorCondition } from "./condition.ts";
import { applyMonitorEdit } from "./edit.ts";
import { earlyWarningThreshold, monitorForNode, monitorId, planMonitors, watchedNodes } from "./generate.ts";
import { firingRuns, renderAlertMessage, runMonitors } from "./runtime.ts";
import { fulfillmentIncident, node, refundIncident } from "./testing/incidents.ts";
import { addDays } from "../time.ts";

const OPTIONS = { baselineDays: 30 };

describe("monitor conditions", () => {
  it("reads the way the spec writes them and fires strictly beyond the threshold", () => {
    expect(monitorCondition("up", 2.5)).toBe("zscore > 2.5");
    expect(monitorCondition("down", 2)).toBe("zscore < -2");
    expect(conditionHolds("up", 2.5, 2.5)).toBe(false);
    expect(conditionHolds("up", 2.5, 2.51)).toBe(true);
    expect(conditionHolds("down", 2.5, -2.51)).toBe(true);
    expect(conditionHolds("down", 2.5, 3)).toBe(false);
    expect(conditionHolds("up", 2.5, null)).toBe(false);
    expect(() => monitorCondition("up", 0)).toThrow(/monitorCondition: threshold must be a positive number/);
  });

  it("sits at 2.5σ, or 0.5 below detection where detection itself fires at 2.5 (churn, review score)", () => {
    expect(earlyWarningThreshold("refund_rate")).toBe(2.5);
    expect(earlyWarningThreshold("supplier_delay_rate")).toBe(2.5);
    expect(earlyWarningThreshold("order_volume")).toBe(2.5); // triggers no rule: below the general 3.0
    expect(earlyWarningThreshold("churn_proxy")).toBe(2);
    expect(earlyWarningThreshold("review_score_avg")).toBe(2);
  });
});

describe("monitor generation", () => {
  it("watches every node of the top causal path, root first, in the direction each moved", () => {
    const incident = fulfillmentIncident({
      causal_chain: {
        ...fulfillmentIncident().causal_chain,
        paths: [{ rank: 1, overall_score: 1, nodes: [node("delivery_delay_rate", { metric_zscore: 4 }), node("review_score_avg", { metric_zscore: -3.1 }), node("churn_proxy", { metric_zscore: 2.9 })] }],
      },
      incident_type: "CHURN_ACCELERATION",
      primary_metric: "churn_proxy",
    });
    expect(watchedNodes(incident)).toEqual([
      { metric: "delivery_delay_rate", direction: "up", role: "root_cause", zscore: 4 },
      { metric: "review_score_avg", direction: "down", role: "intermediate", zscore: -3.1 },
      { metric: "churn_proxy", direction: "up", role: "incident_metric", zscore: 2.9 },
    ]);
  });

  it("takes the path ranked 1 even when paths are listed out of order", () => {
    const base = fulfillmentIncident();
    const reversed = fulfillmentIncident({ causal_chain: { ...base.causal_chain, paths: [...base.causal_chain.paths].reverse() } });
    expect(watchedNodes(reversed).map((n) => n.metric)).toEqual(["supplier_delay_rate", "fulfillment_backlog", "delivery_delay_rate"]);
  });

  it("fills in every field of the spec's MonitorRule from the incident", () => {
    const incident = fulfillmentIncident();
    const [root] = watchedNodes(incident);
    const monitor = monitorForNode(incident, root!, OPTIONS);
    expect(monitorSchema.parse(monitor)).toEqual(monitor);
    expect(monitor).toMatchObject({
      monitor_id: monitorId("inc_fulfillment", "supplier_delay_rate"),
      name: "Supplier Delay Rate Watch",
      source_incident_id: "inc_fulfillment",
      metric_name: "supplier_delay_rate",
      condition: "zscore > 2.5",
      baseline_window_days: 30,
      check_frequency: "daily",
      severity_if_triggered: "HIGH",
      enabled: true,
      created_at: "2025-02-14",
      path_role: "root_cause",
      source_incident_date: "2025-02-08",
    });
    expect(monitor.alert_message_template).toContain("{value}");
    expect(monitor.alert_message_template).toContain("{baseline}");
    expect(monitor.alert_message_template).toContain("{source_incident_date}");
    expect(monitor.description).toContain("z = +4.1");
    // The template renders with the metric's unit and the source incident's date.
    expect(renderAlertMessage(monitor, 0.213, 0.08)).toBe(
      "Supplier delay rate has crossed its early-warning threshold: 21.3% (baseline: 8.0%). This pattern preceded a Fulfillment SLA Degradation incident on Feb 8, 2025.",
    );
  });

  it("gives every incident at least one monitor, and one monitor per metric and direction across incidents", () => {
    const first = refundIncident();
    const recurrence = refundIncident({ incident_id: "inc_refund_2", detected_at: "2025-06-10", incident_window_start: "2025-06-10", incident_window_end: "2025-06-12" });
    const fulfillment = fulfillmentIncident();
    const monitors = planMonitors([recurrence, fulfillment, first], [], OPTIONS);
    expect(monitors.map((m) => [m.metric_name, m.source_incident_id, m.covered_incident_ids])).toEqual([
      ["supplier_delay_rate", "inc_fulfillment", ["inc_fulfillment"]],
      ["fulfillment_backlog", "inc_fulfillment", ["inc_fulfillment"]],
      ["delivery_delay_rate", "inc_fulfillment", ["inc_fulfillment"]],
      ["refund_rate", "inc_refund", ["inc_refund", "inc_refund_2"]],
    ]);
  });

  it("re-planning with the stored monitors changes nothing and keeps people's edits", () => {
    const incidents = [refundIncident(), fulfillmentIncident()];
    const first = planMonitors(incidents, [], OPTIONS);
    expect(planMonitors(incidents, first, OPTIONS)).toEqual(first);

    const edited = first.map((m) => (m.metric_name === "refund_rate" ? applyMonitorEdit(m, { enabled: false, threshold_z: 3.5 }) : m));
    const again = planMonitors(incidents, edited, OPTIONS);
    expect(again).toHaveLength(first.length);
    expect(again.find((m) => m.metric_name === "refund_rate")).toMatchObject({ enabled: false, threshold_z: 3.5, condition: "zscore > 3.5" });
    // A stored monitor whose incident is gone from this scan is still run, covering nothing now.
    const onlyRefund = planMonitors([refundIncident()], first, OPTIONS);
    expect(onlyRefund).toHaveLength(first.length);
    expect(onlyRefund.find((m) => m.metric_name === "supplier_delay_rate")!.covered_incident_ids).toEqual([]);
  });

  it("rejects thresholds that would alert on noise, naming the field", () => {
    const [monitor] = planMonitors([refundIncident()], [], OPTIONS);
    expect(() => applyMonitorEdit(monitor!, { threshold_z: 0.5 })).toThrow(/threshold_z must be between 1 and 10/);
  });
});

describe("firingRuns", () => {
  it("merges firing days across at most mergeGapDays quiet days", () => {
    const f = (s: string) => [...s].map((c) => c === "x");
    expect(firingRuns(f(".xx.x..x"), 1)).toEqual([
      { start: 1, end: 4, firingDays: 3 },
      { start: 7, end: 7, firingDays: 1 },
    ]);
    expect(firingRuns(f(".xx.x..x"), 0)).toEqual([
      { start: 1, end: 2, firingDays: 2 },
      { start: 4, end: 4, firingDays: 1 },
      { start: 7, end: 7, firingDays: 1 },
    ]);
    expect(firingRuns(f("...."), 1)).toEqual([]);
  });
});

describe("runMonitors", () => {
  /**
   * 40 days alternating 1,000 and 1,200 orders, then the given values. Volumes this large keep the
   * detection's Poisson noise floor (√1,100 ≈ 33) and exact tail out of the way, so the z-score is
   * the plain MAD one and can be computed by hand.
   */
  function orders(tail: number[]): { days: string[]; metrics: GoldMetrics } {
    const values = [...Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 1000 : 1200)), ...tail];
    const days = values.map((_, i) => addDays("2025-01-01", i));
    return { days, metrics: { order_volume: values } as unknown as GoldMetrics };
  }
  const monitor = monitorSchema.parse({
    ...monitorForNode(fulfillmentIncident(), { metric: "order_volume", direction: "up", role: "root_cause", zscore: 3.2 }, OPTIONS),
    created_at: "2025-02-09", // day 39
  });
  const run = (m = monitor, tail = [1500, 2000, 2000, 1100, 1100, 1100, 2000]) => runMonitors([m], { ...orders(tail), detection: DEFAULT_DETECTION_CONFIG, incidents: [] });

  it("raises one alert per run of firing days, valued on its first day", () => {
    const alerts = run();
    // Day 40: baseline = days 10..39 (15 × 1,000, 15 × 1,200): median 1,100, MAD 100 → scale 148.26;
    // z(1,500) = 0.6745 × 4 = 2.698 > 2.5. Days 40–42 fire; days 43–45 are quiet; day 46 fires again.
    expect(alerts.map((a) => [a.triggered_at, a.last_day, a.firing_days, a.ongoing])).toEqual([
      ["2025-02-10", "2025-02-12", 3, false],
      ["2025-02-16", "2025-02-16", 1, true],
    ]);
    expect(alerts[0]!.zscore).toBeCloseTo(2.698, 3);
    expect(alerts[0]).toMatchObject({ current_value: 1500, baseline_value: 1100, threshold: "zscore > 2.5", severity: "HIGH", status: "active", related_incident_id: "inc_fulfillment" });
    expect(alerts[0]!.message).toBe("Order volume has crossed its early-warning threshold: 1,500 (baseline: 1,100). This pattern preceded a Fulfillment SLA Degradation incident on Feb 8, 2025.");
    // Same monitor and day ⇒ same alert id, whichever scan finds it.
    expect(run()[0]!.alert_id).toBe(alerts[0]!.alert_id);
  });

  it("never alerts on the past: runs that start on or before the monitor's birth are skipped", () => {
    const born = { ...monitor, created_at: "2025-02-10" }; // day 40 fires on the birth day itself
    expect(run(born).map((a) => a.triggered_at)).toEqual(["2025-02-16"]);
    // A run already under way at birth (days 40–42) is the source incident's tail, not a recurrence.
    const bornMidRun = { ...monitor, created_at: "2025-02-11" };
    expect(run(bornMidRun).map((a) => a.triggered_at)).toEqual(["2025-02-16"]);
  });

  it("skips disabled monitors and follows a custom threshold", () => {
    expect(run(applyMonitorEdit(monitor, { enabled: false }))).toEqual([]);
    // At 3.0 the first day (z = 2.70) no longer fires; day 41's 2,000 (z = 6.1) does.
    const strict = run(applyMonitorEdit(monitor, { threshold_z: 3 }));
    expect(strict[0]).toMatchObject({ triggered_at: "2025-02-11", threshold: "zscore > 3" });
  });

  it("fails loudly on a monitor of an unknown metric", () => {
    expect(() => run({ ...monitor, metric_name: "vibes" })).toThrow(/runMonitors: monitor mon_\w+ watches "vibes", which is not a gold metric/);
  });
});
