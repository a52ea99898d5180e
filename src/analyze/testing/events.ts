/** Test support: canonical events written by hand, validated like real input. */
import { type CanonicalEvent, type CanonicalEventInput, validateEvent } from "../../events/canonical.ts";
import { MemoryEvidence } from "../../evidence.ts";

let counter = 0;

/** A valid canonical event from the fields a test cares about (ids and source filled in). */
export function event(fields: Partial<CanonicalEventInput> & Pick<CanonicalEventInput, "event_type" | "event_time" | "entity_type" | "entity_id">): CanonicalEvent {
  counter++;
  const record = { event_id: fields.event_id ?? `t-${String(counter).padStart(6, "0")}`, source: "test", source_entity_id: fields.entity_id, ...fields };
  const result = validateEvent(record, "2030-01-01T00:00:00Z");
  if (!result.ok) throw new Error(`event: ${result.rejection.field} ${result.rejection.reason}`);
  return result.event;
}

export function evidenceOf(events: readonly CanonicalEvent[]): MemoryEvidence {
  const source = new MemoryEvidence();
  for (const e of events) source.add(e);
  return source;
}
