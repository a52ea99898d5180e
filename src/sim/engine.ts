/**
 * The simulated business, one day at a time. Incidents come out of mechanisms, never out of
 * painted curves:
 *
 * - customers arrive (growing acquisition) and order with weekly seasonality, holiday dips and
 *   day-to-day noise; every order is invoiced (cards pay at once, accounts on net terms);
 * - the warehouse ships orders first-in first-out, up to a capacity re-planned weekly from recent
 *   demand, and only when every item is in stock; stock is replenished by purchase orders whose
 *   shipments can run late (supplier reliability), so a late supplier empties shelves and orders
 *   wait;
 * - carriers take a few shipping days with jitter: an order is late when shipping waited too long
 *   or transit ran long; defects come with the batch;
 * - tickets come from a baseline plus "where is my order" (orders waiting or overdue), late
 *   deliveries and defects; agents close them first-in first-out, so resolution time grows with
 *   the queue against staffing;
 * - reviews fall with lateness, defects and slow support; refunds follow defects and lateness;
 * - every bad experience adds to a customer's frustration, which decays and raises the churn hazard;
 * - invoices are paid per each customer's habits (key accounts pay on their statement day);
 *   vendors bill on their schedules and are paid on terms when cash allows.
 *
 * Everything random is drawn from one seeded generator in a fixed order, so a seed gives the same
 * bytes on every machine, and a scenario only changes what happens from its onset on.
 */
import type { RelatedEntityIds } from "../events/canonical.ts";
import type { Random } from "../rng.ts";
import { seededRandom } from "../rng.ts";
import { SimCalendar } from "./calendar.ts";
import { type EventSpec, type QboType, type SimEvent, qboEvent, sourceEvent } from "./events.ts";
import { active, type Injection } from "./injections.ts";
import { type BusinessProfile, normaliseWeek } from "./profile.ts";
import { samplePoisson } from "./sampling/poisson.ts";
import { sampleStandardNormal } from "./sampling/normal.ts";
import { pickWeighted } from "./sampling/weighted-index.ts";
import { buildWorld, type Customer, newCustomer, type Product, type Vendor, WHOLESALE_PRICE_FACTOR, type World } from "./world.ts";

export interface EngineOptions {
  seed: number;
  /** `YYYY-MM-DD` of day 0, the first recorded day. */
  startDay: string;
  /** Recorded days. */
  days: number;
  /** Days simulated before day 0 and not recorded, so queues, stock and receivables are in a steady state on day 0. */
  warmupDays: number;
  profile: BusinessProfile;
  injections: readonly Injection[];
  /** QuickBooks realm id used in QBO event ids. */
  realm: string;
  /** Keep transaction records for the QuickBooks books (off for very long benchmark runs). */
  keepRecords: boolean;
}

export interface Line {
  product: Product;
  qty: number;
  unitPrice: number;
  amount: number;
  /** Units of this line that turn out defective. */
  defectiveUnits: number;
}

export interface Order {
  seq: number;
  id: string;
  customer: Customer;
  lines: Line[];
  amount: number;
  placedDay: number;
  placedMs: number;
  estimatedDay: number;
  shipDay: number;
  deliveredDay: number;
  /** Delivery route (index into `World.routes`). */
  carrier: number;
  ticketOpened: boolean;
  /** Index of the injection that held this order up (stock-out, campaign rush, slow carrier), or −1. */
  cause: number;
  /** Product ids of the order, built once and shared by its events. */
  productIds: string[];
  /** Set right after the order is created (the invoice and the order point at each other). */
  invoice: Invoice | null;
}

export interface Invoice {
  id: string;
  docNumber: string;
  customer: Customer;
  order: Order | null;
  lines: { product: Product; qty: number; unitPrice: number; amount: number }[];
  amount: number;
  issuedDay: number;
  dueDay: number;
  paidDay: number;
  paymentId: string;
  paymentMethod: string;
  terms: string;
  /** Issued before day 0 and still open on it: recorded on day 0 with its real dates (the opening receivables). */
  opening: boolean;
}

export interface Ticket {
  id: string;
  customer: Customer;
  order: Order | null;
  openedMs: number;
  openedDay: number;
  category: string;
  priority: "low" | "normal" | "high" | "urgent";
  channel: "email" | "chat" | "phone";
}

export interface PurchaseOrder {
  id: string;
  vendor: Vendor;
  lines: { product: Product; qty: number; unitCost: number; amount: number }[];
  amount: number;
  placedDay: number;
  expectedDay: number;
  arrivalDay: number;
  freightCarrier: string;
  /** Index of a vendor-cost injection that priced this order, or −1. */
  costEffect: number;
  /** Index of the supplier-delay injection that holds this shipment back, or −1. */
  delayEffect: number;
}

export interface Bill {
  id: string;
  vendor: Vendor;
  amount: number;
  postedDay: number;
  dueDay: number;
  paidDay: number;
  category: string;
  po: PurchaseOrder | null;
  paymentId: string;
  postponed: number;
}

export interface Refund {
  id: string;
  kind: "refund_receipt" | "credit_memo";
  customer: Customer;
  order: Order;
  amount: number;
  day: number;
  reason: string;
  lines: { product: Product; qty: number; amount: number }[];
}

/** One kind of consequence of an injection: how often, how much, first and last day. */
export interface EffectMarker {
  count: number;
  amount: number;
  firstDay: number;
  lastDay: number;
  /** Count per day, for onsets that need more than a first occurrence. */
  byDay: Map<number, number>;
}

/** A downstream consequence has begun once it happened this many times (one stray event is not an onset). */
export const EFFECT_ONSET_COUNT = 3;

/**
 * The first day by which a marker has happened {@link EFFECT_ONSET_COUNT} times (or as often as
 * it did, if fewer); the direct effect (`affected`) starts with its first occurrence.
 */
export function effectOnset(marker: EffectMarker, name: string): number {
  const needed = Math.min(name === "affected" ? 1 : EFFECT_ONSET_COUNT, marker.count);
  let total = 0;
  for (const day of [...marker.byDay.keys()].sort((a, b) => a - b)) {
    total += marker.byDay.get(day)!;
    if (total >= needed) return day;
  }
  return marker.lastDay;
}

/**
 * What an injection actually did in the run, counted where the mechanism acts: ground truth for
 * labels. `affected` is the direct effect (a delayed shipment, a defective line, …); the other
 * markers follow the consequences downstream (orders waiting for stock, tickets about them,
 * customers lost), so label onsets and cascade lags come from the run, not from a formula.
 */
export interface InjectionEffect {
  markers: Map<string, EffectMarker>;
}

export interface DayOutput {
  t: number;
  day: string;
  events: SimEvent[];
}

type Task =
  | { k: "deliver"; order: Order }
  | { k: "refund"; order: Order; amount: number; reason: string; lines: Refund["lines"]; effect: number }
  | { k: "review"; order: Order; defective: boolean; daysLate: number; effect: number }
  | { k: "ticket"; customer: Customer; order: Order | null; category: string; priority: Ticket["priority"]; effect: number }
  | { k: "pay_invoice"; invoice: Invoice }
  | { k: "pay_bill"; bill: Bill }
  | { k: "arrive"; po: PurchaseOrder }
  | { k: "delay_notice"; po: PurchaseOrder; effect: number }
  | { k: "close_ticket"; ticket: Ticket; ms: number };

const HOUR = 3_600_000;
/** Daily decay of frustration: e^(−1/18), a bad experience fades over about three weeks. */
const FRUSTRATION_DECAY = Math.exp(-1 / 18);
/** Extra daily churn probability per unit of frustration. */
const CHURN_PER_FRUSTRATION = 0.02;
/** Frustration per day a ticket waits for its first answer beyond 36 hours. */
const FRUSTRATION_PER_WAIT_DAY = 0.8;
/** Orders placed before 20:00 UTC (3 pm on the US east coast) can ship the same day. */
const SHIPPING_CUTOFF_HOUR = 20;
const FREIGHT_CARRIERS = ["Pacific Ocean Freight", "Interstate LTL", "Coastal Truckline"];

const round2 = (v: number) => Math.round(v * 100) / 100;

export class BusinessSimulation {
  readonly calendar: SimCalendar;
  readonly world: World;
  readonly effects: InjectionEffect[];
  /** Transaction records for the QuickBooks books (empty unless `keepRecords`). */
  readonly records = {
    invoices: [] as Invoice[],
    bills: [] as Bill[],
    purchaseOrders: [] as PurchaseOrder[],
    refunds: [] as Refund[],
  };
  /** Cash on hand at the end of the last simulated day (not an event: for the books and tests). */
  cash = 0;

