/**
 * How long to wait before retrying a throttled (429) or failed (5xx) request.
 *
 * With a `Retry-After` header (delta-seconds or an HTTP date) the server's answer is used as is.
 * Without one: "full jitter" exponential backoff, `delay = random() × min(cap, base × 2^(attempt−1))`
 * (Brooker, "Exponential Backoff and Jitter", AWS Architecture Blog, 2015), so many clients that
 * failed together do not retry together.
 *
 * @param attempt 1 for the first retry, 2 for the second, …
 * @param retryAfter the `Retry-After` header value, or null
 * @param nowMs the current time (for an HTTP-date `Retry-After`)
 * @param random a generator of numbers in [0, 1)
 * @example retryDelayMs(3, null, 0, () => 0.5) // 0.5 × min(60000, 1000 × 4) = 2000
 * @example retryDelayMs(1, "7", 0, () => 0.5) // 7000
 */
export function retryDelayMs(
  attempt: number,
  retryAfter: string | null | undefined,
  nowMs: number,
  random: () => number,
  { baseMs = 1_000, capMs = 60_000 }: { baseMs?: number; capMs?: number } = {},
): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`retryDelayMs: attempt must be an integer ≥ 1, got ${attempt}`);
  const fromHeader = parseRetryAfter(retryAfter, nowMs);
  if (fromHeader !== undefined) return fromHeader;
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`retryDelayMs: random() must return a number in [0, 1), got ${r}`);
  return Math.floor(r * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

/** `Retry-After` in milliseconds from now (never negative), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
