/**
 * The entities whose event rate in a window stands out against their own baseline rate:
 * `lift = (n_window / window_days) / max(n_baseline / baseline_days, 1 / baseline_days)`, kept when
 * `n_window ≥ minEvents` (3) and `lift ≥ minLift` (3: a vendor three times as bad as usual). The
 * floor of one baseline event keeps an entity never seen before from getting an infinite lift.
 *
 * Returns null when no entity stands out (the incident is spread evenly: keep everything).
 * @example
 * // V-1: 20 delays in 7 days vs 3 in 30 → 2.857 / 0.1 = 28.6; V-2: 2 in 7 vs 8 in 30 → 0.286 / 0.267 = 1.07
 * concentratedEntities(new Map([["V-1", 20], ["V-2", 2]]), new Map([["V-1", 3], ["V-2", 8]]), 7, 30) // Set { "V-1" }
 */
export function concentratedEntities(
  windowCounts: ReadonlyMap<string, number>,
  baselineCounts: ReadonlyMap<string, number>,
  windowDays: number,
  baselineDays: number,
  minLift = 3,
  minEvents = 3,
): Set<string> | null {
  if (!(windowDays > 0) || !(baselineDays > 0)) throw new Error(`concentratedEntities: window (${windowDays}) and baseline (${baselineDays}) must be > 0 days`);
  const out = new Set<string>();
  for (const [id, n] of windowCounts) {
    if (n < minEvents) continue;
    const baselineRate = Math.max(baselineCounts.get(id) ?? 0, 1) / baselineDays;
    if (n / windowDays / baselineRate >= minLift) out.add(id);
  }
  return out.size > 0 ? out : null;
}