  private readonly o: EngineOptions;
  private readonly random: Random;
  private readonly dqRandom: Random;
  private readonly buckets: Task[][];
  private readonly wholesaleWeek: number[];
  private readonly retailWeek: number[];
  private readonly activeCustomers: Customer[];
  /**
   * Order rate of each active customer and whether it is retail, by position in
   * `activeCustomers`: the daily order draw reads these instead of 25,000 customer objects.
   */
  private activeRate = new Float64Array(1024);
  private activeRetail = new Uint8Array(1024);
  private queue: Order[] = [];
  private readonly inTransit = new Set<Order>();
  /** Customers with some frustration left (the only ones whose frustration decays each day). */
  private readonly frustrated = new Set<Customer>();
  private openTickets: Ticket[] = [];
  private readonly onHand: Float64Array;
  private readonly onOrder: Float64Array;
  private readonly pendingUnits: Float64Array;
  private readonly demandRate: Float64Array;
  private readonly lowFlag: Uint8Array;
  /** Suppliers whose standing-order review is due (set on their review weekday, cleared on the next bank day's review). */
  private readonly reviewDue: Uint8Array;
  /** Units per product held back by an injected supplier delay (ordered, overdue, not yet arrived), and that injection. */
  private readonly delayedUnits: Float64Array;
  private readonly delayedCause: Int32Array;
  private readonly unitsToday: Float64Array;
  private readonly ordersByDay: number[] = [];
  private readonly ticketsByDay: number[] = [];
  private readonly retailRevenueByDay: number[] = [];
  private readonly carrierCost: Float64Array;
  private capacityBase: number;
  private readonly initialCapacity: number;
  private agents: number;
  private capacityFrozenUntil = Number.NEGATIVE_INFINITY;
  private supportFrozenUntil = Number.NEGATIVE_INFINITY;
  private readonly expectedDailyRevenue: number;
  private seq = { order: 0, invoice: 0, payment: 0, ticket: 0, review: 0, po: 0, bill: 0, billPayment: 0, refund: 0, credit: 0, low: 0 };
  private today: SimEvent[] = [];
  private todayMs: number[] = [];
  private t = 0;

  constructor(options: EngineOptions) {
    if (!Number.isInteger(options.days) || options.days < 1) throw new Error(`BusinessSimulation: days must be a positive integer, got ${options.days}`);
    if (!Number.isInteger(options.warmupDays) || options.warmupDays < 0) throw new Error(`BusinessSimulation: warmupDays must be an integer ≥ 0, got ${options.warmupDays}`);
    this.o = options;
    this.random = seededRandom(`${options.seed}:engine`);
    this.dqRandom = seededRandom(`${options.seed}:data-quality`);
    this.calendar = new SimCalendar(options.startDay, -options.warmupDays - 1, options.days + 120);
    this.world = buildWorld(options.profile, seededRandom(`${options.seed}:world`), this.calendar.ms(0));
    for (const c of this.world.customers) c.createdDay = -options.warmupDays;
    this.activeCustomers = [];
    for (const c of this.world.customers) this.addActive(c);
    this.buckets = Array.from({ length: options.warmupDays + options.days + 130 }, () => []);
    this.wholesaleWeek = normaliseWeek(options.profile.wholesaleWeekly);
    this.retailWeek = normaliseWeek(options.profile.retailWeekly);
    this.effects = options.injections.map(() => ({ markers: new Map() }));
    const n = this.world.products.length;
    this.onHand = new Float64Array(n);
    this.onOrder = new Float64Array(n);
    this.pendingUnits = new Float64Array(n);
    this.demandRate = new Float64Array(n);
    this.lowFlag = new Uint8Array(n);
    this.reviewDue = new Uint8Array(this.world.vendors.length);
    this.delayedUnits = new Float64Array(n);
    this.delayedCause = new Int32Array(n).fill(-1);
    this.unitsToday = new Float64Array(n);
    this.carrierCost = new Float64Array(this.world.vendors.length);

    // Steady-state starting point from the expected demand (the warm-up settles the rest).
    let ordersPerDay = 0;
    let revenuePerDay = 0;
    const unitsPerOrder = { retail: 1.3 * 1.2, wholesale: 2.6 * 7, key: 2.6 * 14 };
    const meanPrice = this.world.products.reduce((s, p) => s + p.price * p.popularity, 0);
    for (const c of this.world.customers) {
      ordersPerDay += c.orderRate;
      const units = c.segment === "retail" ? unitsPerOrder.retail : c.payer === "key_account" ? unitsPerOrder.key : unitsPerOrder.wholesale;
      revenuePerDay += c.orderRate * units * meanPrice * (c.segment === "retail" ? 1 : WHOLESALE_PRICE_FACTOR);
      for (const p of this.world.products) this.demandRate[p.index] += c.orderRate * units * p.popularity;
    }
    this.expectedDailyRevenue = revenuePerDay;
    for (const p of this.world.products) {
      const lead = this.leadDays(this.world.vendors[p.supplier]!);
      const vendor = this.world.vendors[p.supplier]!;
      // Start somewhere in the replenishment cycle, so that products do not all run down in step.
      const cycle = 7 / Math.max(1, vendor.reviewDays.length);
      this.onHand[p.index] = Math.ceil(this.demandRate[p.index]! * (lead + vendor.safetyDays + cycle * this.random()));
    }
    this.capacityBase = (options.profile.fulfillmentHeadroom * ordersPerDay * 7) / 5.5;
    this.initialCapacity = this.capacityBase;
    const ticketsPerDay = (this.world.customers.length * options.profile.baselineTicketsPerCustomerMonth) / 30 + ordersPerDay * 0.1;
    this.agents = Math.max(1, roundQuarter((options.profile.supportHeadroom * ticketsPerDay * 7) / (options.profile.ticketsPerAgentDay * 5.4)));
    this.cash = 45 * revenuePerDay;
  }

  /** Simulates the warm-up, then yields each recorded day's events in time order. */
  *run(): Generator<DayOutput> {
    for (let t = -this.o.warmupDays; t < this.o.days; t++) {
      this.today = [];
      this.todayMs = [];
      this.t = t;
      this.step(t);
      // Today's tasks are done: drop them so finished orders and invoices can be collected.
      this.buckets[t + this.o.warmupDays] = [];
      if (t < 0) continue;
      this.applyMissingFields(t, this.today);
      yield { t, day: this.calendar.day(t), events: this.sortedToday() };
    }
  }

  // ─── the day ────────────────────────────────────────────────────────────────────────────────

  private step(t: number): void {
    if (t === 0) this.recordOpeningState();
    this.acquireCustomers(t);
    this.churnCustomers(t);
    this.runTasks(t, "arrive");
    this.runTasks(t, "delay_notice");
    this.placeOrders(t);
    this.fulfil(t);
    this.runTasks(t, "deliver");
    this.runTasks(t, "refund");
    this.runTasks(t, "review");
    this.openTicketsToday(t);
    this.pickUpTickets(t);
    this.annoyWaitingCustomers(t);
    this.runTasks(t, "close_ticket");
    this.runTasks(t, "pay_invoice");
    this.replenish(t);
    this.postBills(t);
    this.runTasks(t, "pay_bill");
    this.payPayroll(t);
    this.plan(t);
    this.decayFrustration();
  }

  private runTasks(t: number, kind: Task["k"]): void {
    const tasks = this.buckets[t + this.o.warmupDays];
    if (!tasks) return;
    for (const task of tasks) {
      if (task.k !== kind) continue;
      switch (task.k) {
        case "deliver":
          this.deliver(t, task.order);
          break;
        case "refund":
          this.issueRefund(t, task);
          break;
        case "review":
          this.submitReview(t, task);
          break;
        case "ticket":
          break; // opened in openTicketsToday
        case "pay_invoice":
          this.payInvoice(t, task.invoice);
          break;
        case "pay_bill":
          this.payBill(t, task.bill);
          break;
        case "arrive":
          this.receive(t, task.po);
          break;
        case "delay_notice":
          this.noticeDelay(t, task.po, task.effect);
          break;
        case "close_ticket":
          if (t >= 0) this.emitTicketClosed(task.ticket, task.ms, (task.ms - task.ticket.openedMs) / HOUR);
          break;
      }
    }
  }

  private schedule(day: number, task: Task): void {
    const slot = day + this.o.warmupDays;
    if (slot < 0) return;
    const bucket = this.buckets[slot];
    if (bucket) bucket.push(task);
    // Beyond the buffer: falls after the recorded horizon and is never seen.
  }

  // ─── customers ──────────────────────────────────────────────────────────────────────────────

  private acquireCustomers(t: number): void {
    const p = this.o.profile;
    const dow = this.calendar.dow(t);
    const weekdayFactor = dow === 0 ? 0.55 : dow === 6 ? 0.7 : 1.15;
    let rate = p.newCustomersPerDay * (1 + p.acquisitionGrowthPerMonth) ** (t / 30.44) * weekdayFactor;
    if (this.calendar.isClosed(t)) rate *= 0.5;
    let extra = 0;
    this.o.injections.forEach((inj, i) => {
      if (inj.kind === "churn_wave" && active(inj, t)) rate *= inj.acquisitionMultiplier;
      if (inj.kind === "demand_surge" && active(inj, t)) {
        extra += inj.extraCustomersPerDay;
        this.mark(i, "campaign_days", t);
      }
    });
    const count = samplePoisson(this.random, rate + extra);
    for (let k = 0; k < count; k++) {
      const ms = this.calendar.ms(t) + Math.floor((6 + 17.9 * this.random()) * HOUR);
      const c = newCustomer(p, this.random, this.world.customers.length, t, new Date(ms).toISOString());
      this.world.customers.push(c);
      this.addActive(c);
      if (t >= 0) this.emitCustomerCreated(c, ms);
    }
  }

