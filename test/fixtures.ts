import { seededRandom } from "../src/rng.ts";
import { addDays } from "../src/time.ts";

/**
 * 90 days of paid invoices with a steady trickle of refunds, and refunds tripled on days 60–64:
 * a refund spike a scan must find. It starts on day 60 (2025-03-02); the 7-day refund rate passes
 * z = 3 under Poisson noise on its third day, day 62 (2025-03-04).
 */
export function refundSpikeEvents(prefix = "e"): Record<string, unknown>[] {
  const rand = seededRandom(7);
  const events: Record<string, unknown>[] = [];
  let id = 0;
  for (let d = 0; d < 90; d++) {
    const day = addDays("2025-01-01", d);
    for (let k = 0; k < 20; k++) {
      const n = id++;
      events.push({
        event_id: `${prefix}${n}`,
        event_type: "invoice_paid",
        event_time: `${day}T10:00:00Z`,
        source: "test",
        source_entity_id: `inv-${n}`,
        entity_type: "invoice",
        entity_id: `inv-${n}`,
        amount: Math.round(100 + rand() * 20),
        currency: "USD",
        related_entity_ids: { customer_id: `c-${Math.floor(rand() * 50)}` },
        attributes: { days_to_pay: 20 + Math.floor(rand() * 10) },
      });
    }
    const refunds = (d >= 60 && d < 65 ? 9 : 3) + Math.floor(rand() * 2);
    for (let k = 0; k < refunds; k++) {
      const n = id++;
      events.push({
        event_id: `${prefix}${n}`,
        event_type: "refund_issued",
        event_time: `${day}T12:00:00Z`,
        source: "test",
        source_entity_id: `ref-${n}`,
        entity_type: "payment",
        entity_id: `ref-${n}`,
        amount: Math.round(30 + rand() * 5),
        currency: "USD",
        related_entity_ids: { customer_id: `c-${Math.floor(rand() * 50)}` },
      });
    }
  }
  return events;
}
