/**
 * The append-only in-memory ledger `bre scan` loads files into: the same fold as {@link foldEvents} (which the
 * CompanyLog runs), kept in columns so that a million events cost no object per event. Days,
 * aggregate keys and customers are interned to small integers; an aggregate is a number in a
 * Map keyed by `key id × 2^22 + day id`; an entity's state is a row of typed arrays.
 *
 * It reproduces the reference fold exactly, floating-point sums included: each batch is summed
 * on its own from 0 in event order, then added to the totals (a test compares the two on random
 * event streams and batchings).
 *
 * It has no retractions: files of canonical events carry none (voids and deletions come from
 * QuickBooks, whose sync keeps a {@link MemoryLedger} or the CompanyLog). Anything that needs
 * them uses `MemoryLedger` from ledger.ts, the reference this one is checked against.
 */
import { type CanonicalEvent, dayOf, type EventType } from "../events/canonical.ts";
import { addDays, dayNumber } from "../time.ts";
import {
  AR_AGED_DAYS,
  AR_AGED_KEY,
  BACKLOG_WINDOW_DAYS,
  billItemLines,
  type EntityState,
  ITEM_COST_PREFIX,
  ITEM_EXPENSES_KEY,
  ITEM_UNITS_PREFIX,
  LOW_REVIEW_SCORE,
  LOW_REVIEWS_KEY,
  type LedgerSnapshot,
  PRODUCT_LOW_REVIEWS_PREFIX,
  PRODUCT_REFUNDS_PREFIX,
  distinctProducts,
  revenueOf,
  SALES_KEY,
  salesOf,
  snapshotFromRows,
  VENDOR_DELAYS_PREFIX,
} from "./ledger.ts";
import { vendorOf } from "../analyze/entities.ts";

const DAY_SLOTS = 2 ** 22;
const NONE = -1;

/** Day strings interned to ids, with their day numbers and the shifted days the fold needs. */
class DayTable {
  readonly text: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly numbers: number[] = [];
  /** The day number where it sorts like the text (`YYYY-MM-DD`), else NaN: then the text is compared. */
  private readonly order: number[] = [];
  /** Per shift in days, each day id's shifted day id (computed when first asked). */
  private readonly shifted = new Map<number, number[]>();

  id(day: string): number {
    let id = this.ids.get(day);
    if (id === undefined) {
      id = this.text.length;
      if (id >= DAY_SLOTS) throw new Error(`ColumnarLedger: more than ${DAY_SLOTS} distinct days`);
      this.ids.set(day, id);
      this.text.push(day);
      this.numbers.push(dayNumber(day));
      this.order.push(/^\d{4}-\d{2}-\d{2}$/.test(day) ? dayNumber(day) : Number.NaN);
    }
    return id;
  }

  /** `a < b` in the reference's string order (numeric for real days, the same order). */
  less(a: number, b: number): boolean {
    if (a === b) return false;
    const x = this.order[a]!;
    const y = this.order[b]!;
    return x === x && y === y ? x < y : this.text[a]! < this.text[b]!;
  }

  after(id: number, days: number): number {
    let cache = this.shifted.get(days);
    if (!cache) this.shifted.set(days, (cache = []));
    let shifted = cache[id];
    if (shifted === undefined) cache[id] = shifted = this.id(addDays(this.text[id]!, days));
    return shifted;
  }

  between(from: number, to: number): number {
    return this.numbers[to]! - this.numbers[from]!;
  }
}

/** Strings interned to ids (aggregate keys, customers). */
class Interner {
  readonly text: string[] = [];
  private readonly ids = new Map<string, number>();
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.text.length;
      this.ids.set(value, id);
      this.text.push(value);
    }
    return id;
  }
}

/** A growable column of entity-state fields. */
class Column<T extends Int32Array | Float64Array> {
  constructor(
    public values: T,
    private readonly empty: number,
  ) {
    values.fill(empty);
  }
  ensure(size: number): void {
    if (size <= this.values.length) return;
    const grown = new (this.values.constructor as new (n: number) => T)(Math.max(size, this.values.length * 2));
    grown.fill(this.empty);
    grown.set(this.values);
    this.values = grown;
  }
}