  private churnCustomers(t: number): void {
    const base = this.o.profile.baseChurnPerMonth / 30;
    const waves = this.o.injections
      .map((inj, i) => ({ inj, i }))
      .filter(({ inj }) => inj.kind === "churn_wave" && active(inj, t));
    let churned = false;
    const anyWave = waves.length > 0;
    const customers = this.activeCustomers;
    for (let k = 0; k < customers.length; k++) {
      const c = customers[k]!;
      if (c.createdDay >= t) continue;
      let wave = 0;
      let waveIndex = -1;
      if (anyWave) {
        for (const { inj, i } of waves) {
          if (inj.kind !== "churn_wave") continue;
          if (inj.segment === "all" || inj.segment === c.segment) {
            wave += inj.extraChurnPerMonth / 30;
            waveIndex = i;
          }
        }
      }
      const frustrationHazard = CHURN_PER_FRUSTRATION * c.frustration;
      const hazard = Math.min(0.5, base + wave + frustrationHazard);
      const u = this.random();
      if (u >= hazard) continue;
      c.active = false;
      c.churnedDay = t;
      churned = true;
      let reason: string;
      if (u < wave) {
        reason = "switched_to_competitor";
        if (waveIndex >= 0) this.mark(waveIndex, "competitor_churn", t);
      } else if (u < wave + frustrationHazard) {
        reason = c.worstExperience || "service_issues";
        const cause =
          reason === "slow_support"
            ? this.recentInjection(["support_capacity", "demand_surge", "supplier_delay", "carrier_delay"], t, 30)
            : reason === "late_deliveries"
              ? this.recentInjection(["demand_surge", "supplier_delay", "carrier_delay"], t, 30)
              : reason === "product_quality"
                ? this.recentInjection(["defect_batch"], t, 30)
                : -1;
        if (cause >= 0) this.mark(cause, `${reason}_churn`, t);
      } else reason = "no_longer_needed";
      if (t >= 0) this.emitChurn(c, t, reason);
    }
    if (churned) this.dropInactive();
  }

  private addActive(c: Customer): void {
    const k = this.activeCustomers.length;
    if (k === this.activeRate.length) {
      const rate = new Float64Array(2 * k);
      rate.set(this.activeRate);
      this.activeRate = rate;
      const retail = new Uint8Array(2 * k);
      retail.set(this.activeRetail);
      this.activeRetail = retail;
    }
    this.activeCustomers.push(c);
    this.activeRate[k] = c.orderRate;
    this.activeRetail[k] = c.segment === "retail" ? 1 : 0;
  }

  /** Removes churned customers from the active list in place, keeping the order. */
  private dropInactive(): void {
    const customers = this.activeCustomers;
    let kept = 0;
    for (let k = 0; k < customers.length; k++) {
      const c = customers[k]!;
      if (!c.active) continue;
      customers[kept] = c;
      this.activeRate[kept] = this.activeRate[k]!;
      this.activeRetail[kept] = this.activeRetail[k]!;
      kept++;
    }
    customers.length = kept;
  }

  /** Frustration fades every day; customers whose frustration has faded leave the list. */
  private decayFrustration(): void {
    if (this.frustrated.size === 0) return;
    for (const c of this.frustrated) {
      c.frustration *= FRUSTRATION_DECAY;
      if (c.frustration < 0.005 || !c.active) {
        c.frustration = c.active ? 0 : c.frustration;
        this.frustrated.delete(c);
      }
    }
  }

  /** Adds to a customer's frustration and remembers what hurt most recently. */
  private frustrate(c: Customer, weight: number, why: string): void {
    const w = weight * c.sensitivity;
    c.frustration += w;
    this.frustrated.add(c);
    if (w >= c.worstExperienceWeight * 0.5 || c.frustration < 0.2) {
      c.worstExperience = why;
      c.worstExperienceWeight = w;
    }
  }

  // ─── orders and invoices ────────────────────────────────────────────────────────────────────

  private placeOrders(t: number): void {
    const p = this.o.profile;
    const dow = this.calendar.dow(t);
    const closed = this.calendar.isClosed(t);
    const noise = Math.exp(p.demandNoise * sampleStandardNormal(this.random) - (p.demandNoise * p.demandNoise) / 2);
    let surge = 1;
    this.o.injections.forEach((inj) => {
      if (inj.kind === "demand_surge" && active(inj, t)) surge *= inj.multiplier;
    });
    const wholesaleFactor = this.wholesaleWeek[dow]! * noise * surge * (closed ? 0.15 : 1);
    const retailFactor = this.retailWeek[dow]! * noise * surge * (closed ? 0.6 : 1);
    this.unitsToday.fill(0);
    let orders = 0;
    let retailRevenue = 0;
    const customers = this.activeCustomers;
    const rates = this.activeRate;
    const retail = this.activeRetail;
    const random = this.random;
    for (let k = 0; k < customers.length; k++) {
      const isRetail = retail[k] === 1;
      const probability = rates[k]! * (isRetail ? retailFactor : wholesaleFactor);
      if (random() >= probability) continue;
      const order = this.newOrder(customers[k]!, t);
      orders++;
      if (isRetail) retailRevenue += order.amount;
    }
    this.ordersByDay.push(orders);
    this.retailRevenueByDay.push(retailRevenue);
    const surgeIndex = this.o.injections.findIndex((inj) => inj.kind === "demand_surge" && active(inj, t));
    if (surgeIndex >= 0) this.mark(surgeIndex, "affected", t, orders);
    // Demand estimate per product: exponentially weighted, about two weeks of memory.
    for (let i = 0; i < this.demandRate.length; i++) this.demandRate[i]! += (this.unitsToday[i]! - this.demandRate[i]!) / 14;
  }

  private newOrder(c: Customer, t: number): Order {
    const wholesale = c.segment === "wholesale";
    const lineCount = wholesale ? Math.min(6, 1 + samplePoisson(this.random, 1.6)) : this.random() < 0.3 ? 2 : 1;
    const lines: Line[] = [];
    for (let k = 0; k < lineCount; k++) {
      let index = pickWeighted(this.random, this.world.productCumulative);
      if (hasProduct(lines, index)) index = pickWeighted(this.random, this.world.productCumulative);
      if (hasProduct(lines, index)) continue;
      const product = this.world.products[index]!;
      const qty = wholesale
        ? c.payer === "key_account"
          ? 4 + samplePoisson(this.random, 10)
          : 2 + samplePoisson(this.random, 5)
        : this.random() < 0.2
          ? 2
          : 1;
      const unitPrice = wholesale ? round2(product.price * WHOLESALE_PRICE_FACTOR) : product.price;
      lines.push({ product, qty, unitPrice, amount: round2(qty * unitPrice), defectiveUnits: 0 });
      this.pendingUnits[index] += qty;
      this.unitsToday[index] += qty;
    }
    let total = 0;
    for (const l of lines) total += l.amount;
    const amount = round2(total);
    const seq = ++this.seq.order;
    const placedMs = this.calendar.ms(t) + Math.floor((wholesale ? 12 + 10 * this.random() : 11 + 12.9 * this.random()) * HOUR);
    const invoiceSeq = ++this.seq.invoice;
    const order: Order = {
      seq,
      id: `O-${String(seq).padStart(6, "0")}`,
      customer: c,
      lines,
      amount,
      placedDay: t,
      placedMs,
      estimatedDay: this.calendar.addShippingDays(t, this.o.profile.promiseShippingDays),
      shipDay: Number.NaN,
      deliveredDay: Number.NaN,
      carrier: c.carrier,
      ticketOpened: false,
      cause: -1,
      productIds: lines.map((l) => l.product.id),
      invoice: null,
    };
    const { dueDay, terms } = this.dueDayOf(c, t);
    const invoice: Invoice = {
      id: `INV-${String(invoiceSeq).padStart(6, "0")}`,
      docNumber: String(1000 + invoiceSeq),
      customer: c,
      order,
      // The order's lines, shared: the invoice reads product, qty, unit price and amount, which never change.
      lines,
      amount,
      issuedDay: t,
      dueDay,
      paidDay: Number.NaN,
      paymentId: "",
      paymentMethod: "",
      terms,
      opening: false,
    };
    order.invoice = invoice;
    this.queue.push(order);
    if (t >= 0) {
      // Built only for the two events of the day (not kept on the order, which can live for weeks).
      const items = lineItems(lines);
      this.emitOrderPlaced(order, items);
      this.emitInvoiceIssued(invoice, t, items);
      if (this.o.keepRecords) this.records.invoices.push(invoice);
    }
    this.schedule(this.paymentDayOf(invoice), { k: "pay_invoice", invoice });
    return order;
  }

  private dueDayOf(c: Customer, t: number): { dueDay: number; terms: string } {
    if (c.payer === "card") return { dueDay: t, terms: "Due on receipt" };
    if (c.payer === "key_account") return { dueDay: this.calendar.endOfMonth(t) + c.statementDay, terms: termsText(`Statement, due the ${ordinal(c.statementDay)} of next month`) };
    return { dueDay: t + c.termsDays, terms: termsText(`Net ${c.termsDays}`) };
  }

