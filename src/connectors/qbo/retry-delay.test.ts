import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryDelayMs } from "./retry-delay.ts";

describe("retryDelayMs", () => {
  it("uses Retry-After in seconds exactly as sent", () => {
    expect(retryDelayMs(1, "7", 0, () => 0.9)).toBe(7_000);
    expect(retryDelayMs(4, "0", 0, () => 0.9)).toBe(0);
  });

  it("uses an HTTP-date Retry-After relative to now, never negative", () => {
    const now = Date.parse("2026-01-15T12:00:00Z");
    expect(retryDelayMs(1, "Thu, 15 Jan 2026 12:00:30 GMT", now, () => 0)).toBe(30_000);
    expect(parseRetryAfter("Thu, 15 Jan 2026 11:59:00 GMT", now)).toBe(0);
  });

  it("falls back to full-jitter exponential backoff: random × min(cap, base × 2^(attempt−1))", () => {
    // base 1 s: attempt 1 → up to 1 s, 2 → 2 s, 3 → 4 s; random 0.5 gives half of each.
    expect([1, 2, 3].map((a) => retryDelayMs(a, null, 0, () => 0.5))).toEqual([500, 1_000, 2_000]);
    // attempt 10 would be 512 s: capped at 60 s, × 0.25 = 15 s.
    expect(retryDelayMs(10, null, 0, () => 0.25)).toBe(15_000);
    expect(retryDelayMs(2, "soon", 0, () => 0.5, { baseMs: 100, capMs: 1_000 })).toBe(100);
  });

  it("fails loudly on an impossible attempt number or random value", () => {
    expect(() => retryDelayMs(0, null, 0, () => 0.5)).toThrow("retryDelayMs: attempt must be an integer ≥ 1, got 0");
    expect(() => retryDelayMs(1, null, 0, () => 1)).toThrow("retryDelayMs: random() must return a number in [0, 1), got 1");
  });
});