const dayColumn = () => new Column(new Int32Array(1024), NONE);
const amountColumn = () => new Column(new Float64Array(1024), Number.NaN);

/** Entities of one kind: entity id → row, and a growable column per state field. */
class EntityTable<F extends string> {
  readonly rows = new Map<string, number>();
  readonly columns: Record<F, Column<Int32Array | Float64Array>>;
  constructor(days: readonly F[], amounts: readonly F[] = []) {
    this.columns = {} as Record<F, Column<Int32Array | Float64Array>>;
    for (const f of days) this.columns[f] = dayColumn();
    for (const f of amounts) this.columns[f] = amountColumn();
  }
  /** The entity's row, or -1 when it has no state yet. */
  row(entityId: string): number {
    return this.rows.get(entityId) ?? NONE;
  }
  add(entityId: string): number {
    const row = this.rows.size;
    this.rows.set(entityId, row);
    for (const f in this.columns) this.columns[f].ensure(row + 1);
    return row;
  }
  get(field: F): Int32Array | Float64Array {
    return this.columns[field].values;
  }
}

type InvoiceField = "issued" | "due" | "paid" | "overdue" | "amount" | "balance";

export class ColumnarLedger {
  private readonly days = new DayTable();
  private readonly keys = new Interner();
  private readonly customers = new Interner();
  /** `key id × 2^22 + day id` → total. Insertion order is the reference's (a Map of `${day}|${key}`). */
  private readonly totals = new Map<number, number>();
  /** `customer id × 2^22 + day id` → revenue. */
  private readonly revenueTotals = new Map<number, number>();
  private readonly seen = new Set<string>();

  private readonly invoices = new EntityTable<InvoiceField>(["issued", "due", "paid", "overdue"], ["amount", "balance"]);
  private readonly orders = new EntityTable<"opened" | "closed">(["opened", "closed"]);
  private readonly tickets = new EntityTable<"opened" | "closed">(["opened", "closed"]);
  private readonly bills = new EntityTable<"posted" | "paid">(["posted", "paid"]);

  /** The current batch's sums (summed from 0, then added to the totals, as the reference does). */
  private batch = new Map<number, number>();
  private batchRevenue = new Map<number, number>();

  private readonly countKey: Record<string, number> = {};
  private lowReviewKey: number | undefined;
  private itemExpensesKey: number | undefined;
  private readonly qualityKey: Record<string, number> = {};
  private readonly k = {
    arAmount: this.keys.id("state:ar_overdue_amount"),
    arCount: this.keys.id("state:ar_overdue_count"),
    arAged: this.keys.id(AR_AGED_KEY),
    openOrders: this.keys.id("state:open_orders"),
    openTickets: this.keys.id("state:open_tickets"),
    payableSum: this.keys.id("sum:days_payable"),
    payableCount: this.keys.id("n:days_payable"),
    payableSquares: this.keys.id("sq:days_payable"),
    expenses: this.keys.id("sum:expenses"),
    expenseSquares: this.keys.id("sq:expenses"),
    refunds: this.keys.id("sum:refunds"),
    refundSquares: this.keys.id("sq:refunds"),
    revenue: this.keys.id("sum:revenue"),
    sales: this.keys.id(SALES_KEY),
  };
  /** [sum, n, sq] key ids of each averaged attribute. */
  private readonly meanKeys = new Map<string, [number, number, number]>();

  /** Appends a batch of events; returns how many were new. */
  append(events: readonly CanonicalEvent[]): { accepted: number; duplicates: number } {
    this.endBatch();
    let accepted = 0;
    for (const event of events) if (this.add(event)) accepted++;
    this.endBatch();
    return { accepted, duplicates: events.length - accepted };
  }

