/**
 * How far apart two teams' prices are, in percent of the lower one:
 * `difference = |a − b| / min(a, b) × 100`. Symmetric, so it does not matter which team spoke
 * first. Two zero prices agree; a zero and a non-zero price are infinitely apart.
 * @example priceDifferencePct(100, 110) // 10
 */
export function priceDifferencePct(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a < 0 || b < 0) {
    throw new Error(`priceDifferencePct: prices must be finite and non-negative, got a=${a}, b=${b}`);
  }
  const low = Math.min(a, b);
  if (low === 0) return a === b ? 0 : Number.POSITIVE_INFINITY;
  return (Math.abs(a - b) / low) * 100;
}
