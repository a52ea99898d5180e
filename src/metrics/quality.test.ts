import { describe, expect, it } from "vitest";
import { snapshotFromRows } from "./ledger.ts";
import { metricDataQuality } from "./quality.ts";
import { DailyAggregates } from "./series.ts";

describe("metricDataQuality", () => {
  it("multiplies the share of clean source events by the share of days with a value", () => {
    // 30 days; order_late on days 2–29 → avg_delivery_delay_days (7-day mean, defined once its
    // window is full, from day 6) has a value on days 6–29 = 24 of 30 days. 88 late events (4 a
    // day on days 2–5, 3 a day after), 22 of them flagged missing:days_late.
    const rows = [];
    for (let d = 2; d < 30; d++) {
      const day = `2025-03-${String(d + 1).padStart(2, "0")}`;
      const n = d < 6 ? 4 : 3;
      rows.push({ day, key: "n:order_late", value: n }, { day, key: "sum:days_late", value: 2 * n }, { day, key: "n:days_late", value: n });
    }
    const total = rows.filter((r) => r.key === "n:order_late").reduce((s, r) => s + r.value, 0); // 4·4 + 24·3 = 88
    rows.push({ day: "2025-03-20", key: "dq:order_late", value: 22 }, { day: "2025-03-20", key: "dq:missing:order_late", value: 22 });
    const aggregates = new DailyAggregates(snapshotFromRows(rows, []), "2025-03-01", "2025-03-30");
    const q = metricDataQuality(aggregates, "avg_delivery_delay_days", 0, 29);
    expect(q.events).toBe(total);
    expect(q.completeness).toBeCloseTo(1 - 22 / 88, 12);
    expect(q.coverage).toBeCloseTo(24 / 30, 12);
    expect(q.score).toBeCloseTo((1 - 22 / 88) * (24 / 30), 12);
    expect(q.consistency).toBe(1);
    expect(q.advisory).toMatch(/25% of its order_late events are missing fields; it has no value on 6 of 30 days/);
  });

  it("is perfect, with no advisory, for clean complete data, and clamps the range", () => {
    const rows = Array.from({ length: 10 }, (_, d) => ({ day: `2025-03-${String(d + 1).padStart(2, "0")}`, key: "n:order_placed", value: 5 }));
    const aggregates = new DailyAggregates(snapshotFromRows(rows, []), "2025-03-01", "2025-03-10");
    const q = metricDataQuality(aggregates, "order_volume", -30, 100);
    expect([q.score, q.coverage, q.events, q.advisory]).toEqual([1, 1, 50, null]);
  });
});
