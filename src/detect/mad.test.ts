import { describe, expect, it } from "vitest";
import { modifiedZScore, robustBaseline } from "./mad.ts";

describe("modifiedZScore", () => {
  it("matches the hand calculation 0.6745·(x − median)/MAD", () => {
    // baseline 1..5: median 3, deviations 2,1,0,1,2 → MAD 1; z(10) = 0.6745 × 7 / 1
    expect(modifiedZScore(10, [1, 2, 3, 4, 5])).toBeCloseTo(4.7215, 4);
    expect(modifiedZScore(3, [1, 2, 3, 4, 5])).toBe(0);
    expect(modifiedZScore(1, [1, 2, 3, 4, 5])).toBeCloseTo(-1.349, 3);
  });

  it("is not moved by one outlier in the baseline (unlike a standard deviation)", () => {
    const clean = [10, 11, 9, 10, 12, 10, 9, 11];
    const polluted = [...clean.slice(0, -1), 1000];
    expect(modifiedZScore(20, polluted)).toBeGreaterThan(6);
  });

  it("falls back to 1.2533 × mean absolute deviation when MAD is 0", () => {
    // 6 zeros and 2 fives: median 0, MAD 0, mean AD = 10/8 = 1.25 → scale 1.5666
    const baseline = [0, 0, 0, 0, 0, 0, 5, 5];
    expect(robustBaseline(baseline).mad).toBe(0);
    expect(robustBaseline(baseline).scale).toBeCloseTo(1.5666, 4);
    expect(modifiedZScore(4, baseline)).toBeCloseTo(4 / 1.5666, 3);
  });

  it("uses the floor for a constant baseline and fails loudly without one", () => {
    expect(modifiedZScore(3, [1, 1, 1, 1], 0.5)).toBe(4);
    expect(() => modifiedZScore(3, [1, 1, 1, 1])).toThrow(/robustBaseline: MAD is 0/);
    expect(() => modifiedZScore(3, [])).toThrow(/baseline window is empty/);
  });
});
