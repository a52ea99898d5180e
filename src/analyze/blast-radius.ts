/**
 * Blast radius (spec, Component H): what an incident touched, in business terms.
 *
 * 1. The *affected events* of the incident: the events behind its trigger metrics in its window
 *    (late and still-open orders, delayed shipments, refunds, tickets, low reviews, churned customers,
 *    overdue invoices, expenses), read through the evidence source with a limit.
 * 2. Their entities: customers, orders, products, vendors, invoices. A supplier failure is the
 *    vendors whose delay rate stands out against their own baseline (concentrated-entities.ts), and it
 *    reaches customers through products: the orders placed in its window that contain their products.
 * 3. Money: revenue exposure = Σ amounts of affected orders + affected invoices + refunds not tied to
 *    one + expenses above their usual (30-day) rate, + the typical monthly revenue (90-day average) of
 *    affected customers who have no affected order or invoice. Vendors of expenses count as involved
 *    only when their bills stand out against their own previous 30 days. Refund exposure = max(historical refund rate × revenue exposure,
 *    refunds already issued on the affected entities). Churn exposure = affected customers who churned
 *    or show at least two distinct distress signals in the window (late order, ticket, review ≤ 2,
 *    refund): a transparent rule, not a model (docs/decisions.md, "Blast radius").
 * 4. Severity class by exposure / revenue of the 30 days ending at the window end:
 *    < 1 % contained, 1–5 % significant, 5–15 % severe, above catastrophic.
 *
 * The detail (sets and amounts) is kept so a cascade's combined blast radius is a true union.
 */
import { RULES_BY_TYPE } from "../detect/rules.ts";
import type { EventType } from "../events/canonical.ts";
import type { EvidenceEvent, EvidenceSource } from "../evidence.ts";
import type { MetricName } from "../metrics/gold.ts";
import type { DailyAggregates } from "../metrics/series.ts";
import type { BlastRadius, IncidentType } from "../scan-contract.ts";
import { addDays, daysBetween } from "../time.ts";
import { concentratedEntities } from "./concentrated-entities.ts";
import { addEntities, customerOf, emptyEntitySets, type EntitySets, invoicesOf, orderOf, productsOf, vendorOf } from "./entities.ts";
import { collectMetricEvidence, formatMoney } from "./evidence-clusters.ts";
import { roundCents } from "./precision.ts";

export interface BlastRadiusConfig {
  /** Most events read per query. */
  evidenceLimit: number;
  /** Days before the window searched for the amounts of affected orders. */
  orderLookbackDays: number;
  /** Days of history behind "typical monthly revenue" and the historical refund rate. */
  historyDays: number;
  /** Distinct distress signals that put a customer at churn risk. */
  churnSignals: number;
  /** Days before the window a vendor's usual delay rate is measured over. */
  baselineDays: number;
}

export const DEFAULT_BLAST_RADIUS_CONFIG: BlastRadiusConfig = { evidenceLimit: 5_000, orderLookbackDays: 14, historyDays: 90, churnSignals: 2, baselineDays: 30 };

/** The metrics whose events are an incident type's affected events: its trigger metrics. */
export function affectedMetrics(type: IncidentType): MetricName[] {
  const rule = RULES_BY_TYPE.get(type);
  if (!rule) throw new Error(`affectedMetrics: no detection rule for ${type}`);
  return [...new Set(rule.triggers.map((t) => t.metric))];
}

/** What an incident (or a cascade) touched: entity sets and the amounts attached to them. */
export interface BlastDetail {
  entities: EntitySets;
  orderAmounts: Map<string, number>;
  invoiceAmounts: Map<string, number>;
  /** Refunds and expenses not tied to an affected order or invoice, by event id. */
  looseAmounts: Map<string, number>;
  /** Refunds already issued on affected entities, by event id. */
  refundsIssued: Map<string, number>;
  /** Typical monthly revenue of each affected customer reached through no affected order or invoice. */
  customerMonthlyRevenue: Map<string, number>;
  /** Affected customers whose exposure is counted through their orders or invoices. */
  customersWithMoney: Set<string>;
  atRiskCustomers: Set<string>;
  historicalRefundRate: number;
  monthlyRevenue: number;
  /** Affected events per product and per vendor (what the incident concentrates on). */
  productCounts: Map<string, number>;
  vendorCounts: Map<string, number>;
  /** True when an evidence query hit its limit (counts are then lower bounds). */
  truncated: boolean;
}

