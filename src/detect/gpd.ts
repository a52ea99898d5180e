/**
 * Tail probabilities by peaks over threshold with a generalised Pareto distribution (Pickands
 * 1975; Balkema & de Haan 1974), as in SPOT (Siffer, Fouque, Termier & Largouët 2017, "Anomaly
 * detection in streams with extreme value theory", KDD). Above the threshold t (a high
 * quantile of the history), `P(X > x) = p_t · (1 + γ(x − t)/σ)^(−1/γ)`, with p_t the share of the
 * history above t; γ and σ by the method of moments (Hosking & Wallis 1987):
 * `γ = ½(1 − m²/v)`, `σ = ½·m·(1 + m²/v)` for the excesses' mean m and variance v.
 * γ is capped at 0.5 so a few huge excesses cannot make every value look ordinary.
 */
export interface GpdTail {
  threshold: number;
  /** Share of the history above the threshold. */
  share: number;
  gamma: number;
  sigma: number;
}

/**
 * Fits the tail of `history` above its q-quantile `threshold`.
 * @example fitGpdTail([...], 1.2) // { threshold: 1.2, share: 0.03, gamma: 0.1, sigma: 0.4 }
 */
export function fitGpdTail(history: readonly number[], threshold: number): GpdTail {
  if (history.length === 0) throw new Error("fitGpdTail: the history is empty");
  const excesses = history.filter((v) => v > threshold).map((v) => v - threshold);
  const share = excesses.length / history.length;
  if (excesses.length < 5) return { threshold, share, gamma: 0, sigma: Math.max(Math.abs(threshold) * 0.1, 1e-6) };
  const m = excesses.reduce((s, v) => s + v, 0) / excesses.length;
  const v = excesses.reduce((s, e) => s + (e - m) ** 2, 0) / excesses.length;
  if (!(v > 0) || !(m > 0)) return { threshold, share, gamma: 0, sigma: Math.max(m, 1e-6) };
  const ratio = (m * m) / v;
  return { threshold, share, gamma: Math.min(0.5 * (1 - ratio), 0.5), sigma: 0.5 * m * (1 + ratio) };
}

/**
 * −log10 P(X ≥ x) from the fitted tail (values above the threshold); capped at 30.
 * @example gpdSurprise({ threshold: 0, share: 0.1, gamma: 0, sigma: 1 }, Math.LN10) // 1 + 1 = 2
 */
export function gpdSurprise(tail: GpdTail, x: number): number {
  const y = Math.max(0, x - tail.threshold);
  let log10Tail: number;
  if (Math.abs(tail.gamma) < 1e-6) log10Tail = -y / tail.sigma / Math.LN10;
  else {
    const base = 1 + (tail.gamma * y) / tail.sigma;
    log10Tail = base <= 0 ? -30 : (-1 / tail.gamma) * Math.log10(base);
  }
  return Math.min(30, -(Math.log10(Math.max(tail.share, 1e-12)) + log10Tail));
}
