/**
 * Pearson's correlation coefficient of paired samples:
 * `r = Σ (xᵢ − x̄)(yᵢ − ȳ) / √(Σ (xᵢ − x̄)² · Σ (yᵢ − ȳ)²)`.
 *
 * Returns `null` when it is undefined (one side constant), so callers decide what "no co-movement"
 * means instead of receiving NaN. Fails loudly on mismatched lengths or fewer than 2 pairs. `n` reads
 * only the first n pairs (for callers that reuse scratch buffers).
 * @example pearsonCorrelation([1, 2, 3, 4], [2, 4, 5, 9]) // 11 / √130 ≈ 0.9648 (hand calculation in the test)
 */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>, n = x.length): number | null {
  if (n > x.length || n > y.length || (n === x.length && x.length !== y.length)) {
    throw new Error(`pearsonCorrelation: x has ${x.length} values and y has ${y.length} (using ${n})`);
  }
  if (n < 2) throw new Error(`pearsonCorrelation: needs at least 2 pairs, got ${n}`);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    if (!Number.isFinite(xi) || !Number.isFinite(yi)) throw new Error(`pearsonCorrelation: pair ${i} is not finite`);
    mx += xi;
    my += yi;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  // A series whose spread is rounding noise next to its level counts as constant.
  if (sxx <= 1e-12 * n * mx * mx || syy <= 1e-12 * n * my * my || sxx === 0 || syy === 0) return null;
  const r = sxy / Math.sqrt(sxx * syy);
  return Math.max(-1, Math.min(1, r));
}
