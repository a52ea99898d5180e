import { describe, expect, it } from "vitest";
import { createWatermark, noteGroundTruth, watermarkOf } from "./watermark.ts";

describe("ground-truth watermark", () => {
  it("is the slowest live publisher's progress, ignoring publishers silent for 10 minutes", () => {
    const w = createWatermark();
    expect(watermarkOf(w, 0)).toBeNull();
    noteGroundTruth(w, "inventory", 5_000, 6_000);
    noteGroundTruth(w, "pricing", 2_000, 6_000);
    noteGroundTruth(w, "inventory", 4_000, 6_500); // out of order: progress does not go back
    expect(watermarkOf(w, 7_000)).toBe(2_000);
    // pricing falls silent; 10 minutes later inventory alone decides
    noteGroundTruth(w, "inventory", 700_000, 700_000);
    expect(watermarkOf(w, 606_001)).toBe(700_000);
    expect(watermarkOf(w, 605_999)).toBe(2_000);
  });
});
