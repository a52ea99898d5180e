/** Calendar-day arithmetic on `YYYY-MM-DD` strings, always in UTC. */

const DAY_MS = 86_400_000;

/** Days from 1970-01-01 to `day`. */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

/**
 * The `YYYY-MM-DD` of a day number. Integer civil-calendar arithmetic (H. Hinnant's
 * `civil_from_days`) instead of a Date round trip: the analyses call this thousands of times a scan.
 */
export function dayFromNumber(n: number): string {
  if (!Number.isInteger(n)) throw new Error(`dayFromNumber: ${n} is not a whole day number`);
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(n * DAY_MS).toISOString().slice(0, 10);
  return `${String(year).padStart(4, "0")}-${month < 10 ? "0" : ""}${month}-${day < 10 ? "0" : ""}${day}`;
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
