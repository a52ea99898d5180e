import { describe, expect, it } from "vitest";
import { DEFAULT_DETECTION_CONFIG, madScores } from "../../src/detect/detect.ts";
import { seededRandom } from "../../src/rng.ts";
import { detectorBand, hasDetectorScores, trailingBand } from "./baseline.js";

const days = (values: (number | null)[]) => values.map((value, i) => ({ date: i, value }));

describe("trailingBand (the threshold line drawn behind a metric)", () => {
  it("puts the median and kσ line where a hand calculation does", () => {
    // Baseline 1..5: median 3, MAD 1, σ = 1 / 0.6745 = 1.482580; 3σ line = 3 + 4.447739 = 7.447739.
    const band = trailingBand(days([1, 2, 3, 4, 5, 9]), 30, 3, { unit: "count", minValues: 5 });
    expect(band[5]!.median).toBe(3);
    expect(band[5]!.threshold).toBeCloseTo(7.447739, 6);
    expect(band[4]!.threshold).toBeNull();
  });

  it("without stored scores, crosses its line where the plain Layer 1 z-score (no seasonality, no floors beyond the unit's) would", () => {
    const rand = seededRandom("baseline-band");
    const values = Array.from({ length: 60 }, () => 100 + 20 * rand());
    values[45] = 160;
    const band = trailingBand(days(values), 30, 3, { unit: "USD" });
    const past = values.slice(15, 45).sort((a, b) => a - b);
    expect(band[45]!.median).toBeCloseTo((past[14]! + past[15]!) / 2, 9);
    expect(values[45]! > band[45]!.threshold!).toBe(true);
  });
});

describe("detectorBand (the band the detector stored with each day)", () => {
  it("crosses its kσ line exactly on the days the detector's z-score crosses k, missing days and unscored days included", () => {
    const rand = seededRandom("detector-band");
    const values: (number | null)[] = [];
    for (let i = 0; i < 120; i++) {
      if (i % 17 === 5) values.push(null); // missing days are skipped, not zeros
      else if (i >= 40 && i < 75) values.push(i === 60 ? 0.05 : 0.004); // flat stretch: MAD 0, the fallback scales it
      else values.push(0.01 + 0.004 * rand());
    }
    const scores = madScores("refund_rate", values, DEFAULT_DETECTION_CONFIG, { days: values.map((_, i) => `2025-01-${String((i % 28) + 1).padStart(2, "0")}`) });
    const stored = values.map((value, i) => ({ date: i, value, expected: scores[i]!.baseline, scale: scores[i]!.scale ?? null }));
    const band = detectorBand(stored, 2.5);
    let scored = 0;
    let crossings = 0;
    values.forEach((value, i) => {
      const { z } = scores[i]!;
      if (value === null || z === null) return;
      scored++;
      expect(band[i]!.median).toBe(scores[i]!.baseline);
      const above = value > band[i]!.threshold!;
      if (above) crossings++;
      expect(above).toBe(z > 2.5);
    });
    expect(scored).toBeGreaterThan(80);
    expect(crossings).toBeGreaterThan(0);
    expect(band[10]).toEqual({ date: 10, median: null, low: null, high: null, threshold: null }); // not scored yet
    expect(hasDetectorScores(stored)).toBe(true);
    expect(hasDetectorScores(values.map((value, i) => ({ date: i, value, expected: null, scale: null })))).toBe(false);
  });
});
