import { describe, expect, it } from "vitest";
import { addDays, dayFromNumber, dayNumber } from "./time.ts";

describe("dayFromNumber", () => {
  it("agrees with the JavaScript calendar on every day from 1900 to 2200", () => {
    // Reference: Date's proleptic Gregorian calendar, which the integer arithmetic replaces.
    for (let n = dayNumber("1900-01-01"); n <= dayNumber("2200-12-31"); n++) {
      const expected = new Date(n * 86_400_000).toISOString().slice(0, 10);
      if (dayFromNumber(n) !== expected) expect(dayFromNumber(n)).toBe(expected);
    }
  });
  it("handles leap days and century years", () => {
    expect(dayFromNumber(0)).toBe("1970-01-01");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2100-02-28", 1)).toBe("2100-03-01");
    expect(addDays("2000-02-28", 1)).toBe("2000-02-29");
    expect(() => dayFromNumber(1.5)).toThrow(/dayFromNumber/);
  });
});