export interface BlastRadiusIncident {
  type: IncidentType;
  startIndex: number;
  endIndex: number;
}

const DISTRESS: readonly EventType[] = ["order_late", "support_ticket_opened", "review_submitted", "refund_issued", "customer_churned"];
const REFUND_TYPES = new Set<string>(["refund_issued", "credit_memo_issued"]);

export async function collectBlastDetail(
  incident: BlastRadiusIncident,
  aggregates: DailyAggregates,
  evidence: EvidenceSource,
  config: BlastRadiusConfig = DEFAULT_BLAST_RADIUS_CONFIG,
): Promise<BlastDetail> {
  const from = aggregates.days[incident.startIndex]!;
  const to = aggregates.days[incident.endIndex]!;
  let truncated = false;
  let readFrom = from;
  const affected = new Map<string, EvidenceEvent>();
  for (const metric of affectedMetrics(incident.type)) {
    const found = await collectMetricEvidence(evidence, metric, from, to, config.evidenceLimit);
    truncated ||= found.truncated;
    if (found.from < readFrom) readFrom = found.from;
    for (const e of found.events) affected.set(e.event_id, e);
  }
  let events = [...affected.values()];
  if (incident.type === "SUPPLIER_DEPENDENCY_FAILURE") {
    // Background delays of healthy vendors are not this failure: keep the vendors that stand out.
    const before = await evidence.events({ types: ["shipment_delayed"], from: addDays(readFrom, -config.baselineDays), to: addDays(readFrom, -1), limit: config.evidenceLimit });
    truncated ||= before.length >= config.evidenceLimit;
    const standouts = concentratedEntities(countBy(events, vendorOf), countBy(before, vendorOf), daysBetween(readFrom, to) + 1, config.baselineDays);
    if (standouts) events = events.filter((e) => standouts.has(vendorOf(e) ?? ""));
  }
  // Expenses are the business's normal spending: what a margin or cash incident puts at stake is the
  // spending above its usual rate, and the vendors involved are the ones whose bills stand out.
  const expenses = events.filter((e) => e.event_type === "expense_posted");
  let excessExpenses = 0;
  if (expenses.length > 0) {
    events = events.filter((e) => e.event_type !== "expense_posted");
    const windowDays = daysBetween(readFrom, to) + 1;
    const readFromIndex = aggregates.indexOf(readFrom) ?? incident.startIndex;
    const baselineFrom = Math.max(0, readFromIndex - config.baselineDays);
    const baselineDays = readFromIndex - baselineFrom;
    const usual = baselineDays > 0 ? (sumRange(aggregates.column("sum:expenses"), baselineFrom, readFromIndex - 1) / baselineDays) * windowDays : 0;
    excessExpenses = Math.max(0, expenses.reduce((sum, e) => sum + Math.abs(e.amount ?? 0), 0) - usual);
    const before = await evidence.events({ types: ["expense_posted"], from: addDays(readFrom, -config.baselineDays), to: addDays(readFrom, -1), limit: config.evidenceLimit });
    truncated ||= before.length >= config.evidenceLimit;
    const standouts = concentratedEntities(countBy(expenses, vendorOf), countBy(before, vendorOf), windowDays, config.baselineDays);
    if (standouts) events.push(...expenses.filter((e) => standouts.has(vendorOf(e) ?? "")).map((e) => ({ ...e, amount: null })));
  }
  const entities = emptyEntitySets();
  const productCounts = new Map<string, number>();
  const vendorCounts = new Map<string, number>();
  for (const e of events) {
    addEntities(entities, e);
    for (const p of new Set(productsOf(e))) productCounts.set(p, (productCounts.get(p) ?? 0) + 1);
    const v = vendorOf(e);
    if (v !== null) vendorCounts.set(v, (vendorCounts.get(v) ?? 0) + 1);
  }

  const orderAmounts = new Map<string, number>();
  const invoiceAmounts = new Map<string, number>();
  const looseAmounts = new Map<string, number>();
  const refundsIssued = new Map<string, number>();
  for (const e of events) {
    if (REFUND_TYPES.has(e.event_type) && e.amount !== null) refundsIssued.set(e.event_id, Math.abs(e.amount));
    if (e.amount === null) continue;
    const order = orderOf(e);
    const invoices = invoicesOf(e);
    if (e.event_type === "order_placed" && order !== null) orderAmounts.set(order, Math.abs(e.amount));
    else if (e.event_type === "invoice_issued" && invoices.length === 1) invoiceAmounts.set(invoices[0]!, Math.abs(e.amount));
    else if (order === null && invoices.length === 0) looseAmounts.set(e.event_id, Math.abs(e.amount));
  }

  // Orders: a supplier failure reaches the orders that contain its products; other orders need amounts.
  const expansion: EvidenceEvent[] = [];
  const needsOrders = incident.type === "SUPPLIER_DEPENDENCY_FAILURE" ? entities.product.size > 0 : [...entities.order].some((o) => !orderAmounts.has(o));
  if (needsOrders) {
    const placed = await evidence.events({ types: ["order_placed"], from: addDays(from, -config.orderLookbackDays), to, limit: config.evidenceLimit });
    truncated ||= placed.length >= config.evidenceLimit;
    const failedProducts = new Set(entities.product);
    for (const e of placed) {
      const order = orderOf(e);
      if (order === null) continue;
      // Orders placed during the failure that need one of its products: the order and its customer are affected.
      const reachesProduct = incident.type === "SUPPLIER_DEPENDENCY_FAILURE" && e.event_time.slice(0, 10) >= from && productsOf(e).some((p) => failedProducts.has(p));
      if (reachesProduct) {
        entities.order.add(order);
        const customer = customerOf(e);
        if (customer !== null) entities.customer.add(customer);
      }
      if (entities.order.has(order)) {
        expansion.push(e);
        if (e.amount !== null) orderAmounts.set(order, Math.abs(e.amount));
      }
    }
  }
  if (excessExpenses > 0) looseAmounts.set("expenses above their usual rate", excessExpenses);
  // Refunds tied to an affected order without a known amount still count, as loose money.
  for (const e of events) {
    if (!REFUND_TYPES.has(e.event_type) || e.amount === null) continue;
    const order = orderOf(e);
    if (order !== null && !orderAmounts.has(order)) looseAmounts.set(e.event_id, Math.abs(e.amount));
  }

  const customersWithMoney = new Set<string>();
  for (const e of [...affected.values(), ...expansion]) {
    const customer = customerOf(e);
    if (customer === null) continue;
    const order = orderOf(e);
    if ((order !== null && orderAmounts.has(order)) || invoicesOf(e).some((i) => invoiceAmounts.has(i))) customersWithMoney.add(customer);
  }
  const historyFrom = Math.max(0, incident.endIndex - config.historyDays + 1);
  const monthsOfHistory = (incident.endIndex - historyFrom + 1) / 30;
  const customerMonthlyRevenue = new Map<string, number>();
  const byCustomer = revenueByCustomer(aggregates);
  for (const customer of entities.customer) {
    if (customersWithMoney.has(customer)) continue;
    customerMonthlyRevenue.set(customer, revenueBetween(byCustomer.get(customer), historyFrom, incident.endIndex) / monthsOfHistory);
  }

  const distress = await evidence.events({ types: DISTRESS, from, to, limit: config.evidenceLimit });
  truncated ||= distress.length >= config.evidenceLimit;
  const signals = new Map<string, Set<string>>();
  const atRiskCustomers = new Set<string>();
  for (const e of distress) {
    const customer = customerOf(e);
    if (customer === null || !entities.customer.has(customer)) continue;
    if (e.event_type === "customer_churned") {
      atRiskCustomers.add(customer);
      continue;
    }
    if (e.event_type === "review_submitted" && !(typeof e.attributes.score === "number" && e.attributes.score <= 2)) continue;
    let kinds = signals.get(customer);
    if (!kinds) signals.set(customer, (kinds = new Set()));
    kinds.add(e.event_type);
  }
  for (const [customer, kinds] of signals) if (kinds.size >= config.churnSignals) atRiskCustomers.add(customer);

  const beforeStart = Math.max(0, incident.startIndex - 1);
  const historyStart = Math.max(0, incident.startIndex - config.historyDays);
  const pastRevenue = sumRange(aggregates.column("sum:revenue"), historyStart, beforeStart);
  const pastRefunds = sumRange(aggregates.column("sum:refunds"), historyStart, beforeStart);
  return {
    entities,
    orderAmounts,
    invoiceAmounts,
    looseAmounts,
    refundsIssued,
    customerMonthlyRevenue,
    customersWithMoney,
    atRiskCustomers,
    historicalRefundRate: pastRevenue > 0 ? pastRefunds / pastRevenue : 0,
    monthlyRevenue: sumRange(aggregates.column("sum:revenue"), Math.max(0, incident.endIndex - 29), incident.endIndex),
    productCounts,
    vendorCounts,
    truncated,
  };
}

