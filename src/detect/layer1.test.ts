import { describe, expect, it } from "vitest";
import { robustScores, samplingFloor } from "./layer1.ts";

const flatWeek = { weekdays: Array.from({ length: 40 }, () => 3) };
const options = { baselineDays: 30, minBaselineValues: 21, seasonalityDays: 0, samplingFloorFactor: 1 };

describe("robustScores (Layer 1)", () => {
  it("scores a day against the 30 days before it, never itself", () => {
    // Baseline days 0–29 alternate 10 and 12: median 11, MAD 1 → σ̂ = 1/0.6745 = 1.4826 (the
    // inter-decile range, 2/2.563 = 0.78, is smaller); day 30 = 17 → z = 6/1.4826 = 4.047.
    const series = [...Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 10 : 12)), 17];
    const p = robustScores({ unit: "USD" }, series, flatWeek, options)[30]!;
    expect(p.baseline).toBe(11);
    expect(p.z).toBeCloseTo((0.6745 * 6) / 1, 10);
    // The day's own value does not move its baseline: the same with 1,000 on day 30.
    series[30] = 1000;
    expect(robustScores({ unit: "USD" }, series, flatWeek, options)[30]!.baseline).toBe(11);
  });

  it("needs 21 baseline values and has no score where the metric has no value", () => {
    const series = [...Array.from({ length: 20 }, () => 5), 9, null, 9];
    const scores = robustScores({ unit: "count" }, series, flatWeek, options);
    expect(scores[20]!.z).toBeNull(); // 20 baseline values
    expect(scores[21]!.z).toBeNull(); // no value
    expect(scores[22]!.z).not.toBeNull();
  });

  it("uses the Poisson floor and the exact Poisson tail for counts when the baseline is constant", () => {
    // 25 days of exactly 16 orders, then 28: σ̂ = max(1, √16) = 4 → Gaussian z = 12/4 = 3, but
    // under Poisson(16) P(X ≥ 28) = 0.0041, whose z is 2.6433 (scipy: norm.isf(poisson.sf(27, 16)));
    // the smaller is kept.
    const series = [...Array.from({ length: 25 }, () => 16), 28];
    expect(robustScores({ unit: "count" }, series, flatWeek, options)[25]!.z).toBeCloseTo(2.643304, 5);
  });

  it("widens the scale to the inter-decile range when a tenth of the baseline is a recurring excursion", () => {
    // 26 days at 100 and 4 at 200 (days 0, 5, 10, 15, before scoring starts): MAD = 0,
    // mean AD × 1.2533 = 16.7, but (q90 − q10)/2.563 = (200 − 100)/2.563 = 39.0 → another day at
    // 200 is z = 100/39.0 = 2.563.
    const series = [...Array.from({ length: 30 }, (_, i) => (i % 5 === 0 && i <= 15 ? 200 : 100)), 200];
    expect(robustScores({ unit: "USD" }, series, flatWeek, options)[30]!.z).toBeCloseTo(2.563, 9);
  });

  it("applies the binomial floor √(p(1−p)/n) to a share of events", () => {
    // p = 0.1, n = 100 → σ ≥ 0.03.
    expect(samplingFloor({ unit: "ratio", sampling: { model: "binomial", size: () => [] } }, 0.1, 100)).toBeCloseTo(0.03, 12);
    // Poisson rate: expected 2 % of 50 customers → √max(1, 1)/50 = 0.02.
    expect(samplingFloor({ unit: "ratio", sampling: { model: "poisson-rate", size: () => [] } }, 0.02, 50)).toBeCloseTo(0.02, 12);
    // Compound Poisson sum: ratio 0.05 from usually 25 refunds whose amounts have √E[a²]/E[a] = 1.2
    // → 0.05 · 1.2 / √25 = 0.012.
    expect(samplingFloor({ unit: "ratio", sampling: { model: "compound", size: () => [] } }, 0.05, 40, 25, 1.2)).toBeCloseTo(0.012, 12);
    // Mean of n = 16 review scores with individual sd 0.8 → 0.2.
    expect(samplingFloor({ unit: "score", sampling: { model: "mean", size: () => [] } }, 4.2, 16, 16, 0.8)).toBeCloseTo(0.2, 12);
  });

  it("keeps an anomalous day out of the next two weeks' baselines, then lets a lasting level become normal", () => {
    // 30 quiet days alternating 10/12, then a step to 30 that lasts.
    const series = [...Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? 10 : 12)), ...Array.from({ length: 40 }, () => 30)];
    const scores = robustScores({ unit: "USD" }, series, { weekdays: new Array(70).fill(1) }, options);
    // Days 30–39: the step days stay out of the baseline (21 clean days remain), which stays at
    // 11–12, so every day of the step fires (z ≈ 13–15) instead of fading as it would if the step
    // entered its own baseline.
    expect(scores.slice(30, 40).every((p) => p.baseline! <= 12 && p.z! > 12)).toBe(true);
    // Day 40 would leave 20 clean days: the baseline takes every day again, and by day 49 the
    // median is 30, the new normal.
    expect(scores[40]!.z!).toBeLessThan(3);
    expect([scores[49]!.baseline, scores[49]!.z]).toEqual([30, 0]);
  });

  it("does not score a stateful metric until one baseline after it first moves", () => {
    const series = [...Array.from({ length: 30 }, () => 0), ...Array.from({ length: 40 }, (_, i) => 100 + (i % 3))];
    const scores = robustScores({ unit: "USD", stateful: true }, series, { weekdays: new Array(70).fill(1) }, options);
    expect(scores[59]!.z).toBeNull();
    expect(scores[60]!.z).not.toBeNull();
  });
});
