/**
 * Overlap (Szymkiewicz–Simpson) coefficient: `|A ∩ B| / min(|A|, |B|)`, in [0, 1]; 1 when the smaller
 * set lies inside the larger. Kept beside Jaccard to measure how much Jaccard's size penalty costs.
 * @example overlapCoefficient(new Set(["a", "b", "c"]), new Set(["b", "c", "d", "e"])) // 2 / 3
 */
export function overlapCoefficient(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) throw new Error("overlapCoefficient: a set is empty");
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const item of small) if (large.has(item)) shared++;
  return shared / small.size;
}
