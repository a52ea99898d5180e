/** Calendar-day arithmetic on `YYYY-MM-DD` strings, always in UTC. */

const DAY_MS = 86_400_000;

/** Days from 1970-01-01 to `day`. */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/** The `YYYY-MM-DD` of a day number. */
export function dayFromNumber(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** `day` shifted by `days` (negative goes back). */
export function addDays(day: string, days: number): string {
  return dayFromNumber(dayNumber(day) + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** Every day from `first` to `last` inclusive. */
export function dayRange(first: string, last: string): string[] {
  const start = dayNumber(first);
  const end = dayNumber(last);
  const days: string[] = [];
  for (let n = start; n <= end; n++) days.push(dayFromNumber(n));
  return days;
}

/** Day of week, 0 = Sunday … 6 = Saturday. */
export function weekday(day: string): number {
  return (dayNumber(day) + 4) % 7; // 1970-01-01 was a Thursday
}
