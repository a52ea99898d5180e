/**
 * The closed loop through the real scan: an early refund spike gives birth to a refund-rate monitor;
 * when refunds climb again months later, the monitor (2.5σ) alerts before incident detection (3σ)
 * fires on the recurrence.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { ScanOutput } from "../scan.ts";
import { scanResultSchema, type Incident, type Monitor } from "../scan-contract.ts";
import { addDays, daysBetween } from "../time.ts";
import { applyMonitorEdit } from "./edit.ts";
import { HISTORY_START, refundHistory, scanEvents } from "./testing/refund-history.ts";

// Day 40: refunds jump from 3–4 to 10 a day for five days. Day 110: they creep back, one more a
// day every two days, so the 2.5σ monitor has a day on which it sees the drift and detection does not.
const history = refundHistory(160, [
  { start: 40, refunds: [10, 10, 10, 10, 10] },
  { start: 110, refunds: [4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 10] },
]);

let full: ScanOutput;
let spikes: Incident[];
let refundMonitor: Monitor;

beforeAll(async () => {
  full = await scanEvents(history.events);
  spikes = full.result.incidents.filter((i) => i.incident_type === "REFUND_SPIKE");
  refundMonitor = full.result.monitors.find((m) => m.metric_name === "refund_rate")!;
});

describe("the closed loop", () => {
  it("detects the first spike and the recurrence as two refund-spike incidents", () => {
    expect(scanResultSchema.parse(full.result)).toBeTruthy();
    expect(spikes).toHaveLength(2);
    // The jump starts on day 40; detection may wait up to two days for the 7-day rate to confirm it.
    const lag = daysBetween(addDays(HISTORY_START, 40), spikes[0]!.incident_window_start);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThanOrEqual(2);
    expect(spikes[1]!.detected_at > addDays(HISTORY_START, 110)).toBe(true);
  });

  it("turns the first spike into a 2.5σ refund-rate monitor born when its window closed", () => {
    expect(refundMonitor).toMatchObject({
      source_incident_id: spikes[0]!.incident_id,
      condition: "zscore > 2.5",
      direction: "up",
      baseline_window_days: 30,
      enabled: true,
      created_at: spikes[0]!.incident_window_end,
      source_incident_date: spikes[0]!.detected_at,
    });
    // The recurrence is watched by the same monitor rather than a duplicate (with RCA, so are the
    // margin compressions whose top path starts at the refund rate).
    expect(refundMonitor.covered_incident_ids.slice(0, 1)).toEqual([spikes[0]!.incident_id]);
    expect(refundMonitor.covered_incident_ids).toContain(spikes[1]!.incident_id);
    expect(full.result.monitors.filter((m) => m.metric_name === "refund_rate")).toHaveLength(1);
  });

  it("alerts on the recurrence strictly before the incident detector's detected_at", () => {
    const recurrence = spikes[1]!;
    const alert = full.result.alerts.find((a) => a.monitor_id === refundMonitor.monitor_id && a.preceded_incident_id === recurrence.incident_id);
    expect(alert).toBeDefined();
    expect(alert!.triggered_at < recurrence.detected_at).toBe(true);
    expect(alert!.lead_days).toBe(daysBetween(alert!.triggered_at, recurrence.detected_at));
    expect(alert!.lead_days).toBeGreaterThanOrEqual(1);
    // Between the thresholds on that day: the monitor's 2.5 is crossed, the detector's 3.0 is not.
    expect(alert!.zscore).toBeGreaterThan(2.5);
    expect(alert!.zscore).toBeLessThanOrEqual(3);
    // The alert's value is the refund rate a person would compute for that day (gold.ts):
    // Σ refunds over the 7 days ending on it ÷ the usual week's revenue (7 × the mean daily
    // revenue of the 30 days ending on it).
    const d = daysBetween(HISTORY_START, alert!.triggered_at);
    const sum = (xs: number[], days: number) => xs.slice(d - days + 1, d + 1).reduce((a, b) => a + b, 0);
    expect(alert!.current_value).toBeCloseTo(sum(history.refundsByDay, 7) / ((7 * sum(history.revenueByDay, 30)) / 30), 6);
    expect(alert!.related_incident_id).toBe(spikes[0]!.incident_id);
    expect(alert!.message).toContain(`Refund Spike incident on`);
  });

  it("never alerts on the first spike itself or its tail", async () => {
    const own = full.result.alerts.filter((a) => a.monitor_id === refundMonitor.monitor_id);
    expect(own.length).toBeGreaterThan(0);
    for (const alert of own) expect(alert.triggered_at > refundMonitor.created_at).toBe(true);
    // A scan that stops before the recurrence has the monitor and no refund alert at all.
    const early = await scanEvents(history.events, { asOf: addDays(HISTORY_START, 100) });
    expect(early.result.monitors.map((m) => m.monitor_id)).toContain(refundMonitor.monitor_id);
    expect(early.result.alerts.filter((a) => a.metric_name === "refund_rate")).toEqual([]);
  });

  it("runs stored monitors on later scans with people's edits, without duplicating them", async () => {
    // Scan 1 stops at day 100; the monitors it produced are stored.
    const first = await scanEvents(history.events, { asOf: addDays(HISTORY_START, 100) });
    const stored = first.result.monitors;

    // Unedited, the later full scan finds the same monitors and the same alerts as a scan from scratch.
    const later = await scanEvents(history.events, { monitors: stored });
    expect(later.result.monitors.map((m) => m.monitor_id)).toEqual(full.result.monitors.map((m) => m.monitor_id));
    expect(later.result.alerts).toEqual(full.result.alerts);

    // Disabled: listed, never run.
    const disabled = stored.map((m) => (m.metric_name === "refund_rate" ? applyMonitorEdit(m, { enabled: false }) : m));
    const quiet = await scanEvents(history.events, { monitors: disabled });
    expect(quiet.result.monitors.find((m) => m.monitor_id === refundMonitor.monitor_id)).toMatchObject({ enabled: false });
    expect(quiet.result.alerts.filter((a) => a.monitor_id === refundMonitor.monitor_id)).toEqual([]);

    // Raised to the detector's own 3.0: no earlier than detection any more.
    const strict = stored.map((m) => (m.metric_name === "refund_rate" ? applyMonitorEdit(m, { threshold_z: 3 }) : m));
    const late = await scanEvents(history.events, { monitors: strict });
    const alert = late.result.alerts.find((a) => a.monitor_id === refundMonitor.monitor_id && a.preceded_incident_id === spikes[1]!.incident_id);
    expect(alert).toMatchObject({ threshold: "zscore > 3", triggered_at: spikes[1]!.detected_at, lead_days: 0 });
  });

  it("is deterministic: the same history gives byte-identical monitors and alerts", async () => {
    const again = await scanEvents(history.events);
    expect(JSON.stringify(again.result.monitors)).toBe(JSON.stringify(full.result.monitors));
    expect(JSON.stringify(again.result.alerts)).toBe(JSON.stringify(full.result.alerts));
  });
});
