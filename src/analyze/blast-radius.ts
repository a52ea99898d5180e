/**
 * Blast radius (spec, Component H): what an incident touched, in business terms, from its evidence.
 */
import type { EvidenceEvent } from "../evidence.ts";
import type { BlastRadius } from "../scan-contract.ts";

export interface BlastRadiusInput {
  evidence: readonly EvidenceEvent[];
  /** Revenue of the 30 days ending at the incident's window end (the "monthly revenue"). */
  monthlyRevenue: number;
  /** Refunds / revenue over the baseline, to estimate refund exposure. */
  baselineRefundRate: number;
  downstreamIncidentIds: readonly string[];
}

/** Share of monthly revenue → class: < 1 % contained, 1–5 % significant, 5–15 % severe, above catastrophic. */
export function blastRadiusSeverity(exposure: number, monthlyRevenue: number): BlastRadius["blast_radius_severity"] {
  if (monthlyRevenue <= 0) return exposure > 0 ? "catastrophic" : "contained";
  const share = exposure / monthlyRevenue;
  if (share < 0.01) return "contained";
  if (share < 0.05) return "significant";
  if (share < 0.15) return "severe";
  return "catastrophic";
}

export function computeBlastRadius(input: BlastRadiusInput): BlastRadius {
  const customers = new Set<string>();
  const orders = new Set<string>();
  const products = new Set<string>();
  const vendors = new Set<string>();
  let revenueExposure = 0;
  for (const event of input.evidence) {
    const related = event.related_entity_ids;
    if (related.customer_id) customers.add(related.customer_id);
    if (event.entity_type === "customer") customers.add(event.entity_id);
    if (event.entity_type === "order") orders.add(event.entity_id);
    if (related.order_id) orders.add(related.order_id);
    for (const p of related.product_ids ?? []) products.add(p);
    if (event.entity_type === "product") products.add(event.entity_id);
    if (related.vendor_id) vendors.add(related.vendor_id);
    if (event.entity_type === "vendor") vendors.add(event.entity_id);
    if (event.amount !== null) revenueExposure += Math.abs(event.amount);
  }
  const refundExposure = revenueExposure * Math.max(0, input.baselineRefundRate);
  const severity = blastRadiusSeverity(revenueExposure, input.monthlyRevenue);
  const money = (v: number) => `$${Math.round(v).toLocaleString("en-US")}`;
  return {
    customers_affected: customers.size,
    orders_affected: orders.size,
    products_affected: products.size,
    vendors_involved: vendors.size,
    estimated_revenue_exposure: round2(revenueExposure),
    estimated_refund_exposure: round2(refundExposure),
    estimated_churn_exposure: 0,
    downstream_incidents_triggered: [...input.downstreamIncidentIds],
    blast_radius_severity: severity,
    narrative:
      `This incident touched ${orders.size} orders across ${customers.size} customers` +
      (vendors.size > 0 ? ` and ${vendors.size} vendors` : "") +
      `, with estimated revenue exposure of ${money(revenueExposure)} (${severity}).`,
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
