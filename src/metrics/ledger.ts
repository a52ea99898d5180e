/**
 * The ledger: daily aggregates kept up to date as events arrive, so a scan never needs a
 * company's whole history in memory (DESIGN.md, "Limits of the edge").
 *
 * Two kinds of contribution, both independent of the order in which events arrive:
 * - event contributions: counts and sums added to the event's own UTC day;
 * - entity-state contributions: an invoice, order, ticket or bill collects what its events say
 *   (issued day, due day, paid day, …); its contributions are a function of that state, and when
 *   the state changes the old contributions are subtracted and the new ones added.
 *
 * A retraction (the source voided or deleted an entity, see src/events/retraction.ts) takes back
 * everything the entity's events contributed: their event contributions are subtracted, the
 * entity's own state stops contributing, and what it told other entities' states (a bill payment
 * paying a bill) is removed from them. Events of a retracted entity that arrive later contribute
 * nothing, so the result still does not depend on arrival order.
 *
 * The CompanyLog Durable Object and {@link MemoryLedger} both call {@link foldEvents} and
 * {@link foldRetraction}; `bre scan` loads files into the append-only `ColumnarLedger`
 * (memory-ledger.ts), the same fold in columns, checked bit for bit against this one. The scan
 * reads the resulting aggregates, so the Worker and `bre scan` compute the same numbers.
 */
import { productsOf, vendorOf } from "../analyze/entities.ts";
import { dayOf, type CanonicalEvent } from "../events/canonical.ts";
import { type Retraction, retractionKey, retractionKeyOf } from "../events/retraction.ts";
import { addDays, daysBetween } from "../time.ts";

/** Days an open order or ticket stays in its backlog before it is treated as stale. */
export const BACKLOG_WINDOW_DAYS = 14;

/**
 * What an entity's events have said so far. `retracted`: the entity itself was retracted, so its
 * state contributes nothing. A bill's `payments` maps each paying entity to its payment day (so a
 * retracted payment can be taken out); `paid_day` is what states written before that kept.
 */
export type EntityState = (
  | {
      kind: "invoice";
      issued_day?: string;
      due_day?: string;
      amount?: number;
      paid_day?: string;
      /** From an explicit invoice_overdue event: used only when issue and due dates are unknown. */
      overdue_day?: string;
      balance?: number;
    }
  | { kind: "order"; placed_day?: string; delivered_day?: string }
  | { kind: "ticket"; opened_day?: string; closed_day?: string }
  | { kind: "bill"; posted_day?: string; paid_day?: string; payments?: Record<string, string> }
) & { retracted?: true };

/** One additive change to the daily aggregates: `key` on `day` moves by `value`. */
export interface Contribution {
  day: string;
  key: string;
  value: number;
}

/** What folding a batch changes: additive deltas plus the new entity states to persist. */
export interface LedgerDelta {
  /** `${day}|${key}` → delta. */
  daily: Map<string, number>;
  /** `${day}|${customer_id}` → revenue delta (for customer concentration). */
  customerRevenue: Map<string, number>;
  /** entity key → its state after the batch. */
  states: Map<string, EntityState>;
}

/**
 * Folds a batch of events that are new to the log (already de-duplicated by event id).
 * `priorStates` must hold the stored state of every key in {@link entityKeysOf} of these events
 * (missing keys mean "no state yet"); events whose {@link retractionKeyOf} is in `retracted`
 * belong to retracted entities and contribute nothing.
 */
export function foldEvents(
  events: readonly CanonicalEvent[],
  priorStates: ReadonlyMap<string, EntityState>,
  retracted: ReadonlySet<string> = new Set(),
): LedgerDelta {
  const fold = new DeltaBuilder(priorStates);
  for (const event of events) {
    if (retracted.size > 0 && retracted.has(retractionKeyOf(event))) continue;
    fold.event(event, 1);
    for (const [key, update] of stateUpdates(event)) fold.state(key, (before) => mergeState(before, update.state));
  }
  return fold.delta;
}

