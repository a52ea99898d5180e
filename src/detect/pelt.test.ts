import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mbicPenalty, pelt } from "./pelt.ts";

/** Optimal partitioning by exhaustive search (Jackson et al. 2005): the answer PELT must equal. */
function optimalPartitioning(y: number[], penalty: number): { cost: number; starts: number[] } {
  const n = y.length;
  const cost = (s: number, t: number) => {
    const seg = y.slice(s, t);
    const mean = seg.reduce((a, b) => a + b, 0) / seg.length;
    return seg.reduce((a, b) => a + (b - mean) ** 2, 0);
  };
  const best = [-penalty];
  const from = [0];
  for (let t = 1; t <= n; t++) {
    let min = Infinity;
    for (let s = 0; s < t; s++) {
      const v = best[s]! + cost(s, t) + penalty;
      if (v < min - 1e-9) {
        min = v;
        from[t] = s;
      }
    }
    best[t] = min;
  }
  const starts: number[] = [];
  for (let t = from[n]!; t !== 0; t = from[t]!) starts.push(t);
  return { cost: best[n]!, starts: starts.reverse() };
}

describe("pelt", () => {
  it("finds a single mean shift where it happens", () => {
    expect(pelt([0, 0, 0, 0, 0, 5, 5, 5, 5, 5], { penalty: 3 })).toEqual([5]);
    // Hand check: one segment costs Σ(y − 2.5)² = 10·6.25 = 62.5; two cost 0 + β = 3.
  });

  it("keeps one segment when the shift does not pay for its penalty", () => {
    // Splitting [0,0,1,1] saves Σ(y − 0.5)² = 1 but costs β = 2.
    expect(pelt([0, 0, 1, 1], { penalty: 2 })).toEqual([]);
    expect(pelt([0, 0, 1, 1], { penalty: 0.5 })).toEqual([2]);
  });

  it("equals exhaustive optimal partitioning on random series (pruning loses nothing)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 2, maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (ints, beta) => {
        const y = ints.map((v) => v / 4);
        expect(pelt(y, { penalty: beta })).toEqual(optimalPartitioning(y, beta).starts);
      }),
      { numRuns: 200, seed: 20250203 },
    );
  });

  it("uses changepoint's MBIC penalty 3·log n for a change in mean", () => {
    expect(mbicPenalty(100)).toBeCloseTo(3 * 4.605170186, 8);
    expect(() => pelt([1, 2, Number.NaN], { penalty: 1 })).toThrow(/pelt: value at index 2/);
  });

  it("detects a change in variance with the meanvar cost", () => {
    const calm = [0.1, -0.1, 0.05, -0.05, 0.1, -0.1, 0.05, -0.05, 0.1, -0.1];
    const wild = [3, -3, 2.5, -2.5, 3, -3, 2.5, -2.5, 3, -3];
    expect(pelt([...calm, ...wild], { penalty: mbicPenalty(20, 2), cost: "meanvar" })).toEqual([10]);
  });
});
