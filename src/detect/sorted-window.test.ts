import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import { median } from "./median.ts";
import { SortedWindow } from "./sorted-window.ts";

describe("SortedWindow", () => {
  it("keeps the last `capacity` values and matches a sort-based median, quantiles and MAD", () => {
    const random = seededRandom(9);
    const w = new SortedWindow(25);
    const all: number[] = [];
    for (let i = 0; i < 200; i++) {
      const v = Math.round(random() * 100) / 4;
      w.push(v);
      all.push(v);
      const last = all.slice(-25);
      const m = median(last);
      expect(w.median()).toBe(m);
      expect(w.medianAbsoluteDeviation(m)).toBe(median(last.map((x) => Math.abs(x - m))));
      expect(w.values()).toEqual(last);
    }
    // Quantiles interpolate linearly: [0, 10, 20, 30] at 0.5 → 15, at 1/3 → 10.
    const q = new SortedWindow(4);
    [30, 0, 20, 10].forEach((v) => q.push(v));
    expect([q.quantile(0.5), q.quantile(1 / 3), q.rankBelow(20)]).toEqual([15, 10, 0.5]);
  });

  it("fails loudly on bad input", () => {
    expect(() => new SortedWindow(0)).toThrow(/capacity/);
    expect(() => new SortedWindow(3).push(Number.NaN)).toThrow(/SortedWindow.push/);
    expect(() => new SortedWindow(3).median()).toThrow(/empty/);
  });
});
