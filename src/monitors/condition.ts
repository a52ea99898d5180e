/** A monitor's condition, as text people read and as the test the runtime applies. */

/**
 * The condition string for a direction and threshold.
 * @example monitorCondition("up", 2.5) // "zscore > 2.5"
 * @example monitorCondition("down", 2) // "zscore < -2"
 */
export function monitorCondition(direction: "up" | "down", thresholdZ: number): string {
  if (!(thresholdZ > 0) || !Number.isFinite(thresholdZ)) throw new Error(`monitorCondition: threshold must be a positive number, got ${thresholdZ}`);
  return direction === "up" ? `zscore > ${thresholdZ}` : `zscore < -${thresholdZ}`;
}

/**
 * Does a day's modified z-score meet the condition? `z > t` for up, `z < −t` for down; a day
 * without a score (too little baseline) never fires.
 * @example conditionHolds("down", 2.5, -2.6) // true
 */
export function conditionHolds(direction: "up" | "down", thresholdZ: number, z: number | null): boolean {
  if (z === null || !Number.isFinite(z)) return false;
  return direction === "up" ? z > thresholdZ : z < -thresholdZ;
}
