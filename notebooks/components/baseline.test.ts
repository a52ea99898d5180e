import { describe, expect, it } from "vitest";
import { DEFAULT_DETECTION_CONFIG, madScores } from "../../src/detect/detect.ts";
import { seededRandom } from "../../src/rng.ts";
import { trailingBand } from "./baseline.js";

const days = (values: (number | null)[]) => values.map((value, i) => ({ date: i, value }));

describe("trailingBand (the threshold line drawn behind a metric)", () => {
  it("puts the median and kσ line where a hand calculation does", () => {
    // Baseline 1..5: median 3, MAD 1, σ = 1 / 0.6745 = 1.482580; 3σ line = 3 + 4.447739 = 7.447739.
    const band = trailingBand(days([1, 2, 3, 4, 5, 9]), 30, 3, { unit: "count", minValues: 5 });
    expect(band[5]!.median).toBe(3);
    expect(band[5]!.threshold).toBeCloseTo(7.447739, 6);
    expect(band[4]!.threshold).toBeNull();
  });

  it("crosses the line exactly on the days the detector's z-score crosses it, MAD = 0 fallback and gaps included", () => {
    const rand = seededRandom("baseline-band");
    const values: (number | null)[] = [];
    for (let i = 0; i < 120; i++) {
      if (i % 17 === 5) values.push(null); // missing days are skipped, not zeros
      else if (i >= 40 && i < 75) values.push(i === 60 ? 0.05 : 0.004); // flat: MAD is 0, the mean-AD fallback (then the floor) scales it
      else values.push(0.01 + 0.004 * rand());
    }
    const detector = madScores("refund_rate", values, DEFAULT_DETECTION_CONFIG);
    const band = trailingBand(days(values), DEFAULT_DETECTION_CONFIG.baselineDays, 2.5, { unit: "ratio" });
    let scored = 0;
    values.forEach((value, i) => {
      const { z } = detector[i]!;
      const b = band[i]!;
      if (value === null || z === null) return;
      scored++;
      const sigma = (b.threshold! - b.median!) / 2.5;
      expect((value - b.median!) / sigma).toBeCloseTo(z, 9);
      expect(b.median).toBeCloseTo(detector[i]!.baseline!, 12);
    });
    expect(scored).toBeGreaterThan(90);
    expect(band[10]!.threshold).toBeNull(); // fewer than 14 baseline values, as the detector
  });
});
