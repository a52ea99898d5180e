/**
 * How reports say numbers, dates and names. Written by hand (no `toLocaleString`) so a postmortem
 * reads the same byte for byte in Node, workerd and any ICU build.
 */
import { METRICS_BY_NAME, type MetricDefinition } from "../metrics/gold.ts";
import type { IncidentType } from "../scan-contract.ts";
import { dayNumber } from "../time.ts";

const METRIC_LABELS: Record<string, string> = {
  daily_revenue: "Daily revenue",
  daily_expenses: "Daily expenses",
  daily_refunds: "Daily refunds",
  refund_rate: "Refund rate",
  net_cash_proxy: "Net cash (30-day)",
  expense_ratio: "Expense ratio",
  margin_proxy: "Margin",
  dso_proxy: "Days sales outstanding",
  ar_aging_amount: "Overdue receivables",
  ar_overdue_count: "Overdue invoice count",
  dpo_proxy: "Days payable outstanding",
  order_volume: "Order volume",
  delivery_count: "Deliveries",
  late_delivery_count: "Late deliveries",
  delivery_delay_rate: "Delivery delay rate",
  fulfillment_backlog: "Fulfillment backlog",
  avg_delivery_delay_days: "Average delivery delay",
  supplier_delay_rate: "Supplier delay rate",
  supplier_delay_severity: "Supplier delay severity",
  ticket_volume: "Support ticket volume",
  ticket_close_volume: "Support tickets closed",
  ticket_backlog: "Support ticket backlog",
  avg_resolution_time: "Ticket resolution time",
  review_score_avg: "Average review score",
  review_score_trend: "Review score trend",
  churn_proxy: "Churn rate",
  customer_concentration: "Customer concentration",
};

const INCIDENT_LABELS: Record<IncidentType, string> = {
  REFUND_SPIKE: "Refund Spike",
  FULFILLMENT_SLA_DEGRADATION: "Fulfillment SLA Degradation",
  SUPPORT_LOAD_SURGE: "Support Load Surge",
  CHURN_ACCELERATION: "Churn Acceleration",
  MARGIN_COMPRESSION: "Margin Compression",
  LIQUIDITY_CRUNCH_RISK: "Liquidity Crunch Risk",
  SUPPLIER_DEPENDENCY_FAILURE: "Supplier Dependency Failure",
  CUSTOMER_SATISFACTION_REGRESSION: "Customer Satisfaction Regression",
};

/** "refund_rate" → "Refund rate"; an unknown name is shown as it is. */
export function metricLabel(metric: string): string {
  return METRIC_LABELS[metric] ?? metric;
}

/** "REFUND_SPIKE" → "Refund Spike"; an unknown type is shown as it is. */
export function incidentLabel(type: IncidentType | string): string {
  return INCIDENT_LABELS[type as IncidentType] ?? type;
}

export function metricUnit(metric: string): MetricDefinition["unit"] {
  return METRICS_BY_NAME.get(metric as never)?.unit ?? "count";
}

/** `1234567.891` with `digits` decimals → "1,234,567.89". */
export function groupDigits(value: number, digits: number): string {
  const fixed = Math.abs(value).toFixed(digits);
  const [whole, fraction] = fixed.split(".") as [string, string | undefined];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const sign = value < 0 && Number(fixed) !== 0 ? "-" : "";
  return `${sign}${grouped}${fraction ? `.${fraction}` : ""}`;
}

/** Dollars: whole dollars from $100 up, cents below. */
export function formatMoney(value: number): string {
  if (value === 0) return "$0";
  const digits = Math.abs(value) >= 100 ? 0 : 2;
  const text = groupDigits(value, digits);
  return text.startsWith("-") ? `-$${text.slice(1)}` : `$${text}`;
}

/** A metric value in its unit: ratios as percentages, money as dollars, durations with their unit. */
export function formatMetricValue(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "n/a";
  switch (metricUnit(metric)) {
    case "USD":
      return formatMoney(value);
    case "ratio": {
      const pct = value * 100;
      if (pct === 0) return "0%";
      return `${groupDigits(pct, Math.abs(pct) < 1 ? 2 : 1)}%`;
    }
    case "days":
      return `${groupDigits(value, 1)} days`;
    case "hours":
      return `${groupDigits(value, 1)} h`;
    case "score":
      return `${value.toFixed(2)} / 5`;
    case "score/day":
      return `${value.toFixed(3)} per day`;
    case "count":
      return groupDigits(value, Number.isInteger(value) ? 0 : 1);
  }
}

/** "z = +6.2", "z = -3.1"; "z = n/a" when the day could not be scored. */
export function formatZ(z: number | null | undefined): string {
  if (z === null || z === undefined || !Number.isFinite(z)) return "z = n/a";
  const text = Math.abs(z) >= 100 ? groupDigits(z, 0) : z.toFixed(1);
  return `z = ${z > 0 ? "+" : ""}${text}`;
}

/** "0.57" for scores between 0 and a few. */
export function formatScore(value: number): string {
  return value.toFixed(2);
}

/** 0.934 → "93%". */
export function formatShare(value: number): string {
  return `${Math.round(value * 100)}%`;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function parts(day: string): { y: number; m: number; d: number } {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || !Number.isFinite(dayNumber(day))) throw new Error(`formatDay: expected YYYY-MM-DD, got ${JSON.stringify(day)}`);
  return { y: Number(day.slice(0, 4)), m: Number(day.slice(5, 7)), d: Number(day.slice(8, 10)) };
}

/** "2025-03-02" → "Mar 2, 2025". */
export function formatDay(day: string): string {
  const { y, m, d } = parts(day);
  return `${MONTHS[m - 1]} ${d}, ${y}`;
}

/**
 * A day range said the short way: "Mar 2–6, 2025", "Feb 28 – Mar 3, 2025",
 * "Dec 30, 2024 – Jan 2, 2025", or one day when both ends agree.
 */
export function formatDayRange(from: string, to: string): string {
  if (from === to) return formatDay(from);
  const a = parts(from);
  const b = parts(to);
  if (a.y !== b.y) return `${formatDay(from)} – ${formatDay(to)}`;
  if (a.m !== b.m) return `${MONTHS[a.m - 1]} ${a.d} – ${MONTHS[b.m - 1]} ${b.d}, ${b.y}`;
  return `${MONTHS[a.m - 1]} ${a.d}–${b.d}, ${b.y}`;
}

/** "1 day", "7 days". */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${groupDigits(count, 0)} ${count === 1 ? noun : nouns}`;
}

/** "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "";
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
