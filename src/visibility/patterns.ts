/**
 * Pattern mining (asynchronous, daily): which conflicts keep coming back, and where. Each conflict
 * is described by four dimensions: the team pair, the product category, the store and the hour of
 * day (UTC) it started. Every combination of those values (an itemset) is counted level by level
 * (Apriori: a combination is only counted when all its parts are frequent), and kept as a pattern
 * when it
 *
 * - recurs: at least `min_conflicts` conflicts on at least `min_days` different days, and
 * - is concentrated: when it names a store, category or hour, it holds at least `min_lift` times
 *   the conflicts expected from where and when decisions were shown (the rollups' exposure), with
 *   a Poisson upper-tail p-value below `alpha` divided by the number of combinations tested.
 *
 * A refinement is dropped when it concentrates conflicts no more than a passing pattern it refines
 * (lift under 1.5× the parent's); a more general pattern is dropped when the specific patterns
 * inside it explain it (what it holds beyond them must pass both tests on its own, against the same
 * expectation). Disputed conflicts (false positives) are left out.
 */
import { stableId } from "../ids.ts";
import type { ConflictRecord, ConflictType } from "./conflict.ts";
import type { RollupRow } from "./okr/rollup.ts";
import { poissonUpperTail } from "./poisson-upper-tail.ts";
import { addDays, daysBetween } from "../time.ts";

export const PATTERN_DIMENSIONS = ["team_pair", "category", "store_id", "hour_of_day"] as const;
export type PatternDimension = (typeof PATTERN_DIMENSIONS)[number];

export type PatternConflict = Pick<
  ConflictRecord,
  "conflict_id" | "type" | "teams" | "category" | "store_id" | "first_seen" | "status" | "occurrences" | "first_event_id"
>;

export interface PatternOptions {
  /** Days looked back from `asOf` (inclusive of asOf's day); at most 31. */
  lookback_days: number;
  min_conflicts: number;
  min_days: number;
  min_lift: number;
  /** Family-wise significance level (Bonferroni over the combinations tested). */
  alpha: number;
  max_patterns: number;
}

export const DEFAULT_PATTERN_OPTIONS: PatternOptions = {
  lookback_days: 14,
  min_conflicts: 5,
  min_days: 3,
  min_lift: 2,
  alpha: 0.01,
  max_patterns: 20,
};

export interface ConflictPattern {
  pattern_id: string;
  dimensions: Partial<Record<PatternDimension, string>>;
  conflicts: number;
  occurrences: number;
  days: number;
  first_seen: string;
  last_seen: string;
  /** Conflicts expected from exposure (null when the pattern names only a team pair). */
  expected: number | null;
  lift: number | null;
  p_value: number | null;
  /** Where the expectation came from: decision exposure in the rollups, or a uniform spread when they had none. */
  baseline: "exposure" | "uniform" | null;
  by_type: Partial<Record<ConflictType, number>>;
  /** Up to 50 of the conflicts, by id. */
  conflict_ids: string[];
  /** The first event of each of those conflicts (raw events are kept 7 days). */
  event_ids: string[];
}

interface Described {
  conflict: PatternConflict;
  values: (string | null)[];
  dayBit: number;
}

interface Tally {
  dims: number[];
  values: string[];
  conflicts: Described[];
  dayMask: number;
}

