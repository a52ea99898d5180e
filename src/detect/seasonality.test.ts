import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import { addDays, weekday } from "../time.ts";
import { DEFAULT_DETECTION_CONFIG, madScores } from "./detect.ts";
import { meanAbsoluteDeviation, weeklyOffsets } from "./seasonality.ts";

/** 20 orders a weekday, 5 on Saturdays and Sundays, with ±2 of noise. */
function weeklySeries(days: number, seed = 3): { days: string[]; values: number[] } {
  const random = seededRandom(seed);
  const dayList = Array.from({ length: days }, (_, n) => addDays("2025-01-06", n)); // a Monday
  const values = dayList.map((d) => {
    const dow = weekday(d);
    return (dow === 0 || dow === 6 ? 5 : 20) + Math.round((random() - 0.5) * 4);
  });
  return { days: dayList, values };
}

describe("weeklyOffsets", () => {
  it("recovers weekday offsets from a clean weekly pattern", () => {
    // Four weeks of Mon–Fri 20, Sat–Sun 6: overall median 20, weekday offsets 0, weekend −14.
    const weekdays = Array.from({ length: 28 }, (_, k) => (k + 1) % 7);
    const values = weekdays.map((w) => (w === 0 || w === 6 ? 6 : 20));
    expect(Array.from(weeklyOffsets(values, weekdays)!)).toEqual([-14, 0, 0, 0, 0, 0, -14]);
  });

  it("refuses a profile that explains nothing, and needs three values per weekday", () => {
    const weekdays = Array.from({ length: 28 }, (_, k) => k % 7);
    const random = seededRandom(1);
    const flat = weekdays.map(() => 10 + random());
    expect(weeklyOffsets(flat, weekdays)).toBeNull();
    expect(weeklyOffsets([1, 2, 3], [0, 1, 2])).toBeNull();
  });

  it("measures spread as the mean absolute deviation from the median", () => {
    expect(meanAbsoluteDeviation([1, 2, 3, 4, 10])).toBeCloseTo(2.2, 12);
  });
});

describe("Layer 1 with weekly seasonality", () => {
  const { days, values } = weeklySeries(140);

  it("scores a normal Monday and a normal Sunday as ordinary", () => {
    const scores = madScores("order_volume", values, DEFAULT_DETECTION_CONFIG, { days });
    const scored = scores.filter((p) => p.z !== null);
    expect(scored.length).toBeGreaterThan(100);
    expect(Math.max(...scored.map((p) => Math.abs(p.z!)))).toBeLessThan(3);
    expect(scored.filter((p) => p.seasonal).length).toBeGreaterThan(100);
  });

  it("flags a Sunday as busy as a weekday, which the unadjusted score cannot see", () => {
    const spiked = [...values];
    const sunday = days.findIndex((d, i) => i > 100 && weekday(d) === 0);
    spiked[sunday] = 20;
    const point = madScores("order_volume", spiked, DEFAULT_DETECTION_CONFIG, { days })[sunday]!;
    expect(point.z!).toBeGreaterThan(3);
    expect(point.baseline!).toBeLessThan(8);
    // Without the weekday profile, 20 is just an ordinary day of a 5-or-20 series.
    expect(Math.abs(madScores("order_volume", spiked, DEFAULT_DETECTION_CONFIG)[sunday]!.z!)).toBeLessThan(3);
  });
});
