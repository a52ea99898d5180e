/**
 * Layer 1: the modified z-score of each day against a trailing baseline that excludes the day
 * itself (spec, Component E): `z = 0.6745 · (x − median) / MAD` over the previous `baselineDays`
 * values, i.e. `(x − median) / σ̂` with σ̂ = MAD / 0.6745.
 *
 * - Weekly seasonality: when the trailing `seasonalityDays` show a weekly pattern
 *   ({@link weeklyOffsets}, re-estimated weekly from the days before), the day and its baseline
 *   are compared after removing each weekday's offset, and the reported baseline is the expected
 *   value for that weekday.
 * - MAD = 0 (more than half the baseline identical, common for rare events): σ̂ falls back to
 *   1.2533 × the mean absolute deviation ({@link robustBaseline}).
 * - Entity-state metrics (overdue balance, backlogs) start at zero with the history; they are
 *   scored from one baseline after their first non-zero day, once the ramp-up is behind them.
 * - Noise floors: σ̂ is never below the metric's unit floor, 2 % of the baseline median, or the
 *   sampling noise of the day's value (Poisson for counts, binomial for shares of events, …), so a
 *   quiet baseline or a day with few events cannot turn ordinary noise into a large z.
 */
import type { MetricDefinition } from "../metrics/gold.ts";
import type { MetricSeries } from "../metrics/series.ts";
import { robustBaseline } from "./mad.ts";
import { median } from "./median.ts";
import { DEFAULT_WEEKLY_OPTIONS, weeklyOffsets } from "./seasonality.ts";

export interface PointScore {
  value: number | null;
  /** Expected value for the day: the baseline median (plus the weekday's offset when seasonal). */
  baseline: number | null;
  z: number | null;
  /** σ̂ used to divide (after the MAD = 0 fallback and the floors). */
  scale?: number | null;
  /** Whether a weekly profile was removed before scoring. */
  seasonal?: boolean;
  /** The value with its weekday offset removed (the value itself when not seasonal). */
  adjusted?: number | null;
}

export interface Layer1Options {
  baselineDays: number;
  minBaselineValues: number;
  /** Trailing days from which the weekly profile is estimated; 0 turns seasonality off. */
  seasonalityDays: number;
  /** Multiplier of the sampling-noise floor (1: the full Poisson/binomial noise; 0: none). */
  samplingFloorFactor: number;
}

/** Smallest σ-scale per unit, so a near-constant baseline does not make noise look infinite. */
export const UNIT_SCALE_FLOOR: Record<MetricDefinition["unit"], number> = {
  USD: 1,
  ratio: 0.002,
  count: 1,
  days: 0.1,
  hours: 0.5,
  score: 0.02,
  "score/day": 0.005,
};
/** Days between re-estimates of a metric's weekly profile. */
const PROFILE_REFRESH_DAYS = 7;

/** …and never below 2 % of the baseline median. */
export const RELATIVE_SCALE_FLOOR = 0.02;

export interface SeriesContext {
  /** Weekday (0 = Sunday) of each day index. */
  weekdays: ArrayLike<number>;
  /** Sample size behind each day's value, for metrics with a sampling model. */
  sampleSize?: ArrayLike<number>;
}

export function robustScores(definition: Pick<MetricDefinition, "unit" | "sampling" | "stateful">, series: MetricSeries, context: SeriesContext, options: Layer1Options): PointScore[] {
  const out: PointScore[] = [];
  const n = series.length;
  // A stateful metric ramps up from zero with the history: score it one baseline after it starts.
  let firstActive = definition.stateful ? series.findIndex((v) => v !== null && v !== 0) : 0;
  if (firstActive < 0) firstActive = n;
  const scoredFrom = definition.stateful ? firstActive + options.baselineDays : 0;
  let profile: Float64Array | null = null;
  let profileFrom = -1;
  for (let i = 0; i < n; i++) {
    const value = series[i] ?? null;
    const baselineIdx: number[] = [];
    for (let j = Math.max(0, i - options.baselineDays); j < i; j++) if (series[j] !== null && series[j] !== undefined) baselineIdx.push(j);
    if (value === null || baselineIdx.length < options.minBaselineValues || i < scoredFrom) {
      out.push({ value, baseline: null, z: null, scale: null, seasonal: false, adjusted: value });
      continue;
    }
    // The weekly profile is re-estimated once a week, from the days before the re-estimate.
    if (options.seasonalityDays > 0 && (profileFrom < 0 || i - profileFrom >= PROFILE_REFRESH_DAYS)) {
      profileFrom = i;
      const history: number[] = [];
      const weekdays: number[] = [];
      for (let j = Math.max(0, i - options.seasonalityDays); j < i; j++) {
        const v = series[j];
        if (v === null || v === undefined) continue;
        history.push(v);
        weekdays.push(context.weekdays[j]!);
      }
      profile = weeklyOffsets(history, weekdays, DEFAULT_WEEKLY_OPTIONS);
    }
    const offsets = options.seasonalityDays > 0 ? profile : null;
    const offset = (j: number) => (offsets ? offsets[context.weekdays[j]!]! : 0);
    const window = baselineIdx.map((j) => series[j]! - offset(j));
    const center = median(window);
    const expected = center + offset(i);
    const floor = Math.max(
      UNIT_SCALE_FLOOR[definition.unit],
      RELATIVE_SCALE_FLOOR * Math.abs(center),
      options.samplingFloorFactor *
        samplingFloor(definition, expected, context.sampleSize?.[i], context.sampleSize ? median(baselineIdx.map((j) => context.sampleSize![j]!)) : undefined),
    );
    const { scale } = robustBaseline(window, floor);
    const adjusted = value - offset(i);
    out.push({ value, baseline: expected, z: (adjusted - center) / scale, scale, seasonal: offsets !== null, adjusted });
  }
  return out;
}

/**
 * The noise a day's value has from sampling alone, given the value the baseline expects, the
 * day's sample size and the baseline's usual sample size.
 */
export function samplingFloor(definition: Pick<MetricDefinition, "unit" | "sampling">, expected: number, size: number | undefined, usualSize?: number): number {
  const sampling = definition.sampling;
  if (!sampling) return definition.unit === "count" ? Math.sqrt(Math.max(Math.abs(expected), 1)) : 0;
  // Half the compound-Poisson noise: refunds and expenses are often more regular than Poisson
  // (subscriptions, payroll), and the baseline's own MAD carries whatever spread there is.
  if (sampling.model === "poisson-sum") return (0.5 * Math.abs(expected)) / Math.sqrt(Math.max(usualSize ?? size ?? 1, 1));
  if (size === undefined || !(size > 0)) return 0;
  switch (sampling.model) {
    case "binomial": {
      const p = Math.min(0.99, Math.max(0.01, expected));
      return Math.sqrt((p * (1 - p)) / size);
    }
    case "poisson-rate":
      return Math.sqrt(Math.max(Math.abs(expected) * size, 1)) / size;
    case "mean":
      return (sampling.sd ?? 1) / Math.sqrt(size);
  }
}

/** Reads the metric's sample sizes, when it has a sampling model. */
export function sampleSizes(definition: Pick<MetricDefinition, "sampling">, aggregates: Parameters<NonNullable<MetricDefinition["sampling"]>["size"]>[0]): ArrayLike<number> | undefined {
  return definition.sampling?.size(aggregates);
}
