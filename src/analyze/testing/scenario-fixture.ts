/**
 * A small deterministic business for testing the analysis (cascades, RCA, blast radius) before the
 * full simulator lands: customers place orders of products from vendors; a fulfillment line with
 * fixed capacity ships them; late orders cause tickets, bad reviews, refunds and churn; B2B invoices
 * and bills run beside. Injections reproduce the five golden shapes of spec section 9.
 *
 * Test support only: the product's simulator is `src/sim/`.
 */
import { type CanonicalEvent, type CanonicalEventInput, validateEvent } from "../../events/canonical.ts";
import { type Random, seededRandom } from "../../rng.ts";
import { addDays } from "../../time.ts";

export type Injection =
  /** Shipments from `vendor` are delayed; orders needing its products wait until stock arrives. */
  | { kind: "supplier_delay"; day: number; days: number; vendor: string }
  /** Orders containing `products` delivered in the window are mostly refunded. */
  | { kind: "refund_spike"; day: number; days: number; products: string[] }
  /** Order volume × `factor` while fulfillment capacity stays flat. */
  | { kind: "order_surge"; day: number; days: number; factor: number }
  /** Support closes far fewer tickets, each taking much longer; waiting customers churn. */
  | { kind: "support_failure"; day: number; days: number }
  /** `invoices` large invoices all fall due on `day` and are never paid. */
  | { kind: "ar_aging"; day: number; invoices: number };

export interface FixtureOptions {
  seed: number | string;
  start: string;
  days: number;
  injections: readonly Injection[];
}

const CUSTOMERS = 600;
const PRODUCTS = 20;
const VENDORS = 5;
const ORDERS_PER_DAY = 30;
const SHIP_CAPACITY = 40;
const CLOSE_CAPACITY = 14;
const TICKETS_PER_DAY = 8;
const INVOICES_PER_DAY = 4;
const EXPENSES_PER_DAY = 3;
const POS_PER_DAY = 12;

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const vendorId = (i: number) => `V-${pad(i + 1, 3)}`;
const productId = (i: number) => `P-${pad(i + 1, 2)}`;
const customerId = (i: number) => `C-${pad(i + 1, 4)}`;
/** Product i is supplied by vendor i mod 5, so V-001 supplies P-01, P-06, P-11, P-16. */
export const vendorOfProduct = (product: string) => vendorId((Number(product.slice(2)) - 1) % VENDORS);

interface Order {
  id: string;
  customer: string;
  products: string[];
  amount: number;
  placed: number;
  ready: number;
}

interface Ticket {
  id: string;
  customer: string;
  opened: number;
  order?: string;
}

