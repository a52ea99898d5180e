/**
 * Visibility-layer events: what a team showed a customer (a decision) and what the inventory or
 * pricing system says is true (ground truth). About 200 bytes each; the zod schema here is the
 * single source of truth for their type (DESIGN.md, `POST /v1/visibility/events`).
 */
import { z } from "zod";
import { isoTimestamp } from "../events/canonical.ts";

export const EVENT_KINDS = ["decision", "ground_truth"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const AVAILABILITIES = ["in_stock", "out_of_stock", "limited"] as const;
export type Availability = (typeof AVAILABILITIES)[number];

/** Team names are slugs: they appear in keys, URLs and Slack messages. */
export const teamName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "must be a slug of lowercase letters, digits, '.', '_' or '-' (at most 64)");

const identifier = z.string().trim().min(1, "must not be empty").max(128, "must be at most 128 characters");

export const visibilityEventSchema = z.object({
  event_id: identifier,
  team: teamName,
  kind: z.enum(EVENT_KINDS, {
    error: (issue) => (issue.input === undefined ? "is required" : `must be one of: ${EVENT_KINDS.join(", ")}`),
  }),
  /** Where the customer saw it (`assistant`, `search`, `pdp`, `sponsored`, …). */
  surface: identifier.optional(),
  product_id: identifier,
  store_id: identifier,
  /** Product category, optional; pattern mining groups conflicts by it when known. */
  category: identifier.optional(),
  price: z.number().finite().nonnegative("must not be negative"),
  currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD"),
  availability: z.enum(AVAILABILITIES, {
    error: (issue) => (issue.input === undefined ? "is required" : `must be one of: ${AVAILABILITIES.join(", ")}`),
  }),
  quantity: z.number().int("must be a whole number").nonnegative("must not be negative").optional(),
  ts: isoTimestamp,
});

export type VisibilityEventInput = z.input<typeof visibilityEventSchema>;
/** A validated event; `ts` is normalised to UTC ISO with milliseconds. */
export type VisibilityEvent = z.output<typeof visibilityEventSchema>;
export type DecisionEvent = VisibilityEvent & { kind: "decision" };
export type GroundTruthEvent = VisibilityEvent & { kind: "ground_truth" };

/** Every field an event may carry; others are unknown (a contract decides whether that rejects). */
export const EVENT_FIELDS: ReadonlySet<string> = new Set(Object.keys(visibilityEventSchema.shape));

/** The optional fields a contract can make mandatory for a team. */
export const OPTIONAL_FIELDS = ["surface", "category", "quantity"] as const;
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];

/**
 * Whether the item can be bought according to an event: a known quantity decides; otherwise the
 * stated availability does (`limited` counts as available).
 * @example isAvailable({ availability: "in_stock", quantity: 0 }) // false
 */
export function isAvailable(event: { availability: Availability; quantity?: number | null }): boolean {
  if (event.quantity !== undefined && event.quantity !== null) return event.quantity > 0;
  return event.availability !== "out_of_stock";
}

/** Whether a decision tells the customer the item can be bought (the quantity it quotes aside). */
export function claimsAvailable(event: Pick<VisibilityEvent, "availability">): boolean {
  return event.availability !== "out_of_stock";
}