  private paymentDayOf(invoice: Invoice): number {
    const c = invoice.customer;
    const r = this.random;
    let day: number;
    switch (c.payer) {
      case "card":
        return invoice.issuedDay;
      case "key_account":
        // Accounts payable runs pay on the last bank day on or before the statement date.
        if (r() < 0.97) return this.frozen(invoice, this.calendar.prevBankDay(invoice.dueDay));
        day = invoice.dueDay + 1 + samplePoisson(r, 2);
        break;
      case "prompt":
        day = invoice.dueDay - 3 + samplePoisson(r, 2.5);
        break;
      case "typical":
        day = invoice.dueDay + samplePoisson(r, 5);
        break;
      case "slow":
        day = invoice.dueDay + 6 + samplePoisson(r, 14);
        break;
    }
    return this.frozen(invoice, this.calendar.nextBankDay(Math.max(invoice.issuedDay + 1, day)));
  }

  /** A payment falling in a payment freeze of its customer is postponed. */
  private frozen(invoice: Invoice, planned: number): number {
    const c = invoice.customer;
    const r = this.random;
    let day = planned;
    this.o.injections.forEach((inj, i) => {
      if (inj.kind === "payment_freeze" && active(inj, day) && inj.customerIds.includes(c.id)) {
        day = this.calendar.nextBankDay(day + inj.postponeDays + samplePoisson(r, 3));
        this.mark(i, "affected", invoice.dueDay + 1, invoice.amount);
      }
    });
    return day;
  }

  private payInvoice(t: number, invoice: Invoice): void {
    invoice.paidDay = t;
    const seq = ++this.seq.payment;
    invoice.paymentId = `PMT-${String(seq).padStart(6, "0")}`;
    const c = invoice.customer;
    invoice.paymentMethod = c.payer === "card" ? "Credit Card" : c.payer === "key_account" ? "ACH" : this.random() < 0.55 ? "ACH" : "Check";
    this.cash += invoice.amount;
    if (t >= 0 && (invoice.issuedDay >= 0 || invoice.opening)) this.emitInvoicePaid(invoice, t);
  }

  // ─── warehouse ──────────────────────────────────────────────────────────────────────────────

  private dailyCapacity(t: number): number {
    if (!this.calendar.isShippingDay(t)) return 0;
    const factor = this.calendar.dow(t) === 6 ? 0.5 : 1;
    const noisy = this.capacityBase * factor * (1 + 0.06 * sampleStandardNormal(this.random));
    return Math.max(0, Math.floor(noisy + this.random()));
  }

  private fulfil(t: number): void {
    let capacity = this.dailyCapacity(t);
    if (capacity === 0) return;
    const waiting: Order[] = [];
    const cutoff = this.calendar.ms(t) + SHIPPING_CUTOFF_HOUR * HOUR;
    for (const order of this.queue) {
      // Orders placed after the day's cutoff wait for tomorrow's pick.
      if (order.placedMs >= cutoff) {
        waiting.push(order);
        continue;
      }
      const missing = this.missingSupplier(order);
      if (capacity > 0 && missing === null) {
        this.ship(order, t);
        capacity--;
        continue;
      }
      waiting.push(order);
      if (missing !== null) {
        // Held up by a product whose replenishment an injected supplier delay is holding back.
        const cause = this.delayedUnits[missing]! > 0 ? this.delayedCause[missing]! : -1;
        if (cause >= 0 && order.cause !== cause) {
          order.cause = cause;
          this.mark(cause, "stockout_waits", t);
        }
      } else {
        const surge = this.recentInjection(["demand_surge"], t, 21);
        if (surge >= 0) {
          if (order.cause < 0) order.cause = surge;
          this.mark(surge, "capacity_waits", t);
        }
      }
    }
    this.queue = waiting;
  }

  /** The product index of the first line short of stock, or null when the order can ship. */
  private missingSupplier(order: Order): number | null {
    for (const line of order.lines) if (this.onHand[line.product.index]! < line.qty) return line.product.index;
    return null;
  }

  private ship(order: Order, t: number): void {
    order.shipDay = t;
    for (const line of order.lines) {
      const p = line.product.index;
      this.onHand[p] -= line.qty;
      this.pendingUnits[p] -= line.qty;
      const { rate, batch } = this.defectRate(line.product, t);
      if (rate > 0 && this.random() < rate) {
        // A bad batch is sent back whole; ordinary damage in transit spoils part of a wholesale line.
        line.defectiveUnits = order.customer.segment === "retail" || batch ? line.qty : Math.max(1, Math.round(line.qty * (0.15 + 0.35 * this.random())));
      }
      this.checkLowStock(line.product, t);
    }
    const carrier = this.world.routes[order.carrier]!;
    let transit = carrier.transitDays + samplePoisson(this.random, carrier.transitJitter);
    this.o.injections.forEach((inj, i) => {
      if (inj.kind === "carrier_delay" && inj.carrierId === carrier.id && active(inj, t)) {
        transit += inj.extraDays;
        order.cause = i;
        this.mark(i, "affected", t);
      }
    });
    order.deliveredDay = this.calendar.addShippingDays(t + 1, transit - 1);
    if (carrier.vendor !== null) this.carrierCost[carrier.vendor] += carrier.shippingCost[order.customer.segment === "retail" ? 0 : 1];
    this.inTransit.add(order);
    this.schedule(order.deliveredDay, { k: "deliver", order });
  }

  private defectRate(product: Product, t: number): { rate: number; batch: boolean } {
    let rate = this.o.profile.baseDefectRate;
    let batch = false;
    for (const inj of this.o.injections) {
      if (inj.kind === "defect_batch" && active(inj, t) && inj.productIds.includes(product.id) && inj.defectRate > rate) {
        rate = inj.defectRate;
        batch = true;
      }
    }
    return { rate, batch };
  }

  private checkLowStock(product: Product, t: number): void {
    const p = product.index;
    const safety = this.demandRate[p]! * this.world.vendors[product.supplier]!.safetyDays;
    if (this.onHand[p]! < safety && this.lowFlag[p] === 0) {
      this.lowFlag[p] = 1;
      if (t >= 0) this.emitInventoryLow(product, t, safety);
    } else if (this.onHand[p]! >= safety) this.lowFlag[p] = 0;
  }

  private deliver(t: number, order: Order): void {
    this.inTransit.delete(order);
    const daysLate = Math.max(0, t - order.estimatedDay);
    const c = order.customer;
    if (t >= 0) this.emitDelivered(order, t, daysLate);
    const r = this.random;
    const defective = order.lines.filter((l) => l.defectiveUnits > 0);
    const defectEffect = this.defectInjectionIndex(order);
    if (defective.length > 0) {
      this.frustrate(c, 0.35, "product_quality");
      if (r() < 0.85) {
        const lines = defective.map((l) => ({ product: l.product, qty: l.defectiveUnits, amount: round2(l.defectiveUnits * l.unitPrice) }));
        const amount = round2(lines.reduce((s, l) => s + l.amount, 0));
        this.schedule(t + Math.floor(r() * 3), { k: "refund", order, amount, reason: "Defective or damaged item", lines, effect: defectEffect });
      }
      if (r() < 0.6) {
        this.schedule(t + (r() < 0.5 ? 0 : 1), { k: "ticket", customer: c, order, category: "damaged_or_defective", priority: "high", effect: defectEffect });
        order.ticketOpened = true;
      }
    }
    if (daysLate > 0) {
      if (order.cause >= 0) this.mark(order.cause, "late_deliveries", t);
      this.frustrate(c, 0.1 * Math.min(daysLate, 7), "late_deliveries");
      if (daysLate >= 2 && r() < Math.min(0.3, 0.04 * daysLate)) {
        const amount = round2(order.amount * (0.08 + 0.12 * r()));
        this.schedule(t + Math.floor(r() * 4), { k: "refund", order, amount, reason: "Late delivery credit", lines: [], effect: order.cause });
      }
      if (!order.ticketOpened && r() < Math.min(0.5, 0.1 + 0.06 * daysLate)) {
        this.schedule(t, { k: "ticket", customer: c, order, category: "late_delivery", priority: "normal", effect: order.cause });
        order.ticketOpened = true;
      }
    }
    const reviewChance = this.o.profile.reviewProbability + (defective.length > 0 ? 0.25 : 0) + 0.04 * Math.min(daysLate, 5);
    if (r() < reviewChance) {
      this.schedule(t + 1 + samplePoisson(r, 1.5), { k: "review", order, defective: defective.length > 0, daysLate, effect: defectEffect });
    }
  }

  private defectInjectionIndex(order: Order): number {
    return this.o.injections.findIndex(
      (inj) => inj.kind === "defect_batch" && active(inj, order.shipDay) && order.lines.some((l) => l.defectiveUnits > 0 && inj.productIds.includes(l.product.id)),
    );
  }

  // ─── suppliers ──────────────────────────────────────────────────────────────────────────────

  private leadDays(vendor: Vendor): number {
    return Math.round((vendor.leadTimeDays * 7) / 5);
  }