/** Mines the conflicts first seen in the `lookback_days` ending on `asOf`'s day. */
export function minePatterns(
  conflicts: readonly PatternConflict[],
  exposure: readonly RollupRow[],
  asOf: string,
  options: Partial<PatternOptions> = {},
): ConflictPattern[] {
  const opts = { ...DEFAULT_PATTERN_OPTIONS, ...options };
  if (!Number.isInteger(opts.lookback_days) || opts.lookback_days < 1 || opts.lookback_days > 31) {
    throw new Error(`minePatterns: lookback_days must be 1…31, got ${opts.lookback_days}`);
  }
  const lastDay = asOf.slice(0, 10);
  const firstDay = addDays(lastDay, -(opts.lookback_days - 1));

  const described: Described[] = [];
  for (const conflict of conflicts) {
    const day = conflict.first_seen.slice(0, 10);
    if (conflict.status === "disputed" || day < firstDay || day > lastDay) continue;
    described.push({
      conflict,
      values: [conflict.teams.join(" vs "), conflict.category, conflict.store_id, conflict.first_seen.slice(11, 13)],
      dayBit: 1 << daysBetween(firstDay, day),
    });
  }
  if (described.length === 0) return [];

  const shares = exposureShares(exposure, firstDay, lastDay, described);

  // Apriori, level by level: an itemset of size n is counted only if it extends a frequent one.
  const frequent: Tally[] = [];
  let level: Tally[] = [];
  for (let d = 0; d < PATTERN_DIMENSIONS.length; d++) level.push(...countItemsets(described, [d], null, opts.min_conflicts));
  while (level.length > 0) {
    frequent.push(...level);
    const next: Tally[] = [];
    for (const tally of level) {
      const lastDim = tally.dims[tally.dims.length - 1]!;
      for (let d = lastDim + 1; d < PATTERN_DIMENSIONS.length; d++) {
        next.push(...countItemsets(tally.conflicts, [...tally.dims, d], tally, opts.min_conflicts));
      }
    }
    level = next;
  }

  const tested = frequent.length;
  const threshold = opts.alpha / Math.max(1, tested);
  const shareOf = (tally: Tally) => {
    const exposureDims = tally.dims.filter((d) => PATTERN_DIMENSIONS[d] !== "team_pair");
    if (exposureDims.length === 0) return null;
    const teamDim = tally.dims.indexOf(0);
    const population = teamDim >= 0 ? described.filter((x) => x.values[0] === tally.values[teamDim]).length : described.length;
    let share = 1;
    let baseline: "exposure" | "uniform" = "exposure";
    for (const d of exposureDims) {
      const s = shares[d]!;
      share *= s.share(tally.values[tally.dims.indexOf(d)]!);
      if (s.uniform) baseline = "uniform";
    }
    return { expected: population * share, baseline };
  };
  /** Whether `conflicts` (a tally's, or what is left of it) recur and are concentrated enough. */
  const passes = (conflicts: readonly Described[], expected: number | null) => {
    let mask = 0;
    for (const x of conflicts) mask |= x.dayBit;
    if (conflicts.length < opts.min_conflicts || popcount(mask) < opts.min_days) return null;
    if (expected === null) return { lift: null, pValue: null, days: popcount(mask) };
    const lift = expected > 0 ? conflicts.length / expected : Number.POSITIVE_INFINITY;
    const pValue = poissonUpperTail(conflicts.length, expected);
    return lift >= opts.min_lift && pValue < threshold ? { lift, pValue, days: popcount(mask) } : null;
  };

  // Patterns that pass on their own, with their lift.
  const passing = new Map<Tally, { expected: number | null; baseline: ConflictPattern["baseline"]; whole: NonNullable<ReturnType<typeof passes>> }>();
  for (const tally of frequent) {
    const baseline = shareOf(tally);
    const expected = baseline?.expected ?? null;
    const whole = passes(tally.conflicts, expected);
    if (whole) passing.set(tally, { expected, baseline: baseline?.baseline ?? null, whole });
  }
  const within = (inner: Tally, outer: Tally) =>
    inner.dims.length > outer.dims.length && outer.dims.every((d, i) => inner.values[inner.dims.indexOf(d)] === outer.values[i]);
  // A refinement that concentrates conflicts no more than its parent (less than 1.5× the lift)
  // adds nothing: "store-2 around 13:00" rather than one pattern per category there.
  for (const [tally, info] of [...passing]) {
    if (info.whole.lift === null) continue;
    const plainer = [...passing].some(([parent, p]) => within(tally, parent) && p.whole.lift !== null && info.whole.lift! < 1.5 * p.whole.lift);
    if (plainer) passing.delete(tally);
  }

  // Most specific first. A more general pattern is kept only if what it holds beyond the kept
  // specific patterns inside it still passes on its own (else those patterns explain it).
  const ordered = [...passing.keys()].sort((a, b) => b.dims.length - a.dims.length || b.conflicts.length - a.conflicts.length || cmp(a.values.join("|"), b.values.join("|")));
  const kept: { tally: Tally; pattern: ConflictPattern }[] = [];
  for (const tally of ordered) {
    const { expected, baseline, whole } = passing.get(tally)!;
    const inside = kept.filter((k) => k.tally.dims.length > tally.dims.length && tally.dims.every((d, i) => k.tally.values[k.tally.dims.indexOf(d)] === tally.values[i]));
    if (inside.length > 0) {
      const explained = new Set(inside.flatMap((k) => k.tally.conflicts.map((x) => x.conflict.conflict_id)));
      if (!passes(tally.conflicts.filter((x) => !explained.has(x.conflict.conflict_id)), expected)) continue;
    }
    kept.push({ tally, pattern: toPattern(tally, whole.days, expected, whole.lift, whole.pValue, baseline) });
  }
  return kept
    .map((k) => k.pattern)
    .sort((a, b) => (a.p_value ?? 1) - (b.p_value ?? 1) || b.conflicts - a.conflicts || cmp(a.pattern_id, b.pattern_id))
    .slice(0, opts.max_patterns);
}

