/**
 * A fast path for the common case of a well-formed event: plain type checks instead of the zod
 * schema (about ten times cheaper, which matters at thousands of events a second). It accepts
 * exactly what `visibilityEventSchema` accepts and returns the same value; anything unusual returns
 * null and the caller falls back to the schema, which also words the rejection.
 */
import { AVAILABILITIES, EVENT_KINDS, type VisibilityEvent } from "./event.ts";

const TEAM = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const CURRENCY = /^[A-Z]{3}$/;
/** UTC with `Z` and at most millisecond precision: the shape publishers normally send. */
const UTC_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const KINDS: ReadonlySet<unknown> = new Set(EVENT_KINDS);
const AVAILABILITY: ReadonlySet<unknown> = new Set(AVAILABILITIES);

function identifier(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= 128 && value.trim() === value;
}

export function fastParseEvent(record: Record<string, unknown>): VisibilityEvent | null {
  const { event_id, team, kind, surface, product_id, store_id, category, price, currency, availability, quantity, ts } = record;
  if (!identifier(event_id) || typeof team !== "string" || !TEAM.test(team) || !KINDS.has(kind)) return null;
  if (!identifier(product_id) || !identifier(store_id)) return null;
  if (surface !== undefined && !identifier(surface)) return null;
  if (category !== undefined && !identifier(category)) return null;
  if (typeof price !== "number" || !Number.isFinite(price) || price < 0) return null;
  if (typeof currency !== "string" || !CURRENCY.test(currency) || !AVAILABILITY.has(availability)) return null;
  if (quantity !== undefined && (typeof quantity !== "number" || !Number.isSafeInteger(quantity) || quantity < 0)) return null;
  if (typeof ts !== "string" || !UTC_TS.test(ts)) return null;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) return null;
  const normalized = new Date(ms).toISOString();
  // A rolled-over date (2025-02-30 → March) does not keep its day: let the schema word the rejection.
  if (normalized.slice(0, 10) !== ts.slice(0, 10)) return null;
  const event: VisibilityEvent = {
    event_id,
    team,
    kind: kind as VisibilityEvent["kind"],
    product_id,
    store_id,
    price,
    currency,
    availability: availability as VisibilityEvent["availability"],
    ts: normalized,
  };
  if (surface !== undefined) event.surface = surface;
  if (category !== undefined) event.category = category;
  if (quantity !== undefined) event.quantity = quantity;
  return event;
}
