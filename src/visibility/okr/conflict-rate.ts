/**
 * The OKR's conflict rate: the share of decision events that were in conflict,
 * `rate = conflicting decision events / decision events` (target < 2 %).
 * @example conflictRate(3, 200) // 0.015
 */
export function conflictRate(conflictingEvents: number, decisionEvents: number): number {
  if (!Number.isInteger(decisionEvents) || decisionEvents <= 0) {
    throw new Error(`conflictRate: needs at least one decision event, got ${decisionEvents}`);
  }
  if (!Number.isInteger(conflictingEvents) || conflictingEvents < 0 || conflictingEvents > decisionEvents) {
    throw new Error(`conflictRate: conflicting events must be a whole number between 0 and ${decisionEvents}, got ${conflictingEvents}`);
  }
  return conflictingEvents / decisionEvents;
}
