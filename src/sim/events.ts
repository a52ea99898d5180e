/**
 * Canonical events as the simulator writes them: plain objects with every field of the DESIGN
 * contract in a fixed order, so the same run serialises to the same bytes. Event ids follow the
 * source: QuickBooks facts use the connector's scheme (`qbo:<realm>:<Type>:<Id>:<fact>`), so the
 * same fact uploaded and synced de-duplicates; other sources use `<source>:<entity>:<fact>`.
 */
import type { EntityType, EventType, RelatedEntityIds } from "../events/canonical.ts";
import { SCHEMA_VERSION } from "../events/canonical.ts";

export interface SimEvent {
  event_id: string;
  event_type: EventType;
  event_time: string;
  source: string;
  source_entity_id: string;
  entity_type: EntityType;
  entity_id: string;
  related_entity_ids: RelatedEntityIds;
  amount: number | null;
  currency: string | null;
  attributes: Record<string, unknown>;
  data_quality_flags: string[];
  schema_version: typeof SCHEMA_VERSION;
}

export type QboType =
  | "Customer"
  | "Item"
  | "Invoice"
  | "Payment"
  | "Bill"
  | "BillPayment"
  | "CreditMemo"
  | "RefundReceipt"
  | "PurchaseOrder";

export interface EventSpec {
  type: EventType;
  /** Epoch milliseconds of the event. */
  ms: number;
  entityType: EntityType;
  entityId: string;
  related: RelatedEntityIds;
  amount: number | null;
  attributes: Record<string, unknown>;
}

/** Formats epoch milliseconds as ISO 8601 UTC (the engine passes its calendar's fast formatter). */
export type TimeFormat = (ms: number) => string;

const isoOf: TimeFormat = (ms) => new Date(ms).toISOString();

export function qboEvent(realm: string, qboType: QboType, fact: string, spec: EventSpec, iso: TimeFormat = isoOf): SimEvent {
  return build(`qbo:${realm}:${qboType}:${spec.entityId}:${fact}`, "qbo", `${qboType}:${spec.entityId}`, spec, iso);
}

export function sourceEvent(source: string, sourceEntityId: string, fact: string, spec: EventSpec, iso: TimeFormat = isoOf): SimEvent {
  return build(`${source}:${sourceEntityId}:${fact}`, source, sourceEntityId, spec, iso);
}

function build(eventId: string, source: string, sourceEntityId: string, spec: EventSpec, iso: TimeFormat): SimEvent {
  return {
    event_id: eventId,
    event_type: spec.type,
    event_time: iso(spec.ms),
    source,
    source_entity_id: sourceEntityId,
    entity_type: spec.entityType,
    entity_id: spec.entityId,
    related_entity_ids: spec.related,
    amount: spec.amount,
    currency: spec.amount === null ? null : "USD",
    attributes: spec.attributes,
    data_quality_flags: [],
    schema_version: SCHEMA_VERSION,
  };
}

/** Sorts a day's events by time, then id (ids are unique, so the order is total). */
export function compareEvents(a: SimEvent, b: SimEvent): number {
  if (a.event_time !== b.event_time) return a.event_time < b.event_time ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}