/** A detail that touched nothing. */
export function emptyBlastDetail(): BlastDetail {
  return {
    entities: emptyEntitySets(),
    orderAmounts: new Map(),
    invoiceAmounts: new Map(),
    looseAmounts: new Map(),
    refundsIssued: new Map(),
    customerMonthlyRevenue: new Map(),
    customersWithMoney: new Set(),
    atRiskCustomers: new Set(),
    historicalRefundRate: 0,
    monthlyRevenue: 0,
    productCounts: new Map(),
    vendorCounts: new Map(),
    truncated: false,
  };
}

/** The union of several incidents' details (a cascade's combined blast radius). */
export function mergeBlastDetails(details: readonly BlastDetail[]): BlastDetail {
  if (details.length === 0) throw new Error("mergeBlastDetails: nothing to merge");
  const merged = emptyBlastDetail();
  for (const d of details) {
    for (const [k, v] of d.productCounts) merged.productCounts.set(k, (merged.productCounts.get(k) ?? 0) + v);
    for (const [k, v] of d.vendorCounts) merged.vendorCounts.set(k, (merged.vendorCounts.get(k) ?? 0) + v);
    for (const kind of Object.keys(merged.entities) as (keyof EntitySets)[]) for (const id of d.entities[kind]) merged.entities[kind].add(id);
    for (const [target, source] of [
      [merged.orderAmounts, d.orderAmounts],
      [merged.invoiceAmounts, d.invoiceAmounts],
      [merged.looseAmounts, d.looseAmounts],
      [merged.refundsIssued, d.refundsIssued],
      [merged.customerMonthlyRevenue, d.customerMonthlyRevenue],
    ] as const) {
      for (const [k, v] of source) target.set(k, v);
    }
    for (const c of d.atRiskCustomers) merged.atRiskCustomers.add(c);
    for (const c of d.customersWithMoney) merged.customersWithMoney.add(c);
    merged.historicalRefundRate = Math.max(merged.historicalRefundRate, d.historicalRefundRate);
    merged.monthlyRevenue = Math.max(merged.monthlyRevenue, d.monthlyRevenue);
    merged.truncated ||= d.truncated;
  }
  // A customer counted through an order or invoice elsewhere is not counted again by typical revenue.
  for (const c of merged.customersWithMoney) merged.customerMonthlyRevenue.delete(c);
  return merged;
}

