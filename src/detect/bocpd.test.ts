import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import { Bocpd, studentTLogPdf } from "./bocpd.ts";

const prior = { mean: 0, kappa: 1, alpha: 1, beta: 1 };

function gaussian(random: () => number): number {
  // Box–Muller
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe("studentTLogPdf", () => {
  it("matches closed forms", () => {
    expect(studentTLogPdf(0, 0, 1, 1)).toBeCloseTo(Math.log(1 / Math.PI), 12); // Cauchy at 0
    // ν = 2, σ² = 2 at 0: Γ(1.5)/Γ(1)/√(4π) = 0.8862269/3.5449077 = 0.25
    expect(Math.exp(studentTLogPdf(0, 0, 2, 2))).toBeCloseTo(0.25, 12);
  });
});

describe("Bocpd", () => {
  it("computes the first step by hand", () => {
    // Prior predictive for x = 0: t_2(0, β(κ+1)/(ακ) = 2) → 0.25 (above). R = [1], H = 1/100:
    // growth 0.25·0.99, change 0.25·0.01 → normalised [0.01, 0.99].
    const step = new Bocpd({ lambda: 100, prior }).update(0);
    expect(step.runLength[0]).toBeCloseTo(0.01, 12);
    expect(step.runLength[1]).toBeCloseTo(0.99, 12);
  });

  it("finds a 4σ mean shift and reports it as recent right after it happens", () => {
    const random = seededRandom(7);
    const detector = new Bocpd({ lambda: 100, prior });
    const recent: number[] = [];
    for (let i = 0; i < 120; i++) {
      detector.update((i < 60 ? 0 : 4) + gaussian(random));
      recent.push(detector.recentChangeProbability(5));
    }
    const cps = detector.changePoints();
    expect(cps.some((c) => Math.abs(c - 60) <= 1)).toBe(true);
    expect(cps.filter((c) => Math.abs(c - 60) > 2)).toEqual([]);
    expect(Math.max(...recent.slice(20, 59))).toBeLessThan(0.5); // calm before the shift
    expect(Math.max(...recent.slice(60, 65))).toBeGreaterThan(0.5); // alarm within 5 points
    expect(recent[110]).toBeLessThan(0.5); // and calm again once the new level is the norm
  });

  it("rejects bad input loudly", () => {
    expect(() => new Bocpd({ lambda: 1, prior })).toThrow(/lambda/);
    expect(() => new Bocpd({ lambda: 100, prior }).update(Number.NaN)).toThrow(/Bocpd.update/);
  });
});