  /**
   * Folds one event into the current batch, unless its id was seen; returns whether it was new.
   * Streaming `add`s and an `endBatch` give what `append` of the same batch gives, without a
   * batch of events kept alive (they would outlive the young generation and cost a full GC).
   */
  add(event: CanonicalEvent): boolean {
    if (this.seen.has(event.event_id)) return false;
    this.seen.add(event.event_id);
    this.fold(event);
    return true;
  }

  /** Adds the current batch's sums to the totals (as `append` does at the end of its batch). */
  endBatch(): void {
    if (this.batch.size === 0 && this.batchRevenue.size === 0) return;
    mergeInto(this.totals, this.batch);
    mergeInto(this.revenueTotals, this.batchRevenue);
    this.batch = new Map();
    this.batchRevenue = new Map();
  }

  /** The aggregates as the scan reads them. */
  snapshot(): LedgerSnapshot {
    this.endBatch();
    const daily: LedgerSnapshot["daily"] = [];
    for (const [slot, value] of this.totals) daily.push({ day: this.days.text[slot % DAY_SLOTS]!, key: this.keys.text[Math.floor(slot / DAY_SLOTS)]!, value });
    const customerRevenue: LedgerSnapshot["customerRevenue"] = [];
    for (const [slot, revenue] of this.revenueTotals) {
      customerRevenue.push({ day: this.days.text[slot % DAY_SLOTS]!, customer_id: this.customers.text[Math.floor(slot / DAY_SLOTS)]!, revenue });
    }
    return snapshotFromRows(daily, customerRevenue);
  }

  /** `${day}|${key}` → total, in the reference ledger's form (for tests and inspection). */
  get daily(): Map<string, number> {
    this.endBatch();
    const out = new Map<string, number>();
    for (const [slot, value] of this.totals) out.set(`${this.days.text[slot % DAY_SLOTS]}|${this.keys.text[Math.floor(slot / DAY_SLOTS)]}`, value);
    return out;
  }

  /** `${day}|${customer_id}` → revenue, in the reference ledger's form. */
  get customerRevenue(): Map<string, number> {
    this.endBatch();
    const out = new Map<string, number>();
    for (const [slot, value] of this.revenueTotals) out.set(`${this.days.text[slot % DAY_SLOTS]}|${this.customers.text[Math.floor(slot / DAY_SLOTS)]}`, value);
    return out;
  }

  /** Entity states in the reference's form (`invoice:<id>` → state), for tests and inspection. */
  get states(): Map<string, EntityState> {
    const out = new Map<string, EntityState>();
    const day = (column: Int32Array | Float64Array, row: number) => (column[row] === NONE ? undefined : this.days.text[column[row]!]);
    const amount = (column: Int32Array | Float64Array, row: number) => (Number.isNaN(column[row]) ? undefined : column[row]);
    const defined = (state: Record<string, unknown>) => Object.fromEntries(Object.entries(state).filter(([, v]) => v !== undefined)) as EntityState;
    const inv = this.invoices;
    for (const [id, r] of inv.rows) {
      out.set(`invoice:${id}`, defined({ kind: "invoice", issued_day: day(inv.get("issued"), r), due_day: day(inv.get("due"), r), amount: amount(inv.get("amount"), r), paid_day: day(inv.get("paid"), r), overdue_day: day(inv.get("overdue"), r), balance: amount(inv.get("balance"), r) }));
    }
    for (const [id, r] of this.orders.rows) out.set(`order:${id}`, defined({ kind: "order", placed_day: day(this.orders.get("opened"), r), delivered_day: day(this.orders.get("closed"), r) }));
    for (const [id, r] of this.tickets.rows) out.set(`ticket:${id}`, defined({ kind: "ticket", opened_day: day(this.tickets.get("opened"), r), closed_day: day(this.tickets.get("closed"), r) }));
    for (const [id, r] of this.bills.rows) out.set(`bill:${id}`, defined({ kind: "bill", posted_day: day(this.bills.get("posted"), r), paid_day: day(this.bills.get("paid"), r) }));
    return out;
  }

