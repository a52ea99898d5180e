/** One lagged least-squares line of an effect on its cause, for the what-if's linear propagation. */

export interface LaggedLinearFit {
  /** Days the cause leads the effect. */
  lag: number;
  /** Pearson's r of cause(t − lag) with effect(t). */
  correlation: number;
  /** Least-squares slope: change of the effect per unit change of the cause, `r · s_y / s_x`. */
  slope: number;
  pairs: number;
}

/**
 * The lag in `[0, maxLag]` whose correlation agrees best with the expected sign (`sign · r` largest;
 * ties go to the shorter lag), with the ordinary least-squares slope at that lag:
 *
 *   r = Σ(x − x̄)(y − ȳ) / √(Σ(x − x̄)² Σ(y − ȳ)²),  slope = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)²
 *
 * over the pairs (cause[t − lag], effect[t]) for t in [from, to] where both are defined. Lags with
 * fewer than `minPairs` pairs, or a constant side, are skipped. Returns null when no lag qualifies
 * or none correlates in the expected direction.
 * @example laggedLinearFit([1, 2, 3, 4, 5], [0, 2, 4, 6, 8], 1, 0, 4, 1, 3)
 * // lag 0: y = 2x − 2 exactly → { lag: 0, correlation: 1, slope: 2, pairs: 5 }
 */
export function laggedLinearFit(
  cause: readonly (number | null)[],
  effect: readonly (number | null)[],
  sign: 1 | -1,
  from: number,
  to: number,
  maxLag: number,
  minPairs: number,
): LaggedLinearFit | null {
  if (cause.length !== effect.length) throw new Error(`laggedLinearFit: cause has ${cause.length} days and effect ${effect.length}`);
  if (sign !== 1 && sign !== -1) throw new Error(`laggedLinearFit: sign must be 1 or -1, got ${sign}`);
  if (!(minPairs >= 2)) throw new Error(`laggedLinearFit: minPairs must be at least 2, got ${minPairs}`);
  let best: LaggedLinearFit | null = null;
  for (let lag = 0; lag <= maxLag; lag++) {
    let n = 0;
    let sx = 0;
    let sy = 0;
    for (let t = Math.max(from, lag); t <= to && t < effect.length; t++) {
      const x = cause[t - lag];
      const y = effect[t];
      if (x === null || x === undefined || y === null || y === undefined) continue;
      n++;
      sx += x;
      sy += y;
    }
    if (n < minPairs) continue;
    const mx = sx / n;
    const my = sy / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let t = Math.max(from, lag); t <= to && t < effect.length; t++) {
      const x = cause[t - lag];
      const y = effect[t];
      if (x === null || x === undefined || y === null || y === undefined) continue;
      sxy += (x - mx) * (y - my);
      sxx += (x - mx) ** 2;
      syy += (y - my) ** 2;
    }
    // A side whose spread is rounding noise next to its level counts as constant.
    if (sxx <= 1e-12 * n * Math.max(1, mx * mx) || syy <= 1e-12 * n * Math.max(1, my * my)) continue;
    const r = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    if (sign * r <= 0) continue;
    if (!best || sign * r > sign * best.correlation + 1e-12) best = { lag, correlation: r, slope: sxy / sxx, pairs: n };
  }
  return best;
}
