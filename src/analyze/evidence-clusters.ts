/**
 * BRE-RCA Step 6: the canonical events behind a metric's anomaly, clustered by entity (vendor,
 * product, customer) with counts, amounts and a one-line summary such as
 * "23 delayed shipments from vendor V-001 (avg 3.8 days delayed)".
 *
 * Events are read through {@link EvidenceSource} by type and window with a limit: never the whole log.
 */
import { dayOf, type EventType } from "../events/canonical.ts";
import type { EvidenceEvent, EvidenceSource } from "../evidence.ts";
import type { MetricName } from "../metrics/gold.ts";
import type { EvidenceCluster } from "../scan-contract.ts";
import { addDays } from "../time.ts";
import { customerOf, productsOf, vendorOf } from "./entities.ts";

/** An attribute averaged in a cluster's summary ("avg 3.8 days delayed"). */
interface Measure {
  attribute: string;
  unit: string;
}

/** Which events stand behind a metric's movement. */
export interface EvidenceSpec {
  types: readonly EventType[];
  /** Keeps only the events that push the metric the bad way (e.g. reviews scored 3 or less). */
  keep?: (event: EvidenceEvent) => boolean;
  /** Open items only: drops events whose entity was closed (by these types) within the window. */
  closedBy?: readonly EventType[];
  /** Only orders already past their promised delivery day at the window's end (not those merely in transit). */
  pastPromise?: boolean;
  /** Invoices that became overdue in the window (derived from issued and paid events). */
  overdueInvoices?: boolean;
  measure?: Measure;
  /**
   * Days before the window whose events still move the metric inside it: a 7-day rolling rate that
   * crosses its threshold on day d was pushed there by the events of days d − 6 … d.
   */
  lookbackDays?: number;
}

const LOW_REVIEW = (e: EvidenceEvent) => typeof e.attributes.score === "number" && e.attributes.score <= 3;
const REFUNDS = ["refund_issued", "credit_memo_issued"] as const;
const REVENUE = ["invoice_paid", "payment_received"] as const;

export const METRIC_EVIDENCE: Record<MetricName, EvidenceSpec> = {
  daily_revenue: { types: REVENUE },
  daily_expenses: { types: ["expense_posted"] },
  daily_refunds: { types: REFUNDS },
  refund_rate: { types: REFUNDS, lookbackDays: 6 },
  net_cash_proxy: { types: ["expense_posted", ...REFUNDS], lookbackDays: 6 },
  expense_ratio: { types: ["expense_posted"], lookbackDays: 6 },
  margin_proxy: { types: ["expense_posted", ...REFUNDS], lookbackDays: 6 },
  dso_proxy: { types: ["invoice_paid"], measure: { attribute: "days_to_pay", unit: "days to pay" }, lookbackDays: 6 },
  ar_aging_amount: { types: ["invoice_issued", "invoice_overdue"], overdueInvoices: true },
  ar_overdue_count: { types: ["invoice_issued", "invoice_overdue"], overdueInvoices: true },
  dpo_proxy: { types: ["expense_paid"], lookbackDays: 6 },
  order_volume: { types: ["order_placed"] },
  delivery_count: { types: ["order_delivered"] },
  late_delivery_count: { types: ["order_late"], measure: { attribute: "days_late", unit: "days late" } },
  delivery_delay_rate: { types: ["order_late"], measure: { attribute: "days_late", unit: "days late" }, lookbackDays: 6 },
  fulfillment_backlog: { types: ["order_placed"], closedBy: ["order_delivered"], pastPromise: true },
  avg_delivery_delay_days: { types: ["order_late"], measure: { attribute: "days_late", unit: "days late" }, lookbackDays: 6 },
  supplier_delay_rate: { types: ["shipment_delayed"], measure: { attribute: "days_delayed", unit: "days delayed" }, lookbackDays: 6 },
  supplier_delay_severity: { types: ["shipment_delayed"], measure: { attribute: "days_delayed", unit: "days delayed" }, lookbackDays: 6 },
  ticket_volume: { types: ["support_ticket_opened"] },
  ticket_close_volume: { types: ["support_ticket_closed"] },
  ticket_backlog: { types: ["support_ticket_opened"], closedBy: ["support_ticket_closed"] },
  avg_resolution_time: { types: ["support_ticket_closed"], measure: { attribute: "resolution_time_hours", unit: "hours to resolve" }, lookbackDays: 6 },
  review_score_avg: { types: ["review_submitted"], keep: LOW_REVIEW, measure: { attribute: "score", unit: "stars" }, lookbackDays: 6 },
  review_score_trend: { types: ["review_submitted"], keep: LOW_REVIEW, measure: { attribute: "score", unit: "stars" }, lookbackDays: 13 },
  churn_proxy: { types: ["customer_churned"], lookbackDays: 13 },
  customer_concentration: { types: REVENUE, lookbackDays: 0 },
};

