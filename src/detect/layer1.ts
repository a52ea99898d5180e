/**
 * Layer 1: the modified z-score of each day against a trailing baseline that excludes the day
 * itself (spec, Component E): `z = 0.6745 · (x − median) / MAD` over the previous `baselineDays`
 * values, i.e. `(x − median) / σ̂` with σ̂ = MAD / 0.6745.
 *
 * - A day that scored |z| > 3 is left out of the baselines of the following 14 days (as long as
 *   21 clean days remain): an incident does not widen its own yardstick while it lasts, and a
 *   lasting change still becomes the new normal within weeks.
 * - Weekly seasonality: when the trailing `seasonalityDays` show a weekly pattern
 *   ({@link weeklyOffsets}, re-estimated weekly from the days before), the day and its baseline
 *   are compared after removing each weekday's offset, and the reported baseline is the expected
 *   value for that weekday.
 * - MAD = 0 (more than half the baseline identical, common for rare events): σ̂ falls back to
 *   1.2533 × the mean absolute deviation ({@link robustBaseline}).
 * - Metrics that follow the calendar month (balances, 30-day sums) need a month of baseline, and a
 *   deviation that the same days of last month also showed is not counted ({@link sameTimeLastMonth}).
 * - Entity-state metrics (overdue balance, backlogs) start at zero with the history; they are
 *   scored from one baseline after their first non-zero day, once the ramp-up is behind them.
 * - The scale is at least the inter-decile range / 2.563 (σ for normal data), so a recurring
 *   excursion that fills a tenth of the baseline (month-start bills) counts as normal spread.
 * - For counts of independent events the deviation is also measured exactly (Poisson for daily
 *   counts and churn, binomial for shares of events) and the smaller of the two is kept
 *   ({@link poissonZ}): small counts have much heavier tails than the Gaussian z assumes.
 * - Noise floors: σ̂ is never below the metric's unit floor, 2 % of the baseline median, or the
 *   sampling noise of the day's value (Poisson for counts, binomial for shares of events, …), so a
 *   quiet baseline or a day with few events cannot turn ordinary noise into a large z.
 */
import type { MetricDefinition } from "../metrics/gold.ts";
import type { MetricSeries } from "../metrics/series.ts";
import { binomialZ, poissonZ } from "./exact-tail.ts";
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
/** A month of baseline for metrics that follow the calendar month. */
const MONTH_DAYS = 30;
/** Days 27–32 back cover "the same time last month" whatever the month lengths and weekdays. */
const LAST_MONTH = [27, 32] as const;

/**
 * For a metric that follows the calendar month: a deviation the same days of the previous month
 * also reached is the month's rhythm, not an anomaly. Upward, z is measured from last month's
 * highest value at that time instead (if that is higher than the baseline); downward, from its
 * lowest. The deviation never grows and never changes sign.
 */
function sameTimeLastMonth(series: MetricSeries, i: number, value: number, z: number, scale: number): number {
  const last: number[] = [];
  for (let back = LAST_MONTH[0]; back <= LAST_MONTH[1]; back++) {
    const v = series[i - back];
    if (v !== null && v !== undefined) last.push(v);
  }
  if (last.length === 0) return z;
  if (z > 0) return Math.max(0, Math.min(z, (value - Math.max(...last)) / scale));
  if (z < 0) return Math.min(0, Math.max(z, (value - Math.min(...last)) / scale));
  return z;
}

/** Days an anomalous value (|z| above QUARANTINE_Z) is kept out of later baselines. */
const QUARANTINE_DAYS = 14;
const QUARANTINE_Z = 3;

/** Days between re-estimates of a metric's weekly profile. */
const PROFILE_REFRESH_DAYS = 7;

/** …and never below 2 % of the baseline median. */
export const RELATIVE_SCALE_FLOOR = 0.02;

export interface SeriesContext {
  /** Weekday (0 = Sunday) of each day index. */
  weekdays: ArrayLike<number>;
  /** Sample size behind each day's value, for metrics with a sampling model. */
  sampleSize?: ArrayLike<number>;
  /** For means: the spread of individual values, known on each day. */
  sampleSd?: ArrayLike<number | null>;
}

