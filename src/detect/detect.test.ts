import { describe, expect, it } from "vitest";
import type { MetricName } from "../metrics/gold.ts";
import { DailyAggregates } from "../metrics/series.ts";
import { addDays } from "../time.ts";
import type { ChangeSignal } from "./changepoints.ts";
import { concentrationZ, confidenceOf, countZ, DEFAULT_DETECTION_CONFIG, paidLater, unitCosts, detectIncidents, type LayerSignals, type ScoreTable } from "./detect.ts";
import { poissonLogUpperTail, poissonZ, zFromUpperTail } from "./exact-tail.ts";
import type { PointScore } from "./layer1.ts";
import { RULES_BY_TYPE } from "./rules.ts";

const DAYS = 60;
/** Real daily aggregates over `length` days from 2026-01-01, holding the given columns. */
function aggregatesOf(length: number, columns: Record<string, ArrayLike<number>>): DailyAggregates {
  const days = Array.from({ length }, (_, i) => addDays("2026-01-01", i));
  const daily: { day: string; key: string; value: number }[] = [];
  for (const [key, values] of Object.entries(columns)) for (let i = 0; i < length; i++) if (values[i]) daily.push({ day: days[i]!, key, value: values[i]! });
  return new DailyAggregates({ daily, customerRevenue: [] }, days[0]!, days[length - 1]!);
}
/** refund_rate z per day: 0 except the given days. */
function refundScores(zByDay: Record<number, number>): ScoreTable {
  const table: ScoreTable = new Map();
  const series: PointScore[] = Array.from({ length: DAYS }, (_, i) => ({ value: 0.02 + (zByDay[i] ?? 0) * 0.01, baseline: 0.02, z: zByDay[i] ?? 0 }));
  table.set("refund_rate", series);
  const flat = (value: number): PointScore[] => Array.from({ length: DAYS }, () => ({ value, baseline: value, z: 0 }));
  table.set("daily_refunds", flat(20));
  table.set("daily_revenue", flat(1000));
  return table;
}
function noLayers(): LayerSignals {
  return { isolation: new Map(), changes: new Map() };
}
function forest(flaggedDays: number[]): LayerSignals["isolation"] extends Map<unknown, infer F> ? F : never {
  return { modelsTrained: 1, at: (i: number) => ({ score: flaggedDays.includes(i) ? 0.7 : 0.4, threshold: 0.6, flagged: flaggedDays.includes(i) }) };
}
function change(firedDays: number[], direction: 1 | -1 = 1, agreed = true): ChangeSignal {
  return {
    fired: Array.from({ length: DAYS }, (_, i) => firedDays.includes(i)),
    direction: Array.from({ length: DAYS }, (_, i) => (firedDays.includes(i) ? direction : 0)),
    detail: Array.from({ length: DAYS }, (_, i) => (firedDays.includes(i) ? { method: "bocpd" as const, changeIndex: i - 1, before: 0.02, after: 0.06 } : null)),
    probability: new Array(DAYS).fill(null),
    agreed: Array.from({ length: DAYS }, (_, i) => agreed && firedDays.includes(i)),
  };
}

describe("fusion of the layers", () => {
  it.each([
    [true, false, false, "MEDIUM"],
    [true, true, false, "HIGH"],
    [true, false, true, "HIGH"],
    [true, true, true, "VERY_HIGH"],
    [false, true, false, "LOW"],
    [false, false, true, "LOW"],
  ] as const)("L1 %s, L2 %s, L3 %s → %s", (mad, forestAgrees, changeAgrees, expected) => {
    expect(confidenceOf(mad, forestAgrees, changeAgrees)).toBe(expected);
  });
});

