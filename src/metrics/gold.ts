/**
 * Gold metrics: the business's daily vital signs, computed from the ledger's aggregates.
 * One typed table of definitions; each carries the spec's formula and the event types it is
 * built from (for data-quality weights and evidence).
 *
 * Conventions (docs/decisions.md, "Gold metric definitions"):
 * - "Rolling" means the trailing window ending at the day, inclusive; a rolling metric has no value
 *   until its window is full, so a partial first week never looks like a collapse.
 * - Averages are rolling 7-day means (Σ sum / Σ count), so one odd event cannot dominate a day
 *   and a day without events keeps a value.
 * - A zero denominator gives no value (`null`), never NaN or Infinity.
 */
import type { EventType } from "../events/canonical.ts";
import { repeatPurchaseDropoffs } from "./dropoff.ts";
import { BACKLOG_WINDOW_DAYS } from "./ledger.ts";
import { type DailyAggregates, type MetricSeries, ratio, rollingSum } from "./series.ts";

/**
 * Version of the metric definitions, stored with every gold row. gold_v2: churn_proxy also counts
 * repeat-purchase drop-off; ar_aging_amount also takes explicit invoice_overdue balances.
 */
export const METRIC_SCHEMA_VERSION = "gold_v2";

export const METRIC_NAMES = [
  // financial
  "daily_revenue",
  "daily_expenses",
  "daily_refunds",
  "refund_rate",
  "net_cash_proxy",
  "expense_ratio",
  "margin_proxy",
  "dso_proxy",
  "ar_aging_amount",
  "ar_overdue_count",
  "dpo_proxy",
  // operational
  "order_volume",
  "delivery_count",
  "late_delivery_count",
  "delivery_delay_rate",
  "fulfillment_backlog",
  "avg_delivery_delay_days",
  "supplier_delay_rate",
  "supplier_delay_severity",
  // customer
  "ticket_volume",
  "ticket_close_volume",
  "ticket_backlog",
  "avg_resolution_time",
  "review_score_avg",
  "review_score_trend",
  "churn_proxy",
  "customer_concentration",
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export type Domain = "financial" | "operational" | "customer";

export interface MetricDefinition {
  name: MetricName;
  domain: Domain;
  unit: "USD" | "ratio" | "count" | "days" | "hours" | "score" | "score/day";
  /** The formula as the spec states it, with our reading of it. */
  formula: string;
  /** Event types the metric is computed from. */
  sources: readonly EventType[];
  compute(aggregates: DailyAggregates): MetricSeries;
  /**
   * How a day's value is sampled, for the noise floor of its z-score: a share of events is
   * binomial in its denominator (σ = √(p(1−p)/n)); a rate per customer is Poisson over its base
   * (σ = √(max(p·n, 1))/n); a ratio whose numerator is a sum of a few payments (refunds,
   * expenses) varies like a compound Poisson sum, σ = |ratio| · (√E[a²]/E[a]) / √n with n the usual
   * number of those payments in the window; a mean of bounded scores has σ ≤ sd/√n. Plain counts (unit `count`)
   * are Poisson (σ = √max(median, 1)) without saying so here.
   */
  sampling?: {
    model: "binomial" | "poisson-rate" | "compound" | "mean";
    size(aggregates: DailyAggregates): ArrayLike<number>;
    /**
     * For means: the spread (sd) of individual values; for compound sums: √E[a²]/E[a] of the
     * payments' amounts. Per day, estimated from the 30 days before it.
     */
    sd?(aggregates: DailyAggregates): ArrayLike<number | null>;
  };
  /**
   * Follows the calendar month (statement runs, month-end balances): a value that the same days
   * of the previous month also reached is not an anomaly, and a full month of baseline is needed.
   */
  monthly?: boolean;
  /**
   * Entity-state metrics start at zero with the history (no invoice is overdue before the first
   * one is issued): they are scored only once their baseline shows activity.
   */
  stateful?: boolean;
}

const ROLLING = 7;
const CASH_WINDOW = 30;
const CHURN_WINDOW = 14;
const CONCENTRATION_WINDOW = 30;
const TREND_WINDOW = 14;

const REVENUE_SOURCES = ["invoice_paid", "payment_received"] as const;

export const GOLD_METRICS: readonly MetricDefinition[] = [
  {
    name: "daily_revenue",
    domain: "financial",
    unit: "USD",
    formula: "SUM(amount) of invoice_paid + payment_received not applied to an invoice (applied ones are counted by the invoice they close)",
    sources: REVENUE_SOURCES,
    compute: (a) => [...a.column("sum:revenue")],
  },
  {
    name: "daily_expenses",
    domain: "financial",
    unit: "USD",
    formula: "SUM(amount) of expense_posted",
    sources: ["expense_posted"],
    compute: (a) => [...a.column("sum:expenses")],
  },
  {
    name: "daily_refunds",
    domain: "financial",
    unit: "USD",
    formula: "SUM(|amount|) of refund_issued + credit_memo_issued",
    sources: ["refund_issued", "credit_memo_issued"],
    compute: (a) => [...a.column("sum:refunds")],
  },
  {
    name: "refund_rate",
    domain: "financial",
    unit: "ratio",
    formula: "Σ7 daily_refunds / usual weekly revenue (7 × mean daily_revenue over the trailing 30 days, or the days so far)",
    sources: ["refund_issued", "credit_memo_issued", ...REVENUE_SOURCES],
    compute: (a) => full(ratio(a.rollingSum("sum:refunds", ROLLING), weeklyRevenue(a)), ROLLING),
    sampling: { model: "compound", size: (a) => countIn(a, ["refund_issued", "credit_memo_issued"]), sd: (a) => amountSpread(a, "refunds", ["refund_issued", "credit_memo_issued"]) },
  },
  {
    name: "net_cash_proxy",
    domain: "financial",
    unit: "USD",
    formula: "Σ30 (daily_revenue − daily_expenses − daily_refunds)",
    sources: ["expense_posted", "refund_issued", "credit_memo_issued", ...REVENUE_SOURCES],
    compute: (a) => full([...rollingSum(netCash(a), CASH_WINDOW)], CASH_WINDOW),
    monthly: true,
  },
  {
    name: "expense_ratio",
    domain: "financial",
    unit: "ratio",
    formula: "Σ30 daily_expenses / Σ30 daily_revenue (30 days, not 7: costs and B2B revenue arrive monthly)",
    sources: ["expense_posted", ...REVENUE_SOURCES],
    compute: (a) => full(ratio(a.rollingSum("sum:expenses", CASH_WINDOW), a.rollingSum("sum:revenue", CASH_WINDOW)), CASH_WINDOW),
    sampling: { model: "compound", size: (a) => countIn(a, ["expense_posted"], CASH_WINDOW), sd: (a) => amountSpread(a, "expenses", ["expense_posted"]) },
  },
  {
    name: "margin_proxy",
    domain: "financial",
    unit: "ratio",
    formula: "Σ30 (daily_revenue − daily_expenses − daily_refunds) / Σ30 daily_revenue (30 days, as expense_ratio)",
    sources: ["expense_posted", "refund_issued", "credit_memo_issued", ...REVENUE_SOURCES],
    compute: (a) => full(ratio(rollingSum(netCash(a), CASH_WINDOW), a.rollingSum("sum:revenue", CASH_WINDOW)), CASH_WINDOW),
    // Its noise comes from the few large payments: expenses (and refunds) against revenue.
    sampling: { model: "compound", size: (a) => countIn(a, ["expense_posted"], CASH_WINDOW), sd: (a) => amountSpread(a, "expenses", ["expense_posted"]) },
  },
  {
    name: "dso_proxy",
    domain: "financial",
    unit: "days",
    formula: "rolling 7-day mean of days_to_pay over invoices paid in the window",
    sources: ["invoice_paid"],
    compute: (a) => rollingMean(a, "days_to_pay"),
    sampling: meanSampling("days_to_pay"),
    monthly: true,
  },
  {
    name: "ar_aging_amount",
    domain: "financial",
    unit: "USD",
    formula: "overdue balance outstanding at the end of the day: Σ amount of invoices past their due date and not yet paid (derived from invoice_issued and invoice_paid)",
    sources: ["invoice_issued", "invoice_paid"],
    compute: (a) => [...a.runningTotal("state:ar_overdue_amount")],
    stateful: true,
    monthly: true,
  },
  {
    name: "ar_overdue_count",
    domain: "financial",
    unit: "count",
    formula: "number of invoices past their due date and not yet paid at the end of the day",
    sources: ["invoice_issued", "invoice_paid"],
    compute: (a) => [...a.runningTotal("state:ar_overdue_count")],
    stateful: true,
    monthly: true,
  },
  {
    name: "dpo_proxy",
    domain: "financial",
    unit: "days",
    formula: "rolling 7-day mean of days from expense_posted to expense_paid, over bills paid in the window",
    sources: ["expense_posted", "expense_paid"],
    compute: (a) => rollingMean(a, "days_payable"),
    sampling: meanSampling("days_payable"),
  },
  {
    name: "order_volume",
    domain: "operational",
    unit: "count",
    formula: "COUNT(order_placed)",
    sources: ["order_placed"],
    compute: (a) => [...a.column("n:order_placed")],
  },
  {
    name: "delivery_count",
    domain: "operational",
    unit: "count",
    formula: "COUNT(order_delivered)",
    sources: ["order_delivered"],
    compute: (a) => [...a.column("n:order_delivered")],
  },
  {
    name: "late_delivery_count",
    domain: "operational",
    unit: "count",
    formula: "COUNT(order_late)",
    sources: ["order_late"],
    compute: (a) => [...a.column("n:order_late")],
  },
  {
    name: "delivery_delay_rate",
    domain: "operational",
    unit: "ratio",
    formula: "Σ7 late_delivery_count / Σ7 delivery_count",
    sources: ["order_late", "order_delivered"],
    compute: (a) => full(ratio(a.rollingSum("n:order_late", ROLLING), a.rollingSum("n:order_delivered", ROLLING)), ROLLING),
    sampling: { model: "binomial", size: (a) => a.rollingSum("n:order_delivered", ROLLING) },
  },
  {
    name: "fulfillment_backlog",
    domain: "operational",
    unit: "count",
    formula: "orders placed in the trailing 14 days and not delivered by the end of the day",
    sources: ["order_placed", "order_delivered"],
    compute: (a) => full([...a.runningTotal("state:open_orders")], BACKLOG_WINDOW_DAYS),
  },
  {
    name: "avg_delivery_delay_days",
    domain: "operational",
    unit: "days",
    formula: "rolling 7-day mean of days_late over order_late events",
    sources: ["order_late"],
    compute: (a) => rollingMean(a, "days_late"),
    sampling: meanSampling("days_late"),
  },
  {
    name: "supplier_delay_rate",
    domain: "operational",
    unit: "ratio",
    formula: "Σ7 COUNT(shipment_delayed) / Σ7 COUNT(purchase_order_placed)",
    sources: ["shipment_delayed", "purchase_order_placed"],
    compute: (a) =>
      full(ratio(a.rollingSum("n:shipment_delayed", ROLLING), a.rollingSum("n:purchase_order_placed", ROLLING)), ROLLING),
    sampling: { model: "binomial", size: (a) => a.rollingSum("n:purchase_order_placed", ROLLING) },
  },
  {
    name: "supplier_delay_severity",
    domain: "operational",
    unit: "days",
    formula: "rolling 7-day mean of days_delayed over shipment_delayed events",
    sources: ["shipment_delayed"],
    compute: (a) => rollingMean(a, "days_delayed"),
    sampling: meanSampling("days_delayed"),
  },
  {
    name: "ticket_volume",
    domain: "customer",
    unit: "count",
    formula: "COUNT(support_ticket_opened)",
    sources: ["support_ticket_opened"],
    compute: (a) => [...a.column("n:support_ticket_opened")],
  },
  {
    name: "ticket_close_volume",
    domain: "customer",
    unit: "count",
    formula: "COUNT(support_ticket_closed)",
    sources: ["support_ticket_closed"],
    compute: (a) => [...a.column("n:support_ticket_closed")],
  },
  {
    name: "ticket_backlog",
    domain: "customer",
    unit: "count",
    formula: "tickets opened in the trailing 14 days and not closed by the end of the day",
    sources: ["support_ticket_opened", "support_ticket_closed"],
    compute: (a) => full([...a.runningTotal("state:open_tickets")], BACKLOG_WINDOW_DAYS),
  },
  {
    name: "avg_resolution_time",
    domain: "customer",
    unit: "hours",
    formula: "rolling 7-day mean of resolution_time_hours over support_ticket_closed",
    sources: ["support_ticket_closed"],
    compute: (a) => rollingMean(a, "resolution_hours"),
    sampling: meanSampling("resolution_hours"),
  },
  {
    name: "review_score_avg",
    domain: "customer",
    unit: "score",
    formula: "rolling 7-day mean of review score (1–5)",
    sources: ["review_submitted"],
    compute: (a) => rollingMean(a, "review_score"),
    sampling: meanSampling("review_score"),
  },
  {
    name: "review_score_trend",
    domain: "customer",
    unit: "score/day",
    formula: "least-squares slope of review_score_avg over the trailing 14 days (needs 7 values)",
    sources: ["review_submitted"],
    compute: (a) => trailingSlope(rollingMean(a, "review_score"), TREND_WINDOW, 7),
  },
  {
    name: "churn_proxy",
    domain: "customer",
    unit: "ratio",
    formula:
      "over the trailing 14 days: customer_churned events / (customers created so far − churned before the window) once the business reports churn events; before that, repeat buyers who went silent for three purchase cycles / repeat buyers active at the window's start",
    sources: ["customer_churned", "customer_created", ...REVENUE_SOURCES],
    compute: (a) => churnProxy(a).value,
    sampling: { model: "poisson-rate", size: (a) => churnProxy(a).base },
    // Repeat buyers and their drop-offs only become knowable some weeks into the history.
    stateful: true,
  },
  {
    name: "customer_concentration",
    domain: "customer",
    unit: "ratio",
    formula: "revenue of the top 10 % of paying customers / total revenue, trailing 30 days",
    sources: REVENUE_SOURCES,
    compute: (a) => customerConcentration(a),
  },
];

export const METRICS_BY_NAME: ReadonlyMap<MetricName, MetricDefinition> = new Map(GOLD_METRICS.map((m) => [m.name, m]));

export type GoldMetrics = Record<MetricName, MetricSeries>;

/** Computes every gold metric over the aggregates' day range. */
export function computeGoldMetrics(aggregates: DailyAggregates): GoldMetrics {
  const out = {} as GoldMetrics;
  for (const metric of GOLD_METRICS) out[metric.name] = metric.compute(aggregates).map(clean);
  return out;
}

function clean(value: number | null): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  return Math.abs(value) < 1e-12 ? 0 : value;
}

