import { describe, expect, it } from "vitest";
import { poissonLogUpperTail, poissonZ, zFromUpperTail } from "./exact-tail.ts";

/** P(X ≥ k) under Poisson(λ), summed term by term (small k only). */
function upperTail(k: number, lambda: number): number {
  let below = 0;
  let term = Math.exp(-lambda);
  for (let j = 0; j < k; j++) {
    below += term;
    term *= lambda / (j + 1);
  }
  return 1 - below;
}

describe("Poisson upper tail", () => {
  it.each([
    [12, 5],
    [6, 7 / 30],
    [3, 5],
    [1, 0.5],
  ])("log P(X ≥ %d) under Poisson(%d) matches the direct sum", (k, lambda) => {
    expect(Math.exp(poissonLogUpperTail(k, lambda))).toBeCloseTo(upperTail(k, lambda), 12);
  });

  it("is certain at or below zero and stays finite far in the tail", () => {
    expect(poissonLogUpperTail(0, 3)).toBe(0);
    // P(X ≥ 200 | λ = 1) = e⁻¹/200! · (1 + 1/201 + 1/(201·202) + …) ≈ 1e-375, below a double;
    // its log is still known (ln 200! = 863.2319871924054).
    expect(poissonLogUpperTail(200, 1)).toBeCloseTo(-1 - 863.2319871924054 + Math.log(1 + 1 / 201 + 1 / (201 * 202)), 6);
  });

  it("agrees with poissonZ above the mean", () => {
    expect(zFromUpperTail(poissonLogUpperTail(12, 5))).toBeCloseTo(poissonZ(12, 5), 9);
    expect(zFromUpperTail(Math.log(0.00135))).toBeCloseTo(3, 3);
    expect(zFromUpperTail(Math.log(0.6))).toBe(0);
  });
});