/**
 * Takes back what the events of newly retracted entities contributed. `events` are those
 * entities' events that were folded (each once); `priorStates` must hold every key in
 * {@link entityKeysOf} of them. Their own states are marked retracted (they contribute nothing
 * from now on, whatever arrives later); a payment's day is removed from the bills it paid.
 */
export function foldRetraction(events: readonly CanonicalEvent[], priorStates: ReadonlyMap<string, EntityState>): LedgerDelta {
  const fold = new DeltaBuilder(priorStates);
  for (const event of events) {
    fold.event(event, -1);
    for (const [key, update] of stateUpdates(event)) {
      fold.state(key, (before) => {
        if (!before) return undefined;
        return update.owned ? { ...before, retracted: true } : withoutContributor(before, update.contributor);
      });
    }
  }
  return fold.delta;
}

/** Accumulates a {@link LedgerDelta}: event contributions with a sign, and state transitions. */
class DeltaBuilder {
  readonly delta: LedgerDelta = { daily: new Map(), customerRevenue: new Map(), states: new Map() };

  constructor(private readonly priorStates: ReadonlyMap<string, EntityState>) {}

  event(event: CanonicalEvent, sign: 1 | -1): void {
    for (const c of eventContributions(event)) this.add(c.day, c.key, sign * c.value);
    const customer = event.related_entity_ids.customer_id;
    const revenue = revenueOf(event);
    if (customer && revenue !== 0) {
      const k = `${dayOf(event.event_time)}|${customer}`;
      this.delta.customerRevenue.set(k, (this.delta.customerRevenue.get(k) ?? 0) + sign * revenue);
    }
  }

  /** Moves `key` to `next(before)`: the old state's contributions out, the new one's in. */
  state(key: string, next: (before: EntityState | undefined) => EntityState | undefined): void {
    const before = this.delta.states.get(key) ?? this.priorStates.get(key);
    const after = next(before);
    if (!after || (before && sameState(before, after))) return;
    if (before) for (const c of stateContributions(before)) this.add(c.day, c.key, -c.value);
    for (const c of stateContributions(after)) this.add(c.day, c.key, c.value);
    this.delta.states.set(key, after);
  }

  private add(day: string, key: string, value: number): void {
    if (value === 0 || !Number.isFinite(value)) return;
    const k = `${day}|${key}`;
    this.delta.daily.set(k, (this.delta.daily.get(k) ?? 0) + value);
  }
}

/** The entity-state keys an event can touch; the log loads these before folding. */
export function entityKeysOf(event: CanonicalEvent): string[] {
  return stateUpdates(event).map(([key]) => key);
}

/** Revenue recognised by an event: paid invoices, and payments not applied to an invoice. */
export function revenueOf(event: CanonicalEvent): number {
  if (event.amount === null) return 0;
  if (event.event_type === "invoice_paid") return event.amount;
  // A payment applied to invoices is already counted by the invoice_paid it closes.
  if (event.event_type === "payment_received" && !(event.related_entity_ids.invoice_ids?.length ?? 0)) {
    return event.amount;
  }
  return 0;
}

/**
 * What an event sells, counted when it is invoiced rather than when it is paid: issued invoices,
 * and payments not applied to an invoice (a cash sale). Against {@link revenueOf} it tells a margin
 * that fell because customers paid later from one that fell because costs rose.
 */
export function salesOf(event: CanonicalEvent): number {
  if (event.amount === null) return 0;
  if (event.event_type === "invoice_issued") return event.amount;
  return event.event_type === "payment_received" ? revenueOf(event) : 0;
}

/** Daily sum of {@link salesOf}. */
export const SALES_KEY = "sum:sales";

/** Reviews at or below this score are low (1–2 stars), counted per day under {@link LOW_REVIEWS_KEY}. */
export const LOW_REVIEW_SCORE = 2;
export const LOW_REVIEWS_KEY = "n:review_low";

/**
 * Per-product daily counts (key = prefix + product id): refunds and credit memos naming the
 * product, and low reviews of orders holding it. A defect on one product is a cluster there long
 * before it moves the business-wide rate (detect/rules.ts, `concentration`).
 */
