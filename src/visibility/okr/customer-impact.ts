import type { ConflictRecord } from "../conflict.ts";
import { addDays, weekday } from "../../time.ts";

/** The Monday (UTC, `YYYY-MM-DD`) of the ISO week that contains a timestamp. */
export function isoWeekStart(isoTime: string): string {
  const day = isoTime.slice(0, 10);
  return addDays(day, -((weekday(day) + 6) % 7));
}

/**
 * The OKR's customer-impact incidents: conflicts that reached customers, per ISO week of their
 * first occurrence (target < 10 a week). Every decision event is something a customer was shown,
 * so every conflict reached customers, except those disputed as false positives.
 * @example two conflicts first seen on Tue 2025-03-04 and Sun 2025-03-09, one disputed on Mon 2025-03-10 → { "2025-03-03": 2 }
 */
export function customerImpactByWeek(conflicts: readonly Pick<ConflictRecord, "first_seen" | "status">[]): Map<string, number> {
  const weeks = new Map<string, number>();
  for (const conflict of conflicts) {
    if (conflict.status === "disputed") continue;
    const week = isoWeekStart(conflict.first_seen);
    weeks.set(week, (weeks.get(week) ?? 0) + 1);
  }
  return new Map([...weeks].sort(([a], [b]) => (a < b ? -1 : 1)));
}
