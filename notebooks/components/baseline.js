/**
 * The band the detector itself drew around a series, from the expected value and robust scale the
 * scan stored with each day (`GET /v1/metrics/history` gives `expected` and `scale`): expected ±
 * 1.5σ̂ and the `k`σ̂ threshold line. This includes everything the detector knows that a page does
 * not (weekday offsets, sampling-noise floors, anomalous days left out of the baseline). Counts and
 * shares must also pass an exact Poisson/binomial test, so a small count can cross the line without
 * firing; `z` (stored too) is what decides.
 *
 * `series` is [{date, value, expected, scale}]; days without a score get nulls.
 * @example detectorBand([{ date: 0, value: 9, expected: 3, scale: 2 }], 3)[0].threshold // 9
 */
export function detectorBand(series, k) {
  return series.map((p) => {
    if (p.expected === null || p.expected === undefined || p.scale === null || p.scale === undefined) {
      return { date: p.date, median: null, low: null, high: null, threshold: null };
    }
    return { date: p.date, median: p.expected, low: p.expected - 1.5 * p.scale, high: p.expected + 1.5 * p.scale, threshold: p.expected + k * p.scale };
  });
}

/** Whether the history rows carry the detector's own scores (scans from before they were stored do not). */
export function hasDetectorScores(series) {
  return series.some((p) => p.scale !== null && p.scale !== undefined);
}

/**
 * A plain trailing band for histories scanned before the detector's scores were stored (as the
 * Layer 1 MAD z-score without seasonality or noise floors):
 * the median of the previous `window` days' values (the day itself excluded, missing days
 * skipped), the robust scale σ = MAD / 0.6745 (mean absolute deviation × 1.2533 when MAD is 0,
 * never below the unit's floor or 2 % of the median), a ±1.5σ band and the `k`σ threshold line.
 * Days with fewer than `minValues` baseline values get nulls, as the detector does not score them.
 *
 * `series` is [{date, value}] with one entry per consecutive day (value may be null).
 * @example trailingBand(days, 30, 2.5, { unit: "ratio" })[40].threshold // median + 2.5·σ
 */
export function trailingBand(series, window, k, { unit = "count", minValues = 14 } = {}) {
  return series.map((point, i) => {
    const past = series
      .slice(Math.max(0, i - window), i)
      .map((p) => p.value)
      .filter((v) => v !== null && v !== undefined);
    if (past.length < minValues) return { date: point.date, median: null, low: null, high: null, threshold: null };
    const median = medianOf(past);
    const mad = medianOf(past.map((v) => Math.abs(v - median)));
    const meanAd = past.reduce((s, v) => s + Math.abs(v - median), 0) / past.length;
    const floor = Math.max(UNIT_SCALE_FLOOR[unit] ?? 1, 0.02 * Math.abs(median));
    const sigma = Math.max(mad === 0 ? meanAd * 1.253314 : mad / 0.6745, floor);
    return { date: point.date, median, low: median - 1.5 * sigma, high: median + 1.5 * sigma, threshold: median + k * sigma };
  });
}

/** The detector's smallest scale per unit (src/detect/detect.ts), so a flat baseline has a band. */
const UNIT_SCALE_FLOOR = { USD: 1, ratio: 0.002, count: 1, days: 0.1, hours: 0.5, score: 0.02, "score/day": 0.005 };

function medianOf(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
