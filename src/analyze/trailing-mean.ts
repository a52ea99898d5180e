/**
 * Trailing mean of a daily series over `window` days (the day itself included), skipping missing
 * days; `null` until the window holds at least half its days with values.
 * @example trailingMean([1, 2, 3, 4, null, 6], 3) // [null, 1.5, 2, 3, 3.5, 5]
 */
export function trailingMean(series: readonly (number | null)[], window: number): (number | null)[] {
  if (!Number.isInteger(window) || window < 1) throw new Error(`trailingMean: window must be a whole number of days ≥ 1, got ${window}`);
  const out: (number | null)[] = [];
  let sum = 0;
  let count = 0;
  for (let i = 0; i < series.length; i++) {
    const v = series[i];
    if (v !== null && v !== undefined) {
      sum += v;
      count++;
    }
    const old = i - window >= 0 ? series[i - window] : null;
    if (old !== null && old !== undefined) {
      sum -= old;
      count--;
    }
    out.push(count * 2 >= window ? sum / count : null);
  }
  return out;
}
