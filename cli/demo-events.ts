/**
 * The demo company's events. Interim generator for the walking skeleton: invoices, refunds,
 * orders with a supplier-delay episode, support tickets. The simulator (src/sim) replaces it.
 */
import type { CanonicalEventInput } from "../src/events/canonical.ts";
import { seededRandom } from "../src/rng.ts";
import { addDays } from "../src/time.ts";

export const DEMO_END_DAY = "2026-10-31";
const DAYS = 183;

export function demoEvents(): CanonicalEventInput[] {
  const rand = seededRandom("demo");
  const start = addDays(DEMO_END_DAY, -(DAYS - 1));
  const events: CanonicalEventInput[] = [];
  let n = 0;
  const id = (p: string) => `${p}-${++n}`;
  const base = { source: "demo", currency: "USD" } as const;
  for (let d = 0; d < DAYS; d++) {
    const day = addDays(start, d);
    const at = (h: number) => `${day}T${String(h).padStart(2, "0")}:00:00Z`;
    const refundSpike = d >= 120 && d < 126;
    const supplierTrouble = d >= 70 && d < 80;
    for (let k = 0; k < 11; k++) {
      const inv = id("inv");
      const customer = `cust-${Math.floor(rand() * 500)}`;
      const amount = Math.round(200 + rand() * 600);
      events.push({ ...base, event_id: `${inv}-issued`, event_type: "invoice_issued", event_time: at(9), source_entity_id: inv, entity_type: "invoice", entity_id: inv, amount, related_entity_ids: { customer_id: customer }, attributes: { due_date: addDays(day, 30), total: amount } });
      const days = Math.round(15 + rand() * 25);
      const paidDay = addDays(day, days);
      if (paidDay <= DEMO_END_DAY) {
        events.push({ ...base, event_id: `${inv}-paid`, event_type: "invoice_paid", event_time: `${paidDay}T15:00:00Z`, source_entity_id: inv, entity_type: "invoice", entity_id: inv, amount, related_entity_ids: { customer_id: customer }, attributes: { days_to_pay: days, original_due_date: addDays(day, 30), paid_date: paidDay } });
      }
    }
    const refunds = (refundSpike ? 3 : 0.6) + rand();
    for (let k = 0; k < Math.floor(refunds); k++) {
      const ref = id("ref");
      events.push({ ...base, event_id: ref, event_type: "refund_issued", event_time: at(11), source_entity_id: ref, entity_type: "payment", entity_id: ref, amount: Math.round(80 + rand() * 200), related_entity_ids: { customer_id: `cust-${Math.floor(rand() * 500)}` } });
    }
    for (let k = 0; k < 4; k++) {
      const exp = id("bill");
      events.push({ ...base, event_id: exp, event_type: "expense_posted", event_time: at(10), source_entity_id: exp, entity_type: "expense", entity_id: exp, amount: Math.round(150 + rand() * 300), related_entity_ids: { vendor_id: `vendor-${Math.floor(rand() * 50)}` } });
    }
    const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
    const orders = Math.round((weekend ? 14 : 22) + rand() * 4);
    for (let k = 0; k < orders; k++) {
      const order = id("ord");
      const customer = `cust-${Math.floor(rand() * 500)}`;
      events.push({ ...base, event_id: `${order}-placed`, event_type: "order_placed", event_time: at(12), source_entity_id: order, entity_type: "order", entity_id: order, amount: Math.round(40 + rand() * 120), related_entity_ids: { customer_id: customer } });
      const late = rand() < (supplierTrouble && d >= 73 ? 0.45 : 0.06);
      const deliveredDay = addDays(day, late ? 6 : 3);
      if (deliveredDay <= DEMO_END_DAY) {
        events.push({ ...base, event_id: `${order}-delivered`, event_type: "order_delivered", event_time: `${deliveredDay}T16:00:00Z`, source_entity_id: order, entity_type: "order", entity_id: order, amount: null, currency: null, related_entity_ids: { customer_id: customer } });
        if (late) events.push({ ...base, event_id: `${order}-late`, event_type: "order_late", event_time: `${deliveredDay}T16:00:00Z`, source_entity_id: order, entity_type: "order", entity_id: order, amount: null, currency: null, related_entity_ids: { customer_id: customer }, attributes: { days_late: 3 } });
      }
    }
    for (let k = 0; k < 3; k++) {
      const po = id("po");
      const vendor = `vendor-${Math.floor(rand() * 50)}`;
      events.push({ ...base, event_id: po, event_type: "purchase_order_placed", event_time: at(8), source_entity_id: po, entity_type: "order", entity_id: po, amount: null, currency: null, related_entity_ids: { vendor_id: vendor } });
      if (rand() < (supplierTrouble ? 0.8 : 0.08)) {
        events.push({ ...base, event_id: `${po}-delayed`, event_type: "shipment_delayed", event_time: at(17), source_entity_id: po, entity_type: "vendor", entity_id: supplierTrouble ? "vendor-7" : vendor, amount: null, currency: null, related_entity_ids: { vendor_id: supplierTrouble ? "vendor-7" : vendor }, attributes: { days_delayed: supplierTrouble ? 5 : 2, carrier: "demo-freight" } });
      }
    }
  }
  return events;
}
