import { describe, expect, it } from "vitest";
import { MemoryVisibilityLayer } from "../memory-layer.ts";
import { conflictFixture } from "../test-fixtures.ts";
import type { VisibilityEvent } from "../event.ts";
import { conflictRate } from "./conflict-rate.ts";
import { customerImpactByWeek, isoWeekStart } from "./customer-impact.ts";
import { nearestRankPercentile } from "./nearest-rank.ts";
import { dailyOkr, okrReport, summarizeTimeToDetect } from "./report.ts";
import { resolvedWithin } from "./resolved-within.ts";
import { countRejections, rollupRows } from "./rollup.ts";
import { timeToDetectMs } from "./time-to-detect.ts";

describe("OKR building blocks", () => {
  it("conflict rate = conflicting / decision events", () => {
    expect(conflictRate(3, 200)).toBe(0.015);
    expect(() => conflictRate(0, 0)).toThrow("conflictRate: needs at least one decision event, got 0");
    expect(() => conflictRate(5, 4)).toThrow(/conflictRate: conflicting events must be a whole number between 0 and 4/);
  });

  it("nearest-rank percentiles match Wikipedia's worked example", () => {
    // Wikipedia, "Percentile", nearest-rank method, list {15, 20, 35, 40, 50}.
    const list = [50, 15, 40, 20, 35];
    expect([5, 30, 40, 50, 100].map((p) => nearestRankPercentile(list, p))).toEqual([15, 20, 20, 35, 50]);
    expect(() => nearestRankPercentile([], 50)).toThrow("nearestRankPercentile: needs at least one value");
  });

  it("time to detect runs from the first conflicting event to the alert", () => {
    expect(timeToDetectMs({ first_seen: "2025-03-01T10:00:00.000Z", alerted_at: "2025-03-01T10:00:00.750Z" })).toBe(750);
    expect(timeToDetectMs({ first_seen: "2025-03-01T10:00:00.000Z", alerted_at: null })).toBeNull();
    expect(timeToDetectMs({ first_seen: "2025-03-01T10:00:02.000Z", alerted_at: "2025-03-01T10:00:00.000Z" })).toBe(0);
  });

  it("resolved within 24 h counts only conflicts whose outcome is known", () => {
    const asOf = "2025-03-04T16:00:00.000Z";
    const result = resolvedWithin(
      [
        // detected 30 h before asOf: resolved after 2 h, after 25 h, never
        conflictFixture({ detected_at: "2025-03-03T10:00:00.000Z", status: "fixed", resolved_at: "2025-03-03T12:00:00.000Z" }),
        conflictFixture({ detected_at: "2025-03-03T10:00:00.000Z", status: "documented", resolved_at: "2025-03-04T11:00:00.000Z" }),
        conflictFixture({ detected_at: "2025-03-03T10:00:00.000Z", status: "acknowledged" }),
        // detected 6 h before asOf: one resolved already (counts), one still open (not yet known)
        conflictFixture({ detected_at: "2025-03-04T10:00:00.000Z", status: "disputed", resolved_at: "2025-03-04T11:00:00.000Z" }),
        conflictFixture({ detected_at: "2025-03-04T10:00:00.000Z", status: "open" }),
      ],
      asOf,
    );
    expect(result).toEqual({ eligible: 4, resolved: 2, share: 0.5 });
  });

  it("customer-impact incidents are non-disputed conflicts per ISO week", () => {
    expect(isoWeekStart("2025-03-09T23:59:59.000Z")).toBe("2025-03-03"); // Sunday → that week's Monday
    expect(isoWeekStart("2025-03-10T00:00:00.000Z")).toBe("2025-03-10");
    const weeks = customerImpactByWeek([
      conflictFixture({ first_seen: "2025-03-04T10:00:00.000Z" }),
      conflictFixture({ first_seen: "2025-03-09T10:00:00.000Z", status: "fixed" }),
      conflictFixture({ first_seen: "2025-03-10T10:00:00.000Z", status: "disputed" }),
      conflictFixture({ first_seen: "2025-03-11T10:00:00.000Z" }),
    ]);
    expect([...weeks]).toEqual([
      ["2025-03-03", 2],
      ["2025-03-10", 1],
    ]);
  });

  it("summarises time to detect with nearest-rank percentiles", () => {
    const base = Date.parse("2025-03-03T10:00:00.000Z");
    const conflicts = Array.from({ length: 100 }, (_, i) =>
      conflictFixture({ conflict_id: `c-${i}`, first_seen: new Date(base).toISOString(), alerted_at: new Date(base + (i + 1) * 10).toISOString() }),
    );
    // Delays 10, 20, …, 1000 ms: p50 = 500, p95 = 950, p99 = 990, mean = 505.
    expect(summarizeTimeToDetect(conflicts)).toEqual({ count: 100, mean_ms: 505, p50_ms: 500, p95_ms: 950, p99_ms: 990, max_ms: 1000 });
  });
});

