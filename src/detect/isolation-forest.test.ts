import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import { DEFAULT_ISOLATION_FOREST, DomainForest, type IsolationForestOptions } from "./isolation-forest.ts";
import type { PointScore } from "./layer1.ts";

function columns(days: number, outlierDay: number | null, seed = 11): PointScore[][] {
  const random = seededRandom(seed);
  return [0, 1, 2].map(() =>
    Array.from({ length: days }, (_, i) => {
      const z = i === outlierDay ? 9 : (random() - 0.5) * 2;
      return { value: z, baseline: 0, z };
    }),
  );
}

/** Every day's verdict, asked in order. */
function isolationForestLayer(domain: "operational" | "financial", cols: PointScore[][], days: number, options: IsolationForestOptions) {
  const forest = new DomainForest(domain, cols, days, options);
  const verdicts = Array.from({ length: days }, (_, i) => forest.at(i));
  return { score: verdicts.map((v) => v?.score ?? null), threshold: verdicts.map((v) => v?.threshold ?? null), flagged: verdicts.map((v) => v?.flagged ?? false) };
}

describe("DomainForest (Layer 2)", () => {
  const options = { ...DEFAULT_ISOLATION_FOREST, retrainEveryDays: 7 };

  it("flags a day whose metrics all deviate together, and not the ordinary days around it", () => {
    const result = isolationForestLayer("operational", columns(120, 100), 120, options);
    expect(result.flagged[100]).toBe(true);
    expect(result.score[100]!).toBeGreaterThan(result.threshold[100]!);
    // About the contamination share of ordinary days is flagged, no more.
    const ordinary = result.flagged.slice(28, 120).filter((f, k) => f && k + 28 !== 100).length;
    expect(ordinary / 91).toBeLessThan(0.12);
  });

  it("starts once it has 28 training days, and never lets a model see the day it scores", () => {
    const a = isolationForestLayer("operational", columns(120, null), 120, options);
    expect(a.score.slice(0, 28).every((s) => s === null)).toBe(true);
    expect(a.score[28]).not.toBeNull();
    // Changing day 110 (and after) changes nothing before the model retrained on day 112 scores it.
    const changed = columns(120, null);
    for (const col of changed) for (let i = 110; i < 120; i++) col[i] = { value: 50, baseline: 0, z: 50 };
    const b = isolationForestLayer("operational", changed, 120, options);
    expect(b.score.slice(0, 110)).toEqual(a.score.slice(0, 110));
  });

  it("trains only the blocks it is asked about, and answers the same in any order", () => {
    const forest = new DomainForest("customer", columns(120, 100), 120, options);
    const late = forest.at(100);
    expect(forest.modelsTrained).toBe(1);
    const fresh = new DomainForest("customer", columns(120, 100), 120, options);
    for (let i = 0; i <= 100; i++) fresh.at(i);
    expect(fresh.at(100)).toEqual(late);
  });

  it("is deterministic for a seed", () => {
    const one = isolationForestLayer("financial", columns(60, 50), 60, options);
    const two = isolationForestLayer("financial", columns(60, 50), 60, options);
    expect(two.score).toEqual(one.score);
    const other = isolationForestLayer("financial", columns(60, 50), 60, { ...options, seed: "another" });
    expect(other.score).not.toEqual(one.score);
  });
});
