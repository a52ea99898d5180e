/**
 * Nearest-rank quantile: the smallest value with at least q of the values at or below it.
 * @example quantile([1, 2, 3, 4, 5], 0.9) // 5 (rank ⌈0.9 · 5⌉ = 5)
 */
export function quantile(values: readonly number[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new Error(`quantile: q must be in (0, 1], got ${q}`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1]!;
}
