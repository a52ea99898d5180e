import { describe, expect, it } from "vitest";
import { closureDays, holidayShadow } from "./holidays.ts";
import { addDays } from "./time.ts";

describe("closureDays", () => {
  it("knows the US federal holidays the business closes on, observed on weekdays", () => {
    // 2026: July 4 is a Saturday (observed Friday July 3); Thanksgiving is the 4th Thursday, Nov 26.
    const days = closureDays(2026);
    expect(days.get("2026-01-01")).toBe("New Year's Day");
    expect(days.get("2026-05-25")).toBe("Memorial Day");
    expect(days.get("2026-07-03")).toBe("Independence Day");
    expect(days.get("2026-09-07")).toBe("Labor Day");
    expect(days.get("2026-11-26")).toBe("Thanksgiving");
    expect(days.get("2026-11-27")).toBe("Day after Thanksgiving");
    expect(days.get("2026-12-25")).toBe("Christmas Day");
    expect(days.size).toBe(7);
  });
});

describe("holidayShadow", () => {
  const from = (start: string, n: number) => Array.from({ length: n }, (_, i) => addDays(start, i));
  it("covers a closure and the business days after it, with the weekend between", () => {
    // Thanksgiving 2025: Thu Nov 27 and Fri Nov 28 closed; three business days after: Mon Dec 1 – Wed Dec 3.
    const days = from("2025-11-25", 12);
    const { shadowed, holiday } = holidayShadow(days, 3);
    expect(days.filter((_, i) => shadowed[i])).toEqual(["2025-11-27", "2025-11-28", "2025-11-29", "2025-11-30", "2025-12-01", "2025-12-02", "2025-12-03"]);
    expect(holiday[days.indexOf("2025-12-01")]).toBe("Thanksgiving");
  });

  it("covers nothing without a closure, and only the closure with no business days after", () => {
    expect(holidayShadow(from("2026-03-02", 20), 3).shadowed.some(Boolean)).toBe(false);
    const july = from("2026-07-01", 10); // Independence Day 2026 observed Friday July 3
    expect(july.filter((_, i) => holidayShadow(july, 0).shadowed[i])).toEqual(["2026-07-03"]);
  });
});