export function generateFixtureEvents(options: FixtureOptions): CanonicalEvent[] {
  const rand = seededRandom(options.seed);
  const records: CanonicalEventInput[] = [];
  let seq = 0;
  const at = (day: number, minute = Math.floor(rand() * 600)) => `${addDays(options.start, day)}T${pad(8 + Math.floor(minute / 60), 2)}:${pad(minute % 60, 2)}:00Z`;
  const emit = (record: Omit<CanonicalEventInput, "event_id" | "source" | "source_entity_id">) => {
    seq++;
    records.push({ event_id: `fx-${pad(seq, 7)}`, source: "fixture", source_entity_id: `${record.entity_id}`, ...record });
  };
  const active = (kind: Injection["kind"], day: number) =>
    options.injections.filter((i) => i.kind === kind && "days" in i && day >= i.day && day < i.day + i.days);
  const prices = Array.from({ length: PRODUCTS }, () => 20 + Math.round(rand() * 100));

  for (let c = 0; c < CUSTOMERS; c++) {
    emit({ event_type: "customer_created", event_time: at(0), entity_type: "customer", entity_id: customerId(c), attributes: {} });
  }
  const churned = new Set<string>();
  const churnOn = new Map<number, Set<string>>();
  const scheduleChurn = (customer: string, day: number) => {
    if (churned.has(customer)) return;
    churned.add(customer);
    let set = churnOn.get(day);
    if (!set) churnOn.set(day, (set = new Set()));
    set.add(customer);
  };
  const pickCustomer = () => {
    for (let tries = 0; tries < 20; tries++) {
      const c = customerId(Math.floor(rand() * CUSTOMERS));
      if (!churned.has(c)) return c;
    }
    return customerId(Math.floor(rand() * CUSTOMERS));
  };

  const shipQueue: Order[] = [];
  const ticketQueue: Ticket[] = [];
  const pendingTickets = new Map<number, Ticket[]>();
  const later = <T>(map: Map<number, T[]>, day: number, item: T) => {
    let list = map.get(day);
    if (!list) map.set(day, (list = []));
    list.push(item);
  };
  const reviews = new Map<number, { customer: string; product: string; score: number; order: string }[]>();
  const refunds = new Map<number, { order: Order }[]>();
  let orderSeq = 0;
  let ticketSeq = 0;
  let invoiceSeq = 0;
  let billSeq = 0;
  let poSeq = 0;
  const invoicePayments = new Map<number, { id: string; customer: string; amount: number; due: number; issued: number }[]>();
  const billPayments = new Map<number, { id: string; vendor: string; amount: number; posted: number }[]>();

  const issueInvoice = (day: number, amount: number, dueIn: number, paidOffset: number | null) => {
    const id = `INV-${pad(++invoiceSeq, 6)}`;
    const customer = pickCustomer();
    const due = day + dueIn;
    emit({
      event_type: "invoice_issued",
      event_time: at(day),
      entity_type: "invoice",
      entity_id: id,
      related_entity_ids: { customer_id: customer },
      amount,
      currency: "USD",
      attributes: { due_date: addDays(options.start, due), total: amount },
    });
    if (paidOffset !== null) later(invoicePayments, due + paidOffset, { id, customer, amount, due, issued: day });
  };

  // Receivables already open on the first day, so overdue balances have a history from the start.
  for (let k = 0; k < INVOICES_PER_DAY * 30; k++) {
    const late = rand() < 0.05;
    issueInvoice(0, 500 + Math.round(rand() * 2500), 1 + Math.floor(rand() * 30), late ? 1 + Math.floor(rand() * 5) : -Math.floor(rand() * 2));
  }

  for (let day = 0; day < options.days; day++) {
    // Supplier delays: purchase orders and their shipments.
    const delayedVendors = new Set(active("supplier_delay", day).map((i) => (i as { vendor: string }).vendor));
    for (let p = 0; p < POS_PER_DAY + delayedVendors.size * 3; p++) {
      const vendor = p < POS_PER_DAY ? vendorId(Math.floor(rand() * VENDORS)) : [...delayedVendors][(p - POS_PER_DAY) % delayedVendors.size]!;
      const id = `PO-${pad(++poSeq, 6)}`;
      const products = Array.from({ length: PRODUCTS }, (_, i) => productId(i)).filter((prod) => vendorOfProduct(prod) === vendor);
      emit({ event_type: "purchase_order_placed", event_time: at(day), entity_type: "vendor", entity_id: vendor, related_entity_ids: { vendor_id: vendor, product_ids: products }, attributes: { purchase_order_id: id } });
      const delayed = delayedVendors.has(vendor) ? rand() < 0.9 : rand() < 0.08;
      if (delayed) {
        const daysDelayed = delayedVendors.has(vendor) ? 3 + Math.floor(rand() * 5) : 1 + Math.floor(rand() * 2);
        emit({
          event_type: "shipment_delayed",
          event_time: at(day, 600),
          entity_type: "vendor",
          entity_id: vendor,
          related_entity_ids: { vendor_id: vendor, product_ids: products },
          attributes: { carrier: "fixture-freight", days_delayed: daysDelayed, vendor_id: vendor, purchase_order_id: id },
        });
      }
    }

    // Orders.
    const surge = active("order_surge", day).reduce((f, i) => f * (i as { factor: number }).factor, 1);
    const n = poisson(rand, ORDERS_PER_DAY * surge);
    for (let k = 0; k < n; k++) {
      const customer = pickCustomer();
      const count = rand() < 0.6 ? 1 : 2;
      const products = [...new Set(Array.from({ length: count }, () => productId(Math.floor(rand() * PRODUCTS))))].sort();
      const amount = products.reduce((s, p) => s + prices[Number(p.slice(2)) - 1]!, 0);
      const id = `O-${pad(++orderSeq, 6)}`;
      // Stock of a delayed vendor arrives only after its delay window, plus a few days.
      let ready = day;
      for (const inj of options.injections) {
        if (inj.kind !== "supplier_delay") continue;
        if (day >= inj.day && day < inj.day + inj.days && products.some((p) => vendorOfProduct(p) === inj.vendor)) {
          ready = Math.max(ready, inj.day + inj.days + Math.floor(rand() * 3));
        }
      }
      const order: Order = { id, customer, products, amount, placed: day, ready };
      shipQueue.push(order);
      emit({
        event_type: "order_placed",
        event_time: at(day),
        entity_type: "order",
        entity_id: id,
        related_entity_ids: { customer_id: customer, product_ids: products },
        amount,
        currency: "USD",
        attributes: { estimated_delivery: addDays(options.start, day + 4) },
      });
      emit({
        event_type: "payment_received",
        event_time: at(day),
        entity_type: "payment",
        entity_id: `PAY-${id}`,
        related_entity_ids: { customer_id: customer, order_id: id },
        amount,
        currency: "USD",
        attributes: { payment_method: "card" },
      });
    }

    // Fulfillment: ship up to capacity, first come first served among orders whose stock is ready.
    let shipped = 0;
    for (let q = 0; q < shipQueue.length && shipped < SHIP_CAPACITY; ) {
      const order = shipQueue[q]!;
      if (order.ready > day) {
        q++;
        continue;
      }
      shipQueue.splice(q, 1);
      shipped++;
      const randomDelay = rand() < 0.04 ? 1 + Math.floor(rand() * 3) : 0;
      const delivered = day + 2 + randomDelay;
      const daysLate = delivered - (order.placed + 4);
      const deliveredAt = at(delivered);
      emit({
        event_type: "order_delivered",
        event_time: deliveredAt,
        entity_type: "order",
        entity_id: order.id,
        related_entity_ids: { customer_id: order.customer, product_ids: order.products },
        attributes: { actual_delivery: deliveredAt },
      });
      if (daysLate > 0) {
        emit({
          event_type: "order_late",
          event_time: deliveredAt,
          entity_type: "order",
          entity_id: order.id,
          related_entity_ids: { customer_id: order.customer, product_ids: order.products },
          attributes: { days_late: daysLate, estimated_delivery: addDays(options.start, order.placed + 4), actual_delivery: deliveredAt },
        });
        if (rand() < 0.5) later(pendingTickets, delivered + Math.floor(rand() * 2), { id: "", customer: order.customer, opened: 0, order: order.id });
        if (rand() < 0.04) scheduleChurn(order.customer, delivered + 5 + Math.floor(rand() * 5));
      }
      const spike = options.injections.some(
        (i) => i.kind === "refund_spike" && delivered >= i.day && delivered < i.day + i.days && order.products.some((p) => i.products.includes(p)),
      );
      if (spike ? rand() < 0.85 : rand() < (daysLate > 0 ? 0.08 : 0.03)) later(refunds, delivered + 1 + Math.floor(rand() * 3), { order });
      if (rand() < 0.3) {
        const score = daysLate > 0 ? 1 + Math.floor(rand() * 3) : rand() < 0.7 ? 5 : 4;
        later(reviews, delivered + Math.floor(rand() * 3), { customer: order.customer, product: order.products[0]!, score, order: order.id });
      }
    }

    // Support: background tickets plus those caused by late orders; closed first come first served.
    const dayTickets = [...(pendingTickets.get(day) ?? [])];
    for (let k = poisson(rand, TICKETS_PER_DAY); k > 0; k--) dayTickets.push({ id: "", customer: pickCustomer(), opened: 0 });
    for (const t of dayTickets) {
      t.id = `T-${pad(++ticketSeq, 6)}`;
      t.opened = day;
      ticketQueue.push(t);
      emit({
        event_type: "support_ticket_opened",
        event_time: at(day),
        entity_type: "ticket",
        entity_id: t.id,
        related_entity_ids: { customer_id: t.customer, ...(t.order ? { order_id: t.order } : {}) },
        attributes: { category: t.order ? "delivery" : "general" },
      });
    }
    const failing = active("support_failure", day).length > 0;
    const capacity = failing ? 4 : CLOSE_CAPACITY;
    for (let k = 0; k < capacity && ticketQueue.length > 0; k++) {
      const t = ticketQueue.shift()!;
      const waited = day - t.opened;
      const hours = waited * 24 + 2 + Math.round(rand() * (failing ? 30 : 10));
      emit({
        event_type: "support_ticket_closed",
        event_time: at(day, 590),
        entity_type: "ticket",
        entity_id: t.id,
        related_entity_ids: { customer_id: t.customer },
        attributes: { resolution_time_hours: hours, satisfaction_score: waited > 2 ? 2 : 4 },
      });
      if (waited >= 3 && rand() < 0.35) scheduleChurn(t.customer, day + 2 + Math.floor(rand() * 4));
    }
    if (failing) {
      for (const t of ticketQueue) if (day - t.opened === 4 && rand() < 0.3) scheduleChurn(t.customer, day + 3 + Math.floor(rand() * 4));
    }

    for (const r of reviews.get(day) ?? []) {
      emit({ event_type: "review_submitted", event_time: at(day), entity_type: "product", entity_id: r.product, related_entity_ids: { customer_id: r.customer, order_id: r.order, product_ids: [r.product] }, attributes: { score: r.score } });
    }
    for (const { order } of refunds.get(day) ?? []) {
      emit({
        event_type: "refund_issued",
        event_time: at(day),
        entity_type: "order",
        entity_id: order.id,
        related_entity_ids: { customer_id: order.customer, order_id: order.id, product_ids: order.products },
        amount: order.amount,
        currency: "USD",
        attributes: { reason: "customer request" },
      });
    }
    for (let k = poisson(rand, 1); k > 0; k--) scheduleChurn(pickCustomer(), day);
    for (const customer of churnOn.get(day) ?? []) {
      emit({ event_type: "customer_churned", event_time: at(day), entity_type: "customer", entity_id: customer, attributes: {} });
    }

    // Receivables: invoices due in 30 days, mostly paid on time.
    for (let k = poisson(rand, INVOICES_PER_DAY); k > 0; k--) {
      const late = rand() < 0.05;
      issueInvoice(day, 500 + Math.round(rand() * 2500), 30, late ? 1 + Math.floor(rand() * 5) : -Math.floor(rand() * 10));
    }
    for (const inj of options.injections) {
      if (inj.kind === "ar_aging" && day === inj.day - 30) {
        for (let k = 0; k < inj.invoices; k++) issueInvoice(day, 2000 + Math.round(rand() * 3000), 30, null);
      }
    }
    for (const inv of invoicePayments.get(day) ?? []) {
      emit({
        event_type: "invoice_paid",
        event_time: at(day),
        entity_type: "invoice",
        entity_id: inv.id,
        related_entity_ids: { customer_id: inv.customer },
        amount: inv.amount,
        currency: "USD",
        attributes: { paid_date: at(day), days_to_pay: day - inv.issued, original_due_date: addDays(options.start, inv.due) },
      });
    }

    // Payables.
    for (let k = poisson(rand, EXPENSES_PER_DAY); k > 0; k--) {
      const id = `BILL-${pad(++billSeq, 6)}`;
      const vendor = vendorId(Math.floor(rand() * VENDORS));
      const amount = 200 + Math.round(rand() * 600);
      emit({ event_type: "expense_posted", event_time: at(day), entity_type: "expense", entity_id: id, related_entity_ids: { vendor_id: vendor }, amount, currency: "USD", attributes: { category: "supplies" } });
      later(billPayments, day + 15 + Math.floor(rand() * 10), { id, vendor, amount, posted: day });
    }
    for (const bill of billPayments.get(day) ?? []) {
      emit({ event_type: "expense_paid", event_time: at(day), entity_type: "expense", entity_id: `PAID-${bill.id}`, related_entity_ids: { vendor_id: bill.vendor, bill_ids: [bill.id] }, amount: bill.amount, currency: "USD", attributes: {} });
    }
  }

  const ingestedAt = `${addDays(options.start, options.days)}T00:00:00Z`;
  return records
    .filter((r) => (r.event_time as string) < ingestedAt)
    .map((record) => {
      const result = validateEvent(record, ingestedAt);
      if (!result.ok) throw new Error(`generateFixtureEvents: invalid fixture event ${record.event_id}: ${result.rejection.field} ${result.rejection.reason}`);
      return result.event;
    });
}

/** Knuth's method; fine for the small means used here. */
function poisson(rand: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > limit) {
    k++;
    p *= rand();
  }
  return k;
}