  /**
   * Periodic review (standing orders): on a supplier's review days, every product of it is
   * ordered up to lead time + review period + safety stock of demand, in whole cases. A late
   * shipment therefore leaves all of the supplier's products short at once, after about the
   * safety stock's days.
   */
  private replenish(t: number): void {
    const dow = this.calendar.dow(t);
    // A review day that falls on a holiday moves to the next bank day.
    for (const s of this.world.suppliers) if (this.world.vendors[s]!.reviewDays.includes(dow)) this.reviewDue[s] = 1;
    if (!this.calendar.isBankDay(t)) return;
    const byVendor = new Map<number, PurchaseOrder["lines"]>();
    for (const product of this.world.products) {
      const i = product.index;
      const vendor = this.world.vendors[product.supplier]!;
      if (this.reviewDue[vendor.index] !== 1) continue;
      const rate = this.demandRate[i]!;
      const target = rate * (this.leadDays(vendor) + 7 / vendor.reviewDays.length + vendor.safetyDays) + product.casePack;
      const position = this.onHand[i]! + this.onOrder[i]! - this.pendingUnits[i]!;
      if (position >= target - product.casePack / 2) continue;
      const qty = Math.ceil((target - position) / product.casePack) * product.casePack;
      let lines = byVendor.get(vendor.index);
      if (!lines) byVendor.set(vendor.index, (lines = []));
      const unitCost = round2(product.unitCost * this.costMultiplier(vendor, t));
      lines.push({ product, qty, unitCost, amount: round2(qty * unitCost) });
      this.onOrder[i] += qty;
    }
    for (const s of this.world.suppliers) this.reviewDue[s] = 0;
    for (const [vendorIndex, lines] of byVendor) {
      const vendor = this.world.vendors[vendorIndex]!;
      const seq = ++this.seq.po;
      const expectedDay = this.calendar.addBankDays(t + 1, vendor.leadTimeDays - 1);
      let delay = 0;
      let effect = -1;
      const delayInjection = this.o.injections.findIndex(
        (inj) => inj.kind === "supplier_delay" && inj.vendorIds.includes(vendor.id) && active(inj, expectedDay),
      );
      const injection = this.o.injections[delayInjection];
      if (injection?.kind === "supplier_delay") {
        delay = Math.max(1, injection.delayDays - 1 + Math.floor(this.random() * 3));
        effect = delayInjection;
      } else if (this.random() > vendor.reliability) delay = 1 + samplePoisson(this.random, 0.7);
      const arrivalDay = delay > 0 ? this.calendar.nextBankDay(expectedDay + delay) : expectedDay;
      const po: PurchaseOrder = {
        id: `PO-${String(seq).padStart(5, "0")}`,
        vendor,
        lines,
        amount: round2(lines.reduce((s, l) => s + l.amount, 0)),
        placedDay: t,
        expectedDay,
        arrivalDay,
        freightCarrier: FREIGHT_CARRIERS[vendorIndex % FREIGHT_CARRIERS.length]!,
        costEffect: -1,
        delayEffect: -1,
      };
      const costInjection = this.o.injections.findIndex((inj) => inj.kind === "vendor_cost" && inj.vendorIds.includes(vendor.id) && active(inj, t));
      if (costInjection >= 0) {
        po.costEffect = costInjection;
        this.mark(costInjection, "affected", t, po.amount);
      }
      if (t >= 0) this.emitPurchaseOrder(po, t);
      if (this.o.keepRecords && t >= 0) this.records.purchaseOrders.push(po);
      if (arrivalDay > expectedDay) this.schedule(expectedDay, { k: "delay_notice", po, effect });
      this.schedule(arrivalDay, { k: "arrive", po });
    }
  }

  private costMultiplier(vendor: Vendor, t: number): number {
    let m = 1;
    for (const inj of this.o.injections) if (inj.kind === "vendor_cost" && active(inj, t) && inj.vendorIds.includes(vendor.id)) m *= inj.multiplier;
    return m;
  }

  private noticeDelay(t: number, po: PurchaseOrder, effect: number): void {
    if (effect >= 0) {
      this.mark(effect, "affected", t);
      po.delayEffect = effect;
      for (const line of po.lines) {
        this.delayedUnits[line.product.index] += line.qty;
        this.delayedCause[line.product.index] = effect;
      }
    }
    if (t >= 0) this.emitShipmentDelayed(po, t);
  }

  private receive(t: number, po: PurchaseOrder): void {
    for (const line of po.lines) {
      this.onHand[line.product.index] += line.qty;
      this.onOrder[line.product.index] -= line.qty;
      if (po.delayEffect >= 0) this.delayedUnits[line.product.index] -= line.qty;
      this.checkLowStock(line.product, t);
    }
    if (po.costEffect >= 0) this.mark(po.costEffect, "costlier_bills", t, po.amount);
    const seq = ++this.seq.bill;
    const bill: Bill = {
      id: `BILL-${String(seq).padStart(5, "0")}`,
      vendor: po.vendor,
      amount: po.amount,
      postedDay: t,
      dueDay: t + po.vendor.termsDays,
      paidDay: Number.NaN,
      category: "Inventory",
      po,
      paymentId: "",
      postponed: 0,
    };
    this.postBill(bill, t);
  }

  // ─── support ────────────────────────────────────────────────────────────────────────────────

  private openTicketsToday(t: number): void {
    const r = this.random;
    const p = this.o.profile;
    const dow = this.calendar.dow(t);
    const dayFactor = dow === 0 ? 0.4 : dow === 6 ? 0.6 : 1.16;
    let opened = 0;
    const open = (customer: Customer, order: Order | null, category: string, priority: Ticket["priority"], effect: number) => {
      const seq = ++this.seq.ticket;
      const ms = this.calendar.ms(t) + Math.floor((7 + 16.9 * r()) * HOUR);
      const ticket: Ticket = {
        id: `T-${String(seq).padStart(6, "0")}`,
        customer,
        order,
        openedMs: ms,
        openedDay: t,
        category,
        priority,
        channel: r() < 0.6 ? "email" : r() < 0.75 ? "chat" : "phone",
      };
      this.openTickets.push(ticket);
      opened++;
      if (effect >= 0) this.mark(effect, category === "damaged_or_defective" ? "defect_tickets" : "order_tickets", t);
      if (t >= 0) this.emitTicketOpened(ticket);
    };
    // Scheduled: defects and late deliveries.
    for (const task of this.buckets[t + this.o.warmupDays] ?? []) {
      if (task.k === "ticket" && task.customer.active) open(task.customer, task.order, task.category, task.priority, task.effect);
    }
    // "Where is my order?": orders waiting to ship for 3+ days, or past their promised day in transit.
    for (const order of this.queue) {
      if (order.ticketOpened || t - order.placedDay < 3 || !order.customer.active) continue;
      if (r() < 0.12) {
        order.ticketOpened = true;
        open(order.customer, order, "where_is_my_order", "normal", order.cause);
      }
    }
    for (const order of this.inTransit) {
      if (order.ticketOpened || t <= order.estimatedDay || !order.customer.active) continue;
      if (r() < 0.2) {
        order.ticketOpened = true;
        open(order.customer, order, "where_is_my_order", "high", order.cause);
      }
    }
    // Baseline: billing, product questions, account changes.
    const baseline = samplePoisson(r, ((this.activeCustomers.length * p.baselineTicketsPerCustomerMonth) / 30) * dayFactor);
    for (let k = 0; k < baseline && this.activeCustomers.length > 0; k++) {
      const customer = this.activeCustomers[Math.floor(r() * this.activeCustomers.length)]!;
      const u = r();
      open(customer, null, u < 0.35 ? "billing" : u < 0.75 ? "product_question" : "account", u < 0.1 ? "high" : "low", -1);
    }
    this.ticketsByDay.push(opened);
  }

  private supportCapacity(t: number): number {
    if (this.calendar.isClosed(t)) return 0;
    const dow = this.calendar.dow(t);
    if (dow === 0) return 0;
    let capacity = this.agents * this.o.profile.ticketsPerAgentDay * (dow === 6 ? 0.4 : 1);
    this.o.injections.forEach((inj) => {
      if (inj.kind === "support_capacity" && active(inj, t)) capacity *= inj.multiplier;
    });
    capacity *= 1 + 0.08 * sampleStandardNormal(this.random);
    return Math.max(0, Math.floor(capacity + this.random()));
  }

  /**
   * Agents pick tickets up first-in first-out, as many as today's capacity allows, spread over
   * the shift (13:00–23:00 UTC). A picked ticket then takes its own handling time (replies,
   * replacements, waiting on the customer) before it closes, so the open backlog holds both the
   * queue and the work in progress. Waiting for a first answer is what frustrates customers.
   */
  private pickUpTickets(t: number): void {
    const capacity = this.supportCapacity(t);
    if (capacity === 0 || this.openTickets.length === 0) return;
    const dayStart = this.calendar.ms(t);
    const endOfShift = dayStart + 23 * HOUR;
    const waiting: Ticket[] = [];
    let picked = 0;
    for (const ticket of this.openTickets) {
      if (picked >= capacity) {
        waiting.push(ticket);
        continue;
      }
      const slot = dayStart + (13 + (10 * (picked + 0.5)) / capacity) * HOUR;
      const pickMs = Math.max(slot, ticket.openedMs + Math.floor((0.2 + 0.8 * this.random()) * HOUR));
      if (pickMs > endOfShift) {
        waiting.push(ticket);
        continue;
      }
      picked++;
      if (pickMs - ticket.openedMs > 48 * HOUR) ticket.customer.lastSlowSupport = t;
      const handlingHours = Math.min(120, Math.exp(Math.log(4) + 1.1 * sampleStandardNormal(this.random)));
      const closeMs = pickMs + Math.floor(handlingHours * HOUR);
      this.schedule(Math.floor((closeMs - this.calendar.ms(0)) / (24 * HOUR)), { k: "close_ticket", ticket, ms: closeMs });
    }
    this.openTickets = waiting;
  }

