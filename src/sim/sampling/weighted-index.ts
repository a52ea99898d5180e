import type { Random } from "../../rng.ts";

/**
 * Cumulative weights for {@link pickWeighted}: c[i] = w[0] + … + w[i].
 * @example cumulativeWeights([1, 3]) // Float64Array [1, 4]
 */
export function cumulativeWeights(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) throw new Error(`cumulativeWeights: weight ${i} must be a finite number ≥ 0, got ${w}`);
    total += w;
    out[i] = total;
  }
  if (total <= 0) throw new Error("cumulativeWeights: the weights sum to 0");
  return out;
}

/**
 * An index drawn with probability w[i] / Σw, by binary search on the cumulative weights.
 * @example pickWeighted(seededRandom(3), cumulativeWeights([1, 3])) // 1 three times out of four
 */
export function pickWeighted(random: Random, cumulative: Float64Array): number {
  const total = cumulative[cumulative.length - 1];
  if (total === undefined) throw new Error("pickWeighted: no weights");
  const target = random() * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
