import { describe, expect, it } from "vitest";
import { seededRandom } from "../rng.ts";
import type { RollupRow } from "./okr/rollup.ts";
import { patternIncident, patternIncidentSchema } from "./pattern-incident.ts";
import { minePatterns, type PatternConflict } from "./patterns.ts";
import { poissonUpperTail } from "./poisson-upper-tail.ts";

describe("poissonUpperTail", () => {
  it("matches the closed form for small values", () => {
    // P(X ≥ 3 | λ = 1) = 1 − e^{−1}(1 + 1 + 1/2)
    expect(poissonUpperTail(3, 1)).toBeCloseTo(1 - 2.5 * Math.exp(-1), 15);
    expect(poissonUpperTail(0, 4)).toBe(1);
    expect(poissonUpperTail(2, 0)).toBe(0);
  });

  it("matches a lower-tail sum computed independently in log space, also for large λ", () => {
    const lowerTail = (k: number, lambda: number) => {
      let logTerm = -lambda; // log p(0)
      let sum = 0;
      for (let i = 0; i < k; i++) {
        sum += Math.exp(logTerm);
        logTerm += Math.log(lambda) - Math.log(i + 1);
      }
      return sum;
    };
    for (const [k, lambda] of [[10, 2], [1000, 1000], [30, 12.5]] as const) {
      expect(poissonUpperTail(k, lambda)).toBeCloseTo(1 - lowerTail(k, lambda), 10);
    }
    // And a tail too small for 1 − CDF: P(X ≥ 60 | λ = 5) ≈ e^{−5}·5^60/60! · (1 + 5/61 + …)
    const first = Math.exp(-5 + 60 * Math.log(5) - [...Array(60).keys()].reduce((s, i) => s + Math.log(i + 1), 0));
    expect(poissonUpperTail(60, 5) / first).toBeCloseTo(1 / (1 - 5 / 61), 2);
  });

  it("refuses bad arguments", () => {
    expect(() => poissonUpperTail(1.5, 1)).toThrow("poissonUpperTail: k must be a non-negative integer, got 1.5");
    expect(() => poissonUpperTail(1, Number.NaN)).toThrow(/poissonUpperTail: lambda must be finite/);
  });
});

function conflict(i: number, day: number, hour: number, store: string, patch: Partial<PatternConflict> = {}): PatternConflict {
  const ts = `2025-03-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:15:00.000Z`;
  return {
    conflict_id: `c-${i}`,
    type: "price_mismatch",
    teams: ["inventory", "magic-apron"],
    category: null,
    store_id: store,
    first_seen: ts,
    status: "open",
    occurrences: 3,
    first_event_id: `e-${i}`,
    ...patch,
  };
}

function exposureRow(day: string, dimension: RollupRow["dimension"], value: string, decisions: number): RollupRow {
  return { day, dimension, value, decision_events: decisions, conflicting_events: 0, unverified_events: 0, ground_truth_events: 0, rejected_events: 0 };
}