  private contribute(day: number, key: number, value: number): void {
    if (value === 0 || !Number.isFinite(value)) return;
    const slot = key * DAY_SLOTS + day;
    const sum = this.batch.get(slot);
    this.batch.set(slot, (sum === undefined ? 0 : sum) + value);
  }

  private mean(day: number, name: string, value: unknown): void {
    if (typeof value !== "number" || !Number.isFinite(value)) return;
    let keys = this.meanKeys.get(name);
    if (!keys) this.meanKeys.set(name, (keys = [this.keys.id(`sum:${name}`), this.keys.id(`n:${name}`), this.keys.id(`sq:${name}`)]));
    this.contribute(day, keys[0], value);
    this.contribute(day, keys[1], 1);
    this.contribute(day, keys[2], value * value);
  }

  /** The reference's `eventContributions`, customer revenue and `stateUpdates`, in its order. */
  private fold(event: CanonicalEvent): void {
    const type = event.event_type;
    const day = this.days.id(dayOf(event.event_time));
    this.contribute(day, (this.countKey[type] ??= this.keys.id(`n:${type}`)), 1);
    const flags = event.data_quality_flags;
    if (flags.length > 0) {
      this.contribute(day, (this.qualityKey[type] ??= this.keys.id(`dq:${type}`)), 1);
      const categories = [...new Set(flags.map((flag) => flag.split(":")[0]!))].sort();
      for (const category of categories) this.contribute(day, this.keys.id(`dq:${category}:${type}`), 1);
    }
    const attr = event.attributes;
    const amount = event.amount ?? 0;
    const k = this.k;
    switch (type) {
      case "invoice_paid":
        this.mean(day, "days_to_pay", attr.days_to_pay);
        break;
      case "expense_posted":
        this.contribute(day, k.expenses, amount);
        this.contribute(day, k.expenseSquares, amount * amount);
        for (const line of billItemLines(event)) {
          this.contribute(day, this.keys.id(ITEM_UNITS_PREFIX + line.item), line.qty);
          this.contribute(day, this.keys.id(ITEM_COST_PREFIX + line.item), line.amount);
          this.contribute(day, (this.itemExpensesKey ??= this.keys.id(ITEM_EXPENSES_KEY)), line.amount);
        }
        break;
      case "refund_issued":
      case "credit_memo_issued":
        this.contribute(day, k.refunds, Math.abs(amount));
        this.contribute(day, k.refundSquares, amount * amount);
        for (const product of distinctProducts(event)) this.contribute(day, this.keys.id(PRODUCT_REFUNDS_PREFIX + product), 1);
        break;
      case "order_late":
        this.mean(day, "days_late", attr.days_late);
        break;
      case "shipment_delayed": {
        this.mean(day, "days_delayed", attr.days_delayed);
        const vendor = vendorOf(event);
        if (vendor !== null) this.contribute(day, this.keys.id(VENDOR_DELAYS_PREFIX + vendor), 1);
        break;
      }
      case "support_ticket_closed":
        this.mean(day, "resolution_hours", attr.resolution_time_hours);
        break;
      case "review_submitted":
        this.mean(day, "review_score", attr.score);
        if (typeof attr.score === "number" && attr.score <= LOW_REVIEW_SCORE) {
          this.contribute(day, (this.lowReviewKey ??= this.keys.id(LOW_REVIEWS_KEY)), 1);
          for (const product of distinctProducts(event)) this.contribute(day, this.keys.id(PRODUCT_LOW_REVIEWS_PREFIX + product), 1);
        }
        break;
      default:
        break;
    }
    const revenue = revenueOf(event);
    if (revenue !== 0) this.contribute(day, k.revenue, revenue);
    const sales = salesOf(event);
    if (sales !== 0) this.contribute(day, k.sales, sales);
    const customer = event.related_entity_ids.customer_id;
    if (customer && revenue !== 0) {
      const slot = this.customers.id(customer) * DAY_SLOTS + day;
      const sum = this.batchRevenue.get(slot);
      this.batchRevenue.set(slot, (sum === undefined ? 0 : sum) + revenue);
    }
    this.updateState(event, type, day);
  }

