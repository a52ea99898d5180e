/**
 * The p-th percentile by the nearest-rank method: sort the n values and take the one at rank
 * ⌈p/100 · n⌉ (1-based; rank 1 for p = 0). Always one of the observed values, which is what a
 * latency target ("p99 under 1 s") means.
 * @example nearestRankPercentile([15, 20, 35, 40, 50], 40) // rank ⌈0.4·5⌉ = 2 → 20 (Wikipedia, "Percentile")
 */
export function nearestRankPercentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("nearestRankPercentile: needs at least one value");
  if (!(p >= 0 && p <= 100)) throw new Error(`nearestRankPercentile: p must be between 0 and 100, got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
