/**
 * Bayesian online change-point detection.
 * Adams & MacKay (2007), "Bayesian Online Changepoint Detection", arXiv:0710.3742.
 *
 * The run length r_t (points since the last change) has the posterior
 * `P(r_t | x_1..t) ∝ Σ_{r_(t−1)} P(x_t | r_(t−1), x^(r)) · P(r_t | r_(t−1)) · P(r_(t−1) | x_1..t−1)`
 * with a constant hazard H = 1/λ and a Normal–Gamma conjugate model, whose predictive is a
 * Student t: `x ~ t_{2α}(μ, β(κ+1)/(ακ))`; after each point
 * `μ' = (κμ + x)/(κ+1)`, `κ' = κ+1`, `α' = α + ½`, `β' = β + κ(x−μ)²/(2(κ+1))`.
 *
 * Conventions follow the R package `ocp` (Pagotto), which TCPDBench runs as "bocpd": index r of
 * {@link BocpdStep.runLength} is the probability that the current run is the last r points
 * (index 0: a change right after x_t); the run-length vector is truncated where its tail mass
 * falls below `truncate` (default 1e-4, without renormalising); and {@link Bocpd.changePoints}
 * is ocp's "maxCPs" set: the best segmentation found by the recursion
 * `M(t+1) = max_j [ log P(r_t = t − j) + M(j) ]`, whose argmax adds a change at j + 1.
 */
import { gammaln } from "simple-statistics";

export interface BocpdOptions {
  /** Expected run length λ of the constant hazard 1/λ (ocp default 100). */
  lambda: number;
  /** Normal–Gamma prior: mean m, κ, α (a), β (b). */
  prior: { mean: number; kappa: number; alpha: number; beta: number };
  /** Drop run lengths whose tail probability is below this (ocp's truncRlim). */
  truncate?: number;
}

export interface BocpdStep {
  /** P(current run = last r points | data so far), r = 0…; sums to 1 (before any truncation). */
  runLength: Float64Array;
}

interface ChangeList {
  /** 1-based index of the first point of a segment. */
  start: number;
  previous: ChangeList | null;
}

const MIN_DOUBLE = 2.2250738585072014e-308;
const LOG_MIN_DOUBLE = Math.log(MIN_DOUBLE);

export class Bocpd {
  private readonly hazard: number;
  private readonly truncate: number;
  private readonly prior: BocpdOptions["prior"];
  private readonly dims: number;
  private probs = Float64Array.of(1);
  /** Model parameters per run length (row r, dimension d at r·dims + d). */
  private mu: Float64Array;
  private kappa: Float64Array;
  private alpha: Float64Array;
  private beta: Float64Array;
  /** Points seen so far. */
  private t = 0;
  /** M(j) and the change list of the best segmentation ending before point j, for recent j. */
  private readonly bestLog: number[] = [0, 0];
  private readonly bestList: (ChangeList | null)[] = [null, { start: 1, previous: null }];

  constructor(options: BocpdOptions & { dimensions?: number }) {
    if (!(options.lambda > 1)) throw new Error(`Bocpd: lambda must be > 1, got ${options.lambda}`);
    const { mean, kappa, alpha, beta } = options.prior;
    if (!(kappa > 0 && alpha > 0 && beta > 0)) throw new Error("Bocpd: prior kappa, alpha and beta must be > 0");
    this.dims = options.dimensions ?? 1;
    if (!Number.isInteger(this.dims) || this.dims < 1) throw new Error(`Bocpd: dimensions must be a positive integer, got ${this.dims}`);
    this.hazard = 1 / options.lambda;
    this.truncate = options.truncate ?? 1e-4;
    this.prior = options.prior;
    this.mu = new Float64Array(this.dims).fill(mean);
    this.kappa = new Float64Array(this.dims).fill(kappa);
    this.alpha = new Float64Array(this.dims).fill(alpha);
    this.beta = new Float64Array(this.dims).fill(beta);
  }

  /** Points processed so far. */
  get length(): number {
    return this.t;
  }

