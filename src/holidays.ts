/**
 * The days a US small business closes: New Year's Day, Memorial Day, Independence Day, Labor Day,
 * Thanksgiving and the day after, Christmas Day (fixed-date ones observed on the nearest weekday).
 * The simulator closes its warehouse, carriers and support desk on them, and detection knows that
 * the few business days after one carry its backlog (detect.ts, `holidayShadow`).
 */
import { addDays, weekday } from "./time.ts";

/** The n-th given weekday (0 = Sunday) of a month; n = −1 means the last one. */
function nthWeekday(year: number, month: number, dow: number, n: number): string {
  if (n > 0) {
    const first = `${year}-${String(month).padStart(2, "0")}-01`;
    const offset = (dow - weekday(first) + 7) % 7;
    return addDays(first, offset + 7 * (n - 1));
  }
  const nextMonth = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`;
  const last = addDays(nextMonth, -1);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
}

/** A fixed-date holiday moves to Friday when it falls on Saturday and to Monday on Sunday. */
function observed(day: string): string {
  const dow = weekday(day);
  if (dow === 6) return addDays(day, -1);
  if (dow === 0) return addDays(day, 1);
  return day;
}

/** Days the business closes in a year, with their names. */
export function closureDays(year: number): Map<string, string> {
  const out = new Map<string, string>();
  out.set(observed(`${year}-01-01`), "New Year's Day");
  out.set(nthWeekday(year, 5, 1, -1), "Memorial Day");
  out.set(observed(`${year}-07-04`), "Independence Day");
  out.set(nthWeekday(year, 9, 1, 1), "Labor Day");
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  out.set(thanksgiving, "Thanksgiving");
  out.set(addDays(thanksgiving, 1), "Day after Thanksgiving");
  out.set(observed(`${year}-12-25`), "Christmas Day");
  return out;
}

/**
 * Per day of `days` (consecutive `YYYY-MM-DD`), whether it is a closure day or one of the
 * `businessDays` business days (Monday–Friday, not closed) after a run of closures, with the
 * weekend days between: the days that carry a holiday's backlog, late payments and late shipments.
 * @example holidayShadow(["2025-11-26", …, "2025-12-04"], 3) // Thanksgiving Thu 27 → true from Thu 27 to Wed Dec 3
 */
export function holidayShadow(days: readonly string[], businessDays: number): { shadowed: boolean[]; holiday: (string | null)[] } {
  const shadowed: boolean[] = new Array(days.length).fill(false);
  const holiday: (string | null)[] = new Array(days.length).fill(null);
  if (days.length === 0) return { shadowed, holiday };
  const closures = new Map<string, string>();
  const firstYear = Number(days[0]!.slice(0, 4));
  const lastYear = Number(days[days.length - 1]!.slice(0, 4));
  for (let year = firstYear; year <= lastYear; year++) for (const [day, name] of closureDays(year)) closures.set(day, name);
  let name: string | null = null;
  let left = 0; // business days of shadow still to run
  for (let i = 0; i < days.length; i++) {
    const day = days[i]!;
    const closed = closures.get(day);
    if (closed !== undefined) {
      name = closed === "Day after Thanksgiving" ? "Thanksgiving" : closed;
      left = businessDays;
    } else if (left > 0) {
      const dow = weekday(day);
      if (dow !== 0 && dow !== 6) left--;
    } else {
      continue;
    }
    shadowed[i] = true;
    holiday[i] = name;
  }
  return { shadowed, holiday };
}
