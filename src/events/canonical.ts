/**
 * The canonical event (`schema_version: "canonical_v1"`): every record from QuickBooks or an
 * uploaded file becomes one of these before anything else sees it. The zod schema here is the
 * single source of truth for its type (DESIGN.md, "Canonical event").
 */
import { z } from "zod";
import { parseCommonShape } from "./common-shape.ts";

export const SCHEMA_VERSION = "canonical_v1" as const;

export const EVENT_TYPES = [
  "invoice_issued",
  "invoice_paid",
  "invoice_overdue",
  "payment_received",
  "expense_posted",
  "expense_paid",
  "refund_issued",
  "credit_memo_issued",
  "order_placed",
  "order_delivered",
  "order_late",
  "purchase_order_placed",
  "inventory_low",
  "shipment_delayed",
  "customer_created",
  "customer_updated",
  "support_ticket_opened",
  "support_ticket_closed",
  "review_submitted",
  "customer_churned",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const ENTITY_TYPES = [
  "customer",
  "order",
  "invoice",
  "ticket",
  "product",
  "vendor",
  "payment",
  "expense",
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Already canonical UTC (`…T10:00:00Z` or `…T10:00:00.123Z`): the common case, checked without Date.parse. */
const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{3})?Z$/;

/** An ISO 8601 timestamp, normalised to UTC (`2025-02-03T10:00:00.000Z`). A bare date means midnight UTC. */
export const isoTimestamp = z
  .string()
  .regex(ISO_DATE_TIME, "must be an ISO 8601 date-time, e.g. 2025-02-03T10:00:00Z")
  .transform((value, ctx) => {
    const canonical = CANONICAL_UTC.exec(value);
    if (canonical) {
      if (isRealCalendarDate(value)) return canonical[7] ? value : `${value.slice(0, 19)}.000Z`;
      ctx.addIssue({ code: "custom", message: "is not a real calendar date-time" });
      return z.NEVER;
    }
    const bareLocal = /T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) || / \d{2}:\d{2}/.test(value);
    // A date-time without an offset is read as UTC, never as the machine's local time.
    const millis = Date.parse(bareLocal ? `${value.replace(" ", "T")}Z` : value);
    // Date.parse rolls 2025-02-30 over to March; a real calendar date must round-trip its day.
    if (Number.isNaN(millis) || !isRealCalendarDate(value)) {
      ctx.addIssue({ code: "custom", message: "is not a real calendar date-time" });
      return z.NEVER;
    }
    return new Date(millis).toISOString();
  });

function isRealCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split("-").map(Number) as [number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth;
}

const nonEmpty = z.string().trim().min(1, "must not be empty").max(256, "must be at most 256 characters");
const maybeDate = isoTimestamp.optional();
const nonNegative = z.number().finite().nonnegative();

export const relatedEntityIdsSchema = z
  .object({
    customer_id: nonEmpty.optional(),
    vendor_id: nonEmpty.optional(),
    order_id: nonEmpty.optional(),
    product_ids: z.array(nonEmpty).max(1000).optional(),
    invoice_ids: z.array(nonEmpty).max(1000).optional(),
    bill_ids: z.array(nonEmpty).max(1000).optional(),
  })
  .catchall(z.union([nonEmpty, z.array(nonEmpty).max(1000)]));
export type RelatedEntityIds = z.infer<typeof relatedEntityIdsSchema>;

/**
 * Typed attributes per event type (the spec's mapping tables). Fields are optional: a record that
 * lacks one is kept and flagged (`missing:<field>`), because losing the record would be worse than
 * knowing it is incomplete. A field that is present with the wrong type rejects the event.
 */