export const PRODUCT_REFUNDS_PREFIX = "p:refunds:";
export const PRODUCT_LOW_REVIEWS_PREFIX = "p:review_low:";
/**
 * Bills' item lines per item and day (keys = prefix + item id): units bought and what they cost,
 * so a scan can tell costlier units from more units (detect/rules.ts, MARGIN_COMPRESSION); and
 * the day's total of item lines, to tell them from the other expenses.
 */
export const ITEM_UNITS_PREFIX = "u:qty:";
export const ITEM_COST_PREFIX = "u:cost:";
export const ITEM_EXPENSES_KEY = "sum:item_expenses";

/** A bill's item lines with a positive quantity and a finite amount (`attributes.line_items`). */
export function billItemLines(event: CanonicalEvent): { item: string; qty: number; amount: number }[] {
  const lines = event.attributes.line_items;
  if (!Array.isArray(lines)) return [];
  const out: { item: string; qty: number; amount: number }[] = [];
  for (const line of lines) {
    if (typeof line !== "object" || line === null) continue;
    const { item_id: item, qty, amount } = line as Record<string, unknown>;
    if (typeof item !== "string" || item.length === 0 || typeof qty !== "number" || !(qty > 0) || !Number.isFinite(qty)) continue;
    if (typeof amount !== "number" || !Number.isFinite(amount)) continue;
    out.push({ item, qty, amount });
  }
  return out;
}

/**
 * Overdue balance still unpaid {@link AR_AGED_DAYS} days after it went overdue (a state key, as
 * `state:ar_overdue_amount`): accounts that stopped paying, without the invoices a weekend or a
 * payment run leaves overdue for a day or two.
 */
export const AR_AGED_DAYS = 7;
export const AR_AGED_KEY = "state:ar_aged_amount";

/** Per-vendor daily count of delayed inbound shipments (key = prefix + vendor id). */
export const VENDOR_DELAYS_PREFIX = "v:shipment_delayed:";

/** The distinct products an event is about (analyze/entities.ts), in first-seen order. */
export function distinctProducts(event: CanonicalEvent): string[] {
  return [...new Set(productsOf(event))];
}

function eventContributions(event: CanonicalEvent): Contribution[] {
  const day = dayOf(event.event_time);
  const out: Contribution[] = [{ day, key: `n:${event.event_type}`, value: 1 }];
  if (event.data_quality_flags.length > 0) {
    out.push({ day, key: `dq:${event.event_type}`, value: 1 });
    // Per category (missing / inconsistent / timeliness), for the per-metric quality breakdown.
    const categories = new Set(event.data_quality_flags.map((flag) => flag.split(":")[0]!));
    for (const category of [...categories].sort()) out.push({ day, key: `dq:${category}:${event.event_type}`, value: 1 });
  }
  const attr = event.attributes;
  const mean = (name: string, value: unknown) => {
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    // sq: lets a scan estimate the spread of individual values (the noise of the rolling means).
    out.push({ day, key: `sum:${name}`, value }, { day, key: `n:${name}`, value: 1 }, { day, key: `sq:${name}`, value: value * value });
  };
  const amount = event.amount ?? 0;
  switch (event.event_type) {
    case "invoice_paid":
      mean("days_to_pay", attr.days_to_pay);
      break;
    case "expense_posted":
      out.push({ day, key: "sum:expenses", value: amount }, { day, key: "sq:expenses", value: amount * amount });
      for (const line of billItemLines(event)) {
        out.push({ day, key: ITEM_UNITS_PREFIX + line.item, value: line.qty }, { day, key: ITEM_COST_PREFIX + line.item, value: line.amount }, { day, key: ITEM_EXPENSES_KEY, value: line.amount });
      }
      break;
    case "refund_issued":
    case "credit_memo_issued":
      out.push({ day, key: "sum:refunds", value: Math.abs(amount) }, { day, key: "sq:refunds", value: amount * amount });
      for (const product of distinctProducts(event)) out.push({ day, key: PRODUCT_REFUNDS_PREFIX + product, value: 1 });
      break;
    case "order_late":
      mean("days_late", attr.days_late);
      break;
    case "shipment_delayed": {
      mean("days_delayed", attr.days_delayed);
      const vendor = vendorOf(event);
      if (vendor !== null) out.push({ day, key: VENDOR_DELAYS_PREFIX + vendor, value: 1 });
      break;
    }
    case "support_ticket_closed":
      mean("resolution_hours", attr.resolution_time_hours);
      break;
    case "review_submitted":
      mean("review_score", attr.score);
      // 1–2 star reviews: the count a satisfaction regression must move (detect/rules.ts).
      if (typeof attr.score === "number" && attr.score <= LOW_REVIEW_SCORE) {
        out.push({ day, key: LOW_REVIEWS_KEY, value: 1 });
        for (const product of distinctProducts(event)) out.push({ day, key: PRODUCT_LOW_REVIEWS_PREFIX + product, value: 1 });
      }
      break;
    default:
      break;
  }
  const revenue = revenueOf(event);
  if (revenue !== 0) out.push({ day, key: "sum:revenue", value: revenue });
  const sales = salesOf(event);
  if (sales !== 0) out.push({ day, key: SALES_KEY, value: sales });
  return out;
}