  /** Customers still waiting for a first answer after a day and a half get more annoyed every day they wait. */
  private annoyWaitingCustomers(t: number): void {
    const endOfDay = this.calendar.ms(t + 1);
    const cut = this.recentInjection(["support_capacity"], t, 14);
    for (const ticket of this.openTickets) {
      if (endOfDay - ticket.openedMs <= 36 * HOUR) continue;
      this.frustrate(ticket.customer, FRUSTRATION_PER_WAIT_DAY, "slow_support");
      if (cut >= 0) this.mark(cut, "waiting_customers", t);
    }
  }

  // ─── reviews and refunds ────────────────────────────────────────────────────────────────────

  private submitReview(t: number, task: Extract<Task, { k: "review" }>): void {
    const c = task.order.customer;
    const slowSupport = t - c.lastSlowSupport <= 21;
    const mean = 4.55 - 0.38 * Math.min(task.daysLate, 5) - 2.3 * (task.defective ? 1 : 0) - 0.8 * (slowSupport ? 1 : 0);
    const score = Math.max(1, Math.min(5, Math.round(mean + 0.75 * sampleStandardNormal(this.random))));
    if (score <= 2) this.frustrate(c, 0.3, task.defective ? "product_quality" : task.daysLate > 0 ? "late_deliveries" : "dissatisfied");
    if (task.effect >= 0 && task.defective) this.mark(task.effect, score <= 2 ? "defect_bad_reviews" : "defect_reviews", t);
    if (t >= 0) this.emitReview(task.order, t, score);
  }

  private issueRefund(t: number, task: Extract<Task, { k: "refund" }>): void {
    const c = task.order.customer;
    const kind = c.segment === "retail" ? "refund_receipt" : "credit_memo";
    const seq = kind === "refund_receipt" ? ++this.seq.refund : ++this.seq.credit;
    const refund: Refund = {
      id: kind === "refund_receipt" ? `RR-${String(seq).padStart(5, "0")}` : `CM-${String(seq).padStart(5, "0")}`,
      kind,
      customer: c,
      order: task.order,
      amount: task.amount,
      day: t,
      reason: task.reason,
      lines: task.lines,
    };
    if (kind === "refund_receipt") this.cash -= refund.amount;
    if (task.effect >= 0) this.mark(task.effect, task.reason === "Late delivery credit" ? "late_credits" : "defect_refunds", t, refund.amount);
    if (t >= 0) {
      this.emitRefund(refund);
      if (this.o.keepRecords) this.records.refunds.push(refund);
    }
  }

  // ─── vendors and cash ───────────────────────────────────────────────────────────────────────

  private postBills(t: number): void {
    const dow = this.calendar.dow(t);
    const dayOfMonth = this.calendar.dayOfMonth(t);
    const lastDay = this.calendar.dayOfMonth(this.calendar.endOfMonth(t));
    const scale = this.o.profile.scale ** 0.85;
    for (const vendorIndex of [...this.world.services, ...this.world.carriers]) {
      const vendor = this.world.vendors[vendorIndex]!;
      const cadence = vendor.cadence;
      if (!cadence) continue;
      const due =
        cadence.kind === "monthly"
          ? dayOfMonth === Math.min(cadence.dayOfMonth, lastDay)
          : cadence.kind === "weekly"
            ? dow === cadence.weekday
            : dow === cadence.weekday && Math.floor((t + 7000) / 7) % 2 === cadence.phase;
      if (!due) continue;
      let amount: number;
      if (vendor.kind === "carrier") {
        amount = this.carrierCost[vendorIndex]!;
        this.carrierCost[vendorIndex] = 0;
      } else {
        switch (vendor.scalesWith) {
          case "orders": {
            const recent = this.ordersByDay.slice(-14);
            const avg = recent.reduce((s, v) => s + v, 0) / Math.max(1, recent.length);
            amount = (vendor.baseAmount * avg) / 9;
            break;
          }
          case "capacity":
            amount = (vendor.baseAmount * scale * this.capacityBase) / this.initialCapacity;
            break;
          case "retail_revenue":
            amount = vendor.baseAmount * this.retailRevenueByDay.slice(-7).reduce((s, v) => s + v, 0);
            break;
          case "agents":
            amount = vendor.baseAmount * this.agents;
            break;
          default:
            amount = vendor.baseAmount * scale;
        }
        amount *= 1 + 0.03 * sampleStandardNormal(this.random);
      }
      amount = round2(amount);
      if (amount <= 0) continue;
      const seq = ++this.seq.bill;
      this.postBill(
        {
          id: `BILL-${String(seq).padStart(5, "0")}`,
          vendor,
          amount,
          postedDay: t,
          dueDay: t + vendor.termsDays,
          paidDay: Number.NaN,
          category: vendor.category,
          po: null,
          paymentId: "",
          postponed: 0,
        },
        t,
      );
    }
  }

  private postBill(bill: Bill, t: number): void {
    if (t >= 0) {
      this.emitBillPosted(bill);
      if (this.o.keepRecords) this.records.bills.push(bill);
    }
    if (bill.vendor.paymentMethod === "CreditCard" || bill.vendor.termsDays === 0) {
      this.schedule(t, { k: "pay_bill", bill });
      return;
    }
    const planned = bill.dueDay + Math.round(1.5 * sampleStandardNormal(this.random));
    this.schedule(this.calendar.nextBankDay(Math.max(t + 1, planned)), { k: "pay_bill", bill });
  }

  private payBill(t: number, bill: Bill): void {
    // Short of cash, the business stretches what it can: everything but rent and card charges.
    const reserve = 10 * this.expectedDailyRevenue;
    if (this.cash - bill.amount < reserve && bill.postponed < 4 && bill.vendor.paymentMethod !== "CreditCard" && bill.category !== "Rent") {
      bill.postponed++;
      this.schedule(this.calendar.nextBankDay(t + 7), { k: "pay_bill", bill });
      return;
    }
    bill.paidDay = t;
    this.cash -= bill.amount;
    const seq = ++this.seq.billPayment;
    bill.paymentId = `BP-${String(seq).padStart(5, "0")}`;
    if (t >= 0) this.emitBillPaid(bill, t);
  }

  private payPayroll(t: number): void {
    // Wages are not vendor bills (QuickBooks Payroll keeps them apart), but they drain the cash.
    if (this.calendar.dow(t) === 5 && Math.floor((t + 7000) / 7) % 2 === 0) this.cash -= 14 * 0.1 * this.expectedDailyRevenue;
  }

  // ─── planning ───────────────────────────────────────────────────────────────────────────────

  private plan(t: number): void {
    const p = this.o.profile;
    for (const inj of this.o.injections) {
      if (inj.kind === "demand_surge" && t === inj.onsetDay) this.capacityFrozenUntil = inj.onsetDay + inj.capacityFreezeDays;
      if (inj.kind === "support_capacity" && active(inj, t)) this.supportFrozenUntil = inj.onsetDay + inj.durationDays + 7;
    }
    if (this.calendar.dow(t) !== 0) return;
    // Sunday evening: plan the week from the last four weeks.
    if (t >= this.capacityFrozenUntil && this.ordersByDay.length >= 28) {
      const avg = this.openDayAverage(this.ordersByDay, t);
      this.capacityBase = (p.fulfillmentHeadroom * avg * 7) / 5.5;
    }
    // Support hours are adjusted in quarter-agent steps (part-time shifts), only when the need moved by more than 10 %.
    if (t >= this.supportFrozenUntil && this.ticketsByDay.length >= 28) {
      const avg = this.openDayAverage(this.ticketsByDay, t);
      const need = (p.supportHeadroom * avg * 7) / (p.ticketsPerAgentDay * 5.4);
      if (Math.abs(need - this.agents) > 0.1 * this.agents) this.agents = Math.max(1, roundQuarter(need));
    }
  }

  /**
   * Daily average of the last four weeks, leaving out holidays: a manager does not plan next
   * month's staff on Christmas's empty order book.
   */
  private openDayAverage(byDay: readonly number[], t: number): number {
    let total = 0;
    let days = 0;
    for (let k = 0; k < 28; k++) {
      const day = t - k;
      const value = byDay[byDay.length - 1 - k];
      if (value === undefined || this.calendar.isClosed(day)) continue;
      total += value;
      days++;
    }
    return days === 0 ? 0 : total / days;
  }

  // ─── opening state ──────────────────────────────────────────────────────────────────────────

