import { describe, expect, it } from "vitest";
import { cleanPredictions, covering, fMeasure } from "./metrics.ts";
import { pythonSetOrder } from "./pyset.ts";

describe("TCPDBench metrics", () => {
  it("computes F1 with index 0 in every set and a margin of 5", () => {
    // T1 = {28, 0}, T2 = {0}, X = {30, 0}, T* = {28, 0}: both of T* match → P = 2/2;
    // R = ½(2/2 + 1/1) = 1 → F1 = 1.
    expect(fMeasure({ a: [28], b: [] }, [30])).toEqual({ f1: 1, precision: 1, recall: 1 });
    // A prediction 6 away is outside the margin: P = 1/2, R = ½(1/2 + 1) = 0.75, F1 = 2·0.375/1.25 = 0.6.
    expect(fMeasure({ a: [28], b: [] }, [34]).f1).toBeCloseTo(0.6, 12);
  });

  it("computes cover as the mean over annotators of the size-weighted best Jaccard overlap", () => {
    // n = 100. Annotator a: [0,28) and [28,100) against predicted [0,30) and [30,100):
    // (28·28/30 + 72·70/72)/100 = 0.9613333. Annotator b: [0,100) best matches [30,100): 0.7.
    expect(covering({ a: [28], b: [] }, [30], 100)).toBeCloseTo((0.9613333 + 0.7) / 2, 6);
  });

  it("drops 0, n−1, duplicates and out-of-range predictions", () => {
    expect(cleanPredictions([0, 5, 5, 99, 98, 120, -1], 100)).toEqual([5, 98]);
  });

  it("iterates integer sets in CPython's slot order", () => {
    // Both checked with CPython 3.11 (`s = set(); [s.add(x) for x in …]; list(s)`).
    // 8 slots: 0 → slot 0; 8 collides, goes to (5·0 + 1) & 7 = 1; 1 collides with 8, goes to 6.
    expect(pythonSetOrder([0, 8, 1])).toEqual([0, 8, 1]);
    // The 5th insert triggers a resize to 32 slots, where each of these ints has its own slot.
    expect(pythonSetOrder([16, 8, 0, 9, 1])).toEqual([0, 1, 8, 9, 16]);
  });
});
