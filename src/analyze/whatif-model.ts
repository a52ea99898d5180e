/**
 * The graphs the what-if runs on: the business dependency DAG and the incident dependency graph.
 *
 * Interim copy of the spec's edges (Component G Step 0, Component F) with the effect signs BRE-RCA
 * uses, until src/analyze/business-dag.ts and cascades.ts land on main; then this module re-exports
 * theirs (one source of truth).
 */
import type { WhatIfConfig, WhatIfModel } from "./whatif.ts";
import { DEFAULT_DETECTION_CONFIG } from "../detect/detect.ts";

export const DEFAULT_WHATIF_MODEL: WhatIfModel = {
  edges: [
    ["supplier_delay_rate", "delivery_delay_rate", 1],
    ["supplier_delay_rate", "fulfillment_backlog", 1],
    ["order_volume", "fulfillment_backlog", 1],
    ["fulfillment_backlog", "delivery_delay_rate", 1],
    ["delivery_delay_rate", "ticket_volume", 1],
    ["delivery_delay_rate", "review_score_avg", -1],
    ["ticket_volume", "ticket_backlog", 1],
    ["ticket_backlog", "avg_resolution_time", 1],
    ["avg_resolution_time", "review_score_avg", -1],
    ["review_score_avg", "churn_proxy", -1],
    ["ticket_volume", "churn_proxy", 1],
    ["churn_proxy", "daily_revenue", -1],
    ["refund_rate", "margin_proxy", -1],
    ["refund_rate", "daily_revenue", -1],
    ["daily_revenue", "margin_proxy", 1],
    ["daily_expenses", "expense_ratio", 1],
    ["expense_ratio", "margin_proxy", -1],
    ["margin_proxy", "net_cash_proxy", 1],
    ["dso_proxy", "ar_aging_amount", 1],
    ["ar_aging_amount", "net_cash_proxy", -1],
  ],
  incidentEdges: [
    ["FULFILLMENT_SLA_DEGRADATION", "SUPPORT_LOAD_SURGE"],
    ["SUPPORT_LOAD_SURGE", "CHURN_ACCELERATION"],
    ["FULFILLMENT_SLA_DEGRADATION", "CUSTOMER_SATISFACTION_REGRESSION"],
    ["CUSTOMER_SATISFACTION_REGRESSION", "CHURN_ACCELERATION"],
    ["SUPPLIER_DEPENDENCY_FAILURE", "FULFILLMENT_SLA_DEGRADATION"],
    ["REFUND_SPIKE", "MARGIN_COMPRESSION"],
    ["MARGIN_COMPRESSION", "LIQUIDITY_CRUNCH_RISK"],
    ["CHURN_ACCELERATION", "MARGIN_COMPRESSION"],
    ["SUPPORT_LOAD_SURGE", "CUSTOMER_SATISFACTION_REGRESSION"],
  ],
};

export const DEFAULT_WHATIF_CONFIG: WhatIfConfig = {
  horizonDays: 14,
  historyDays: 90,
  maxLagDays: 7,
  minPairs: 20,
  minCorrelation: 0.3,
  levelDays: 7,
  cascadeWindowDays: 7,
  maxCascadeHops: 2,
  detection: DEFAULT_DETECTION_CONFIG,
};