/** Events of these types in the trailing `window` days. */
function countIn(a: DailyAggregates, types: readonly EventType[], window = ROLLING): Float64Array {
  const total = new Float64Array(a.length);
  for (const type of types) a.rollingSum(`n:${type}`, window).forEach((v, i) => (total[i] = total[i]! + v));
  return total;
}

/** 7 × the mean daily revenue over the trailing 30 days (or the days so far). */
function weeklyRevenue(a: DailyAggregates): Float64Array {
  const sums = a.rollingSum("sum:revenue", CASH_WINDOW);
  return sums.map((v, i) => (ROLLING * v) / Math.min(i + 1, CASH_WINDOW));
}

/**
 * For each day, `read(count, sum, squares)` of the values in the 30 days before it (days i−30 …
 * i−1): what is known of a metric's individual values before the day.
 */
function beforeEachDay(n: ArrayLike<number>, sum: ArrayLike<number>, sq: ArrayLike<number>, length: number, read: (count: number, sum: number, squares: number) => number | null): (number | null)[] {
  const out: (number | null)[] = [];
  let [cn, cs, cq] = [0, 0, 0];
  for (let i = 0; i < length; i++) {
    out.push(read(cn, cs, cq));
    cn += n[i]!;
    cs += sum[i]!;
    cq += sq[i]!;
    if (i >= CASH_WINDOW) {
      cn -= n[i - CASH_WINDOW]!;
      cs -= sum[i - CASH_WINDOW]!;
      cq -= sq[i - CASH_WINDOW]!;
    }
  }
  return out;
}