export const ATTRIBUTE_SCHEMAS = {
  invoice_issued: z.object({ due_date: maybeDate, total: z.number().finite().optional() }),
  invoice_paid: z.object({
    paid_date: maybeDate,
    days_to_pay: z.number().finite().optional(),
    original_due_date: maybeDate,
    payment_method: z.string().optional(),
  }),
  invoice_overdue: z.object({
    days_overdue: z.number().finite().optional(),
    balance_remaining: z.number().finite().optional(),
  }),
  payment_received: z.object({ payment_method: z.string().optional() }),
  expense_posted: z.object({ due_date: maybeDate, category: z.string().optional() }),
  expense_paid: z.object({ payment_method: z.string().optional(), days_to_pay: nonNegative.optional() }),
  refund_issued: z.object({ refund_method: z.string().optional(), reason: z.string().optional() }),
  credit_memo_issued: z.object({ reason: z.string().optional() }),
  order_placed: z.object({ estimated_delivery: maybeDate }),
  order_delivered: z.object({ actual_delivery: maybeDate, days_late: z.number().finite().optional() }),
  order_late: z.object({
    days_late: nonNegative.optional(),
    estimated_delivery: maybeDate,
    actual_delivery: maybeDate,
  }),
  purchase_order_placed: z.object({ expected_date: maybeDate }),
  inventory_low: z.object({ quantity_on_hand: z.number().finite().optional(), reorder_point: z.number().finite().optional() }),
  shipment_delayed: z.object({ carrier: z.string().optional(), days_delayed: nonNegative.optional() }),
  customer_created: z.object({ display_name: z.string().optional(), email: z.string().optional() }),
  customer_updated: z.object({ changed_fields: z.array(z.string()).optional() }),
  support_ticket_opened: z.object({ category: z.string().optional(), priority: z.string().optional() }),
  support_ticket_closed: z.object({
    resolution_time_hours: nonNegative.optional(),
    satisfaction_score: z.number().finite().optional(),
  }),
  review_submitted: z.object({ score: z.number().finite().min(1).max(5).optional() }),
  customer_churned: z.object({ reason: z.string().optional() }),
} satisfies Record<EventType, z.ZodObject>;

/** Attributes whose absence weakens the metrics built on the event; missing ones become flags. */
export const KEY_ATTRIBUTES: Partial<Record<EventType, readonly string[]>> = {
  invoice_issued: ["due_date"],
  invoice_paid: ["days_to_pay"],
  order_late: ["days_late"],
  shipment_delayed: ["days_delayed"],
  support_ticket_closed: ["resolution_time_hours"],
  review_submitted: ["score"],
};

/** Amount-carrying event types: an event of these types without an amount is flagged. */
export const AMOUNT_EVENT_TYPES: ReadonlySet<EventType> = new Set([
  "invoice_issued",
  "invoice_paid",
  "payment_received",
  "expense_posted",
  "expense_paid",
  "refund_issued",
  "credit_memo_issued",
]);

export const canonicalEventSchema = z
  .object({
    event_id: nonEmpty,
    event_type: z.enum(EVENT_TYPES, {
      error: (issue) =>
        issue.input === undefined ? "is required" : `is not a known event type (one of: ${EVENT_TYPES.join(", ")})`,
    }),
    event_time: isoTimestamp,
    ingested_at: isoTimestamp.optional(),
    source: nonEmpty,
    source_entity_id: nonEmpty,
    entity_type: z.enum(ENTITY_TYPES, {
      error: (issue) =>
        issue.input === undefined ? "is required" : `is not a known entity type (one of: ${ENTITY_TYPES.join(", ")})`,
    }),
    entity_id: nonEmpty,
    related_entity_ids: relatedEntityIdsSchema.default({}),
    amount: z.number().finite().nullable().default(null),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD")
      .nullable()
      .default(null),
    attributes: z.record(z.string(), z.unknown()).default({}),
    data_quality_flags: z.array(z.string().max(200)).max(100).default([]),
    schema_version: z.literal(SCHEMA_VERSION).default(SCHEMA_VERSION),
  })
  .superRefine((event, ctx) => {
    const attributeSchema = ATTRIBUTE_SCHEMAS[event.event_type];
    const parsed = attributeSchema.safeParse(event.attributes);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: "custom", path: ["attributes", ...issue.path], message: issue.message });
      }
    }
  });

export type CanonicalEventInput = z.input<typeof canonicalEventSchema>;
/** A validated canonical event; `ingested_at` is always set once it is accepted. */
export type CanonicalEvent = Omit<z.output<typeof canonicalEventSchema>, "ingested_at"> & { ingested_at: string };

export interface Rejection {
  /** Position of the record in its batch (0-based). */
  index: number;
  /** The event id when the record had a readable one, so a user can find it. */
  event_id?: string;
  /** Dotted path of the offending field (`attributes.days_late`), or `(record)` for the whole record. */
  field: string;
  reason: string;
}

export type Validation =
  | { ok: true; event: CanonicalEvent }
  | { ok: false; rejection: Omit<Rejection, "index"> };

/**
 * Validates one record. Accepted events get `ingested_at` (from the caller's clock, never this
 * function's) and data-quality flags for missing key fields. Records of the common shape are
 * checked by hand ({@link parseCommonShape}); the schema decides every other record, so the
 * result is always exactly {@link validateEventWithSchema}'s (a property test checks it).
 */
