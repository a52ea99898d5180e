/**
 * Exact tail z-scores for counts. The Gaussian z-score overstates how rare a small count is
 * (12 tickets where 5 are usual is 3.1 "σ" but happens on 0.55 % of days under Poisson(5), not
 * 0.13 %), so Layer 1 also asks the exact distribution and keeps the smaller of the two
 * deviations. Each tail probability q is turned back into the z with the same tail:
 * `z = Φ⁻¹(1 − q)` above the expectation, `−Φ⁻¹(1 − q)` below it.
 */
import { gammaln } from "simple-statistics";

const MAX_Z = 40;

/**
 * z of a count x under Poisson(λ): upper tail P(X ≥ x) when x ≥ λ, lower tail P(X ≤ x) below.
 * @example poissonZ(12, 5) // P(X ≥ 12) = 0.00545 → 2.546
 */
export function poissonZ(x: number, lambda: number): number {
  if (!(lambda > 0) || !Number.isFinite(lambda)) throw new Error(`poissonZ: λ must be > 0, got ${lambda}`);
  const k = Math.round(x);
  if (k < 0) throw new Error(`poissonZ: the count must be ≥ 0, got ${x}`);
  const logPmf = (j: number) => -lambda + j * Math.log(lambda) - gammaln(j + 1);
  if (k >= lambda) return zFromUpperTail(sumLog(logPmf, k, (j) => j + 1, (j) => j > k + 10 && j > lambda + 40 * Math.sqrt(lambda) + 50));
  return -zFromUpperTail(sumLog(logPmf, k, (j) => j - 1, (j) => j < 0));
}

/**
 * log P(X ≥ x) under Poisson(λ), exact (0 for x ≤ 0), for tails too small for a float.
 * @example Math.exp(poissonLogUpperTail(12, 5)) // 0.00545
 */
export function poissonLogUpperTail(x: number, lambda: number): number {
  if (!(lambda > 0) || !Number.isFinite(lambda)) throw new Error(`poissonLogUpperTail: λ must be > 0, got ${lambda}`);
  const k = Math.round(x);
  if (k <= 0) return 0;
  const logPmf = (j: number) => -lambda + j * Math.log(lambda) - gammaln(j + 1);
  if (k > lambda) return sumLog(logPmf, k, (j) => j + 1, (j) => j > k + 10 && j > lambda + 40 * Math.sqrt(lambda) + 50);
  // At or below the mean: one minus the lower tail, which is then small enough to be exact.
  return Math.log1p(-Math.exp(sumLog(logPmf, k - 1, (j) => j - 1, (j) => j < 0)));
}

/**
 * z of k successes in n trials under Binomial(n, p), with the same tails as {@link poissonZ}.
 * @example binomialZ(10, 100, 0.04) // P(X ≥ 10) = 0.00684 → 2.465
 */
export function binomialZ(k: number, n: number, p: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`binomialZ: p must be in (0, 1), got ${p}`);
  const kk = Math.round(k);
  const nn = Math.round(n);
  if (nn < 1 || kk < 0 || kk > nn) throw new Error(`binomialZ: need 0 ≤ k ≤ n and n ≥ 1, got k=${k}, n=${n}`);
  const logPmf = (j: number) => gammaln(nn + 1) - gammaln(j + 1) - gammaln(nn - j + 1) + j * Math.log(p) + (nn - j) * Math.log(1 - p);
  if (kk >= nn * p) return zFromUpperTail(sumLog(logPmf, kk, (j) => j + 1, (j) => j > nn));
  return -zFromUpperTail(sumLog(logPmf, kk, (j) => j - 1, (j) => j < 0));
}

/** log Σ exp(logPmf(j)) walking from `start` with `next` until `done` or the terms vanish. */
function sumLog(logPmf: (j: number) => number, start: number, next: (j: number) => number, done: (j: number) => boolean): number {
  const first = logPmf(start);
  let total = 1; // in units of exp(first)
  for (let j = next(start); !done(j); j = next(j)) {
    const term = Math.exp(logPmf(j) - first);
    total += term;
    if (term < 1e-17 * total) break;
  }
  return first + Math.log(total);
}

/** z with upper-tail probability exp(logQ), clamped to [0, 40]. */
export function zFromUpperTail(logQ: number): number {
  if (logQ >= Math.log(0.5)) return 0;
  return Math.min(MAX_Z, normalUpperQuantile(logQ));
}

/**
 * z such that P(Z > z) = exp(logQ), for logQ < log ½: Acklam's rational approximation of the
 * normal quantile in its tail form (relative error < 1.2e-9), taking log q so that tails far
 * below 1e-300 still give finite z.
 * @example normalUpperQuantile(Math.log(0.00135)) // 3.0
 */
export function normalUpperQuantile(logQ: number): number {
  if (!(logQ < 0)) throw new Error(`normalUpperQuantile: q must be below 1, got exp(${logQ})`);
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  if (logQ > Math.log(0.02425)) {
    const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
    const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const u = 0.5 - Math.exp(logQ);
    const r = u * u;
    return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * u) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const t = Math.sqrt(-2 * logQ);
  return -(((((c[0]! * t + c[1]!) * t + c[2]!) * t + c[3]!) * t + c[4]!) * t + c[5]!) / ((((d[0]! * t + d[1]!) * t + d[2]!) * t + d[3]!) * t + 1);
}