/** √E[a²]/E[a] of the amounts behind `sum:<name>`, from the 30 days before each day (null when under 5). */
function amountSpread(a: DailyAggregates, name: string, types: readonly EventType[]): (number | null)[] {
  const n = new Float64Array(a.length);
  for (const type of types) a.column(`n:${type}`).forEach((v, i) => (n[i] = n[i]! + v));
  return beforeEachDay(n, a.column(`sum:${name}`), a.column(`sq:${name}`), a.length, (cn, cs, cq) => (cn >= 5 && cs > 0 ? Math.sqrt(cq / cn) / (cs / cn) : null));
}

/** Sampling of a rolling mean: n values in 7 days, individual spread pooled over the 30 days before. */
function meanSampling(name: string): NonNullable<MetricDefinition["sampling"]> {
  return {
    model: "mean",
    size: (a) => a.rollingSum(`n:${name}`, ROLLING),
    // Sample standard deviation of the individual values in the 30 days before the day.
    sd: (a) =>
      beforeEachDay(a.column(`n:${name}`), a.column(`sum:${name}`), a.column(`sq:${name}`), a.length, (count, cs, cq) =>
        count >= 5 ? Math.sqrt(Math.max(0, (cq - (cs * cs) / count) / (count - 1))) : null,
      ),
  };
}

