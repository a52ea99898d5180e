import { describe, expect, it } from "vitest";
import { dropoffHorizon, repeatPurchaseDropoffs } from "./dropoff.ts";
import { snapshotFromRows } from "./ledger.ts";
import { DailyAggregates } from "./series.ts";

describe("repeat-purchase drop-off", () => {
  it("waits three usual gaps (or 1.5 × the longest), between 14 and 90 days", () => {
    expect(dropoffHorizon([0, 10, 20])).toBe(30); // median gap 10 → 30
    expect(dropoffHorizon([0, 2, 4])).toBe(14); // 6 → raised to 14
    expect(dropoffHorizon([0, 5, 10, 40])).toBe(45); // median 5 → 15, longest 30 → 45
    expect(dropoffHorizon([0, 60])).toBe(90); // 180 → capped at 90
    expect(() => dropoffHorizon([3])).toThrow(/dropoffHorizon/);
  });

  it("dates a drop-off the day it becomes knowable and lets a later purchase reactivate", () => {
    // c1 buys on days 0, 10, 20 → horizon 30 → drops off on day 50; buys again on day 55.
    // c2 buys once: never a repeat buyer, never dropped.
    const day = (n: number) => `2025-01-${String(n + 1).padStart(2, "0")}`;
    const dayOf = (n: number) => (n < 31 ? day(n) : `2025-02-${String(n - 30).padStart(2, "0")}`);
    const revenue = [0, 10, 20, 55].map((n) => ({ day: dayOf(n), customer_id: "c1", revenue: 100 }));
    revenue.push({ day: dayOf(3), customer_id: "c2", revenue: 100 });
    const aggregates = new DailyAggregates(snapshotFromRows([], revenue), dayOf(0), dayOf(58));
    const { dropped, activeRepeat } = repeatPurchaseDropoffs(aggregates);
    expect(dropped.flatMap((list, i) => list.map((c) => [i, c]))).toEqual([[50, "c1"]]);
    expect([activeRepeat[9], activeRepeat[10], activeRepeat[49], activeRepeat[50], activeRepeat[55]]).toEqual([0, 1, 1, 0, 1]);
  });
});