/**
 * What an event tells an entity's state. `owned`: the state is the event's own entity's (an
 * invoice's issue and payment); otherwise the event's entity (`contributor`) tells another
 * entity's state something (a bill payment pays a bill).
 */
interface StateUpdate {
  state: EntityState;
  owned: boolean;
  contributor: string;
}

function stateUpdates(event: CanonicalEvent): [key: string, update: StateUpdate][] {
  const day = dayOf(event.event_time);
  const attr = event.attributes;
  const asDay = (value: unknown) => (typeof value === "string" ? dayOf(value) : undefined);
  const own = (key: string, state: EntityState): [string, StateUpdate] => [`${key}:${event.entity_id}`, { state, owned: true, contributor: event.entity_id }];
  switch (event.event_type) {
    case "invoice_issued":
      return [
        own("invoice", {
          kind: "invoice",
          issued_day: day,
          due_day: asDay(attr.due_date),
          amount: event.amount ?? (typeof attr.total === "number" ? attr.total : undefined),
        }),
      ];
    case "invoice_paid":
      return [own("invoice", { kind: "invoice", paid_day: asDay(attr.paid_date) ?? day, due_day: asDay(attr.original_due_date) })];
    case "invoice_overdue": {
      const balance = typeof attr.balance_remaining === "number" ? attr.balance_remaining : (event.amount ?? undefined);
      return [own("invoice", { kind: "invoice", overdue_day: day, balance })];
    }
    case "order_placed":
      return [own("order", { kind: "order", placed_day: day })];
    case "order_delivered":
      return [own("order", { kind: "order", delivered_day: asDay(attr.actual_delivery) ?? day })];
    case "support_ticket_opened":
      return [own("ticket", { kind: "ticket", opened_day: day })];
    case "support_ticket_closed":
      return [own("ticket", { kind: "ticket", closed_day: day })];
    case "expense_posted":
      return [own("bill", { kind: "bill", posted_day: day })];
    case "expense_paid": {
      const bills = event.related_entity_ids.bill_ids ?? [];
      return bills.map((bill): [string, StateUpdate] => [
        `bill:${bill}`,
        { state: { kind: "bill", payments: { [event.entity_id]: day } }, owned: false, contributor: event.entity_id },
      ]);
    }
    default:
      return [];
  }
}

/**
 * Merges are commutative and idempotent: the earliest day wins, a known value beats a missing one,
 * payments are united (earliest day per payer), and a retraction is final.
 */