  /**
   * Takes the next point (a number, or one value per dimension; dimensions are independent given
   * the run length, so their log predictives add) and returns the run-length posterior after it.
   */
  update(point: number | ArrayLike<number>): BocpdStep {
    const x = typeof point === "number" ? [point] : point;
    const dims = this.dims;
    if (x.length !== dims) throw new Error(`Bocpd.update: expected ${dims} values, got ${x.length}`);
    for (let d = 0; d < dims; d++) {
      if (!Number.isFinite(x[d]!)) throw new Error(`Bocpd.update: point ${this.t} is not a finite number`);
    }
    this.t++;
    const t = this.t;
    let size = this.probs.length;
    if (size > 1) {
      // Keep the prefix whose tail mass Σ_{k ≥ r} P(k) stays at or above the threshold.
      const tails = new Float64Array(size);
      let tail = 0;
      for (let r = size - 1; r >= 0; r--) {
        tail += this.probs[r]!;
        tails[r] = tail;
      }
      let keep = 0;
      while (keep < size && tails[keep]! >= this.truncate) keep++;
      size = Math.max(1, keep);
    }

    const next = new Float64Array(size + 1);
    const mu = new Float64Array((size + 1) * dims);
    const kappa = new Float64Array((size + 1) * dims);
    const alpha = new Float64Array((size + 1) * dims);
    const beta = new Float64Array((size + 1) * dims);
    mu.fill(this.prior.mean, 0, dims);
    kappa.fill(this.prior.kappa, 0, dims);
    alpha.fill(this.prior.alpha, 0, dims);
    beta.fill(this.prior.beta, 0, dims);
    let changeMass = 0;
    for (let r = 0; r < size; r++) {
      let logPredictive = 0;
      for (let d = 0; d < dims; d++) {
        const at = r * dims + d;
        const m = this.mu[at]!;
        const k = this.kappa[at]!;
        const a = this.alpha[at]!;
        const b = this.beta[at]!;
        const v = x[d]!;
        logPredictive += studentTLogPdf(v, m, (b * (k + 1)) / (a * k), 2 * a);
        const dev = v - m;
        const to = at + dims;
        beta[to] = b + (k * dev * dev) / (2 * (k + 1));
        mu[to] = (k * m + v) / (k + 1);
        kappa[to] = k + 1;
        alpha[to] = a + 0.5;
      }
      let logJoint = Math.log(this.probs[r]!) + logPredictive;
      if (logJoint < LOG_MIN_DOUBLE) logJoint = LOG_MIN_DOUBLE;
      const joint = Math.exp(logJoint);
      next[r + 1] = joint * (1 - this.hazard);
      changeMass += joint * this.hazard;
    }
    next[0] = changeMass;
    let total = 0;
    for (let r = 0; r <= size; r++) total += next[r]!;
    for (let r = 0; r <= size; r++) {
      next[r] = next[r]! / total;
      if (next[r]! < MIN_DOUBLE) next[r] = MIN_DOUBLE;
    }

    // ocp's maxCPs recursion over j = t − size … t (run length t − j).
    const first = t - size;
    let bestValue = Number.NEGATIVE_INFINITY;
    let bestJ = first;
    for (let j = first; j <= t; j++) {
      const value = Math.log(next[t - j]!) + this.bestLog[j]!;
      if (value > bestValue) {
        bestValue = value;
        bestJ = j;
      }
    }
    this.bestLog.push(bestValue);
    this.bestList.push({ start: bestJ + 1, previous: this.bestList[bestJ]! });
    // Entries older than the longest run still possible are never read again.
    if (first > 0) this.bestList[first - 1] = null;

    this.probs = next;
    this.mu = mu;
    this.kappa = kappa;
    this.alpha = alpha;
    this.beta = beta;
    return { runLength: next };
  }

  /**
   * The change points of the most probable segmentation so far, as 0-based indices of the first
   * point of each new segment (ascending; the series start is not listed).
   */
  changePoints(): number[] {
    const out: number[] = [];
    for (let node = this.bestList[this.t + 1] ?? null; node !== null; node = node.previous) {
      if (node.start - 1 > 0 && node.start - 1 < this.t) out.push(node.start - 1);
    }
    return out.reverse();
  }

  /** P(a change happened within the last `points` points) = P(run length < points). */
  recentChangeProbability(points: number): number {
    let p = 0;
    for (let r = 0; r < Math.min(points, this.probs.length); r++) p += this.probs[r]!;
    return Math.min(1, p);
  }
}

/**
 * Log density of Student's t with location μ, squared scale σ² and ν degrees of freedom:
 * `log Γ((ν+1)/2) − log Γ(ν/2) − ½ log(νπσ²) − (ν+1)/2 · log(1 + (x−μ)²/(νσ²))`.
 * @example studentTLogPdf(0, 0, 1, 1) // log(1/π) = −1.14473
 */
export function studentTLogPdf(x: number, mu: number, scale2: number, nu: number): number {
  if (!(scale2 > 0) || !(nu > 0)) throw new Error(`studentTLogPdf: scale² and ν must be > 0 (got ${scale2}, ${nu})`);
  const d = x - mu;
  return gammaln(nu / 2 + 0.5) - gammaln(nu / 2) - 0.5 * Math.log(nu * Math.PI * scale2) - ((nu + 1) / 2) * Math.log1p((d * d) / (nu * scale2));
}
