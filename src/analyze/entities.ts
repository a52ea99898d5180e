/**
 * Which business entities an event touches: the event's own entity and the ids it relates to.
 * Evidence clusters, blast radius and cascade overlap all read entities through these helpers, so
 * they agree on what "the customers of an incident" means.
 */
import type { EvidenceEvent } from "../evidence.ts";

export const ENTITY_KINDS = ["customer", "order", "product", "vendor", "invoice"] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

/** The vendor an event is about: `related_entity_ids.vendor_id`, a `vendor_id` attribute (shipment_delayed), or the event's own entity. */
export function vendorOf(event: EvidenceEvent): string | null {
  const related = event.related_entity_ids.vendor_id;
  if (typeof related === "string") return related;
  const attribute = event.attributes.vendor_id;
  if (typeof attribute === "string" && attribute.length > 0) return attribute;
  return event.entity_type === "vendor" ? event.entity_id : null;
}

export function customerOf(event: EvidenceEvent): string | null {
  const related = event.related_entity_ids.customer_id;
  if (typeof related === "string") return related;
  return event.entity_type === "customer" ? event.entity_id : null;
}

/** Purchase-side events: their "order" is a purchase order, never a customer's order. */
const PURCHASE_SIDE = new Set(["purchase_order_placed", "shipment_delayed", "inventory_low", "expense_posted", "expense_paid"]);

/** The customer order an event is about (purchase orders are not customer orders). */
export function orderOf(event: EvidenceEvent): string | null {
  if (PURCHASE_SIDE.has(event.event_type)) return null;
  if (event.entity_type === "order") return event.entity_id;
  const related = event.related_entity_ids.order_id;
  return typeof related === "string" ? related : null;
}

export function productsOf(event: EvidenceEvent): string[] {
  const related = event.related_entity_ids.product_ids;
  if (Array.isArray(related) && related.length > 0) return related;
  return event.entity_type === "product" ? [event.entity_id] : [];
}

export function invoicesOf(event: EvidenceEvent): string[] {
  if (event.entity_type === "invoice") return [event.entity_id];
  const related = event.related_entity_ids.invoice_ids;
  return Array.isArray(related) ? related : [];
}

/** Every entity an event touches, by kind. */
export function entitiesOf(event: EvidenceEvent): Record<EntityKind, string[]> {
  const one = (v: string | null) => (v === null ? [] : [v]);
  return {
    customer: one(customerOf(event)),
    order: one(orderOf(event)),
    product: productsOf(event),
    vendor: one(vendorOf(event)),
    invoice: invoicesOf(event),
  };
}

/** Entity sets by kind, accumulated from events. */
export type EntitySets = Record<EntityKind, Set<string>>;

export function emptyEntitySets(): EntitySets {
  return { customer: new Set(), order: new Set(), product: new Set(), vendor: new Set(), invoice: new Set() };
}

export function addEntities(sets: EntitySets, event: EvidenceEvent): void {
  // Direct adds: this runs for every affected event of every incident.
  const customer = customerOf(event);
  if (customer !== null) sets.customer.add(customer);
  const order = orderOf(event);
  if (order !== null) sets.order.add(order);
  for (const p of productsOf(event)) sets.product.add(p);
  const vendor = vendorOf(event);
  if (vendor !== null) sets.vendor.add(vendor);
  for (const i of invoicesOf(event)) sets.invoice.add(i);
}
