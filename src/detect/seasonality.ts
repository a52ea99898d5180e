/**
 * Weekly seasonality, so that a normal Monday is not an incident.
 *
 * From the trailing history (the day being scored excluded) it estimates one offset per weekday,
 * `s_w = median(values on weekday w) − median(all values)`, and keeps the profile only when
 * removing it shrinks the spread: `D(x − s_w(x)) ≤ (1 − minReduction) · D(x)`, with D the mean
 * absolute deviation from the median. Daily counts of a business open on weekdays pass easily;
 * 7-day rolling metrics, whose weekly pattern is averaged out, do not and are left alone.
 * Additive offsets rather than factors, so a weekday with a median of 0 (closed on Sundays) needs
 * no special case.
 *
 * @example
 * // four weeks of 10 on weekdays and 2 on weekends → offsets +~2.3 weekdays, −5.7 weekends;
 * // a Saturday with 2 then scores as an ordinary day, a Saturday with 10 as a spike.
 */
import { median } from "./median.ts";

export interface WeeklyOptions {
  /** Fewest values per weekday needed to estimate its offset. */
  minPerWeekday: number;
  /** Share of the spread the profile must remove to be used. */
  minReduction: number;
}

export const DEFAULT_WEEKLY_OPTIONS: WeeklyOptions = { minPerWeekday: 3, minReduction: 0.3 };

/** Offsets per weekday (index 0 = Sunday), or null when the history shows no weekly pattern. */
export function weeklyOffsets(values: readonly number[], weekdays: readonly number[], options = DEFAULT_WEEKLY_OPTIONS): Float64Array | null {
  if (values.length !== weekdays.length) throw new Error("weeklyOffsets: values and weekdays must have the same length");
  const byDay: number[][] = [[], [], [], [], [], [], []];
  values.forEach((v, k) => byDay[weekdays[k]!]!.push(v));
  if (byDay.some((list) => list.length < options.minPerWeekday)) return null;
  const center = median(values);
  const offsets = Float64Array.from(byDay, (list) => median(list) - center);
  const spread = meanAbsoluteDeviation(values);
  if (spread === 0) return null;
  const adjusted = values.map((v, k) => v - offsets[weekdays[k]!]!);
  return meanAbsoluteDeviation(adjusted) <= (1 - options.minReduction) * spread ? offsets : null;
}

/**
 * Mean absolute deviation from the median: `(1/n) Σ |x − median(x)|`.
 * @example meanAbsoluteDeviation([1, 2, 3, 4, 10]) // median 3 → (2+1+0+1+7)/5 = 2.2
 */
export function meanAbsoluteDeviation(values: readonly number[]): number {
  const center = median(values);
  return values.reduce((s, v) => s + Math.abs(v - center), 0) / values.length;
}
