import { describe, expect, it } from "vitest";
import { bestLaggedCorrelation } from "./best-lagged-correlation.ts";
import { contributionScore } from "./contribution-score.ts";
import { crossCorrelation } from "./cross-correlation.ts";
import { pearsonCorrelation } from "./pearson-correlation.ts";

describe("pearsonCorrelation", () => {
  it("matches a hand calculation", () => {
    // x̄ = 2.5, ȳ = 5; Σdxdy = 4.5 + 0.5 + 0 + 6 = 11; Σdx² = 5; Σdy² = 26 → r = 11 / √130
    expect(pearsonCorrelation([1, 2, 3, 4], [2, 4, 5, 9])).toBeCloseTo(11 / Math.sqrt(130), 12);
  });
  it("is undefined (null) for a constant side, and fails loudly on bad input", () => {
    expect(pearsonCorrelation([3, 3, 3], [1, 2, 3])).toBeNull();
    expect(() => pearsonCorrelation([1, 2], [1])).toThrow(/pearsonCorrelation/);
    expect(() => pearsonCorrelation([1], [1])).toThrow(/at least 2/);
  });
});

describe("crossCorrelation", () => {
  const cause = [1, 3, 2, 5, 4, 6, 3, 7];
  const effect = [0, 2, 4, 3, 6, 5, 7, 4];
  it("pairs cause[t − lag] with effect[t] over the effect's window (hand calculations)", () => {
    // lag 2, t = 2..6: x = [1,3,2,5,4], y = [4,3,6,5,7]; x̄ = 3, ȳ = 5; Σdxdy = 3, Σdx² = 10, Σdy² = 10 → 0.3
    expect(crossCorrelation(cause, effect, 2, 2, 6)).toBeCloseTo(0.3, 12);
    // lag 0, t = 2..6: x = [2,5,4,6,3], y = [4,3,6,5,7]; Σdxdy = −2, Σdx² = 10, Σdy² = 10 → −0.2
    expect(crossCorrelation(cause, effect, 0, 2, 6)).toBeCloseTo(-0.2, 12);
    // lag 1, t = 2..6: y = x + 1 exactly → 1
    expect(crossCorrelation(cause, effect, 1, 2, 6)).toBeCloseTo(1, 12);
  });
  it("skips missing days and needs five pairs", () => {
    expect(crossCorrelation([1, null, 2, 5, 4, 6], [2, 9, 3, 6, 5, 7], 0, 0, 5)).toBeCloseTo(1, 12);
    expect(crossCorrelation([1, null, 2, 5, null, 6], [1, 2, 3, 6, 5, 7], 0, 0, 5)).toBeNull();
    expect(() => crossCorrelation(cause, effect, -1, 0, 5)).toThrow(/lag/);
  });
});

describe("bestLaggedCorrelation", () => {
  const cause = [1, 3, 2, 5, 4, 6, 3, 7];
  const effect = [0, 2, 4, 3, 6, 5, 7, 4];
  it("picks the lag with the largest correlation in the DAG's direction", () => {
    expect(bestLaggedCorrelation(cause, effect, 1, 2, 6, 2)).toEqual({ lag: 1, correlation: 1 });
    // With a negative edge the signs flip: lag 0 (−0.2 → 0.2) is the only support.
    const negative = bestLaggedCorrelation(cause, effect, -1, 2, 6, 2);
    expect(negative.lag).toBe(0);
    expect(negative.correlation).toBeCloseTo(0.2, 12);
  });
  it("reports no support when nothing correlates the right way", () => {
    expect(bestLaggedCorrelation([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], 1, 0, 5, 0)).toEqual({ lag: 0, correlation: 0 });
  });
});

describe("contributionScore", () => {
  it("multiplies the spec's four factors (hand calculation)", () => {
    // magnitude min(6/3, 3) = 2; precedence 0.9 × e^(−3/7) = 0.9 × 0.651439 = 0.586295; proximity 1/2; dq 1
    const parts = contributionScore({ z: 6, correlation: 0.9, lag: 3, pathLength: 1, dataQuality: 1 });
    expect(parts.anomaly_magnitude).toBe(2);
    expect(parts.temporal_precedence).toBeCloseTo(0.586295, 6);
    expect(parts.graph_proximity).toBe(0.5);
    expect(parts.contribution_score).toBeCloseTo(0.586295, 6);
  });
  it("caps the magnitude at 3 and uses |z|", () => {
    // min(12/3, 3) = 3; 1 × e^0 = 1; 1/(2+1); 0.8 → 3 × 1 × 1/3 × 0.8 = 0.8
    expect(contributionScore({ z: -12, correlation: 1, lag: 0, pathLength: 2, dataQuality: 0.8 }).contribution_score).toBeCloseTo(0.8, 12);
  });
  it("gives no credit to an opposite correlation and rejects bad inputs", () => {
    expect(contributionScore({ z: 5, correlation: -0.7, lag: 0, pathLength: 1, dataQuality: 1 }).contribution_score).toBe(0);
    expect(() => contributionScore({ z: Number.NaN, correlation: 0, lag: 0, pathLength: 1, dataQuality: 1 })).toThrow(/contributionScore: z/);
    expect(() => contributionScore({ z: 3, correlation: 0, lag: 0, pathLength: 1, dataQuality: 1.2 })).toThrow(/data quality/);
  });
});

describe("trailingMean", () => {
  it("averages the trailing window, skipping missing days, once half of it has values", async () => {
    const { trailingMean } = await import("./trailing-mean.ts");
    // [1]: 1 value < half of 3 → null; [1,2] → 1.5; [1,2,3] → 2; [2,3,4] → 3; [3,4,–] → 3.5; [4,–,6] → 5
    expect(trailingMean([1, 2, 3, 4, null, 6], 3)).toEqual([null, 1.5, 2, 3, 3.5, 5]);
    expect(() => trailingMean([1], 0)).toThrow(/trailingMean/);
  });
});