function mergeState(before: EntityState | undefined, update: EntityState): EntityState {
  if (!before || before.kind !== update.kind) return stripUndefined(update);
  const merged: Record<string, unknown> = { ...before };
  for (const [field, value] of Object.entries(update)) {
    if (value === undefined || field === "kind") continue;
    const current = merged[field];
    if (current === undefined) merged[field] = value;
    else if (field.endsWith("_day") && typeof value === "string" && value < (current as string)) merged[field] = value;
    else if ((field === "amount" || field === "balance") && typeof value === "number" && typeof current === "number") {
      merged[field] = Math.max(current, value);
    } else if (field === "payments") {
      const payments = { ...(current as Record<string, string>) };
      for (const [payer, day] of Object.entries(value as Record<string, string>)) {
        if (payments[payer] === undefined || day < payments[payer]) payments[payer] = day;
      }
      merged[field] = sortedRecord(payments);
    }
  }
  return merged as EntityState;
}

/** The state without what `contributor` told it (a retracted payment's day on the bill it paid). */
function withoutContributor(state: EntityState, contributor: string): EntityState {
  if (state.kind !== "bill" || state.payments?.[contributor] === undefined) return state;
  const { [contributor]: _gone, ...rest } = state.payments;
  const { payments: _old, ...bill } = state;
  return Object.keys(rest).length > 0 ? { ...bill, payments: rest } : bill;
}

/** Keys in order, so equal states serialise equally whatever order payments arrived in. */
function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function stripUndefined(state: EntityState): EntityState {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as EntityState;
}

