import type { ConflictRecord } from "../conflict.ts";

/**
 * Time to detect one conflict, in milliseconds: `alerted_at − first_seen`, from the time of the
 * first conflicting event to the moment its alert went out. Null while no alert has been sent.
 * An event stamped slightly in the future (clock skew) cannot make it negative: it is floored at 0.
 * @example timeToDetectMs({ first_seen: "2025-03-01T10:00:00.000Z", alerted_at: "2025-03-01T10:00:00.750Z" }) // 750
 */
export function timeToDetectMs(conflict: Pick<ConflictRecord, "first_seen" | "alerted_at">): number | null {
  if (conflict.alerted_at === null) return null;
  const seen = Date.parse(conflict.first_seen);
  const alerted = Date.parse(conflict.alerted_at);
  if (Number.isNaN(seen) || Number.isNaN(alerted)) {
    throw new Error(`timeToDetectMs: first_seen "${conflict.first_seen}" and alerted_at "${conflict.alerted_at}" must be ISO timestamps`);
  }
  return Math.max(0, alerted - seen);
}
