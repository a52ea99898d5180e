/**
 * How far a quoted price is from the true one, in percent of the true price:
 * `deviation = |quoted − truth| / truth × 100`. A true price of 0 (a free item) makes any
 * non-zero quote infinitely off, and a zero quote exactly right.
 * @example priceDeviationPct(105.5, 100) // 5.5
 */
export function priceDeviationPct(quoted: number, truth: number): number {
  if (!Number.isFinite(quoted) || !Number.isFinite(truth) || quoted < 0 || truth < 0) {
    throw new Error(`priceDeviationPct: prices must be finite and non-negative, got quoted=${quoted}, truth=${truth}`);
  }
  if (truth === 0) return quoted === 0 ? 0 : Number.POSITIVE_INFINITY;
  return (Math.abs(quoted - truth) / truth) * 100;
}
