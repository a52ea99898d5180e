/**
 * The eight incident types: which metrics trigger them, in which direction, at which threshold,
 * what evidence they cite, and how severe they are (spec, Component E).
 */
import type { EventType } from "../events/canonical.ts";
import type { MetricName } from "../metrics/gold.ts";
import type { IncidentType, Severity } from "../scan-contract.ts";

export interface Trigger {
  metric: MetricName;
  /** `up`: fires on z > threshold; `down`: fires on z < −threshold. */
  direction: "up" | "down";
  /** |modified z| needed to fire. */
  zThreshold: number;
  /** An absolute rule that also fires without a z-score (the review trend's slope < −0.1). */
  absolute?: { below?: number; above?: number };
}

export interface IncidentRule {
  type: IncidentType;
  triggers: readonly Trigger[];
  /** Event types whose events in the window are the incident's evidence. */
  evidence: readonly EventType[];
  /** Metrics checked for corroboration (reported as supporting metrics). */
  supporting: readonly MetricName[];
}

export const INCIDENT_RULES: readonly IncidentRule[] = [
  {
    type: "REFUND_SPIKE",
    triggers: [{ metric: "refund_rate", direction: "up", zThreshold: 3 }],
    evidence: ["refund_issued", "credit_memo_issued"],
    supporting: ["daily_refunds", "daily_revenue"],
  },
  {
    type: "FULFILLMENT_SLA_DEGRADATION",
    triggers: [
      { metric: "delivery_delay_rate", direction: "up", zThreshold: 3 },
      { metric: "fulfillment_backlog", direction: "up", zThreshold: 3 },
    ],
    evidence: ["order_late", "order_placed"],
    supporting: ["avg_delivery_delay_days", "order_volume"],
  },
  {
    type: "SUPPORT_LOAD_SURGE",
    triggers: [
      { metric: "ticket_volume", direction: "up", zThreshold: 3 },
      { metric: "ticket_backlog", direction: "up", zThreshold: 3 },
    ],
    evidence: ["support_ticket_opened"],
    supporting: ["avg_resolution_time"],
  },
  {
    type: "CHURN_ACCELERATION",
    triggers: [{ metric: "churn_proxy", direction: "up", zThreshold: 2.5 }],
    evidence: ["customer_churned"],
    supporting: ["customer_concentration"],
  },
  {
    type: "MARGIN_COMPRESSION",
    triggers: [
      { metric: "margin_proxy", direction: "down", zThreshold: 3 },
      { metric: "expense_ratio", direction: "up", zThreshold: 3 },
    ],
    evidence: ["expense_posted", "refund_issued"],
    supporting: ["daily_expenses", "refund_rate"],
  },
  {
    type: "LIQUIDITY_CRUNCH_RISK",
    triggers: [
      { metric: "net_cash_proxy", direction: "down", zThreshold: 3 },
      { metric: "ar_aging_amount", direction: "up", zThreshold: 3 },
    ],
    evidence: ["invoice_issued", "expense_posted"],
    supporting: ["ar_overdue_count", "dso_proxy"],
  },
  {
    type: "SUPPLIER_DEPENDENCY_FAILURE",
    triggers: [
      { metric: "supplier_delay_rate", direction: "up", zThreshold: 3 },
      { metric: "supplier_delay_severity", direction: "up", zThreshold: 3 },
    ],
    evidence: ["shipment_delayed", "purchase_order_placed"],
    supporting: [],
  },
  {
    type: "CUSTOMER_SATISFACTION_REGRESSION",
    triggers: [
      { metric: "review_score_avg", direction: "down", zThreshold: 2.5 },
      { metric: "review_score_trend", direction: "down", zThreshold: Number.POSITIVE_INFINITY, absolute: { below: -0.1 } },
    ],
    evidence: ["review_submitted"],
    supporting: [],
  },
];

export const RULES_BY_TYPE: ReadonlyMap<IncidentType, IncidentRule> = new Map(INCIDENT_RULES.map((r) => [r.type, r]));

const ORDER: readonly Severity[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

/**
 * The spec's severity scale on |z|: LOW below 4, MEDIUM 4–6, HIGH above 6, CRITICAL above 8
 * (CRITICAL only where the type's rule allows it; other types stop at HIGH unless upgraded).
 */
export function severityForZ(absZ: number): Severity {
  if (absZ > 8) return "CRITICAL";
  if (absZ > 6) return "HIGH";
  if (absZ >= 4) return "MEDIUM";
  return "LOW";
}

export function upgrade(severity: Severity, levels = 1): Severity {
  return ORDER[Math.min(ORDER.length - 1, ORDER.indexOf(severity) + levels)]!;
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