export function validateEvent(record: unknown, ingestedAt: string): Validation {
  const common = parseCommonShape(record);
  return common ? accept(common, ingestedAt) : validateEventWithSchema(record, ingestedAt);
}

/** Validation by the zod schema alone: the reference for {@link validateEvent}, and its error path. */
export function validateEventWithSchema(record: unknown, ingestedAt: string): Validation {
  const parsed = canonicalEventSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join(".") : "(record)";
    const eventId =
      record && typeof record === "object" && typeof (record as { event_id?: unknown }).event_id === "string"
        ? (record as { event_id: string }).event_id
        : undefined;
    const reason = issue.message === "Invalid input: expected object, received undefined" ? "is required" : issue.message;
    return { ok: false, rejection: { ...(eventId ? { event_id: eventId } : {}), field, reason: humanReason(reason) } };
  }
  return accept(parsed.data, ingestedAt);
}

/** Stamps `ingested_at` and the data-quality flags onto the schema's output (a fresh object, so it is reused). */
function accept(event: z.output<typeof canonicalEventSchema>, ingestedAt: string): Validation {
  const flags = event.data_quality_flags.slice();
  for (const key of KEY_ATTRIBUTES[event.event_type] ?? []) {
    if (event.attributes[key] === undefined || event.attributes[key] === null) flags.push(`missing:${key}`);
  }
  if (event.amount === null && AMOUNT_EVENT_TYPES.has(event.event_type)) flags.push("missing:amount");
  if (event.amount !== null && event.currency === null) flags.push("missing:currency");
  consistencyFlags(event, flags);
  const ingested = event.ingested_at ?? ingestedAt;
  const timeliness = timelinessFlag(event.event_time, ingested);
  if (timeliness) flags.push(timeliness);
  // Same key order as `{ ...event, ingested_at, data_quality_flags }`: ingested_at stays in place when given.
  const accepted = event as CanonicalEvent;
  accepted.ingested_at = ingested;
  accepted.data_quality_flags = flags.length < 2 ? flags : [...new Set(flags)].sort();
  return { ok: true, event: accepted };
}

/** Cross-field checks: the record is kept, but what contradicts itself is flagged (pushed onto `flags`). */
function consistencyFlags(event: z.output<typeof canonicalEventSchema>, flags: string[]): void {
  const attr = event.attributes;
  if (event.amount !== null && event.amount < 0 && AMOUNT_EVENT_TYPES.has(event.event_type) && event.event_type !== "credit_memo_issued") {
    flags.push("inconsistent:negative_amount");
  }
  if (event.event_type === "invoice_issued" && typeof attr.due_date === "string" && attr.due_date.slice(0, 10) < event.event_time.slice(0, 10)) {
    flags.push("inconsistent:due_before_issue");
  }
  if (event.event_type === "order_late" && typeof attr.days_late === "number" && attr.days_late <= 0) {
    flags.push("inconsistent:late_without_delay");
  }
  if (event.event_type === "invoice_paid" && typeof attr.days_to_pay === "number" && attr.days_to_pay < 0) {
    flags.push("inconsistent:negative_days_to_pay");
  }
}

/** Slack for clocks and time zones before an event counts as "from the future". */
const FUTURE_SLACK_MS = 86_400_000;
/** Records older than this at ingestion are flagged as stale history. */
const STALE_AFTER_MS = 5 * 365 * 86_400_000;

let lastIngestedAt = "";
let lastIngestedMs = Number.NaN;

function timelinessFlag(eventTime: string, ingestedAt: string): string | null {
  // A batch shares one ingestion time: parse it once.
  if (ingestedAt !== lastIngestedAt) {
    lastIngestedAt = ingestedAt;
    lastIngestedMs = Date.parse(ingestedAt);
  }
  const lag = lastIngestedMs - Date.parse(eventTime);
  if (lag < -FUTURE_SLACK_MS) return "timeliness:event_in_future";
  if (lag > STALE_AFTER_MS) return "timeliness:older_than_5_years";
  return null;
}

function humanReason(message: string): string {
  if (/received undefined$/.test(message)) return "is required";
  const expected = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (expected) return `must be ${article(expected[1]!)} ${expected[1]}, got ${expected[2]}`;
  return message;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? "an" : "a";
}

/** The UTC calendar day (`YYYY-MM-DD`) of an ISO timestamp. */
export function dayOf(isoTime: string): string {
  return isoTime.slice(0, 10);
}