  private updateState(event: CanonicalEvent, type: EventType, day: number): void {
    const attr = event.attributes;
    const asDay = this.asDay;
    switch (type) {
      case "invoice_issued": {
        const amount = event.amount ?? (typeof attr.total === "number" ? attr.total : Number.NaN);
        return this.updateInvoice(event.entity_id, day, asDay(attr.due_date), amount, NONE, NONE, Number.NaN);
      }
      case "invoice_paid": {
        const paid = asDay(attr.paid_date);
        return this.updateInvoice(event.entity_id, NONE, asDay(attr.original_due_date), Number.NaN, paid === NONE ? day : paid, NONE, Number.NaN);
      }
      case "invoice_overdue": {
        const balance = typeof attr.balance_remaining === "number" ? attr.balance_remaining : (event.amount ?? Number.NaN);
        return this.updateInvoice(event.entity_id, NONE, NONE, Number.NaN, NONE, day, balance);
      }
      case "order_placed":
        return this.updateInterval(this.orders, event.entity_id, day, NONE, this.k.openOrders);
      case "order_delivered": {
        const delivered = asDay(attr.actual_delivery);
        return this.updateInterval(this.orders, event.entity_id, NONE, delivered === NONE ? day : delivered, this.k.openOrders);
      }
      case "support_ticket_opened":
        return this.updateInterval(this.tickets, event.entity_id, day, NONE, this.k.openTickets);
      case "support_ticket_closed":
        return this.updateInterval(this.tickets, event.entity_id, NONE, day, this.k.openTickets);
      case "expense_posted":
        return this.updateBill(event.entity_id, day, NONE);
      case "expense_paid":
        for (const bill of event.related_entity_ids.bill_ids ?? []) this.updateBill(bill, NONE, day);
        return;
      default:
        return;
    }
  }

  /** The day of an attribute date, or NONE. */
  private readonly asDay = (value: unknown): number => (typeof value === "string" ? this.days.id(dayOf(value)) : NONE);

  /** Earliest day wins; a known day beats a missing one (the reference's `mergeState`). */
  private earliest(current: number, update: number): number {
    if (update === NONE) return current;
    if (current === NONE) return update;
    return this.days.less(update, current) ? update : current;
  }

  private updateInvoice(id: string, issued: number, due: number, amount: number, paid: number, overdue: number, balance: number): void {
    const t = this.invoices;
    let row = t.row(id);
    const existed = row !== NONE;
    if (!existed) row = t.add(id);
    const [cIssued, cDue, cPaid, cOverdue] = [t.get("issued"), t.get("due"), t.get("paid"), t.get("overdue")];
    const [cAmount, cBalance] = [t.get("amount"), t.get("balance")];
    const before = [cIssued[row]!, cDue[row]!, cAmount[row]!, cPaid[row]!, cOverdue[row]!, cBalance[row]!] as const;
    const next = [
      this.earliest(before[0], issued),
      this.earliest(before[1], due),
      maxKnown(before[2], amount),
      this.earliest(before[3], paid),
      this.earliest(before[4], overdue),
      maxKnown(before[5], balance),
    ] as const;
    if (existed && next.every((v, i) => v === before[i] || (Number.isNaN(v) && Number.isNaN(before[i])))) return;
    if (existed) this.invoiceContributions(before[0], before[1], before[2], before[3], before[4], before[5], -1);
    this.invoiceContributions(next[0], next[1], next[2], next[3], next[4], next[5], 1);
    [cIssued[row], cDue[row], cAmount[row], cPaid[row], cOverdue[row], cBalance[row]] = next;
  }

