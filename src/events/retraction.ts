/**
 * A retraction: the source no longer stands behind one of its entities (QuickBooks voided or
 * deleted it). The log keeps the entity's events (it is append-only, and they are the audit
 * trail), but none of them counts in the ledger any more, whether it arrived before the
 * retraction or after it.
 *
 * An entity is named the way its events name it: `source` + `source_entity_id`
 * (`qbo` + `Invoice:65`), so a retraction reaches every event of the entity, including the ones
 * uploaded from elsewhere under the same source identity (the demo's seeded QuickBooks facts).
 */
import { z } from "zod";
import { type CanonicalEvent, isoTimestamp } from "./canonical.ts";

const nonEmpty = z.string().trim().min(1, "must not be empty").max(256, "must be at most 256 characters");

export const retractionSchema = z.object({
  source: nonEmpty,
  source_entity_id: nonEmpty,
  reason: z.enum(["voided", "deleted"], { error: () => 'must be "voided" or "deleted"' }),
  /** When the source recorded the removal, when known. */
  at: isoTimestamp.optional(),
});
export type Retraction = z.infer<typeof retractionSchema>;

/** The key every event of one source entity shares. */
export function retractionKey(source: string, sourceEntityId: string): string {
  return `${source}|${sourceEntityId}`;
}

export function retractionKeyOf(event: Pick<CanonicalEvent, "source" | "source_entity_id">): string {
  return retractionKey(event.source, event.source_entity_id);
}

/**
 * Validates retractions, failing on the first bad one with its index and field
 * (`parseRetractions: [2].reason must be "voided" or "deleted"`).
 */
export function parseRetractions(input: readonly unknown[]): Retraction[] {
  return input.map((value, index) => {
    const result = retractionSchema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
    throw new RangeError(`parseRetractions: [${index}]${field} ${issue.message}`);
  });
}
