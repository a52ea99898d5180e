import { crossCorrelation } from "./cross-correlation.ts";

export interface LaggedCorrelation {
  /** Days the cause leads the effect at the best correlation. */
  lag: number;
  /** The correlation at that lag, in the expected direction (sign-adjusted, so > 0 supports the cause). */
  correlation: number;
}

/**
 * The lag in `[0, maxLag]` at which the cause's sign-adjusted cross-correlation with the effect is
 * largest (ties go to the shorter lag). `sign` is the direction the DAG says the cause pushes the
 * effect (+1 or −1): a correlation of the opposite sign counts as no support. Returns lag 0 and
 * correlation 0 when no lag has a defined, positive correlation.
 * @example bestLaggedCorrelation([0, 0, 5, 1, 0, 0, 3, 0], [0, 0, 0, 5, 1, 0, 0, 3], 1, 1, 7, 3)
 * // { lag: 1, correlation: 1 }
 */
export function bestLaggedCorrelation(
  cause: readonly (number | null)[],
  effect: readonly (number | null)[],
  sign: 1 | -1,
  from: number,
  to: number,
  maxLag: number,
  minPairs?: number,
): LaggedCorrelation {
  if (sign !== 1 && sign !== -1) throw new Error(`bestLaggedCorrelation: sign must be 1 or -1, got ${sign}`);
  let best: LaggedCorrelation = { lag: 0, correlation: 0 };
  for (let lag = 0; lag <= maxLag; lag++) {
    const r = crossCorrelation(cause, effect, lag, from, to, minPairs);
    if (r === null) continue;
    const aligned = sign * r;
    if (aligned > best.correlation + 1e-12) best = { lag, correlation: aligned };
  }
  return best;
}
