/**
 * The simulated business's calendar: US federal holidays on which the warehouse, the carriers
 * and the support desk close, and business-day arithmetic on day indices (day 0 = the first
 * emitted day; negative indices are the unrecorded warm-up).
 */
import { addDays, dayNumber, weekday } from "../time.ts";

import { closureDays } from "../holidays.ts";

const DAY_MS = 86_400_000;

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
/** `00`…`59` and `000`…`999`, so formatting a timestamp looks digits up instead of padding them. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => pad2(n));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"));

/** Day-indexed calendar facts, precomputed so the simulation loop never parses a date. */
export class SimCalendar {
  readonly startDay: string;
  /** Lowest and highest index covered. */
  readonly first: number;
  readonly last: number;
  private readonly dows: Uint8Array;
  private readonly closed: Uint8Array;
  private readonly names = new Map<number, string>();
  private readonly dayStrings: (string | undefined)[] = [];
  private readonly startNumber: number;

  constructor(startDay: string, first: number, last: number, extraClosures: ReadonlyMap<number, string> = new Map()) {
    this.startDay = startDay;
    this.first = first;
    this.last = last;
    this.startNumber = dayNumber(startDay);
    const size = last - first + 1;
    this.dows = new Uint8Array(size);
    this.closed = new Uint8Array(size);
    const firstYear = Number(addDays(startDay, first).slice(0, 4));
    const lastYear = Number(addDays(startDay, last).slice(0, 4));
    const closures = new Map<string, string>();
    for (let y = firstYear; y <= lastYear; y++) for (const [d, name] of closureDays(y)) closures.set(d, name);
    for (let t = first; t <= last; t++) {
      const day = this.day(t);
      this.dows[t - first] = weekday(day);
      const name = closures.get(day) ?? extraClosures.get(t);
      if (name) {
        this.closed[t - first] = 1;
        this.names.set(t, name);
      }
    }
  }

  /** `YYYY-MM-DD` of day index t. */
  day(t: number): string {
    if (t >= this.first && t <= this.last) {
      const cached = this.dayStrings[t - this.first];
      if (cached !== undefined) return cached;
      const text = new Date((this.startNumber + t) * DAY_MS).toISOString().slice(0, 10);
      this.dayStrings[t - this.first] = text;
      return text;
    }
    return new Date((this.startNumber + t) * DAY_MS).toISOString().slice(0, 10);
  }

  /**
   * ISO 8601 UTC timestamp (`…T14:03:07.000Z`) of epoch milliseconds, built from the cached day
   * so the simulation loop does not format a Date per event.
   */
  iso(instant: number): string {
    // Whole milliseconds, as Date would keep them.
    const ms = Math.floor(instant);
    const t = Math.floor(ms / DAY_MS) - this.startNumber;
    if (t < this.first || t > this.last) return new Date(ms).toISOString();
    let rest = ms - (this.startNumber + t) * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    const millis = rest - seconds * 1000;
    return `${this.day(t)}T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}Z`;
  }

  /** Epoch milliseconds of the start of day t (UTC). */
  ms(t: number): number {
    return (this.startNumber + t) * DAY_MS;
  }

  /** Index of a `YYYY-MM-DD` day. */
  index(day: string): number {
    return dayNumber(day) - this.startNumber;
  }

  /** 0 = Sunday … 6 = Saturday. */
  dow(t: number): number {
    return this.inRange(t) ? this.dows[t - this.first]! : (((this.startNumber + t + 4) % 7) + 7) % 7;
  }

  isClosed(t: number): boolean {
    return this.inRange(t) && this.closed[t - this.first] === 1;
  }

  holidayName(t: number): string | undefined {
    return this.names.get(t);
  }

  /** Monday–Saturday and not a holiday: the warehouse and the carriers work. */
  isShippingDay(t: number): boolean {
    return this.dow(t) !== 0 && !this.isClosed(t);
  }

  /** Monday–Friday and not a holiday: suppliers ship, banks clear, bills are paid. */
  isBankDay(t: number): boolean {
    const dow = this.dow(t);
    return dow !== 0 && dow !== 6 && !this.isClosed(t);
  }

  /** The day `count` shipping days after t (count 0: the first shipping day on or after t). */
  addShippingDays(t: number, count: number): number {
    let current = t;
    while (!this.isShippingDay(current)) current++;
    for (let k = 0; k < count; k++) {
      current++;
      while (!this.isShippingDay(current)) current++;
    }
    return current;
  }

  /** The day `count` bank days after t (count 0: the first bank day on or after t). */
  addBankDays(t: number, count: number): number {
    let current = this.nextBankDay(t);
    for (let k = 0; k < count; k++) current = this.nextBankDay(current + 1);
    return current;
  }

  /** The last bank day on or before t. */
  prevBankDay(t: number): number {
    let current = t;
    while (!this.isBankDay(current)) current--;
    return current;
  }

  /** The first bank day on or after t. */
  nextBankDay(t: number): number {
    let current = t;
    while (!this.isBankDay(current)) current++;
    return current;
  }

  /** Day of the month (1–31) of day t. */
  dayOfMonth(t: number): number {
    return new Date(this.ms(t)).getUTCDate();
  }

  /** Index of the last day of the month containing t. */
  endOfMonth(t: number): number {
    const date = new Date(this.ms(t));
    const nextMonthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    return Math.round(nextMonthStart / DAY_MS) - this.startNumber - 1;
  }

  private inRange(t: number): boolean {
    return t >= this.first && t <= this.last;
  }
}