export function robustScores(definition: Pick<MetricDefinition, "unit" | "sampling" | "stateful" | "monthly">, series: MetricSeries, context: SeriesContext, options: Layer1Options): PointScore[] {
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
    const present: number[] = [];
    // A metric that follows the month needs 30 values (a whole month), looked for in the last 45
    // days so that anomalous days can be left out; the baseline is the latest 30 of them.
    const lookBack = definition.monthly ? Math.round(options.baselineDays * 1.5) : options.baselineDays;
    for (let j = Math.max(0, i - lookBack); j < i; j++) if (series[j] !== null && series[j] !== undefined) present.push(j);
    // An anomalous day stays out of the baselines of the next two weeks, so an incident does not
    // widen its own yardstick; after that a lasting change becomes the new normal. (If too few
    // days would be left, the baseline keeps them.)
    const needed = definition.monthly ? Math.max(options.minBaselineValues, MONTH_DAYS) : options.minBaselineValues;
    const clean = present.filter((j) => !(i - j <= QUARANTINE_DAYS && Math.abs(out[j]?.z ?? 0) > QUARANTINE_Z));
    const baselineIdx = (clean.length >= needed ? clean : present).slice(-options.baselineDays);
    if (value === null || baselineIdx.length < needed || i < scoredFrom) {
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
    // Sampling noise is judged against the baseline's mean: for rare events (a delay most weeks
    // has none) the median is 0 and would call every single event impossible.
    const usual = Math.max(expected, window.reduce((t, v) => t + v, 0) / window.length + offset(i));
    const floor = Math.max(
      UNIT_SCALE_FLOOR[definition.unit],
      RELATIVE_SCALE_FLOOR * Math.abs(center),
      options.samplingFloorFactor *
        samplingFloor(definition, usual, context.sampleSize?.[i], context.sampleSize ? median(baselineIdx.map((j) => context.sampleSize![j]!)) : undefined, context.sampleSd?.[i] ?? null),
    );
    const { scale: madScale } = robustBaseline(window, floor);
    // A baseline with a recurring excursion (month-end bills, weekend backlogs on a tenth of its
    // days) is wider than its MAD says: the inter-decile range (= 2.563 σ for normal data) counts it.
    const scale = Math.max(madScale, interDecileScale(window));
    const adjusted = value - offset(i);
    let z = (adjusted - center) / scale;
    if (definition.monthly) z = sameTimeLastMonth(series, i, value, z, scale);
    const exact = exactZ(definition, value, usual, context.sampleSize?.[i]);
    if (exact !== null) z = Math.sign(z) === Math.sign(exact) ? Math.sign(z) * Math.min(Math.abs(z), Math.abs(exact)) : 0;
    out.push({ value, baseline: expected, z, scale, seasonal: offsets !== null, adjusted });
  }
  return out;
}

/** (q90 − q10) / 2.563 of the window: σ for normal data, more for a baseline with recurring excursions. */
function interDecileScale(window: readonly number[]): number {
  if (window.length < 10) return 0;
  const sorted = [...window].sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.ceil(pos)]! - sorted[lo]!) * (pos - lo);
  };
  return (at(0.9) - at(0.1)) / 2.563;
}

/**
 * The count's exact tail z (Poisson for daily counts and churn, binomial for shares of events),
 * or null when the metric is not a count of independent events.
 */
function exactZ(definition: Pick<MetricDefinition, "unit" | "sampling" | "stateful">, value: number, expected: number, size: number | undefined): number | null {
  const sampling = definition.sampling;
  if (!sampling) {
    // Daily counts, and open items (a queue's occupancy is Poisson too).
    if (definition.unit !== "count" || value < 0) return null;
    return poissonZ(value, Math.max(expected, 0.5));
  }
  if (size === undefined || !(size >= 1)) return null;
  const k = Math.round(value * size);
  if (sampling.model === "binomial") {
    if (k > size) return poissonZ(k, Math.max(expected * size, 0.5));
    return binomialZ(k, size, Math.min(0.999, Math.max(0.001, expected)));
  }
  if (sampling.model === "poisson-rate") return poissonZ(Math.max(0, k), Math.max(expected * size, 0.5));
  return null;
}

/**
 * The noise a day's value has from sampling alone, given the value the baseline expects, the
 * day's sample size and the baseline's usual sample size.
 */
export function samplingFloor(definition: Pick<MetricDefinition, "unit" | "sampling">, expected: number, size: number | undefined, usualSize?: number, sd: number | null = null): number {
  const sampling = definition.sampling;
  if (!sampling) return definition.unit === "count" ? Math.sqrt(Math.max(Math.abs(expected), 1)) : 0;
  // A compound Poisson sum of n payments: relative σ = (√E[a²]/E[a]) / √n.
  if (sampling.model === "compound") return sd === null ? 0 : (Math.abs(expected) * sd) / Math.sqrt(Math.max(usualSize ?? size ?? 1, 1));
  if (size === undefined || !(size > 0)) return 0;
  switch (sampling.model) {
    case "binomial": {
      const p = Math.min(0.99, Math.max(0.01, expected));
      return Math.sqrt((p * (1 - p)) / size);
    }
    case "poisson-rate":
      return Math.sqrt(Math.max(Math.abs(expected) * size, 1)) / size;
    case "mean":
      return sd === null ? 0 : sd / Math.sqrt(size);
  }
}

/** Reads the metric's sample sizes, when it has a sampling model. */
export function sampleSizes(definition: Pick<MetricDefinition, "sampling">, aggregates: Parameters<NonNullable<MetricDefinition["sampling"]>["size"]>[0]): ArrayLike<number> | undefined {
  return definition.sampling?.size(aggregates);
}
