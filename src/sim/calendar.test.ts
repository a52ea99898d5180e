import { describe, expect, it } from "vitest";
import { SimCalendar } from "./calendar.ts";

describe("SimCalendar", () => {
  // 2026-01-05 is a Monday.
  const cal = new SimCalendar("2026-01-05", -10, 400);

  it("names days, weekdays and instants from day indices", () => {
    expect(cal.day(0)).toBe("2026-01-05");
    expect(cal.day(-5)).toBe("2025-12-31");
    expect(cal.dow(0)).toBe(1);
    expect(cal.dow(6)).toBe(0);
    expect(cal.index("2026-02-01")).toBe(27);
    expect(cal.iso(cal.ms(3) + 13 * 3_600_000 + 5 * 60_000 + 7_000 + 42)).toBe("2026-01-08T13:05:07.042Z");
    expect(cal.iso(cal.ms(3) + 1)).toBe(new Date(cal.ms(3) + 1).toISOString());
    // Fractions of a millisecond are dropped, as Date does.
    expect(cal.iso(cal.ms(3) + 1234.75)).toBe("2026-01-08T00:00:01.234Z");
  });

  it("counts shipping days Monday to Saturday and skips holidays", () => {
    // Friday 2026-01-09 + 2 shipping days = Monday 01-12 (Saturday counts, Sunday does not).
    expect(cal.day(cal.addShippingDays(cal.index("2026-01-09"), 2))).toBe("2026-01-12");
    // Wednesday before Memorial Day (Monday 2026-05-25) + 4 = Tuesday 05-26.
    expect(cal.day(cal.addShippingDays(cal.index("2026-05-20"), 4))).toBe("2026-05-26");
    // A Sunday start moves to Monday first.
    expect(cal.day(cal.addShippingDays(cal.index("2026-01-11"), 0))).toBe("2026-01-12");
  });

  it("moves payments to bank days and finds month ends", () => {
    expect(cal.day(cal.nextBankDay(cal.index("2026-01-10")))).toBe("2026-01-12");
    expect(cal.day(cal.prevBankDay(cal.index("2026-02-15")))).toBe("2026-02-13");
    expect(cal.day(cal.endOfMonth(cal.index("2026-02-10")))).toBe("2026-02-28");
    expect(cal.dayOfMonth(cal.index("2026-03-31"))).toBe(31);
  });
});
