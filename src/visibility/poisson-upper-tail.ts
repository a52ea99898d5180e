import { gammaln } from "simple-statistics";

/**
 * Upper tail of the Poisson distribution, `P(X ≥ k)` for `X ~ Poisson(λ)`:
 * `Σ_{i ≥ k} e^{−λ} λ^i / i!`, summed upward from `p(k) = exp(−λ + k·ln λ − ln k!)` with
 * `p(i+1) = p(i)·λ/(i+1)`, so a tiny tail is not lost to `1 − CDF` cancellation.
 * @example poissonUpperTail(3, 1) // 1 − e^{−1}(1 + 1 + 1/2) = 0.0803013970713942
 */
export function poissonUpperTail(k: number, lambda: number): number {
  if (!Number.isInteger(k) || k < 0) throw new Error(`poissonUpperTail: k must be a non-negative integer, got ${k}`);
  if (!Number.isFinite(lambda) || lambda < 0) throw new Error(`poissonUpperTail: lambda must be finite and >= 0, got ${lambda}`);
  if (k === 0) return 1;
  if (lambda === 0) return 0;
  let term = Math.exp(-lambda + k * Math.log(lambda) - gammaln(k + 1));
  let sum = 0;
  // Terms grow until i ≈ λ, then shrink geometrically; stop once they no longer change the sum.
  for (let i = k; ; i++) {
    sum += term;
    if (i > lambda && term <= sum * 1e-17) break;
    if (i > lambda + 60 * Math.sqrt(lambda) + 1000) break;
    term *= lambda / (i + 1);
  }
  return Math.min(1, sum);
}
