/**
 * The detector's view of a series, day by day (as src/detect/detect.ts `madScores` scores it):
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
