import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import { fitGpdTail, gpdSurprise } from "./gpd.ts";

describe("generalised Pareto tail", () => {
  it("recovers an exponential tail (γ ≈ 0, σ ≈ the mean excess) by the method of moments", () => {
    // Exponential(1) samples: excesses over any threshold are Exponential(1) → γ = 0, σ = 1.
    const random = seededRandom(4);
    const history = Array.from({ length: 20_000 }, () => -Math.log(1 - random()));
    const tail = fitGpdTail(history, 2);
    expect(tail.share).toBeCloseTo(Math.exp(-2), 2); // P(X > 2) = 0.1353
    expect(Math.abs(tail.gamma)).toBeLessThan(0.05);
    expect(tail.sigma).toBeCloseTo(1, 1);
    // P(X > 6) = e^−6 → surprise −log10 = 6/ln 10 = 2.606 (within the fit's sampling error)
    expect(Math.abs(gpdSurprise(tail, 6) - 6 / Math.LN10)).toBeLessThan(0.15);
  });

  it("computes the surprise from the formula", () => {
    // share 0.1, γ = 0, σ = 1: x − t = ln 10 → P = 0.1·0.1 → surprise 2.
    expect(gpdSurprise({ threshold: 0, share: 0.1, gamma: 0, sigma: 1 }, Math.LN10)).toBeCloseTo(2, 12);
    // γ = 0.5, σ = 1, y = 2: (1 + 1)^(−2) = 0.25 → −log10(0.1·0.25) = 1.602
    expect(gpdSurprise({ threshold: 0, share: 0.1, gamma: 0.5, sigma: 1 }, 2)).toBeCloseTo(-Math.log10(0.025), 12);
    expect(() => fitGpdTail([], 1)).toThrow(/fitGpdTail/);
  });
});
