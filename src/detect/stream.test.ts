import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import { StreamingDetector } from "./stream.ts";

function series(n: number, period: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / period) + (random() - 0.5) * 6);
}

describe("StreamingDetector", () => {
  it("is online: scoring a prefix gives the prefix of the full run's scores", () => {
    const values = series(1500, 96, 1);
    const full = new StreamingDetector({ period: 96 });
    const all = values.map((v) => full.update(v));
    const part = new StreamingDetector({ period: 96 });
    const prefix = values.slice(0, 900).map((v) => part.update(v));
    expect(prefix).toEqual(all.slice(0, 900));
  });

  it("gives a spike the highest score of the stream, and one alarm rather than one per point", () => {
    const values = series(3000, 96, 2);
    values[2500] = 120;
    for (let i = 2700; i < 2760; i++) values[i] = values[i]! + 40; // an hour-long level shift
    const detector = new StreamingDetector({ period: 96 });
    const scores = values.map((v) => detector.update(v));
    const top = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]!).slice(0, 2).sort((a, b) => a - b);
    expect(top[0]).toBe(2500);
    expect(top[1]).toBeGreaterThanOrEqual(2700);
    expect(top[1]).toBeLessThan(2705);
    // After the first points of the shift, the rest of it no longer raises alarms.
    expect(Math.max(...scores.slice(2710, 2760))).toBeLessThan(scores[top[1]!]! / 2);
    expect(scores.every((s) => s >= 0 && s < 1)).toBe(true);
  });

  it("catches a day whose shape breaks the daily pattern while every value stays in range", () => {
    const values = series(3000, 96, 3);
    // Day 25 is flat at the mean: no value is extreme, but each is wrong for its time of day.
    for (let i = 2400; i < 2496; i++) values[i] = 50;
    const detector = new StreamingDetector({ period: 96 });
    const scores = values.map((v) => detector.update(v));
    const before = Math.max(...scores.slice(1000, 2400));
    expect(Math.max(...scores.slice(2400, 2496))).toBeGreaterThan(before);
  });
});
