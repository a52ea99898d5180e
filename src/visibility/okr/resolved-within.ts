import type { ConflictRecord } from "../conflict.ts";
import { RESOLVED_STATUSES } from "../conflict.ts";

const HOUR_MS = 3_600_000;

export interface ResolvedWithin {
  /** Conflicts whose outcome at the deadline is known at `asOf`. */
  eligible: number;
  /** Of those, resolved (fixed, documented or disputed) within `hours` of detection. */
  resolved: number;
  /** resolved / eligible, or null when nothing is eligible yet. */
  share: number | null;
}

/**
 * The OKR's resolution rate: `share = resolved within the SLA / conflicts whose SLA outcome is
 * known` (target > 90 % within 24 h). A conflict is counted once its deadline
 * (`detected_at + hours`) has passed at `asOf`, or earlier if it was already resolved in time;
 * younger unresolved conflicts are left out, because their outcome is not known yet.
 * @example 3 conflicts detected 30 h before asOf, resolved after 2 h, 25 h and never → 1 of 3.
 */
export function resolvedWithin(
  conflicts: readonly Pick<ConflictRecord, "detected_at" | "status" | "resolved_at">[],
  asOf: string,
  hours = 24,
): ResolvedWithin {
  const asOfMs = Date.parse(asOf);
  if (Number.isNaN(asOfMs)) throw new Error(`resolvedWithin: asOf "${asOf}" is not an ISO timestamp`);
  if (!(hours > 0)) throw new Error(`resolvedWithin: hours must be positive, got ${hours}`);
  let eligible = 0;
  let resolved = 0;
  for (const conflict of conflicts) {
    const deadline = Date.parse(conflict.detected_at) + hours * HOUR_MS;
    const resolvedAt = RESOLVED_STATUSES.has(conflict.status) && conflict.resolved_at !== null ? Date.parse(conflict.resolved_at) : null;
    const inTime = resolvedAt !== null && resolvedAt <= deadline && resolvedAt <= asOfMs;
    if (inTime) {
      eligible++;
      resolved++;
    } else if (deadline <= asOfMs) {
      eligible++;
    }
  }
  return { eligible, resolved, share: eligible > 0 ? resolved / eligible : null };
}