function sameState(a: EntityState, b: EntityState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The aggregates an entity's state implies. */
export function stateContributions(state: EntityState): Contribution[] {
  if (state.retracted) return [];
  switch (state.kind) {
    case "invoice": {
      // Overdue at the end of day d when d > due date and the invoice is not paid by the end of d.
      // Without issue and due dates, an explicit invoice_overdue event dates the overdue balance.
      const derived = state.issued_day !== undefined && state.due_day !== undefined && state.amount !== undefined;
      const explicitBalance = state.balance ?? state.amount;
      if (!derived && (state.overdue_day === undefined || explicitBalance === undefined)) return [];
      const amount = derived ? state.amount! : explicitBalance!;
      const start = derived ? maxDay(addDays(state.due_day!, 1), state.issued_day!) : state.overdue_day!;
      if (state.paid_day !== undefined && state.paid_day <= start) return [];
      const out: Contribution[] = [
        { day: start, key: "state:ar_overdue_amount", value: amount },
        { day: start, key: "state:ar_overdue_count", value: 1 },
      ];
      if (state.paid_day !== undefined) {
        out.push(
          { day: state.paid_day, key: "state:ar_overdue_amount", value: -amount },
          { day: state.paid_day, key: "state:ar_overdue_count", value: -1 },
        );
      }
      // Still unpaid a week into overdue: the part of the balance that is not a payment run's slip.
      const aged = addDays(start, AR_AGED_DAYS);
      if (state.paid_day === undefined || state.paid_day > aged) {
        out.push({ day: aged, key: AR_AGED_KEY, value: amount });
        if (state.paid_day !== undefined) out.push({ day: state.paid_day, key: AR_AGED_KEY, value: -amount });
      }
      return out;
    }
    case "order":
      return openInterval(state.placed_day, state.delivered_day, "state:open_orders");
    case "ticket":
      return openInterval(state.opened_day, state.closed_day, "state:open_tickets");
    case "bill": {
      // Paid on the earliest payment's day.
      const paidDay = [state.paid_day, ...Object.values(state.payments ?? {})].filter((d): d is string => d !== undefined).sort()[0];
      if (!state.posted_day || !paidDay) return [];
      const days = Math.max(0, daysBetween(state.posted_day, paidDay));
      return [
        { day: paidDay, key: "sum:days_payable", value: days },
        { day: paidDay, key: "n:days_payable", value: 1 },
        { day: paidDay, key: "sq:days_payable", value: days * days },
      ];
    }
  }
}

/** +1 while an item is open: from the day it opens until it closes or goes stale. */
function openInterval(opened: string | undefined, closed: string | undefined, key: string): Contribution[] {
  if (!opened) return [];
  const stale = addDays(opened, BACKLOG_WINDOW_DAYS);
  const end = closed === undefined ? stale : minDay(maxDay(closed, opened), stale);
  if (end <= opened) return [];
  return [
    { day: opened, key, value: 1 },
    { day: end, key, value: -1 },
  ];
}

const maxDay = (a: string, b: string) => (a > b ? a : b);
const minDay = (a: string, b: string) => (a < b ? a : b);

/**
 * An in-memory ledger for the CLI and tests: the same fold as the CompanyLog, with
 * de-duplication by event id and retractions.
 */
export class MemoryLedger {
  readonly daily = new Map<string, number>();
  readonly customerRevenue = new Map<string, number>();
  readonly states = new Map<string, EntityState>();
  /** Retraction keys of retracted entities. */
  readonly retracted = new Set<string>();
  private readonly seen = new Set<string>();

  /** Appends events; returns how many were new. */
  append(events: readonly CanonicalEvent[]): { accepted: number; duplicates: number } {
    const fresh: CanonicalEvent[] = [];
    for (const event of events) {
      if (this.seen.has(event.event_id)) continue;
      this.seen.add(event.event_id);
      fresh.push(event);
    }
    this.apply(foldEvents(fresh, this.states, this.retracted));
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  }

  /**
   * Retracts entities. The ledger keeps no events, so the caller hands over `candidates`: at
   * least every event it appended of these entities (others are ignored, as are events never
   * appended and entities already retracted). Returns how many entities and events were retracted.
   */
  retract(retractions: readonly Retraction[], candidates: Iterable<CanonicalEvent>): { entities: number; events: number } {
    const fresh = new Set<string>();
    for (const r of retractions) {
      const key = retractionKey(r.source, r.source_entity_id);
      if (!this.retracted.has(key)) fresh.add(key);
    }
    const taken = new Map<string, CanonicalEvent>();
    for (const event of candidates) {
      if (fresh.has(retractionKeyOf(event)) && this.seen.has(event.event_id) && !taken.has(event.event_id)) taken.set(event.event_id, event);
    }
    this.apply(foldRetraction([...taken.values()], this.states));
    for (const key of fresh) this.retracted.add(key);
    return { entities: fresh.size, events: taken.size };
  }

  private apply(delta: LedgerDelta): void {
    mergeInto(this.daily, delta.daily);
    mergeInto(this.customerRevenue, delta.customerRevenue);
    for (const [key, state] of delta.states) this.states.set(key, state);
  }

  /** The aggregates as the scan reads them. */
  snapshot(): LedgerSnapshot {
    return snapshotFromRows(
      [...this.daily].map(([k, value]) => splitKey(k, value)),
      [...this.customerRevenue].map(([k, value]) => {
        const { day, key } = splitKey(k, value);
        return { day, customer_id: key, revenue: value };
      }),
    );
  }
}

function mergeInto(target: Map<string, number>, source: Map<string, number>): void {
  for (const [k, v] of source) {
    const next = (target.get(k) ?? 0) + v;
    if (Math.abs(next) < 1e-9) target.delete(k);
    else target.set(k, next);
  }
}

function splitKey(k: string, value: number): { day: string; key: string; value: number } {
  const bar = k.indexOf("|");
  return { day: k.slice(0, bar), key: k.slice(bar + 1), value };
}

/** Daily aggregates as rows, the form the CompanyLog stores and returns. */
export interface LedgerSnapshot {
  daily: { day: string; key: string; value: number }[];
  customerRevenue: { day: string; customer_id: string; revenue: number }[];
}

/** Sorts rows so that snapshots from the log and from memory are identical. */
export function snapshotFromRows(
  daily: LedgerSnapshot["daily"],
  customerRevenue: LedgerSnapshot["customerRevenue"],
): LedgerSnapshot {
  const byDayKey = (a: { day: string; key: string }, b: { day: string; key: string }) =>
    a.day < b.day ? -1 : a.day > b.day ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  return {
    daily: daily.filter((r) => Math.abs(r.value) >= 1e-9).sort(byDayKey),
    customerRevenue: customerRevenue
      .filter((r) => Math.abs(r.revenue) >= 1e-9)
      .sort((a, b) => byDayKey({ day: a.day, key: a.customer_id }, { day: b.day, key: b.customer_id })),
  };
}