describe("minePatterns", () => {
  it("finds a store that holds 5× its share of conflicts (hand-computed expectation and p-value)", () => {
    // Store B shows 10 % of decisions but has 10 of the 20 conflicts, on 5 days; hours all differ.
    const conflicts = Array.from({ length: 20 }, (_, i) => conflict(i, 3 + (i % 5), i, i % 2 === 0 ? "store-A" : "store-B"));
    const exposure = [exposureRow("2025-03-03", "store", "store-A", 900), exposureRow("2025-03-03", "store", "store-B", 100)];
    const patterns = minePatterns(conflicts, exposure, "2025-03-09T00:00:00Z");

    // With a single team pair, naming it refines nothing (same lift): the plain store pattern stays.
    expect(patterns.map((p) => p.dimensions)).toEqual([{ store_id: "store-B" }, { team_pair: "inventory vs magic-apron" }]);
    const [storeB] = patterns;
    // expected = 20 conflicts × 100 / 1000 = 2; lift = 10 / 2 = 5; p = P(X ≥ 10 | λ = 2) = 1 − e^{−2} Σ_{i<10} 2^i / i!
    let lower = 0;
    for (let i = 0, term = 1; i < 10; i++, term *= 2 / i) lower += term;
    expect(storeB).toMatchObject({ conflicts: 10, occurrences: 30, days: 5, expected: 2, lift: 5, baseline: "exposure", by_type: { price_mismatch: 10 } });
    expect(storeB!.p_value).toBeCloseTo(1 - Math.exp(-2) * lower, 12);
    expect(storeB!.conflict_ids).toHaveLength(10);
  });

  it("finds a planted store × hour × category pattern in seeded noise, and nothing in the noise alone", () => {
    const rand = seededRandom(7);
    const stores = Array.from({ length: 10 }, (_, i) => `store-${i}`);
    const categories = ["paint", "tools", "garden", "lighting"];
    const pairs = [["inventory", "magic-apron"], ["inventory", "search"], ["magic-apron", "search"]];
    const noise = Array.from({ length: 300 }, (_, i) =>
      conflict(i, 1 + Math.floor(rand() * 14), Math.floor(rand() * 24), stores[Math.floor(rand() * 10)]!, {
        category: categories[Math.floor(rand() * 4)]!,
        teams: pairs[Math.floor(rand() * 3)]!,
      }),
    );
    const planted = Array.from({ length: 12 }, (_, i) => conflict(1000 + i, 2 + (i % 6), 2, "store-7", { category: "paint", teams: ["inventory", "magic-apron"] }));
    const asOf = "2025-03-14T23:00:00Z";

    const withPattern = minePatterns([...noise, ...planted], [], asOf);
    expect(withPattern[0]!.dimensions).toEqual({ team_pair: "inventory vs magic-apron", category: "paint", store_id: "store-7", hour_of_day: "02" });
    expect(withPattern[0]!.baseline).toBe("uniform");
    expect(withPattern[0]!.days).toBe(6);
    // The partial views of the same pattern (paint at 02:00, store-7 in paint, …) are explained by it.
    expect(withPattern.slice(1).map((p) => Object.keys(p.dimensions))).toEqual([["team_pair"], ["team_pair"], ["team_pair"]]);

    const noiseOnly = minePatterns(noise, [], asOf);
    expect(noiseOnly.filter((p) => p.dimensions.store_id || p.dimensions.hour_of_day || p.dimensions.category)).toEqual([]);
  });

  it("reports a store × hour pattern once, not once per category it happens to span", () => {
    const rand = seededRandom(11);
    const categories = ["paint", "tools", "garden", "lighting"];
    const noise = Array.from({ length: 200 }, (_, i) =>
      conflict(i, 1 + Math.floor(rand() * 14), Math.floor(rand() * 24), `store-${Math.floor(rand() * 10)}`, { category: categories[Math.floor(rand() * 4)]! }),
    );
    const planted = Array.from({ length: 24 }, (_, i) => conflict(1000 + i, 2 + (i % 6), 13, "store-2", { category: categories[i % 4]! }));
    const patterns = minePatterns([...noise, ...planted], [], "2025-03-14T23:00:00Z");
    const atStore2 = patterns.filter((p) => p.dimensions.store_id === "store-2");
    expect(atStore2.map((p) => p.dimensions)).toEqual([{ store_id: "store-2", hour_of_day: "13" }]);
  });

  it("needs recurrence: five conflicts on one day are not a pattern", () => {
    const burst = Array.from({ length: 5 }, (_, i) => conflict(i, 3, 10, "store-A"));
    expect(minePatterns(burst, [], "2025-03-05T00:00:00Z")).toEqual([]);
  });

  it("leaves out disputed conflicts and those outside the lookback", () => {
    const old = Array.from({ length: 6 }, (_, i) => conflict(i, 1 + i, 10, "store-A"));
    const disputed = Array.from({ length: 6 }, (_, i) => conflict(10 + i, 20 + (i % 3), 10, "store-A", { status: "disputed" }));
    expect(minePatterns([...old, ...disputed], [], "2025-03-25T00:00:00Z", { lookback_days: 14 })).toEqual([]);
  });
});

describe("patternIncident", () => {
  it("raises a pattern as an incident listable beside the engine's, with a stable id", () => {
    const conflicts = Array.from({ length: 20 }, (_, i) => conflict(i, 3 + (i % 5), i, i % 2 === 0 ? "store-A" : "store-B"));
    const exposure = [exposureRow("2025-03-03", "store", "store-A", 900), exposureRow("2025-03-03", "store", "store-B", 100)];
    const [pattern] = minePatterns(conflicts, exposure, "2025-03-09T00:00:00Z");
    const incident = patternIncident(pattern!, "2025-03-09T00:00:00Z", 14);
    expect(patternIncidentSchema.parse(incident)).toEqual(incident);
    expect(incident).toMatchObject({
      source: "visibility",
      incident_type: "DECISION_CONFLICT_PATTERN",
      title: "10 conflicts on 5 days at store-B (5.0× expected)",
      // 10 conflicts / 14 days = 0.7 a day: LOW; p = 4.6e-5 ≤ 1e-4: HIGH
      severity: "LOW",
      confidence: "HIGH",
      detected_at: "2025-03-09",
      incident_window_start: "2025-03-03",
      incident_window_end: "2025-03-07",
      primary_metric: "decision_conflicts",
      primary_metric_value: 10,
      primary_metric_baseline: 2,
      // (10 − 2) / √2
      primary_metric_zscore: 5.66,
      detection_methods: ["pattern_mining"],
      status: "open",
    });
    // The next day the same pattern is the same incident.
    const [again] = minePatterns(conflicts, exposure, "2025-03-10T00:00:00Z");
    expect(patternIncident(again!, "2025-03-10T00:00:00Z", 14).incident_id).toBe(incident.incident_id);
  });
});
