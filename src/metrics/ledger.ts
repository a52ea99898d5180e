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
 * The CompanyLog Durable Object calls {@link foldEvents}; the CLI's {@link MemoryLedger} runs the
 * same fold in columns (memory-ledger.ts, checked against this one); the scan reads the resulting
 * aggregates, so the Worker and `bre scan` compute the same numbers.
 */
import { dayOf, type CanonicalEvent } from "../events/canonical.ts";
import { addDays, daysBetween } from "../time.ts";

/** Days an open order or ticket stays in its backlog before it is treated as stale. */
export const BACKLOG_WINDOW_DAYS = 14;

export type EntityState =
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
  | { kind: "bill"; posted_day?: string; paid_day?: string };

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
 * (missing keys mean "no state yet").
 */
export function foldEvents(events: readonly CanonicalEvent[], priorStates: ReadonlyMap<string, EntityState>): LedgerDelta {
  const delta: LedgerDelta = { daily: new Map(), customerRevenue: new Map(), states: new Map() };
  const add = (day: string, key: string, value: number) => {
    if (value === 0 || !Number.isFinite(value)) return;
    const k = `${day}|${key}`;
    delta.daily.set(k, (delta.daily.get(k) ?? 0) + value);
  };

  for (const event of events) {
    for (const c of eventContributions(event)) add(c.day, c.key, c.value);
    const customer = event.related_entity_ids.customer_id;
    const revenue = revenueOf(event);
    if (customer && revenue !== 0) {
      const k = `${dayOf(event.event_time)}|${customer}`;
      delta.customerRevenue.set(k, (delta.customerRevenue.get(k) ?? 0) + revenue);
    }
    for (const [key, update] of stateUpdates(event)) {
      const before = delta.states.get(key) ?? priorStates.get(key);
      const after = mergeState(before, update);
      if (before && sameState(before, after)) continue;
      if (before) for (const c of stateContributions(before)) add(c.day, c.key, -c.value);
      for (const c of stateContributions(after)) add(c.day, c.key, c.value);
      delta.states.set(key, after);
    }
  }
  return delta;
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
      break;
    case "refund_issued":
    case "credit_memo_issued":
      out.push({ day, key: "sum:refunds", value: Math.abs(amount) }, { day, key: "sq:refunds", value: amount * amount });
      break;
    case "order_late":
      mean("days_late", attr.days_late);
      break;
    case "shipment_delayed":
      mean("days_delayed", attr.days_delayed);
      break;
    case "support_ticket_closed":
      mean("resolution_hours", attr.resolution_time_hours);
      break;
    case "review_submitted":
      mean("review_score", attr.score);
      break;
    default:
      break;
  }
  const revenue = revenueOf(event);
  if (revenue !== 0) out.push({ day, key: "sum:revenue", value: revenue });
  return out;
}

type StateUpdate = [key: string, update: EntityState];

function stateUpdates(event: CanonicalEvent): StateUpdate[] {
  const day = dayOf(event.event_time);
  const attr = event.attributes;
  const asDay = (value: unknown) => (typeof value === "string" ? dayOf(value) : undefined);
  switch (event.event_type) {
    case "invoice_issued":
      return [
        [
          `invoice:${event.entity_id}`,
          {
            kind: "invoice",
            issued_day: day,
            due_day: asDay(attr.due_date),
            amount: event.amount ?? (typeof attr.total === "number" ? attr.total : undefined),
          },
        ],
      ];
    case "invoice_paid":
      return [
        [
          `invoice:${event.entity_id}`,
          { kind: "invoice", paid_day: asDay(attr.paid_date) ?? day, due_day: asDay(attr.original_due_date) },
        ],
      ];
    case "invoice_overdue": {
      const balance = typeof attr.balance_remaining === "number" ? attr.balance_remaining : (event.amount ?? undefined);
      return [[`invoice:${event.entity_id}`, { kind: "invoice", overdue_day: day, balance }]];
    }
    case "order_placed":
      return [[`order:${event.entity_id}`, { kind: "order", placed_day: day }]];
    case "order_delivered":
      return [[`order:${event.entity_id}`, { kind: "order", delivered_day: asDay(attr.actual_delivery) ?? day }]];
    case "support_ticket_opened":
      return [[`ticket:${event.entity_id}`, { kind: "ticket", opened_day: day }]];
    case "support_ticket_closed":
      return [[`ticket:${event.entity_id}`, { kind: "ticket", closed_day: day }]];
    case "expense_posted":
      return [[`bill:${event.entity_id}`, { kind: "bill", posted_day: day }]];
    case "expense_paid": {
      const bills = event.related_entity_ids.bill_ids ?? [];
      return bills.map((bill): StateUpdate => [`bill:${bill}`, { kind: "bill", paid_day: day }]);
    }
    default:
      return [];
  }
}

/** Merges are commutative and idempotent: the earliest day wins, a known value beats a missing one. */
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
    }
  }
  return merged as EntityState;
}

function stripUndefined(state: EntityState): EntityState {
  return Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as EntityState;
}

function sameState(a: EntityState, b: EntityState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The aggregates an entity's state implies. */
export function stateContributions(state: EntityState): Contribution[] {
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
      return out;
    }
    case "order":
      return openInterval(state.placed_day, state.delivered_day, "state:open_orders");
    case "ticket":
      return openInterval(state.opened_day, state.closed_day, "state:open_tickets");
    case "bill": {
      if (!state.posted_day || !state.paid_day) return [];
      const days = Math.max(0, daysBetween(state.posted_day, state.paid_day));
      return [
        { day: state.paid_day, key: "sum:days_payable", value: days },
        { day: state.paid_day, key: "n:days_payable", value: 1 },
        { day: state.paid_day, key: "sq:days_payable", value: days * days },
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

export { MemoryLedger } from "./memory-ledger.ts";

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