  /**
   * Day 0 is when the company's books start in this data set. Customers already on file and
   * invoices still open are recorded then (customers with their real `customer_since`, invoices
   * with their real issue and due dates), the way a first sync of an existing company would see
   * them; everything else from the warm-up is left out.
   */
  private recordOpeningState(): void {
    const ms0 = this.calendar.ms(0);
    this.world.customers.forEach((c, k) => {
      if (c.active) this.emitCustomerCreated(c, ms0 + k * 1000, true);
    });
    for (let slot = this.o.warmupDays; slot < this.buckets.length; slot++) {
      for (const task of this.buckets[slot]!) {
        if (task.k !== "pay_invoice" || task.invoice.issuedDay >= 0) continue;
        task.invoice.opening = true;
        this.emitInvoiceIssued(task.invoice, 0);
        if (this.o.keepRecords) this.records.invoices.push(task.invoice);
      }
    }
  }

  // ─── effects bookkeeping ────────────────────────────────────────────────────────────────────

  /** Counts one consequence of injection `index` on day t (warm-up days are not recorded). */
  private mark(index: number, marker: string, t: number, amount = 0): void {
    const effect = this.effects[index];
    if (!effect || t < 0) return;
    const m = effect.markers.get(marker);
    if (!m) {
      effect.markers.set(marker, { count: 1, amount: round2(amount), firstDay: t, lastDay: t, byDay: new Map([[t, 1]]) });
      return;
    }
    m.count++;
    m.amount = round2(m.amount + amount);
    if (t < m.firstDay) m.firstDay = t;
    if (t > m.lastDay) m.lastDay = t;
    m.byDay.set(t, (m.byDay.get(t) ?? 0) + 1);
  }

  /** The latest injection of one of these kinds that started by day t and ended at most `within` days before it, or −1. */
  private recentInjection(kinds: readonly Injection["kind"][], t: number, within: number): number {
    let best = -1;
    this.o.injections.forEach((inj, i) => {
      if (!kinds.includes(inj.kind) || inj.onsetDay > t || t > inj.onsetDay + inj.durationDays + within) return;
      if (best < 0 || inj.onsetDay >= this.o.injections[best]!.onsetDay) best = i;
    });
    return best;
  }

  // ─── data quality ───────────────────────────────────────────────────────────────────────────

