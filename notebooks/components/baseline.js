import * as d3 from "d3";

/**
 * The detector's view of a series, day by day: the trailing `window`-day median (the day itself
 * excluded), a ±1.5 robust σ band (σ ≈ MAD / 0.6745) and the `k`σ threshold line.
 */
export function trailingBand(series, window, k) {
  return series.map((point, i) => {
    const past = series.slice(Math.max(0, i - window), i).map((p) => p.value);
    if (past.length < 7) return { date: point.date, median: null, low: null, high: null, threshold: null };
    const median = d3.median(past);
    const sigma = d3.median(past, (v) => Math.abs(v - median)) / 0.6745;
    return { date: point.date, median, low: median - 1.5 * sigma, high: median + 1.5 * sigma, threshold: median + k * sigma };
  });
}