/** How far back an overdue invoice may have been issued (payment terms longer than this are rare). */
export const OVERDUE_ISSUE_LOOKBACK_DAYS = 120;

export interface MetricEvidence {
  events: EvidenceEvent[];
  /** First day read (the window's start moved back by the metric's rolling lookback). */
  from: string;
  /** True when a query hit its limit: counts are then lower bounds. */
  truncated: boolean;
}

/**
 * Reads the events behind a metric's movement over days [from, to] (bounded by `limit` per query),
 * starting earlier by the metric's rolling window.
 */
export async function collectMetricEvidence(source: EvidenceSource, metric: MetricName, from: string, to: string, limit: number): Promise<MetricEvidence> {
  const spec = METRIC_EVIDENCE[metric];
  if (!spec) throw new Error(`collectMetricEvidence: no evidence rule for metric ${metric}`);
  if (spec.overdueInvoices) return overdueInvoiceEvidence(source, from, to, limit);
  const start = spec.lookbackDays ? addDays(from, -spec.lookbackDays) : from;
  const events = await source.events({ types: spec.types, from: start, to, limit });
  let truncated = events.length >= limit;
  let kept = spec.keep ? events.filter(spec.keep) : events;
  if (spec.closedBy) {
    const closing = await source.events({ types: spec.closedBy, from, to, limit });
    truncated ||= closing.length >= limit;
    const closed = new Set(closing.map((e) => e.entity_id));
    kept = kept.filter((e) => !closed.has(e.entity_id));
  }
  if (spec.pastPromise) kept = kept.filter((e) => promisedDay(e) < to);
  return { events: kept, from: start, truncated };
}

/** Assumed promise when an order carries no estimated delivery date. */
export const DEFAULT_PROMISE_DAYS = 3;

function promisedDay(event: EvidenceEvent): string {
  const promised = event.attributes.estimated_delivery;
  return typeof promised === "string" ? dayOf(promised) : addDays(dayOf(event.event_time), DEFAULT_PROMISE_DAYS);
}

/**
 * Invoices that became overdue in [from, to] and were not paid by then, as the ledger counts them:
 * overdue from the day after the due date, unless paid by that day. Explicit `invoice_overdue` events
 * in the window are added when their invoice is not already listed.
 */
async function overdueInvoiceEvidence(source: EvidenceSource, from: string, to: string, limit: number): Promise<MetricEvidence> {
  const since = addDays(from, -OVERDUE_ISSUE_LOOKBACK_DAYS);
  const issued = await source.events({ types: ["invoice_issued"], from: since, to, limit });
  const paid = await source.events({ types: ["invoice_paid"], from: since, to, limit });
  const explicit = await source.events({ types: ["invoice_overdue"], from, to, limit });
  const paidDay = new Map<string, string>();
  for (const e of paid) {
    const day = typeof e.attributes.paid_date === "string" ? dayOf(e.attributes.paid_date) : dayOf(e.event_time);
    const known = paidDay.get(e.entity_id);
    if (known === undefined || day < known) paidDay.set(e.entity_id, day);
  }
  const out: EvidenceEvent[] = [];
  const listed = new Set<string>();
  // Overdue from the day after the due date: due dates in [from − 1, to − 1] (or issued already past due).
  const dueFrom = addDays(from, -1);
  const dueTo = addDays(to, -1);
  for (const e of issued) {
    if (typeof e.attributes.due_date !== "string") continue;
    const due = dayOf(e.attributes.due_date);
    const issuedDay = dayOf(e.event_time);
    if (due < issuedDay ? issuedDay < from || issuedDay > to : due < dueFrom || due > dueTo) continue;
    const overdueFrom = due < issuedDay ? issuedDay : addDays(due, 1);
    const paidOn = paidDay.get(e.entity_id);
    if (paidOn !== undefined && paidOn <= overdueFrom) continue;
    out.push(e);
    listed.add(e.entity_id);
  }
  for (const e of explicit) if (!listed.has(e.entity_id)) out.push(e);
  return { events: out, from, truncated: issued.length >= limit || paid.length >= limit || explicit.length >= limit };
}