describe("okrReport", () => {
  const event = (id: string, team: string, kind: "decision" | "ground_truth", price: number, ts: string): VisibilityEvent => ({
    event_id: id,
    team,
    kind,
    product_id: "sku-1",
    store_id: "store-9",
    price,
    currency: "USD",
    availability: "in_stock",
    ts,
  });

  it("reports the four OKR figures from a day of events", () => {
    const layer = new MemoryVisibilityLayer();
    const events = [
      event("gt-1", "inventory", "ground_truth", 100, "2025-03-03T10:00:00.000Z"),
      ...Array.from({ length: 98 }, (_, i) => event(`ok-${i}`, "search", "decision", 101, `2025-03-03T10:01:${String(i % 60).padStart(2, "0")}.000Z`)),
      event("bad-1", "magic-apron", "decision", 130, "2025-03-03T10:02:00.000Z"),
      event("bad-2", "magic-apron", "decision", 130, "2025-03-03T10:02:30.000Z"),
    ];
    layer.ingest(events, "2025-03-03T10:03:00.000Z");
    // The quotes contradict a ground truth that may still be catching up: judged once they have waited.
    layer.settle("2025-03-03T10:03:01.000Z");
    countRejections(layer.rollup, "2025-03-03", "magic-apron", 2);
    const conflicts = [...layer.conflicts.values()].map((c) => ({ ...c, alerted_at: "2025-03-03T10:03:01.400Z" }));
    const report = okrReport({ from: "2025-03-03", to: "2025-03-03", asOf: "2025-03-03T12:00:00.000Z", rollup: rollupRows(layer.rollup), conflicts });

    // 2 of 100 decisions conflicting = 2 %: not under the 2 % target.
    expect(report.conflict_rate).toEqual({ value: 0.02, conflicting_events: 2, decision_events: 100, target: 0.02, met: false });
    // One conflict, first seen 10:02:00, alerted 10:03:01.4 → 61.4 s.
    expect(report.time_to_detect).toMatchObject({ count: 1, p50_ms: 61_400, p99_ms: 61_400, target_ms: 300_000, met: true });
    expect(report.resolved_within_24h).toMatchObject({ eligible: 0, resolved: 0, share: null, met: null });
    expect(report.customer_impact_incidents).toMatchObject({ per_week: [{ week_start: "2025-03-03", incidents: 1 }], met: true });
    expect(report.events).toEqual({ decision: 100, ground_truth: 1, unverified: 0, rejected: 2 });
    expect(report.days).toEqual([{ day: "2025-03-03", decision_events: 100, conflicting_events: 2, conflict_rate: 0.02 }]);
    expect(report.teams.find((t) => t.team === "magic-apron")).toEqual({
      team: "magic-apron",
      decision_events: 2,
      conflicting_events: 2,
      conflict_rate: 1,
      rejected_events: 2,
      reject_rate: 0.5,
      ground_truth_events: 0,
    });

    const day = dailyOkr("2025-03-03", rollupRows(layer.rollup), conflicts, "2025-03-04T12:00:00.000Z");
    expect(day).toMatchObject({ decision_events: 100, conflicting_events: 2, conflict_rate: 0.02, conflicts_opened: 1, alerted: 1, resolution_eligible: 1, resolved_within_24h: 0, customer_impact_incidents: 1 });
  });

  it("refuses an inverted period", () => {
    expect(() => okrReport({ from: "2025-03-04", to: "2025-03-03", asOf: "2025-03-05T00:00:00Z", rollup: [], conflicts: [] })).toThrow(/okrReport: from\/to must be days/);
  });
});