function countItemsets(pool: readonly Described[], dims: number[], parent: Tally | null, minConflicts: number): Tally[] {
  const last = dims[dims.length - 1]!;
  const groups = new Map<string, Tally>();
  for (const x of pool) {
    const value = x.values[last];
    if (value === null || value === undefined) continue;
    let tally = groups.get(value);
    if (!tally) {
      tally = { dims, values: [...(parent?.values ?? []), value], conflicts: [], dayMask: 0 };
      groups.set(value, tally);
    }
    tally.conflicts.push(x);
    tally.dayMask |= x.dayBit;
  }
  return [...groups.values()].filter((t) => t.conflicts.length >= minConflicts);
}

interface Shares {
  share: (value: string) => number;
  uniform: boolean;
}

/** Share of decision exposure per value of each dimension; uniform over seen values when the rollups have none. */
function exposureShares(exposure: readonly RollupRow[], firstDay: string, lastDay: string, described: readonly Described[]): Shares[] {
  const rollupDimension: Record<PatternDimension, RollupRow["dimension"] | null> = { team_pair: null, category: "category", store_id: "store", hour_of_day: "hour" };
  return PATTERN_DIMENSIONS.map((dimension, d) => {
    const source = rollupDimension[dimension];
    const totals = new Map<string, number>();
    let total = 0;
    if (source) {
      for (const row of exposure) {
        if (row.dimension !== source || row.day < firstDay || row.day > lastDay) continue;
        totals.set(row.value, (totals.get(row.value) ?? 0) + row.decision_events);
        total += row.decision_events;
      }
    }
    if (total > 0) return { share: (value: string) => (totals.get(value) ?? 0) / total, uniform: false };
    const distinct = dimension === "hour_of_day" ? 24 : new Set(described.map((x) => x.values[d]).filter((v) => v !== null)).size;
    return { share: () => 1 / Math.max(1, distinct), uniform: true };
  });
}

function toPattern(tally: Tally, days: number, expected: number | null, lift: number | null, pValue: number | null, baseline: ConflictPattern["baseline"]): ConflictPattern {
  const dimensions: Partial<Record<PatternDimension, string>> = {};
  tally.dims.forEach((d, i) => (dimensions[PATTERN_DIMENSIONS[d]!] = tally.values[i]!));
  const conflicts = [...tally.conflicts].sort((a, b) => cmp(a.conflict.first_seen, b.conflict.first_seen) || cmp(a.conflict.conflict_id, b.conflict.conflict_id));
  const byType: Partial<Record<ConflictType, number>> = {};
  for (const x of conflicts) byType[x.conflict.type] = (byType[x.conflict.type] ?? 0) + 1;
  const listed = conflicts.slice(0, 50);
  return {
    pattern_id: stableId("visibility-pattern", ...PATTERN_DIMENSIONS.map((name) => `${name}=${dimensions[name] ?? "*"}`)),
    dimensions,
    conflicts: conflicts.length,
    occurrences: conflicts.reduce((s, x) => s + x.conflict.occurrences, 0),
    days,
    first_seen: conflicts[0]!.conflict.first_seen,
    last_seen: conflicts[conflicts.length - 1]!.conflict.first_seen,
    expected: expected === null ? null : round4(expected),
    lift: lift === null ? null : Number.isFinite(lift) ? round4(lift) : null,
    p_value: pValue,
    baseline,
    by_type: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => cmp(a, b))),
    conflict_ids: listed.map((x) => x.conflict.conflict_id),
    event_ids: listed.map((x) => x.conflict.first_event_id),
  };
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask >>> 0; m !== 0; m &= m - 1) n++;
  return n;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