export interface ClusterOptions {
  /** Most entity clusters kept (the "all events" cluster comes on top of these). */
  maxEntityClusters: number;
  /**
   * Most event ids listed per cluster; `event_count` always has the full count and the rest are one
   * `GET /v1/events?type=…&from=…&to=…` away. Keeps a stored incident well under D1's statement size.
   */
  maxEventIds: number;
  /** An entity makes a cluster when it has at least this many events… */
  minEvents: number;
  /** …and at least this share of the events. */
  minShare: number;
  measure?: { attribute: string; unit: string };
  truncated?: boolean;
}

export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = { maxEntityClusters: 6, maxEventIds: 20, minEvents: 2, minShare: 0.1 };

const DIMENSIONS = [
  { kind: "vendor", scope: "from vendor", of: (e: EvidenceEvent) => single(vendorOf(e)) },
  { kind: "product", scope: "for product", of: productsOf },
  { kind: "customer", scope: "for customer", of: (e: EvidenceEvent) => single(customerOf(e)) },
] as const;

function single(value: string | null): string[] {
  return value === null ? [] : [value];
}

/**
 * Clusters events by vendor, product and customer. The first cluster covers all events; then the
 * entities that concentrate the events (≥ `minEvents` and ≥ `minShare` of them), largest first.
 */
export function clusterEvidence(events: readonly EvidenceEvent[], options: ClusterOptions = DEFAULT_CLUSTER_OPTIONS): EvidenceCluster[] {
  if (events.length === 0) return [];
  const clusters: EvidenceCluster[] = [summarize(events, null, options)];
  const entityClusters: { cluster: EvidenceCluster; dimension: number }[] = [];
  for (const [index, dimension] of DIMENSIONS.entries()) {
    // Count first, then gather only the entities that make a cluster: most customers have one event.
    const counts = new Map<string, number>();
    for (const event of events) {
      const ids = dimension.of(event);
      for (let k = 0; k < ids.length; k++) {
        if (ids.indexOf(ids[k]!) !== k) continue; // an id listed twice on one event counts once
        counts.set(ids[k]!, (counts.get(ids[k]!) ?? 0) + 1);
      }
    }
    const kept = new Map<string, EvidenceEvent[]>();
    for (const [id, n] of counts) if (n >= options.minEvents && n / events.length >= options.minShare) kept.set(id, []);
    if (kept.size === 0) continue;
    for (const event of events) {
      const ids = dimension.of(event);
      for (let k = 0; k < ids.length; k++) {
        if (ids.indexOf(ids[k]!) === k) kept.get(ids[k]!)?.push(event);
      }
    }
    for (const [id, group] of kept) {
      entityClusters.push({ cluster: summarize(group, { kind: dimension.kind, scope: dimension.scope, id }, options), dimension: index });
    }
  }
  // Largest first; on a tie the vendor (the usual culprit), then product, then customer.
  entityClusters.sort(
    (a, b) =>
      b.cluster.event_count - a.cluster.event_count ||
      a.dimension - b.dimension ||
      (b.cluster.total_amount ?? 0) - (a.cluster.total_amount ?? 0) ||
      (a.cluster.cluster_label < b.cluster.cluster_label ? -1 : 1),
  );
  for (const { cluster } of entityClusters.slice(0, options.maxEntityClusters)) clusters.push(cluster);
  return clusters;
}