function netCash(a: DailyAggregates): Float64Array {
  const revenue = a.column("sum:revenue");
  const expenses = a.column("sum:expenses");
  const refunds = a.column("sum:refunds");
  return revenue.map((r, i) => r - expenses[i]! - refunds[i]!);
}

/** Values before the first full window are left undefined. */
function full(series: ArrayLike<number | null>, window: number): MetricSeries {
  return Array.from(series, (v, i) => (i < window - 1 ? null : v));
}

function rollingMean(a: DailyAggregates, name: string): MetricSeries {
  return full(ratio(a.rollingSum(`sum:${name}`, ROLLING), a.rollingSum(`n:${name}`, ROLLING)), ROLLING);
}

/** Ordinary least-squares slope over the trailing window, skipping missing values. */
export function trailingSlope(series: MetricSeries, window: number, minPoints: number): MetricSeries {
  return series.map((_, i) => {
    let n = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let j = Math.max(0, i - window + 1); j <= i; j++) {
      const y = series[j];
      if (y === null || y === undefined) continue;
      n++;
      sx += j;
      sy += y;
      sxx += j * j;
      sxy += j * y;
    }
    const denominator = n * sxx - sx * sx;
    if (n < minPoints || denominator === 0) return null;
    return (n * sxy - sx * sy) / denominator;
  });
}