/** Share of monthly revenue → class: < 1 % contained, 1–5 % significant, 5–15 % severe, above catastrophic. */
export function blastRadiusSeverity(exposure: number, monthlyRevenue: number): BlastRadius["blast_radius_severity"] {
  if (!Number.isFinite(exposure) || exposure < 0) throw new Error(`blastRadiusSeverity: exposure must be a finite amount ≥ 0, got ${exposure}`);
  if (monthlyRevenue <= 0) return exposure > 0 ? "catastrophic" : "contained";
  const share = exposure / monthlyRevenue;
  if (share < 0.01) return "contained";
  if (share < 0.05) return "significant";
  if (share < 0.15) return "severe";
  return "catastrophic";
}

/** The contract's blast radius from a detail. */
export function summarizeBlastRadius(detail: BlastDetail, downstreamIncidentIds: readonly string[], subject = "This incident"): BlastRadius {
  const sum = (m: Map<string, number>) => [...m.values()].reduce((s, v) => s + v, 0);
  const revenueExposure = sum(detail.orderAmounts) + sum(detail.invoiceAmounts) + sum(detail.looseAmounts) + sum(detail.customerMonthlyRevenue);
  const refundExposure = Math.max(detail.historicalRefundRate * revenueExposure, sum(detail.refundsIssued));
  const severity = blastRadiusSeverity(revenueExposure, detail.monthlyRevenue);
  const e = detail.entities;
  const share = detail.monthlyRevenue > 0 ? revenueExposure / detail.monthlyRevenue : null;
  const touched = [
    plural(e.order.size, "order"),
    plural(e.invoice.size, "invoice"),
    plural(e.product.size, "product"),
    plural(e.vendor.size, "vendor"),
  ].filter((p, i) => i === 0 || !p.startsWith("0 "));
  const churn = detail.atRiskCustomers.size;
  const narrative =
    `${subject} affected ${joinList(touched)} across ${plural(e.customer.size, "customer")}, ` +
    `with estimated revenue exposure of ${formatMoney(revenueExposure)}` +
    (share === null ? "" : ` (${(share * 100).toFixed(1)} % of monthly revenue: ${severity})`) +
    (refundExposure > 0 ? `, refund exposure of ${formatMoney(refundExposure)}` : "") +
    (churn > 0 ? ` and churn risk for ${plural(churn, "customer")}` : "") +
    "." +
    (downstreamIncidentIds.length > 0 ? ` It led to ${plural(downstreamIncidentIds.length, "downstream incident")}.` : "") +
    (detail.truncated ? " Counts are lower bounds: an evidence query hit its limit." : "");
  return {
    customers_affected: e.customer.size,
    orders_affected: e.order.size,
    products_affected: e.product.size,
    vendors_involved: e.vendor.size,
    invoices_affected: e.invoice.size,
    estimated_revenue_exposure: roundCents(revenueExposure),
    estimated_refund_exposure: roundCents(refundExposure),
    estimated_churn_exposure: churn,
    downstream_incidents_triggered: [...downstreamIncidentIds],
    blast_radius_severity: severity,
    monthly_revenue: roundCents(detail.monthlyRevenue),
    revenue_exposure_share: share === null ? null : Math.round(share * 1e6) / 1e6,
    narrative,
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function joinList(parts: readonly string[]): string {
  return parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/**
 * The entities that characterise an incident, for comparing it with others: customers, orders and
 * invoices as they are; products and vendors only those the incident concentrates on (at least two
 * events and twice the average share), or all of them when none stands out. Without this, any two
 * incidents that touch most of a small catalogue would look alike.
 */
export function characteristicEntities(detail: BlastDetail): EntitySets {
  const concentrated = (all: Set<string>, counts: Map<string, number>) => {
    if (counts.size === 0) return new Set(all);
    const total = [...counts.values()].reduce((s, v) => s + v, 0);
    const standout = [...counts].filter(([, n]) => n >= 2 && n / total >= 2 / counts.size).map(([id]) => id);
    return standout.length > 0 ? new Set(standout) : new Set(all);
  };
  return {
    customer: new Set(detail.entities.customer),
    order: new Set(detail.entities.order),
    invoice: new Set(detail.entities.invoice),
    product: concentrated(detail.entities.product, detail.productCounts),
    vendor: concentrated(detail.entities.vendor, detail.vendorCounts),
  };
}

/** Each customer's revenue days, in day order, built once per scan's aggregates. */
const revenueIndex = new WeakMap<DailyAggregates, Map<string, { days: number[]; cumulative: number[] }>>();

function revenueByCustomer(aggregates: DailyAggregates): Map<string, { days: number[]; cumulative: number[] }> {
  let index = revenueIndex.get(aggregates);
  if (index) return index;
  index = new Map();
  for (let i = 0; i < aggregates.length; i++) {
    for (const [customer, revenue] of aggregates.customerRevenue[i]!) {
      let entry = index.get(customer);
      if (!entry) index.set(customer, (entry = { days: [], cumulative: [] }));
      entry.days.push(i);
      entry.cumulative.push((entry.cumulative.at(-1) ?? 0) + revenue);
    }
  }
  revenueIndex.set(aggregates, index);
  return index;
}

/** A customer's revenue over day indexes [from, to], by binary search in its cumulative sums. */
function revenueBetween(entry: { days: number[]; cumulative: number[] } | undefined, from: number, to: number): number {
  if (!entry) return 0;
  const upTo = (day: number) => {
    let lo = 0;
    let hi = entry.days.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (entry.days[mid]! <= day) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? 0 : entry.cumulative[lo - 1]!;
  };
  return upTo(to) - upTo(from - 1);
}

function countBy(events: readonly EvidenceEvent[], key: (e: EvidenceEvent) => string | null): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of events) {
    const k = key(e);
    if (k !== null) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

function sumRange(values: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let i = Math.max(0, from); i <= to && i < values.length; i++) total += values[i]!;
  return total;
}
