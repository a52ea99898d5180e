/**
 * Jaccard similarity of two sets: `|A ∩ B| / |A ∪ B|`, in [0, 1].
 * Two empty sets have no overlap to measure: that is a precondition failure, not 0 or 1.
 * @example jaccardSimilarity(new Set(["a", "b", "c"]), new Set(["b", "c", "d", "e"])) // 2 / 5 = 0.4
 */
export function jaccardSimilarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) throw new Error("jaccardSimilarity: both sets are empty");
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const item of small) if (large.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}