  /** The reference's `stateContributions` of an invoice, times `sign`. */
  private invoiceContributions(issued: number, due: number, amount: number, paid: number, overdue: number, balance: number, sign: 1 | -1): void {
    // Overdue at the end of day d when d > due date and the invoice is not paid by the end of d.
    const derived = issued !== NONE && due !== NONE && !Number.isNaN(amount);
    const explicitBalance = Number.isNaN(balance) ? amount : balance;
    if (!derived && (overdue === NONE || Number.isNaN(explicitBalance))) return;
    const value = derived ? amount : explicitBalance;
    let start = overdue;
    if (derived) {
      const dayAfterDue = this.days.after(due, 1);
      start = this.days.less(issued, dayAfterDue) ? dayAfterDue : issued;
    }
    if (paid !== NONE && !this.days.less(start, paid)) return;
    this.contribute(start, this.k.arAmount, sign * value);
    this.contribute(start, this.k.arCount, sign);
    if (paid !== NONE) {
      this.contribute(paid, this.k.arAmount, -sign * value);
      this.contribute(paid, this.k.arCount, -sign);
    }
    const aged = this.days.after(start, AR_AGED_DAYS);
    if (paid === NONE || this.days.less(aged, paid)) {
      this.contribute(aged, this.k.arAged, sign * value);
      if (paid !== NONE) this.contribute(paid, this.k.arAged, -sign * value);
    }
  }

  /** Orders and tickets: +1 from the day an item opens until it closes or goes stale. */
  private updateInterval(table: EntityTable<"opened" | "closed">, id: string, opened: number, closed: number, key: number): void {
    let row = table.row(id);
    const existed = row !== NONE;
    if (!existed) row = table.add(id);
    const cOpened = table.get("opened");
    const cClosed = table.get("closed");
    const before = [cOpened[row]!, cClosed[row]!] as const;
    const next = [this.earliest(before[0], opened), this.earliest(before[1], closed)] as const;
    if (existed && next[0] === before[0] && next[1] === before[1]) return;
    if (existed) this.intervalContributions(before[0], before[1], key, -1);
    this.intervalContributions(next[0], next[1], key, 1);
    cOpened[row] = next[0];
    cClosed[row] = next[1];
  }

  private intervalContributions(opened: number, closed: number, key: number, sign: 1 | -1): void {
    if (opened === NONE) return;
    const stale = this.days.after(opened, BACKLOG_WINDOW_DAYS);
    let end = stale;
    if (closed !== NONE) {
      const closedOrOpened = this.days.less(opened, closed) ? closed : opened;
      end = this.days.less(closedOrOpened, stale) ? closedOrOpened : stale;
    }
    if (!this.days.less(opened, end)) return;
    this.contribute(opened, key, sign);
    this.contribute(end, key, -sign);
  }

  private updateBill(id: string, posted: number, paid: number): void {
    const t = this.bills;
    let row = t.row(id);
    const existed = row !== NONE;
    if (!existed) row = t.add(id);
    const cPosted = t.get("posted");
    const cPaid = t.get("paid");
    const before = [cPosted[row]!, cPaid[row]!] as const;
    const next = [this.earliest(before[0], posted), this.earliest(before[1], paid)] as const;
    if (existed && next[0] === before[0] && next[1] === before[1]) return;
    if (existed) this.billContributions(before[0], before[1], -1);
    this.billContributions(next[0], next[1], 1);
    cPosted[row] = next[0];
    cPaid[row] = next[1];
  }

  private billContributions(posted: number, paid: number, sign: 1 | -1): void {
    if (posted === NONE || paid === NONE) return;
    const days = Math.max(0, this.days.between(posted, paid));
    this.contribute(paid, this.k.payableSum, sign * days);
    this.contribute(paid, this.k.payableCount, sign);
    this.contribute(paid, this.k.payableSquares, sign * days * days);
  }
}

/** The larger of two amounts, a known one beating a missing one (NaN). */
function maxKnown(current: number, update: number): number {
  if (Number.isNaN(update)) return current;
  if (Number.isNaN(current)) return update;
  return Math.max(current, update);
}

function mergeInto(target: Map<number, number>, source: Map<number, number>): void {
  for (const [k, v] of source) {
    const next = (target.get(k) ?? 0) + v;
    if (Math.abs(next) < 1e-9) target.delete(k);
    else target.set(k, next);
  }
}
