import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import { changepointLayer, DEFAULT_CHANGEPOINT } from "./changepoints.ts";

function noisy(days: number, level: (i: number) => number, seed = 5): number[] {
  const random = seededRandom(seed);
  // Sum of 4 uniforms: mean 0, σ = √(4/12) ≈ 0.577, scaled to σ = 1.
  return Array.from({ length: days }, (_, i) => level(i) + ((random() + random() + random() + random() - 2) / 0.577));
}

describe("changepointLayer (Layer 3)", () => {
  const sigma = () => new Array(150).fill(1);

  it("finds a 4σ step up within days, with both methods agreeing, and reports the regime", () => {
    const values = noisy(150, (i) => (i < 100 ? 10 : 14));
    const signal = changepointLayer(values, 0.1, sigma(), DEFAULT_CHANGEPOINT);
    const first = signal.fired.findIndex((f, i) => f && i >= 100);
    expect(first).toBeGreaterThanOrEqual(100);
    expect(first).toBeLessThanOrEqual(104);
    expect(signal.direction[first]).toBe(1);
    expect(signal.agreed.slice(100, 108).some(Boolean)).toBe(true);
    const detail = signal.detail[first]!;
    expect(Math.abs(detail.changeIndex - 100)).toBeLessThanOrEqual(2);
    expect(detail.after - detail.before).toBeGreaterThan(2.5);
  });

  it("stays quiet on stationary noise and before its warm-up", () => {
    const signal = changepointLayer(noisy(150, () => 10), 0.1, sigma(), DEFAULT_CHANGEPOINT);
    expect(signal.agreed.filter(Boolean).length).toBe(0);
    expect(signal.fired.filter(Boolean).length).toBeLessThanOrEqual(3);
    const short = changepointLayer(noisy(25, (i) => (i < 20 ? 0 : 10)), 0.1, sigma(), DEFAULT_CHANGEPOINT);
    expect(short.fired.some(Boolean)).toBe(false);
  });

  it("ignores shifts smaller than minShift times the day's Layer 1 noise", () => {
    const values = noisy(150, (i) => (i < 100 ? 10 : 14));
    // If the baseline noise were 3, a 4-unit step is only 1.3σ̂.
    const signal = changepointLayer(values, 0.1, new Array(150).fill(3), DEFAULT_CHANGEPOINT);
    expect(signal.fired.some(Boolean)).toBe(false);
  });
});
