import { describe, expect, it } from "vitest";
import { NAB_PROFILES, normalize, probationaryRows, scaledSigmoid, scoreFile, sweep, type ScoringFile } from "./scorer.ts";

// 100 rows: rows 0–14 are probationary (⌊0.15·100⌋ = 15); one window over rows 40–49 (W = 10).
const file: ScoringFile = { name: "toy.csv", rows: 100, windows: [[40, 49]] };
const detectionsAt = (...rows: number[]) => {
  const scores = new Float64Array(100);
  for (const r of rows) scores[r] = 1;
  return scores;
};

describe("NAB scoring rules", () => {
  it("uses the scaled sigmoid 2/(1+e^{5y}) − 1, and −1 beyond three widths", () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.9866143, 7); // 2/(1+e^−5) − 1
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(3.5)).toBe(-1);
    expect(probationaryRows(100)).toBe(15);
    expect(probationaryRows(22_000)).toBe(750);
  });

  it("scores a hand-made file: early window hit, a false positive before and one long after the window", () => {
    // Row 42 in the window: y = −(49 − 42 + 1)/10 = −0.8 → S(−0.8)/S(−1) = 0.9640276/0.9866143 = 0.9771068.
    // Row 30 before any window: −A_FP = −0.11.
    // Row 70 after the window: y = |49 − 70|/(10 − 1) = 2.3333 → S(y)·0.11 = −0.1099981.
    // Row 45 is a later hit in the same window and adds nothing; row 5 is probationary.
    const result = scoreFile(file, detectionsAt(5, 30, 42, 45, 70), 0.5, NAB_PROFILES.standard);
    expect(result.score).toBeCloseTo(0.9771068 - 0.11 - 0.1099981, 6);
    expect(result).toMatchObject({ tp: 1, fp: 2, fn: 0 });
  });

  it("charges A_FN for a missed window and counts it in the normalised score", () => {
    const missed = scoreFile(file, detectionsAt(), 0.5, NAB_PROFILES.reward_low_FN_rate);
    expect(missed).toMatchObject({ score: -2, tp: 0, fn: 1 });
    // null = −1·A_FN = −2, perfect = 1·A_TP = 1 → a raw 0.5 normalises to 100·2.5/3.
    expect(normalize(0.5, [file], NAB_PROFILES.reward_low_FN_rate)).toBeCloseTo(83.3333, 4);
  });

  it("sweeps every distinct score and keeps the best corpus total (ties to the higher threshold)", () => {
    const scores = new Float64Array(100);
    scores[30] = 0.9; // a false positive before the window
    scores[41] = 0.6; // hit: y = −0.9 → S(−0.9)/S(−1) = 0.9780261/0.9866143 = 0.9912953
    scores[20] = 0.3; // another false positive
    // θ = 1.1: −1; θ = 0.9: −1.11; θ = 0.6: −0.11 + 0.9912953 = 0.8812953; θ = 0.3: 0.7712953.
    const result = sweep([file], [scores], NAB_PROFILES.standard);
    expect(result.threshold).toBe(0.6);
    expect(result.raw).toBeCloseTo(0.8812953, 6);
    expect(result.normalized).toBeCloseTo((100 * (0.8812953 + 1)) / 2, 4);
  });
});
