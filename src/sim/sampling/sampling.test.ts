import { describe, expect, it } from "vitest";
import { seededRandom } from "../../rng.ts";
import { sampleStandardNormal } from "./normal.ts";
import { samplePoisson } from "./poisson.ts";
import { cumulativeWeights, pickWeighted } from "./weighted-index.ts";

const N = 20_000;

describe("samplePoisson", () => {
  it.each([0.3, 3, 12, 45])("has mean and variance λ = %s (law of large numbers, 20,000 draws)", (lambda) => {
    const random = seededRandom(11);
    const draws = Array.from({ length: N }, () => samplePoisson(random, lambda));
    const mean = draws.reduce((s, v) => s + v, 0) / N;
    const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / N;
    // Standard error of the mean is √(λ/N); 5 of them is a generous, still failing-when-wrong bound.
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / N) + 1e-9);
    expect(variance / lambda).toBeGreaterThan(0.9);
    expect(variance / lambda).toBeLessThan(1.1);
  });

  it("gives P(0) = e^(−λ) for λ = 2 (0.1353)", () => {
    const random = seededRandom(5);
    let zeros = 0;
    for (let i = 0; i < N; i++) if (samplePoisson(random, 2) === 0) zeros++;
    expect(zeros / N).toBeCloseTo(Math.exp(-2), 2);
  });

  it("rejects a negative or infinite mean, naming itself", () => {
    expect(() => samplePoisson(seededRandom(1), -1)).toThrow(/samplePoisson: mean/);
    expect(() => samplePoisson(seededRandom(1), Number.POSITIVE_INFINITY)).toThrow(/samplePoisson/);
  });
});

describe("sampleStandardNormal", () => {
  it("has mean 0, variance 1 and 68.3 % of draws within one σ", () => {
    const random = seededRandom(3);
    const draws = Array.from({ length: N }, () => sampleStandardNormal(random));
    const mean = draws.reduce((s, v) => s + v, 0) / N;
    const variance = draws.reduce((s, v) => s + (v - mean) ** 2, 0) / N;
    expect(Math.abs(mean)).toBeLessThan(0.04);
    expect(variance).toBeGreaterThan(0.96);
    expect(variance).toBeLessThan(1.04);
    expect(draws.filter((v) => Math.abs(v) < 1).length / N).toBeCloseTo(0.6827, 1);
  });
});

describe("pickWeighted", () => {
  it("picks index i with probability w[i] / Σw", () => {
    const cumulative = cumulativeWeights([1, 3, 0, 6]);
    expect([...cumulative]).toEqual([1, 4, 4, 10]);
    const random = seededRandom(9);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) counts[pickWeighted(random, cumulative)]!++;
    expect(counts[2]).toBe(0);
    expect(counts[0]! / N).toBeCloseTo(0.1, 1);
    expect(counts[1]! / N).toBeCloseTo(0.3, 1);
    expect(counts[3]! / N).toBeCloseTo(0.6, 1);
  });

  it("rejects weights that cannot be drawn from", () => {
    expect(() => cumulativeWeights([0, 0])).toThrow(/cumulativeWeights: the weights sum to 0/);
    expect(() => cumulativeWeights([1, -2])).toThrow(/cumulativeWeights: weight 1/);
  });
});