  private applyMissingFields(t: number, events: SimEvent[]): void {
    const rules = this.o.injections.filter((inj) => inj.kind === "missing_fields" && t >= inj.onsetDay && t < inj.onsetDay + inj.durationDays);
    if (rules.length === 0) return;
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      for (const rule of rules) {
        if (rule.kind !== "missing_fields") continue;
        for (const f of rule.fields) {
          if (f.event_type !== event.event_type) continue;
          if (this.dqRandom() >= f.share) continue;
          if (f.field === "amount") {
            events[i] = { ...events[i]!, amount: null, currency: null };
          } else {
            const { [f.field]: _dropped, ...rest } = events[i]!.attributes;
            events[i] = { ...events[i]!, attributes: rest };
          }
        }
      }
    }
  }

  // ─── event writers ──────────────────────────────────────────────────────────────────────────

  private push(event: SimEvent, ms: number): void {
    this.today.push(event);
    this.todayMs.push(ms);
  }

  /** Today's events by time, then id (the same order as {@link compareEvents}, without parsing timestamps). */
  private sortedToday(): SimEvent[] {
    const ms = this.todayMs;
    const events = this.today;
    const n = events.length;
    const byId = (a: number, b: number) => (events[a]!.event_id < events[b]!.event_id ? -1 : events[a]!.event_id > events[b]!.event_id ? 1 : 0);
    const byTime = (a: number, b: number) => ms[a]! - ms[b]! || byId(a, b);
    // Fast path: one numeric key per event, (whole milliseconds since the earliest event) · 2^20 +
    // position, sorted natively; exact while the day spans under 2^32 ms and holds under 2^20 events.
    // Ticket pick-up times can carry a fraction of a millisecond, so runs of the same whole
    // millisecond are then put in the full order (time, then id).
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      const m = ms[k]!;
      if (m < lo) lo = m;
      if (m > hi) hi = m;
    }
    if (n >= 1 << 20 || !(hi - lo < 2 ** 32)) {
      const order = events.map((_, k) => k);
      order.sort(byTime);
      return order.map((k) => events[k]!);
    }
    const keys = new Float64Array(n);
    for (let k = 0; k < n; k++) keys[k] = Math.floor(ms[k]! - lo) * 1048576 + k;
    keys.sort();
    const order: number[] = new Array(n);
    for (let k = 0; k < n; k++) order[k] = keys[k]! % 1048576;
    // Events in the same whole millisecond (day-start postings share one) go by time, then id.
    for (let start = 0; start < n; ) {
      const whole = Math.floor(keys[start]! / 1048576);
      let end = start + 1;
      while (end < n && Math.floor(keys[end]! / 1048576) === whole) end++;
      if (end - start > 1) {
        const run = order.slice(start, end).sort(byTime);
        for (let k = start; k < end; k++) order[k] = run[k - start]!;
      }
      start = end;
    }
    const out: SimEvent[] = new Array(n);
    for (let k = 0; k < n; k++) out[k] = events[order[k]!]!;
    return out;
  }

  private qbo(type: QboType, fact: string, spec: EventSpec): void {
    this.push(qboEvent(this.o.realm, type, fact, spec, this.iso), spec.ms);
  }

  private source(source: string, sourceEntityId: string, fact: string, spec: EventSpec): void {
    this.push(sourceEvent(source, sourceEntityId, fact, spec, this.iso), spec.ms);
  }

  private readonly iso = (ms: number) => this.calendar.iso(ms);

  private day(t: number): string {
    return this.calendar.day(t);
  }

  private emitCustomerCreated(c: Customer, ms: number, opening = false): void {
    this.qbo("Customer", "created", {
      type: "customer_created",
      ms,
      entityType: "customer",
      entityId: c.id,
      related: {},
      amount: null,
      attributes: {
        display_name: c.name,
        email: c.email,
        balance: 0,
        segment: c.segment,
        customer_since: (opening ? c.since : new Date(ms).toISOString()).slice(0, 10),
      },
    });
  }

  private emitChurn(c: Customer, t: number, reason: string): void {
    this.source("crm", c.id, "churned", {
      type: "customer_churned",
      ms: this.calendar.ms(t) + Math.floor((8 + 14 * this.random()) * HOUR),
      entityType: "customer",
      entityId: c.id,
      related: { customer_id: c.id },
      amount: null,
      attributes: { reason, segment: c.segment, tenure_days: Math.max(0, Math.round((this.calendar.ms(t) - Date.parse(c.since)) / 86_400_000)) },
    });
  }

  private emitOrderPlaced(order: Order, items: LineItem[]): void {
    this.source("storefront", order.id, "placed", {
      type: "order_placed",
      ms: order.placedMs,
      entityType: "order",
      entityId: order.id,
      related: { customer_id: order.customer.id, product_ids: order.productIds },
      amount: order.amount,
      attributes: {
        estimated_delivery: this.day(order.estimatedDay),
        channel: order.customer.segment === "retail" ? "web" : "wholesale_portal",
        line_items: items,
      },
    });
  }

  private emitInvoiceIssued(invoice: Invoice, t: number, items: LineItem[] = lineItems(invoice.lines)): void {
    this.qbo("Invoice", "issued", {
      type: "invoice_issued",
      ms: this.calendar.ms(t),
      entityType: "invoice",
      entityId: invoice.id,
      related: relatedOf(invoice.customer.id, invoice.order?.id, invoice.order?.productIds ?? productIds(invoice.lines)),
      amount: invoice.amount,
      attributes: {
        due_date: this.day(invoice.dueDay),
        total: invoice.amount,
        txn_date: this.day(invoice.issuedDay),
        customer_id: invoice.customer.id,
        doc_number: invoice.docNumber,
        terms: invoice.terms,
        line_items: items,
        ...(invoice.opening ? { opening_balance: true } : {}),
      },
    });
  }

  private emitInvoicePaid(invoice: Invoice, t: number): void {
    const ms = this.calendar.ms(t);
    this.qbo("Invoice", "paid", {
      type: "invoice_paid",
      ms,
      entityType: "invoice",
      entityId: invoice.id,
      related: relatedOf(invoice.customer.id, invoice.order?.id, invoice.order?.productIds ?? productIds(invoice.lines)),
      amount: invoice.amount,
      attributes: {
        paid_date: this.day(t),
        days_to_pay: t - invoice.issuedDay,
        original_due_date: this.day(invoice.dueDay),
        payment_method: invoice.paymentMethod,
        payment_ids: [invoice.paymentId],
      },
    });
    this.qbo("Payment", "received", {
      type: "payment_received",
      ms,
      entityType: "payment",
      entityId: invoice.paymentId,
      related: { customer_id: invoice.customer.id, invoice_ids: [invoice.id] },
      amount: invoice.amount,
      attributes: { payment_method: invoice.paymentMethod, applied_to_invoices: [{ id: invoice.id, amount: invoice.amount }] },
    });
  }

  private emitDelivered(order: Order, t: number, daysLate: number): void {
    const ms = this.calendar.ms(t) + Math.floor((14 + 9 * this.random()) * HOUR);
    const carrier = this.world.routes[order.carrier]!;
    const related: RelatedEntityIds = { customer_id: order.customer.id, order_id: order.id, product_ids: order.productIds };
    if (carrier.vendor !== null) related.vendor_id = carrier.id;
    this.source("storefront", order.id, "delivered", {
      type: "order_delivered",
      ms,
      entityType: "order",
      entityId: order.id,
      related,
      amount: null,
      attributes: {
        actual_delivery: this.day(t),
        days_late: daysLate,
        estimated_delivery: this.day(order.estimatedDay),
        shipped_date: this.day(order.shipDay),
        carrier: carrier.name,
      },
    });
    if (daysLate > 0) {
      this.source("storefront", order.id, "late", {
        type: "order_late",
        ms,
        entityType: "order",
        entityId: order.id,
        related,
        amount: order.amount,
        attributes: {
          days_late: daysLate,
          estimated_delivery: this.day(order.estimatedDay),
          actual_delivery: this.day(t),
          carrier: carrier.name,
          waited_to_ship_days: order.shipDay - order.placedDay,
        },
      });
    }
  }

  private emitTicketOpened(ticket: Ticket): void {
    this.source("helpdesk", ticket.id, "opened", {
      type: "support_ticket_opened",
      ms: ticket.openedMs,
      entityType: "ticket",
      entityId: ticket.id,
      related: relatedOf(ticket.customer.id, ticket.order?.id, ticket.order?.productIds),
      amount: null,
      attributes: { category: ticket.category, priority: ticket.priority, channel: ticket.channel, subject: SUBJECTS[ticket.category] ?? ticket.category },
    });
  }

  private emitTicketClosed(ticket: Ticket, closeMs: number, hours: number): void {
    const satisfaction = hours < 8 ? 5 : hours < 24 ? 4 : hours < 72 ? 3 : hours < 120 ? 2 : 1;
    this.source("helpdesk", ticket.id, "closed", {
      type: "support_ticket_closed",
      ms: closeMs,
      entityType: "ticket",
      entityId: ticket.id,
      related: relatedOf(ticket.customer.id, ticket.order?.id, undefined),
      amount: null,
      attributes: { resolution_time_hours: Math.round(hours * 100) / 100, satisfaction_score: satisfaction, category: ticket.category },
    });
  }

  private emitReview(order: Order, t: number, score: number): void {
    const seq = ++this.seq.review;
    const id = `R-${String(seq).padStart(6, "0")}`;
    this.source("reviews", id, "submitted", {
      type: "review_submitted",
      ms: this.calendar.ms(t) + Math.floor((10 + 13 * this.random()) * HOUR),
      entityType: "order",
      entityId: order.id,
      related: { customer_id: order.customer.id, order_id: order.id, product_ids: order.productIds },
      amount: null,
      attributes: { score, review_id: id, order_id: order.id },
    });
  }

  private emitRefund(refund: Refund): void {
    const related = relatedOf(refund.customer.id, refund.order.id, refund.lines.length > 0 ? refund.lines.map((l) => l.product.id) : refund.order.productIds);
    if (refund.order.invoice) related.invoice_ids = [refund.order.invoice.id];
    const lineItems = refund.lines.map((l) => ({ item_id: l.product.id, qty: l.qty, amount: l.amount }));
    if (refund.kind === "refund_receipt") {
      this.qbo("RefundReceipt", "issued", {
        type: "refund_issued",
        ms: this.calendar.ms(refund.day),
        entityType: "payment",
        entityId: refund.id,
        related,
        amount: refund.amount,
        attributes: { refund_method: "Credit Card", reason: refund.reason, amount: refund.amount, line_items: lineItems },
      });
    } else {
      this.qbo("CreditMemo", "issued", {
        type: "credit_memo_issued",
        ms: this.calendar.ms(refund.day),
        entityType: "invoice",
        entityId: refund.id,
        related,
        amount: refund.amount,
        attributes: { reason: refund.reason, line_items: lineItems },
      });
    }
  }

  private emitInventoryLow(product: Product, t: number, reorderPoint: number): void {
    this.qbo("Item", `inventory_low:${++this.seq.low}`, {
      type: "inventory_low",
      ms: this.calendar.ms(t) + 20 * HOUR,
      entityType: "product",
      entityId: product.id,
      related: { vendor_id: this.world.vendors[product.supplier]!.id, product_ids: [product.id] },
      amount: null,
      attributes: { quantity_on_hand: Math.max(0, this.onHand[product.index]!), reorder_point: Math.round(reorderPoint), name: product.name, sku: product.sku },
    });
  }

  private emitPurchaseOrder(po: PurchaseOrder, t: number): void {
    this.qbo("PurchaseOrder", "placed", {
      type: "purchase_order_placed",
      ms: this.calendar.ms(t),
      entityType: "order",
      entityId: po.id,
      related: { vendor_id: po.vendor.id, product_ids: po.lines.map((l) => l.product.id) },
      amount: po.amount,
      attributes: {
        expected_date: this.day(po.expectedDay),
        status: "Open",
        line_items: po.lines.map((l) => ({ item_id: l.product.id, qty: l.qty, amount: l.amount })),
      },
    });
  }

  private emitShipmentDelayed(po: PurchaseOrder, t: number): void {
    const daysDelayed = po.arrivalDay - po.expectedDay;
    this.source("logistics", po.id, "delayed", {
      type: "shipment_delayed",
      ms: this.calendar.ms(t) + Math.floor((15 + 6 * this.random()) * HOUR),
      entityType: "order",
      entityId: po.id,
      related: { vendor_id: po.vendor.id, product_ids: po.lines.map((l) => l.product.id) },
      amount: null,
      attributes: {
        carrier: po.freightCarrier,
        days_delayed: daysDelayed,
        vendor_id: po.vendor.id,
        purchase_order_id: po.id,
        expected_date: this.day(po.expectedDay),
        revised_date: this.day(po.arrivalDay),
        route: `${po.vendor.name} → main warehouse`,
      },
    });
  }

  private emitBillPosted(bill: Bill): void {
    const related: RelatedEntityIds = { vendor_id: bill.vendor.id };
    if (bill.po) related.product_ids = bill.po.lines.map((l) => l.product.id);
    this.qbo("Bill", "posted", {
      type: "expense_posted",
      ms: this.calendar.ms(bill.postedDay),
      entityType: "expense",
      entityId: bill.id,
      related,
      amount: bill.amount,
      attributes: {
        due_date: this.day(bill.dueDay),
        category: bill.category,
        ...(bill.po ? { purchase_order_id: bill.po.id, line_items: bill.po.lines.map((l) => ({ item_id: l.product.id, qty: l.qty, amount: l.amount })) } : {}),
      },
    });
  }

  private emitBillPaid(bill: Bill, t: number): void {
    this.qbo("BillPayment", "paid", {
      type: "expense_paid",
      ms: this.calendar.ms(t),
      entityType: "payment",
      entityId: bill.paymentId,
      related: { vendor_id: bill.vendor.id, bill_ids: [bill.id] },
      amount: bill.amount,
      attributes: {
        payment_method: bill.vendor.paymentMethod,
        days_to_pay: Math.max(0, t - bill.postedDay),
        applied_to_bills: [{ id: bill.id, amount: bill.amount }],
      },
    });
  }
}

const SUBJECTS: Record<string, string> = {
  where_is_my_order: "Where is my order?",
  late_delivery: "Order arrived late",
  damaged_or_defective: "Item arrived damaged or defective",
  billing: "Question about my invoice",
  product_question: "Question about a product",
  account: "Update my account details",
};

const productIdCache = new WeakMap<readonly { product: Product }[], string[]>();

/** Product ids of an order's or invoice's lines (computed once per list; events share the array). */
function productIds(lines: readonly { product: Product }[]): string[] {
  let ids = productIdCache.get(lines);
  if (!ids) productIdCache.set(lines, (ids = lines.map((l) => l.product.id)));
  return ids;
}

interface LineItem {
  item_id: string;
  qty: number;
  unit_price: number;
  amount: number;
}

/** The `line_items` attribute of an order or invoice. */
function lineItems(lines: Invoice["lines"]): LineItem[] {
  return lines.map((l) => ({ item_id: l.product.id, qty: l.qty, unit_price: l.unitPrice, amount: l.amount }));
}

/** Whether an order's lines already hold product `index` (orders have at most six lines). */
function hasProduct(lines: readonly Line[], index: number): boolean {
  for (let k = 0; k < lines.length; k++) if (lines[k]!.product.index === index) return true;
  return false;
}

function relatedOf(customerId: string, orderId: string | undefined, products: string[] | undefined): RelatedEntityIds {
  const related: RelatedEntityIds = { customer_id: customerId };
  if (orderId) related.order_id = orderId;
  if (products && products.length > 0) related.product_ids = products;
  return related;
}

const TERMS = new Map<string, string>();

/** One shared copy of each payment-terms text (every open invoice holds one). */
function termsText(text: string): string {
  let shared = TERMS.get(text);
  if (shared === undefined) TERMS.set(text, (shared = text));
  return shared;
}

function ordinal(n: number): string {
  return `${n}${n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th"}`;
}

function roundQuarter(value: number): number {
  return Math.round(value * 4) / 4;
}

