import { describe, expect, it } from "vitest";
import { robustScores, samplingFloor } from "./layer1.ts";

const flatWeek = { weekdays: Array.from({ length: 40 }, () => 3) };
const options = { baselineDays: 30, minBaselineValues: 21, seasonalityDays: 0, samplingFloorFactor: 1 };

describe("robustScores (Layer 1)", () => {
  it("scores a day against the 30 days before it, never itself", () => {
    // Baseline days 0–29 alternate 10 and 12: median 11, MAD 1 → σ̂ = 1/0.6745 = 1.4826;
    // day 30 = 17 → z = 6/1.4826 = 4.047. A USD metric has a floor of $1 and 2 % of the median.
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

  it("uses the Poisson floor √median for counts when the baseline is constant (MAD = 0, mean AD = 0)", () => {
    // 25 days of exactly 16 orders, then 28: σ̂ = max(1, √16) = 4 → z = 12/4 = 3.
    const series = [...Array.from({ length: 25 }, () => 16), 28];
    expect(robustScores({ unit: "count" }, series, flatWeek, options)[25]!.z).toBeCloseTo(3, 12);
  });

  it("applies the binomial floor √(p(1−p)/n) to a share of events", () => {
    // p = 0.1, n = 100 → σ ≥ 0.03.
    expect(samplingFloor({ unit: "ratio", sampling: { model: "binomial", size: () => [] } }, 0.1, 100)).toBeCloseTo(0.03, 12);
    // Poisson rate: expected 2 % of 50 customers → √max(1, 1)/50 = 0.02.
    expect(samplingFloor({ unit: "ratio", sampling: { model: "poisson-rate", size: () => [] } }, 0.02, 50)).toBeCloseTo(0.02, 12);
    // Compound Poisson sum, half-weighted: ratio 0.05 with usually 25 refunds → 0.5·0.05/5 = 0.005.
    expect(samplingFloor({ unit: "ratio", sampling: { model: "poisson-sum", size: () => [] } }, 0.05, 40, 25)).toBeCloseTo(0.005, 12);
  });

  it("does not score a stateful metric until one baseline after it first moves", () => {
    const series = [...Array.from({ length: 30 }, () => 0), ...Array.from({ length: 40 }, (_, i) => 100 + (i % 3))];
    const scores = robustScores({ unit: "USD", stateful: true }, series, { weekdays: new Array(70).fill(1) }, options);
    expect(scores[59]!.z).toBeNull();
    expect(scores[60]!.z).not.toBeNull();
  });
});
