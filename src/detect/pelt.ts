/**
 * PELT: exact optimal segmentation under a penalised cost in (near) linear time.
 * Killick, Fearnhead & Eckley (2012), "Optimal detection of changepoints with a linear
 * computational cost", JASA 107(500):1590–1598, doi:10.1080/01621459.2012.737745.
 *
 * Minimises Σ_segments C(y_(s+1)..t) + β·(number of change points) by the recursion
 * `F(t) = min_{s ∈ R_t} F(s) + C(s, t) + β` and prunes every s with `F(s) + C(s, t) > F(t)`
 * (K = 0, valid for these costs). The recursion, the pruning test and the tie-breaking (first
 * minimum) follow the reference C implementation of the R package `changepoint`
 * (`PELT_one_func_minseglen.c`), so the same data and penalty give the same segmentation.
 *
 * Costs (twice the negative Gaussian log-likelihood, constants dropped as `changepoint` does):
 * - `mean`: change in mean, unit variance: `C = Σy² − (Σy)²/n` (scale the data first);
 * - `meanvar`: change in mean and variance: `C = n·(log 2π + log σ̂² + 1)`, σ̂² = max(var, 1e-11).
 * With `mbic: true` each segment also costs `log n_seg` (Zhang & Siegmund's modified BIC, the way
 * `changepoint` implements MBIC); use it with {@link mbicPenalty}.
 *
 * @example pelt([0, 0, 0, 0, 0, 5, 5, 5, 5, 5], { penalty: 3 }) // [5]: a new segment starts at index 5
 */
export interface PeltOptions {
  /** β, the penalty per change point. */
  penalty: number;
  cost?: "mean" | "meanvar";
  /** Adds log(segment length) to each segment's cost (MBIC). */
  mbic?: boolean;
  /** Shortest segment allowed (default 1 for `mean`, 2 for `meanvar`, as in `changepoint`). */
  minSegmentLength?: number;
}

/** Returns the 0-based index where each new segment starts, ascending (the first segment's 0 excluded). */
export function pelt(values: ArrayLike<number>, options: PeltOptions): number[] {
  const n = values.length;
  const cost = options.cost ?? "mean";
  const m = options.minSegmentLength ?? (cost === "mean" ? 1 : 2);
  const pen = options.penalty;
  if (!(pen >= 0) || !Number.isFinite(pen)) throw new Error(`pelt: penalty must be a finite number ≥ 0, got ${pen}`);
  if (!Number.isInteger(m) || m < 1) throw new Error(`pelt: minSegmentLength must be a positive integer, got ${m}`);
  if (n < 2 * m) return [];
  const sum = new Float64Array(n + 1);
  const sumSq = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const y = values[i]!;
    if (!Number.isFinite(y)) throw new Error(`pelt: value at index ${i} is not a finite number`);
    sum[i + 1] = sum[i]! + y;
    sumSq[i + 1] = sumSq[i]! + y * y;
  }
  const mbic = options.mbic ?? false;
  const segmentCost = (s: number, t: number): number => {
    const len = t - s;
    const x = sum[t]! - sum[s]!;
    const x2 = sumSq[t]! - sumSq[s]!;
    let c: number;
    if (cost === "mean") c = x2 - (x * x) / len;
    else {
      let variance = (x2 - (x * x) / len) / len;
      if (variance <= 0) variance = 1e-11;
      c = len * (Math.log(2 * Math.PI) + Math.log(variance) + 1);
    }
    return mbic ? c + Math.log(len) : c;
  };

  const best = new Float64Array(n + 1); // F(t)
  const lastChange = new Int32Array(n + 1);
  best[0] = -pen;
  for (let j = m; j < 2 * m; j++) best[j] = segmentCost(0, j);
  let candidates: number[] = [0, m];
  const trial: number[] = [];
  for (let t = 2 * m; t <= n; t++) {
    trial.length = 0;
    let minimum = Number.POSITIVE_INFINITY;
    let argmin = 0;
    for (const s of candidates) {
      const value = best[s]! + segmentCost(s, t) + pen;
      trial.push(value);
      if (value < minimum) {
        minimum = value;
        argmin = s;
      }
    }
    best[t] = minimum;
    lastChange[t] = argmin;
    const kept: number[] = [];
    candidates.forEach((s, k) => {
      if (trial[k]! <= minimum + pen) kept.push(s);
    });
    kept.push(t - (m - 1));
    candidates = kept;
  }
  const starts: number[] = [];
  for (let last = lastChange[n]!; last !== 0; last = lastChange[last]!) starts.push(last);
  return starts.reverse();
}

/**
 * The MBIC penalty of `changepoint`: (p + 2)·log n, with p the parameters that change
 * (1 for a change in mean).
 * @example mbicPenalty(100) // 3·log(100) = 13.8155…
 */
export function mbicPenalty(n: number, changingParameters = 1): number {
  if (!(n >= 1)) throw new Error(`mbicPenalty: n must be ≥ 1, got ${n}`);
  return (changingParameters + 2) * Math.log(n);
}