describe("detectIncidents", () => {
  it("merges consecutive firing days (one quiet day allowed) into one incident window", () => {
    // Day 40 (z 3.5) waits for confirmation; day 41 (z 5) confirms: the window starts on day 40,
    // the incident is detected on day 41; day 43 joins across one quiet day and is the peak.
    const incidents = detectIncidents(refundScores({ 40: 3.5, 41: 5, 43: 7 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers());
    expect(incidents.map((i) => [i.type, i.detectedIndex, i.startIndex, i.endIndex, i.peakIndex, i.severity, i.confidence])).toEqual([
      ["REFUND_SPIKE", 41, 40, 43, 43, "HIGH", "MEDIUM"],
    ]);
  });

  it("raises a lone moderate day only if the signal was already rising, and a strong day at once", () => {
    const lone = detectIncidents(refundScores({ 30: 4 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers());
    expect(lone).toEqual([]);
    const rising = detectIncidents(refundScores({ 29: 2.2, 30: 4 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers());
    expect(rising.map((i) => [i.detectedIndex, i.startIndex])).toEqual([[30, 30]]);
    const strong = detectIncidents(refundScores({ 30: 5.5 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers());
    expect(strong.map((i) => [i.detectedIndex, i.severity])).toEqual([[30, "MEDIUM"]]);
    // confirmBelowZ 0 raises on every firing day, as the spec's plain rule does.
    const plain = detectIncidents(refundScores({ 30: 4 }), DAYS, { ...DEFAULT_DETECTION_CONFIG, confirmBelowZ: 0 }, noLayers());
    expect(plain.map((i) => i.detectedIndex)).toEqual([30]);
  });

  it("uses the per-type threshold override", () => {
    const config = { ...DEFAULT_DETECTION_CONFIG, confirmBelowZ: 0, zThresholds: { REFUND_SPIKE: 4 } };
    expect(detectIncidents(refundScores({ 40: 3.5 }), DAYS, config).length).toBe(0);
    expect(detectIncidents(refundScores({ 40: 3.5 }), DAYS, { ...config, zThresholds: {} }).length).toBe(1);
  });

  it("raises confidence when the domain's forest and the trigger's change point agree near the window", () => {
    const layers: LayerSignals = { isolation: new Map([["financial", forest([42])]]), changes: new Map([["refund_rate" as MetricName, change([43])]]) };
    const [incident] = detectIncidents(refundScores({ 40: 5, 41: 5 }), DAYS, DEFAULT_DETECTION_CONFIG, layers);
    expect(incident!.confidence).toBe("VERY_HIGH");
    expect(incident!.methods).toEqual(["mad_zscore", "isolation_forest", "changepoint"]);
    expect(incident!.layers.changepoint).toMatchObject({ metric: "refund_rate", dayIndex: 43, changeIndex: 42 });
    // A change point in the wrong direction does not count.
    const wrongWay: LayerSignals = { isolation: new Map(), changes: new Map([["refund_rate" as MetricName, change([41], -1)]]) };
    expect(detectIncidents(refundScores({ 40: 5, 41: 5 }), DAYS, DEFAULT_DETECTION_CONFIG, wrongWay)[0]!.confidence).toBe("MEDIUM");
  });

  it("reports a confirmed regime change without a Layer 1 incident as LOW confidence, for review", () => {
    const layers: LayerSignals = { isolation: new Map([["financial", forest([30])]]), changes: new Map([["refund_rate" as MetricName, change([30, 31])]]) };
    const incidents = detectIncidents(refundScores({}), DAYS, DEFAULT_DETECTION_CONFIG, layers);
    expect(incidents.map((i) => [i.detectedIndex, i.confidence, i.severity, i.needsReview, i.methods])).toEqual([[30, "LOW", "LOW", true, ["isolation_forest", "changepoint"]]]);
    // Unconfirmed (one method only) → nothing; switched off → nothing.
    const unconfirmed: LayerSignals = { isolation: new Map(), changes: new Map([["refund_rate" as MetricName, change([30], 1, false)]]) };
    expect(detectIncidents(refundScores({}), DAYS, DEFAULT_DETECTION_CONFIG, unconfirmed)).toEqual([]);
    expect(detectIncidents(refundScores({}), DAYS, { ...DEFAULT_DETECTION_CONFIG, emitLowConfidence: false }, layers)).toEqual([]);
  });
});

describe("fusion gate", () => {
  const layersWith = (forestDays: number[], changeDays: number[]): LayerSignals => ({
    isolation: new Map([["financial", forest(forestDays)]]),
    changes: new Map([["refund_rate" as MetricName, change(changeDays)]]),
  });
  const gate = { ...DEFAULT_DETECTION_CONFIG, fusionGate: { belowZ: 5, require: "all" as const } };

  it("holds a moderate incident back as a review flag when the other layers do not all agree", () => {
    // z 4 on days 40–41: moderate. Forest agrees, no change point → LOW, needs review.
    const [held] = detectIncidents(refundScores({ 40: 4, 41: 4 }), DAYS, gate, layersWith([41], []));
    expect([held!.confidence, held!.needsReview]).toEqual(["LOW", true]);
    // "any" is satisfied by the forest alone.
    const [raised] = detectIncidents(refundScores({ 40: 4, 41: 4 }), DAYS, { ...gate, fusionGate: { belowZ: 5, require: "any" } }, layersWith([41], []));
    expect([raised!.confidence, raised!.needsReview, raised!.detectedIndex]).toEqual(["HIGH", false, 41]);
    // Without a gate the same incident is raised, as the spec's fusion does.
    expect(detectIncidents(refundScores({ 40: 4, 41: 4 }), DAYS, { ...gate, fusionGate: null }, layersWith([41], []))[0]!.confidence).toBe("HIGH");
  });

  it("raises a moderate incident on the day the last layer agrees, never before", () => {
    // Layer 1 would raise on day 41; the change point comes on day 43 (online): raised on 43.
    const [late] = detectIncidents(refundScores({ 40: 4, 41: 4, 42: 4, 43: 4 }), DAYS, gate, layersWith([40], [43]));
    expect([late!.detectedIndex, late!.startIndex, late!.confidence, late!.needsReview]).toEqual([43, 40, "VERY_HIGH", false]);
    // Agreement already there (day 39 is inside the corroboration slack): raised on day 41.
    const [early] = detectIncidents(refundScores({ 40: 4, 41: 4 }), DAYS, gate, layersWith([39], [41]));
    expect(early!.detectedIndex).toBe(41);
  });

  it("never holds back a strong incident, nor one no other layer can judge", () => {
    const [strong] = detectIncidents(refundScores({ 40: 6 }), DAYS, gate, layersWith([], []));
    expect([strong!.confidence, strong!.needsReview, strong!.detectedIndex]).toEqual(["MEDIUM", false, 40]);
    const [alone] = detectIncidents(refundScores({ 40: 4, 41: 4 }), DAYS, gate, noLayers());
    expect([alone!.confidence, alone!.needsReview]).toEqual(["MEDIUM", false]);
  });
});

describe("count check (refunds)", () => {
  /** Aggregates with `n:refund_issued` per day. */
  const aggregates = (counts: number[]) => aggregatesOf(counts.length, { "n:refund_issued": counts });
  const check = { events: ["refund_issued" as const], windowDays: 7, baselineDays: 30, minZ: 2, unlessZ: 8 };

  it("scores the trailing week's count against the weeks before it (Poisson)", () => {
    const counts = new Array(DAYS).fill(1);
    for (let i = 40; i < 47; i++) counts[i] = 3; // 21 refunds in a week where 7 are usual
    const z = countZ(check, aggregates(counts));
    expect(z[35]).toBeNull(); // 7 + 30 days needed
    expect(z[39]).toBeCloseTo(poissonZ(7, 7), 9);
    expect(z[46]).toBeCloseTo(poissonZ(21, 7), 9);
    expect(z[46]!).toBeGreaterThan(3);
  });

  it("lets a refund-rate day fire only when the refund count moves too, unless the rate is extreme", () => {
    const flat = aggregates(new Array(DAYS).fill(1));
    const context = { days: Array.from({ length: DAYS }, (_, i) => `2026-01-${String(i + 1).padStart(2, "0")}`), aggregates: flat as never };
    // One large refund: rate z 4–6 on two days, the count as usual → a review flag only.
    const held = detectIncidents(refundScores({ 45: 4, 46: 6 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context);
    expect(held.map((i) => [i.confidence, i.needsReview])).toEqual([["LOW", true]]);
    // The same rate without the aggregates (no count known) fires as before.
    expect(detectIncidents(refundScores({ 45: 4, 46: 6 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers()).length).toBe(1);
    // A rate beyond unlessZ needs no count.
    expect(detectIncidents(refundScores({ 46: 9 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context).map((i) => i.detectedIndex)).toEqual([46]);
    // A cluster of refunds (count z > 3) with the rate up → raised.
    const counts = new Array(DAYS).fill(1);
    for (let i = 40; i < 47; i++) counts[i] = 3;
    const cluster = { ...context, aggregates: aggregates(counts) as never };
    expect(detectIncidents(refundScores({ 45: 4, 46: 6 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), cluster).map((i) => [i.detectedIndex, i.confidence])).toEqual([[46, "MEDIUM"]]);
    // The count moving only later: the window keeps its first day, raised when the count moves.
    const later = new Array(DAYS).fill(1);
    for (let i = 46; i < 50; i++) later[i] = 6; // 17 in the week to day 47 where 7 are usual: z 3.1
    const [late] = detectIncidents(refundScores({ 44: 4, 45: 4, 46: 4, 47: 4 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), { ...context, aggregates: aggregates(later) as never });
    expect([late!.startIndex, late!.detectedIndex, late!.confidence]).toEqual([44, 47, "MEDIUM"]);
  });
});

describe("count check (low reviews)", () => {
  it("counts the rule's columns when it names them: customer satisfaction reads the 1–2 star reviews", () => {
    const check = RULES_BY_TYPE.get("CUSTOMER_SATISFACTION_REGRESSION")!.countCheck!;
    expect(check.columns).toEqual(["n:review_low"]);
    const low = new Array(DAYS).fill(1);
    for (let i = 40; i < 47; i++) low[i] = 4; // 28 low reviews in a week where 7 are usual
    const aggregates = aggregatesOf(DAYS, { "n:review_low": low, "n:review_submitted": new Array(DAYS).fill(50) });
    const z = countZ(check, aggregates);
    // All reviews (50 a day, unchanged) are not what it counts.
    expect(z[46]).toBeCloseTo(poissonZ(28, 7), 9);
    expect(z[39]).toBeCloseTo(poissonZ(7, 7), 9);
  });

  it("lets the average's extreme z past the count, and not the slope's", () => {
    // Low reviews flat (1 a day); from d50 the average reads z −3 and its 14-day slope z −11.
    const aggregates = aggregatesOf(DAYS, { "n:review_low": new Array(DAYS).fill(1), "n:review_submitted": new Array(DAYS).fill(10) });
    const scores = (avgZ: number): ScoreTable =>
      new Map([
        ["review_score_avg", Array.from({ length: DAYS }, (_, i) => ({ value: i >= 50 ? 4.3 + avgZ * 0.1 : 4.3, baseline: 4.3, z: i >= 50 ? avgZ : 0 }))],
        ["review_score_trend", Array.from({ length: DAYS }, (_, i) => ({ value: i >= 50 ? -0.05 : 0.01, baseline: 0.01, z: i >= 50 ? -11 : 0 }))],
      ]);
    const satisfaction = (avgZ: number) =>
      detectIncidents(scores(avgZ), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), { days: Array.from({ length: DAYS }, (_, i) => `d${i}`), aggregates })
        .filter((i) => i.type === "CUSTOMER_SATISFACTION_REGRESSION")
        .map((i) => [i.detectedIndex, i.needsReview]);
    expect(satisfaction(-3)).toEqual([[50, true]]);
    expect(satisfaction(-9)).toEqual([[50, false]]);
  });

  it("does not hold a rule back where the counted column is empty (a ledger folded before it existed)", () => {
    const check = RULES_BY_TYPE.get("CUSTOMER_SATISFACTION_REGRESSION")!.countCheck!;
    const empty = aggregatesOf(DAYS, {});
    expect(countZ(check, empty).every((z) => z === null)).toBe(true);
  });
});

describe("per-product clusters (concentration)", () => {
  const rule = RULES_BY_TYPE.get("REFUND_SPIKE")!;
  const c = rule.concentration!;
  /** Aggregates with per-product refund columns and a flat business-wide refund count (1 a day). */
  function products(columns: Record<string, number[]>) {
    const all: Record<string, number[]> = { "n:refund_issued": new Array(DAYS).fill(1) };
    for (const [product, counts] of Object.entries(columns)) all[`${c.prefix}${product}`] = counts;
    return aggregatesOf(DAYS, all);
  }
  const every = (step: number) => Array.from({ length: DAYS }, (_, i) => (i % step === 0 ? 1 : 0));
  /** P-A: no refund before day 40, then one a day on days 40–45; P-B one every 5 days; P-C one on day 2. */
  function defect(): Record<string, number[]> {
    const a = new Array(DAYS).fill(0);
    for (let i = 40; i <= 45; i++) a[i] = 1;
    const cOnce = new Array(DAYS).fill(0);
    cOnce[2] = 1;
    return { "P-A": a, "P-B": every(5), "P-C": cOnce };
  }

  it("scores the most improbable product of the week against its own baseline, corrected for the products known", () => {
    const { z, key } = concentrationZ(c, products(defect()));
    expect(z[35]).toBeNull(); // 7 + 30 days needed
    expect(z[41]).toBe(0); // two refunds are never a cluster
    // Day 45: 6 refunds of P-A in the week, none in the 30 days before → λ = (0 + 1) / 30 · 7;
    // three products known by then and two windows tried (Bonferroni).
    const q = poissonLogUpperTail(6, 7 / 30);
    expect(key[45]).toBe(`${c.prefix}P-A`);
    expect(z[45]).toBeCloseTo(zFromUpperTail(q + Math.log(3 * 2)), 9);
    expect(z[45]!).toBeGreaterThan(c.minZ);
    // A slower cluster stands out over two weeks: P-L refunded every other day from day 44, 7 in
    // the 14 days to day 57 (λ = 14 / 30) against 4 in its last 7 days (λ = 7 / 30).
    const slow = new Array(DAYS).fill(0);
    for (let i = 44; i <= 56; i += 2) slow[i] = 1;
    const twoWeeks = concentrationZ(c, products({ "P-L": slow }));
    expect(poissonLogUpperTail(7, 14 / 30)).toBeLessThan(poissonLogUpperTail(4, 7 / 30));
    expect(twoWeeks.window[57]).toBe(14);
    expect(twoWeeks.z[57]).toBeCloseTo(zFromUpperTail(poissonLogUpperTail(7, 14 / 30) + Math.log(1 * 2)), 9);
    // A product refunded at its usual pace never stands out.
    const steady = concentrationZ(c, products({ "P-B": every(2) }));
    expect(steady.z.slice(37).every((v) => v === 0)).toBe(true);
  });

  it("opens an incident below the rate's threshold on a product cluster, and not without one or with the rate at its baseline", () => {
    const context = (columns: Record<string, number[]>) => ({ days: Array.from({ length: DAYS }, (_, i) => `d${i}`), aggregates: products(columns) as never });
    const moderate = refundScores({ 43: 2.5, 44: 2.5, 45: 2.5 });
    // The same rate with the refunds spread over products: below threshold, nothing.
    expect(detectIncidents(moderate, DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context({ "P-B": every(2) }))).toEqual([]);
    const [raised] = detectIncidents(moderate, DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context(defect()));
    const first = concentrationZ(c, products(defect())).z.findIndex((v) => v !== null && v >= c.minZ);
    expect(first).toBeGreaterThanOrEqual(43);
    expect([raised!.type, raised!.detectedIndex, raised!.confidence, raised!.needsReview, raised!.methods]).toEqual(["REFUND_SPIKE", first, "MEDIUM", false, ["mad_zscore"]]);
    const cluster = concentrationZ(c, products(defect()));
    // The window reaches back over the cluster's days (its evidence); RCA keeps the rate's own start.
    expect([raised!.startIndex, raised!.anomalyStartIndex]).toEqual([first - cluster.window[first]! + 1, first]);
    expect(raised!.notes).toEqual([
      `One product stood out: P-A had ${cluster.count[first]} refunds and credit memos in the 7 days to d${first} where 0.2 were expected ` +
        `(z ${cluster.z[first]!.toFixed(1)} after allowing for 3 products and two windows), while refund_rate was at z 2.5, short of its threshold of 3.`,
    ]);
    // The rate barely above its usual level is enough for a cluster (one product among dozens
    // moves a business-wide rate little); the rate at its baseline is not.
    const [slight] = detectIncidents(refundScores({ 43: 0.5, 44: 0.5, 45: 0.5 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context(defect()));
    expect(slight!.detectedIndex).toBe(first);
    expect(detectIncidents(refundScores({}), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context(defect()))).toEqual([]);
  });

  it("passes the count check when the business-wide count is flat but one product's is not", () => {
    const context = { days: Array.from({ length: DAYS }, (_, i) => `d${i}`), aggregates: products(defect()) as never };
    const [incident] = detectIncidents(refundScores({ 44: 4, 45: 4 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context);
    expect([incident!.detectedIndex, incident!.needsReview]).toEqual([45, false]);
    const spread = { ...context, aggregates: products({ "P-B": every(2) }) as never };
    const [held] = detectIncidents(refundScores({ 44: 4, 45: 4 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), spread);
    expect([held!.confidence, held!.needsReview]).toEqual(["LOW", true]);
  });
});

describe("count check per entity (supplier delays)", () => {
  const rule = RULES_BY_TYPE.get("SUPPLIER_DEPENDENCY_FAILURE")!;
  const check = rule.countCheck!;
  /** supplier_delay_rate and supplier_delay_severity z per day (0 elsewhere). */
  function supplierScores(rate: Record<number, number>, severity: Record<number, number> = {}): ScoreTable {
    const table = refundScores({});
    const series = (z: Record<number, number>, base: number): PointScore[] => Array.from({ length: DAYS }, (_, i) => ({ value: base * (1 + (z[i] ?? 0) / 10), baseline: base, z: z[i] ?? 0 }));
    table.set("supplier_delay_rate", series(rate, 0.1));
    table.set("supplier_delay_severity", series(severity, 2));
    return table;
  }
  function vendors(columns: Record<string, number[]>) {
    const all = Object.fromEntries(Object.entries(columns).map(([vendor, counts]) => [`${check.byEntity}${vendor}`, counts]));
    return aggregatesOf(DAYS, all);
  }
  const weekly = (offset: number) => Array.from({ length: DAYS }, (_, i) => (i % 7 === offset ? 1 : 0));
  const context = (columns: Record<string, number[]>) => ({ days: Array.from({ length: DAYS }, (_, i) => `d${i}`), aggregates: vendors(columns) as never });
  const supplier = (incidents: ReturnType<typeof detectIncidents>) => incidents.filter((i) => i.type === "SUPPLIER_DEPENDENCY_FAILURE").map((i) => [i.detectedIndex, i.needsReview]);

  it("raises a delay-rate rise only when one supplier's delays cluster", () => {
    const rate = supplierScores({ 44: 4, 45: 4 });
    // Every supplier one day late at once (a holiday): one more delay each, no cluster → review flag.
    const spread: Record<string, number[]> = {};
    for (const v of ["V-1", "V-2", "V-3", "V-4"]) spread[v] = weekly(Number(v.slice(2)));
    for (const v of ["V-1", "V-2", "V-3", "V-4"]) spread[v]![44] = 1;
    expect(countZ(check, vendors(spread))[44]).toBe(0);
    expect(supplier(detectIncidents(rate, DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context(spread)))).toEqual([[45, true]]);
    // One supplier late on six shipments in a week, after one a week before → raised.
    const one = { ...spread, "V-1": weekly(1).map((v, i) => (i >= 40 && i <= 45 ? 1 : v)) };
    expect(countZ(check, vendors(one))[45]!).toBeGreaterThanOrEqual(check.minZ);
    expect(supplier(detectIncidents(rate, DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context(one)))).toEqual([[45, false]]);
  });

  it("opens on one supplier's cluster with the delay rate only just above its usual level, and names the supplier", () => {
    const slight = supplierScores({ 43: 0.5, 44: 0.5, 45: 0.5 });
    const quiet: Record<string, number[]> = {};
    for (const v of ["V-1", "V-2", "V-3", "V-4"]) quiet[v] = weekly(Number(v.slice(2)));
    // Four suppliers at their weekly pace: nothing.
    expect(supplier(detectIncidents(slight, DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context(quiet)))).toEqual([]);
    // V-1, never late before, late on six shipments on days 40–45: its own cluster opens the incident.
    const one = { ...quiet, "V-1": Array.from({ length: DAYS }, (_, i) => (i >= 40 && i <= 45 ? 1 : 0)) };
    const [opened] = detectIncidents(slight, DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context(one)).filter((i) => i.type === "SUPPLIER_DEPENDENCY_FAILURE");
    expect(opened!.needsReview).toBe(false);
    expect(opened!.notes![0]).toMatch(/^One supplier stood out: V-1 had \d+ delayed shipments in the (7|14) days to d\d+ where [\d.]+ were expected \(z [\d.]+ after allowing for 4 suppliers and two windows\)/);
  });

  it("does not hold back a shipment that is very late (severity), nor a ledger without per-supplier counts", () => {
    const severe = supplierScores({}, { 44: 4, 45: 4 });
    expect(supplier(detectIncidents(severe, DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context({ "V-1": weekly(1) })))).toEqual([[45, false]]);
    expect(countZ(check, vendors({})).every((z) => z === null)).toBe(true);
    expect(supplier(detectIncidents(supplierScores({ 44: 4, 45: 4 }), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), context({})))).toEqual([[45, false]]);
  });
});

describe("unit-cost check (margin compression)", () => {
  const N = 150;
  const check = RULES_BY_TYPE.get("MARGIN_COMPRESSION")!.unitCosts!;
  /** Item I-1: `units(i)` bought at `price(i)` a day; other expenses `other(i)` a day; `revenue` a day. */
  function books(units: (i: number) => number, price: (i: number) => number, other: (i: number) => number, revenue = 10_000) {
    const cols: Record<string, number[]> = { "u:qty:I-1": [], "u:cost:I-1": [], "sum:item_expenses": [], "sum:expenses": [], "sum:revenue": [] };
    for (let i = 0; i < N; i++) {
      cols["u:qty:I-1"]!.push(units(i));
      cols["u:cost:I-1"]!.push(units(i) * price(i));
      cols["sum:item_expenses"]!.push(units(i) * price(i));
      cols["sum:expenses"]!.push(units(i) * price(i) + other(i));
      cols["sum:revenue"]!.push(revenue);
    }
    return aggregatesOf(N, cols);
  }
  const from120 = (before: number, after: number) => (i: number) => (i >= 120 ? after : before);
  const days = Array.from({ length: N }, (_, i) => `d${i}`);
  /** The MARGIN_COMPRESSION incidents of `aggregates` when margin_proxy reads `value` at `z` from day `from` on (0.3 at z 0 before). */
  function marginIncidents(aggregates: DailyAggregates, from: number, value: number, z: number) {
    const table = refundScores({});
    table.set("margin_proxy", Array.from({ length: N }, (_, i) => (i >= from ? { value, baseline: 0.3, z } : { value: 0.3, baseline: 0.3, z: 0 })));
    return detectIncidents(table, N, DEFAULT_DETECTION_CONFIG, noLayers(), { days, aggregates }).filter((i) => i.type === "MARGIN_COMPRESSION");
  }

  it("finds expense rises that are more units at unchanged unit costs, and only those", () => {
    // Twice the units at the same price: 3,000 more item expenses, all volume.
    expect(unitCosts(check, books(from120(10, 20), () => 10, () => 50)).volumeOnly[149]).toBe(true);
    // The same units 30 % dearer.
    expect(unitCosts(check, books(() => 10, from120(10, 13), () => 50)).volumeOnly[149]).toBe(false);
    // Twice the units 3 % dearer: within minRise, still volume.
    expect(unitCosts(check, books(from120(10, 20), from120(10, 10.3), () => 50)).volumeOnly[149]).toBe(true);
    // Rent up, inventory flat: the rise is not in the item lines.
    expect(unitCosts(check, books(() => 10, () => 10, from120(50, 150))).volumeOnly[149]).toBe(false);
    // Expenses flat (a revenue fall compresses the margin): nothing to explain.
    expect(unitCosts(check, books(() => 10, () => 10, () => 50)).volumeOnly[149]).toBe(false);
    // Bills without item lines: nothing known.
    const plain = aggregatesOf(N, { "sum:expenses": new Array(N).fill(100) });
    expect(unitCosts(check, plain).volumeOnly.some(Boolean)).toBe(false);
  });

  it("holds back a margin fall made of more stock at unchanged costs, and raises one made of dearer stock", () => {
    const margin = (aggregates: DailyAggregates) => marginIncidents(aggregates, 147, 0.2, -4).map((i) => [i.detectedIndex, i.needsReview]);
    expect(margin(books(from120(10, 20), () => 10, () => 50))).toEqual([[148, true]]);
    expect(margin(books(() => 10, from120(10, 13), () => 50))).toEqual([[148, false]]);
  });

  it("raises a margin incident from the second day of a week of units 10 % dearer, when the extra is worth a margin point", () => {
    const margin = (aggregates: DailyAggregates) => marginIncidents(aggregates, 140, 0.2, -4);
    // 30 % dearer from d120: the week to d122 is 13 % dearer (3 days of 7) and 90 more against
    // 7,000 of revenue (over 1 %), so the margin incident found from d140 is raised on d123, the
    // second such day; its window starts with the dearer bills, its metric's anomaly on d140.
    const [early] = margin(books(() => 10, from120(10, 13), () => 50, 1_000));
    expect([early!.detectedIndex, early!.startIndex, early!.anomalyStartIndex, early!.needsReview, early!.primary.metric]).toEqual([123, 122, 140, false, "margin_proxy"]);
    expect(early!.notes).toEqual([
      "Bills' items cost 17 % more per unit in the 7 days to d123 than over the 90 days before ($120 more for the same units; dearest: I-1 +17 %), a second day in a row, while margin_proxy was at z 0.0: the margin falls as this stock is sold.",
    ]);
    // The same rise against 10,000 of revenue a day (0.3 %): raised when the margin says so.
    expect(margin(books(() => 10, from120(10, 13), () => 50)).map((i) => i.detectedIndex)).toEqual([141]);
    // 8 % dearer: not a week of much dearer units.
    expect(margin(books(() => 10, from120(10, 10.8), () => 50, 1_000)).map((i) => i.detectedIndex)).toEqual([141]);
  });

  it("opens a margin incident on a week of units 10 % dearer that no margin incident runs into", () => {
    // The margin never moves (0.3 at z 0 throughout).
    const margin = (aggregates: DailyAggregates) => marginIncidents(aggregates, N, 0.3, 0).filter((i) => !i.needsReview);
    // The margin has not moved (z 0) when the dearer bills arrive: opened on d123 on their evidence.
    const [opened] = margin(books(() => 10, from120(10, 13), () => 50, 1_000));
    expect([opened!.startIndex, opened!.detectedIndex, opened!.primary.metric]).toEqual([122, 123, "margin_proxy"]);
    expect(opened!.notes![0]).toMatch(/^Bills' items cost 17 % more per unit in the 7 days to d123 .* the margin falls as this stock is sold\.$/);
    // Dearer by 0.3 % of revenue, or by 8 %: nothing.
    expect(margin(books(() => 10, from120(10, 13), () => 50))).toEqual([]);
    expect(margin(books(() => 10, from120(10, 10.8), () => 50, 1_000))).toEqual([]);
  });

  it("opens a margin incident short of the threshold when the same units cost 10 % more or above", () => {
    const margin = (aggregates: DailyAggregates) => marginIncidents(aggregates, 147, 0.25, -2.5);
    const [dearer] = margin(books(() => 10, from120(10, 13), () => 50));
    expect([dearer!.startIndex, dearer!.detectedIndex, dearer!.needsReview]).toEqual([147, 147, false]);
    // Window d118–d147: 2 days at 10 and 28 at 13 → 3,840 paid for 300 units worth 3,000: 28 % dearer.
    expect(dearer!.notes).toEqual([
      "Bills' items cost 28 % more per unit in the 30 days to d147 than over the 90 days before, while margin_proxy was at z -2.5, short of its threshold of −3.",
    ]);
    // 3 % dearer, or more units at the same price: nothing below the threshold.
    expect(margin(books(() => 10, from120(10, 10.3), () => 50))).toEqual([]);
    expect(margin(books(from120(10, 20), () => 10, () => 50))).toEqual([]);
  });
});

describe("sales basis (margin compression when customers pay later)", () => {
  const N = 120;
  const check = RULES_BY_TYPE.get("MARGIN_COMPRESSION")!.salesBasis!;
  const from90 = (before: number, after: number) => (i: number) => (i >= 90 ? after : before);
  /** 100 invoiced a day; `paid(i)` of revenue and `costs(i)` of expenses a day. */
  function books(paid: (i: number) => number, costs: (i: number) => number, withSales = true) {
    const column = (f: (i: number) => number) => Array.from({ length: N }, (_, i) => f(i));
    return aggregatesOf(N, { "sum:revenue": column(paid), "sum:expenses": column(costs), ...(withSales ? { "sum:sales": column(() => 100) } : {}) });
  }

  it("holds back the days on which customers paying later explain the margin's fall, and only those", () => {
    // From d90 customers pay 80 of the 100 invoiced: at d119 the margin on revenue is 1 − 70/80 =
    // 0.125, below its median of the 30 days before; on sales it stays 0.30: nothing of the fall left.
    expect(paidLater(check, books(from90(100, 80), () => 70))[119]).toBe(true);
    // Costs rise from 70 to 85 a day, paid as invoiced: both margins fall alike.
    expect(paidLater(check, books(() => 100, from90(70, 85)))[119]).toBe(false);
    // Both at once: 1 − 85/80 on revenue (a fall of 0.36) against 1 − 85/100 on sales (0.15, 42 % of it).
    expect(paidLater(check, books(from90(100, 80), from90(70, 85)))[119]).toBe(false);
    // A ledger without issued invoices: nothing known, nothing held.
    expect(paidLater(check, books(from90(100, 80), () => 70, false)).some(Boolean)).toBe(false);
    // Sales kept only from d60 (a ledger folded before): their first windows are partial, and
    // nothing is held before a window and its baseline of them (d119).
    const late = books(from90(100, 80), () => 70, false);
    const partial = aggregatesOf(N, { "sum:revenue": late.column("sum:revenue"), "sum:expenses": late.column("sum:expenses"), "sum:sales": Array.from({ length: N }, (_, i) => (i >= 60 ? 100 : 0)) });
    expect(paidLater(check, partial).indexOf(true)).toBe(119);
  });

  it("leaves a margin incident of customers paying later for review, and raises one of costs rising", () => {
    const days = Array.from({ length: N }, (_, i) => `d${i}`);
    const scores = (): ScoreTable => {
      const table = refundScores({});
      table.set("margin_proxy", Array.from({ length: N }, (_, i) => ({ value: i >= 110 ? 0.15 : 0.3, baseline: 0.3, z: i >= 110 ? -4 : 0 })));
      return table;
    };
    const margin = (aggregates: DailyAggregates) =>
      detectIncidents(scores(), N, DEFAULT_DETECTION_CONFIG, noLayers(), { days, aggregates })
        .filter((i) => i.type === "MARGIN_COMPRESSION")
        .map((i) => [i.detectedIndex, i.needsReview]);
    expect(margin(books(from90(100, 80), () => 70))).toEqual([[111, true]]);
    const [held] = detectIncidents(scores(), N, DEFAULT_DETECTION_CONFIG, noLayers(), { days, aggregates: books(from90(100, 80), () => 70) }).filter((i) => i.type === "MARGIN_COMPRESSION");
    expect(held!.notes).toEqual(["Held for review: counted on sales as invoiced instead of payments received, the margin fell less than 25 % as much on d111; it fell because customers paid later than usual, not because costs rose."]);
    expect(margin(books(() => 100, from90(70, 85)))).toEqual([[111, false]]);
  });
});

describe("state opener (the balance overdue for more than a week)", () => {
  const days = Array.from({ length: DAYS }, (_, i) => addDays("2026-01-01", i));
  /** ar_aging_amount flat (z 0); the aged balance around 1,000 (±100) a day, then `jump` more from day 50. */
  function books(jump: number) {
    const deltas = Array.from({ length: DAYS }, (_, i) => (i === 0 ? 1000 : i % 2 === 1 ? 100 : -100));
    deltas[50]! += jump;
    return aggregatesOf(DAYS, { "state:ar_aged_amount": deltas });
  }
  const scores = (): ScoreTable => {
    const table = refundScores({});
    table.set("ar_aging_amount", Array.from({ length: DAYS }, () => ({ value: 20000, baseline: 20000, z: 0 })));
    return table;
  };
  const liquidity = (jump: number) => detectIncidents(scores(), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), { days, aggregates: books(jump) }).filter((i) => i.type === "LIQUIDITY_CRUNCH_RISK");

  it("opens a liquidity incident on the second day the aged balance is far above its usual, reported on ar_aging_amount", () => {
    const [incident] = liquidity(5000);
    expect([incident!.startIndex, incident!.detectedIndex, incident!.primary.metric, incident!.methods, incident!.needsReview]).toEqual([50, 51, "ar_aging_amount", ["mad_zscore"], false]);
    expect(incident!.extraSupporting![0]!.metric_name).toBe("ar_aged_amount");
    expect(incident!.extraSupporting![0]!.value).toBeCloseTo(6000 + 100 * (51 % 2), 0);
    expect(incident!.notes![0]).toMatch(/^The balance overdue for more than a week reached \$6,\d{3} on 2026-02-21 against a usual \$1,\d{3} \(z \d+\.\d/);
  });

  it("stays quiet when the aged balance moves within its noise", () => {
    expect(liquidity(150)).toEqual([]);
  });
});

describe("holiday shadow", () => {
  /** Day 40 is Thanksgiving 2025 (Thursday, Nov 27). */
  const days = Array.from({ length: DAYS }, (_, i) => addDays("2025-10-18", i));
  const refunds = (zByDay: Record<number, number>) => detectIncidents(refundScores(zByDay), DAYS, DEFAULT_DETECTION_CONFIG, noLayers(), { days }).filter((i) => i.type === "REFUND_SPIKE");

  it("holds a moderate incident that fires and ends in the business days after a closure, and says why", () => {
    expect(days[40]).toBe("2025-11-27");
    const [held] = refunds({ 43: 4, 44: 4 }); // Sun Nov 30 and Mon Dec 1
    expect([held!.confidence, held!.needsReview]).toEqual(["LOW", true]);
    expect(held!.notes).toEqual(["Held for review: it fired in the 3 business days after Thanksgiving, when backlogs and late payments clear by themselves, and stayed below z 5."]);
  });

  it("raises a strong one at once, a lasting one on its first day past the shadow, and anything outside it as before", () => {
    expect(refunds({ 43: 6 }).map((i) => [i.detectedIndex, i.needsReview])).toEqual([[43, false]]);
    // Mon Dec 1 → Thu Dec 4: raised on Thursday, the first day after the three business days.
    expect(refunds({ 44: 4, 45: 4, 46: 4, 47: 4 }).map((i) => [i.startIndex, i.detectedIndex, i.needsReview])).toEqual([[44, 47, false]]);
    expect(refunds({ 30: 4, 31: 4 }).map((i) => [i.detectedIndex, i.needsReview])).toEqual([[31, false]]);
    // Off: as before.
    const off = detectIncidents(refundScores({ 43: 4, 44: 4 }), DAYS, { ...DEFAULT_DETECTION_CONFIG, holidayShadow: null }, noLayers(), { days });
    expect(off.map((i) => [i.detectedIndex, i.needsReview])).toEqual([[44, false]]);
  });
});

describe("regime changes that open incidents (openOnChange)", () => {
  /** supplier_delay_rate flat (z 0) with a confirmed upward regime change on days 30–31. */
  function supplierScores(): ScoreTable {
    const table = refundScores({});
    table.set("supplier_delay_rate", Array.from({ length: DAYS }, () => ({ value: 0.1, baseline: 0.1, z: 0 })));
    return table;
  }
  const layers = (): LayerSignals => ({ isolation: new Map(), changes: new Map([["supplier_delay_rate" as MetricName, change([30, 31])]]) });

  it("raises a supplier regime change without Layer 1 (MEDIUM), and keeps other types as review flags", () => {
    const [raised] = detectIncidents(supplierScores(), DAYS, DEFAULT_DETECTION_CONFIG, layers()).filter((i) => i.type === "SUPPLIER_DEPENDENCY_FAILURE");
    expect([raised!.detectedIndex, raised!.confidence, raised!.needsReview, raised!.methods]).toEqual([30, "MEDIUM", false, ["changepoint"]]);
    const [flag] = detectIncidents(supplierScores(), DAYS, { ...DEFAULT_DETECTION_CONFIG, openOnChange: [] }, layers());
    expect([flag!.confidence, flag!.needsReview]).toEqual(["LOW", true]);
  });
});
