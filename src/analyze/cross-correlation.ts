import { pearsonCorrelation } from "./pearson-correlation.ts";

/** Fewest day pairs a lagged correlation needs to mean anything. */
export const MIN_CORRELATION_PAIRS = 5;

/**
 * Cross-correlation of a cause series with an effect series at a lag of `lag` days (the cause
 * leading): Pearson's r over the pairs `(cause[t − lag], effect[t])` for every day index t in
 * `[from, to]` where both values exist. The effect is read over the same window at every lag and the
 * cause is read `lag` days earlier, so every lag is judged on the same stretch of the incident metric.
 *
 * `null` when fewer than `minPairs` ({@link MIN_CORRELATION_PAIRS} by default) pairs exist or a side
 * is constant.
 * @example
 * // cause leads effect by one day exactly:
 * crossCorrelation([0, 0, 5, 1, 0, 0, 3, 0], [0, 0, 0, 5, 1, 0, 0, 3], 1, 1, 7) // 1
 */
export function crossCorrelation(
  cause: readonly (number | null)[],
  effect: readonly (number | null)[],
  lag: number,
  from: number,
  to: number,
  minPairs = MIN_CORRELATION_PAIRS,
): number | null {
  if (!Number.isInteger(lag) || lag < 0) throw new Error(`crossCorrelation: lag must be a whole number of days ≥ 0, got ${lag}`);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from > to) throw new Error(`crossCorrelation: bad window [${from}, ${to}]`);
  const size = Math.max(0, to - from + 1);
  if (scratchX.length < size) {
    scratchX = new Float64Array(size * 2);
    scratchY = new Float64Array(size * 2);
  }
  let n = 0;
  for (let t = Math.max(from, lag); t <= to && t < effect.length; t++) {
    const x = cause[t - lag];
    const y = effect[t];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    scratchX[n] = x;
    scratchY[n] = y;
    n++;
  }
  if (n < Math.max(2, minPairs)) return null;
  return pearsonCorrelation(scratchX, scratchY, n);
}

// Reused between calls: RCA computes hundreds of lagged correlations per scan.
let scratchX = new Float64Array(64);
let scratchY = new Float64Array(64);