/**
 * churn_proxy (spec: "predicted churn probability OR repeat_purchase_dropoff_rate"): explicit
 * churn events over the customer base once the business has reported any churn event; until then
 * repeat-purchase drop-off ({@link repeatPurchaseDropoffs}) over the active repeat buyers. A
 * business that reports churn knows it better than a purchase-gap heuristic, and one source at a
 * time never counts a customer twice. No value before 14 days or on an empty base.
 */
const churnCache = new WeakMap<DailyAggregates, { value: MetricSeries; base: Float64Array }>();

function churnProxy(a: DailyAggregates): { value: MetricSeries; base: Float64Array } {
  let cached = churnCache.get(a);
  if (!cached) churnCache.set(a, (cached = computeChurnProxy(a)));
  return cached;
}

function computeChurnProxy(a: DailyAggregates): { value: MetricSeries; base: Float64Array } {
  const churned = a.column("n:customer_churned");
  const created = a.column("n:customer_created");
  const churnedInWindow = rollingSum(churned, CHURN_WINDOW);
  const { dropped, activeRepeat } = repeatPurchaseDropoffs(a);
  const droppedInWindow = rollingSum(dropped.map((d) => d.length), CHURN_WINDOW);
  const out: MetricSeries = [];
  const bases = new Float64Array(churned.length);
  let createdSoFar = 0;
  let churnedBeforeWindow = 0;
  let reportsChurn = false;
  for (let i = 0; i < churned.length; i++) {
    createdSoFar += created[i]!;
    if (churned[i]! > 0) reportsChurn = true;
    if (i >= CHURN_WINDOW) churnedBeforeWindow += churned[i - CHURN_WINDOW]!;
    if (i < CHURN_WINDOW - 1) {
      out.push(null);
      continue;
    }
    const base = createdSoFar - churnedBeforeWindow;
    const explicit = base > 0 ? churnedInWindow[i]! / base : null;
    const repeatBase = i >= CHURN_WINDOW ? activeRepeat[i - CHURN_WINDOW]! : 0;
    const dropoff = repeatBase > 0 ? droppedInWindow[i]! / repeatBase : null;
    // A business that reports churn knows it better than any purchase-gap heuristic.
    const useDropoff = !reportsChurn;
    out.push(useDropoff ? dropoff : explicit);
    bases[i] = useDropoff ? (dropoff === null ? 0 : repeatBase) : base;
  }
  return { value: out, base: bases };
}

function customerConcentration(a: DailyAggregates): MetricSeries {
  const totals = new Map<string, number>();
  const out: MetricSeries = [];
  for (let i = 0; i < a.length; i++) {
    for (const [customer, revenue] of a.customerRevenue[i]!) totals.set(customer, (totals.get(customer) ?? 0) + revenue);
    if (i >= CONCENTRATION_WINDOW) {
      for (const [customer, revenue] of a.customerRevenue[i - CONCENTRATION_WINDOW]!) {
        const next = (totals.get(customer) ?? 0) - revenue;
        if (Math.abs(next) < 1e-9) totals.delete(customer);
        else totals.set(customer, next);
      }
    }
    if (i < CONCENTRATION_WINDOW - 1) {
      out.push(null);
      continue;
    }
    const revenues = [...totals.values()].filter((v) => v > 0).sort((x, y) => y - x);
    const total = revenues.reduce((s, v) => s + v, 0);
    if (total <= 0) {
      out.push(null);
      continue;
    }
    const top = Math.max(1, Math.ceil(revenues.length * 0.1));
    let topRevenue = 0;
    for (let k = 0; k < top; k++) topRevenue += revenues[k]!;
    out.push(topRevenue / total);
  }
  return out;
}