const EVENT_WORDS: Record<EventType, [one: string, many: string]> = {
  invoice_issued: ["overdue invoice", "overdue invoices"],
  invoice_paid: ["invoice payment", "invoice payments"],
  invoice_overdue: ["overdue invoice", "overdue invoices"],
  payment_received: ["payment", "payments"],
  expense_posted: ["expense", "expenses"],
  expense_paid: ["bill payment", "bill payments"],
  refund_issued: ["refund", "refunds"],
  credit_memo_issued: ["credit memo", "credit memos"],
  order_placed: ["order", "orders"],
  order_delivered: ["delivery", "deliveries"],
  order_late: ["late delivery", "late deliveries"],
  purchase_order_placed: ["purchase order", "purchase orders"],
  inventory_low: ["low-inventory alert", "low-inventory alerts"],
  shipment_delayed: ["delayed shipment", "delayed shipments"],
  customer_created: ["new customer", "new customers"],
  customer_updated: ["customer update", "customer updates"],
  support_ticket_opened: ["support ticket opened", "support tickets opened"],
  support_ticket_closed: ["support ticket closed", "support tickets closed"],
  review_submitted: ["review", "reviews"],
  customer_churned: ["customer churned", "customers churned"],
};

/** "12 refunds and 3 credit memos" (types in order of count). */
export function describeCounts(events: readonly EvidenceEvent[]): string {
  const byType = new Map<EventType, number>();
  for (const e of events) byType.set(e.event_type, (byType.get(e.event_type) ?? 0) + 1);
  const parts = [...byType]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([type, n]) => `${n} ${EVENT_WORDS[type][n === 1 ? 0 : 1]}`);
  return parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;
}

/** "$12,345" (whole dollars; locale-independent and cheap: it runs for every cluster and narrative). */
export function formatMoney(amount: number): string {
  const whole = Math.round(Math.abs(amount)).toString();
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${amount < 0 ? "-" : ""}$${grouped}`;
}

function summarize(
  events: readonly EvidenceEvent[],
  entity: { kind: string; scope: string; id: string } | null,
  options: ClusterOptions,
): EvidenceCluster {
  let amount = 0;
  let withAmount = 0;
  for (const e of events) {
    if (e.amount !== null) {
      amount += Math.abs(e.amount);
      withAmount++;
    }
  }
  let measured = 0;
  let measuredCount = 0;
  if (options.measure) {
    for (const e of events) {
      const v = e.attributes[options.measure.attribute];
      if (typeof v === "number" && Number.isFinite(v)) {
        measured += v;
        measuredCount++;
      }
    }
  }
  let first = dayOf(events[0]!.event_time);
  let last = first;
  for (const e of events) {
    const day = dayOf(e.event_time);
    if (day < first) first = day;
    if (day > last) last = day;
  }
  const counts = describeCounts(events);
  const scope = entity ? ` ${entity.scope} ${entity.id}` : "";
  const span = first === last ? ` on ${first}` : ` between ${first} and ${last}`;
  const money = withAmount > 0 ? `, totalling ${formatMoney(amount)}` : "";
  const average = measuredCount > 0 ? ` (avg ${(measured / measuredCount).toFixed(1)} ${options.measure!.unit})` : "";
  const lowerBound = options.truncated ? " (at least; the evidence query hit its limit)" : "";
  return {
    cluster_label: entity ? `${capitalize(entity.kind)} ${entity.id}` : "All events",
    event_count: events.length,
    event_ids: events.slice(0, options.maxEventIds).map((e) => e.event_id),
    entity_type: entity ? entity.kind : dominantEntityType(events),
    entity_id: entity ? entity.id : null,
    total_amount: withAmount > 0 ? Math.round(amount * 100) / 100 : null,
    summary: `${counts}${scope}${span}${money}${average}${lowerBound}`,
  };
}

function dominantEntityType(events: readonly EvidenceEvent[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.entity_type, (counts.get(e.entity_type) ?? 0) + 1);
  return [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]![0];
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
