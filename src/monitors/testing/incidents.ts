/**
 * Hand-built incidents for tests of monitors, postmortems and comparisons: the spec's worked example
 * of a fulfillment SLA degradation (supplier delays → backlog → delivery delays), and a
 * single-node refund spike as the walking skeleton's scan produces it.
 */
import type { CausalNode, EvidenceCluster, Incident } from "../../scan-contract.ts";

export function node(metric: string, fields: Partial<CausalNode> = {}): CausalNode {
  return {
    metric_name: metric,
    contribution_score: 1,
    anomaly_magnitude: 1,
    temporal_precedence: 1,
    graph_proximity: 1,
    data_quality_weight: 1,
    metric_value: 1,
    metric_baseline: 0.5,
    metric_zscore: 3.5,
    anomaly_window: ["2025-02-08", "2025-02-15"],
    evidence_clusters: [],
    ...fields,
  };
}

export function cluster(label: string, ids: string[], fields: Partial<EvidenceCluster> = {}): EvidenceCluster {
  return { cluster_label: label, event_count: ids.length, event_ids: ids, entity_type: "vendor", entity_id: null, total_amount: null, summary: label, ...fields };
}

const blast: Incident["blast_radius"] = {
  customers_affected: 127,
  orders_affected: 342,
  products_affected: 0,
  vendors_involved: 1,
  estimated_revenue_exposure: 18_400,
  estimated_refund_exposure: 920,
  estimated_churn_exposure: 23,
  downstream_incidents_triggered: [],
  blast_radius_severity: "significant",
  narrative: "This incident touched 342 orders across 127 customers and 1 vendors, with estimated revenue exposure of $18,400 (significant).",
};

/** The spec's example: Path 1 supplier_delay_rate (z 4.1, Feb 3) → fulfillment_backlog (z 3.8, Feb 5) → delivery_delay_rate (z 5.2, Feb 8). */
export function fulfillmentIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incident_id: "inc_fulfillment",
    incident_type: "FULFILLMENT_SLA_DEGRADATION",
    severity: "HIGH",
    confidence: "HIGH",
    detected_at: "2025-02-08",
    incident_window_start: "2025-02-08",
    incident_window_end: "2025-02-14",
    primary_metric: "delivery_delay_rate",
    primary_metric_value: 0.31,
    primary_metric_baseline: 0.06,
    primary_metric_zscore: 5.2,
    supporting_metrics: [
      { metric_name: "avg_delivery_delay_days", value: 4.2, baseline: 2.9, zscore: 3.4 },
      { metric_name: "order_volume", value: 24, baseline: 23, zscore: 0.4 },
    ],
    detection_methods: ["mad_zscore", "isolation_forest"],
    evidence_event_ids: ["late-1", "late-2", "late-3"],
    evidence_event_count: 41,
    data_quality_score: 0.96,
    cascade_id: null,
    causal_chain: {
      chain_id: "chain_fulfillment",
      algorithm_version: "BRE-RCA-v1",
      dependency_graph_version: "business-dag-v1-test",
      causal_window: ["2025-01-25", "2025-02-14"],
      paths: [
        {
          rank: 1,
          overall_score: 2.84,
          nodes: [
            node("supplier_delay_rate", {
              contribution_score: 1.2, metric_value: 0.38, metric_baseline: 0.08, metric_zscore: 4.1, anomaly_window: ["2025-02-03", "2025-02-12"],
              evidence_clusters: [cluster("Vendor AcmeSupplier shipment delays", ["sd-1", "sd-2", "sd-3"], { entity_id: "AcmeSupplier", event_count: 23, summary: "23 delayed shipments from vendor AcmeSupplier averaging 3.8 days late" })],
            }),
            node("fulfillment_backlog", { contribution_score: 0.9, metric_value: 128, metric_baseline: 45, metric_zscore: 3.8, anomaly_window: ["2025-02-05", "2025-02-13"] }),
            node("delivery_delay_rate", {
              contribution_score: 1.7, metric_value: 0.31, metric_baseline: 0.06, metric_zscore: 5.2, anomaly_window: ["2025-02-08", "2025-02-14"],
              evidence_clusters: [cluster("Late orders", ["late-1", "late-2", "late-3"], { entity_type: "order", event_count: 41, summary: "41 late deliveries averaging 4.2 days late" })],
            }),
          ],
        },
        {
          rank: 2,
          overall_score: 1.92,
          nodes: [
            node("order_volume", { contribution_score: 0.6, metric_value: 41, metric_baseline: 22, metric_zscore: 3.2, anomaly_window: ["2025-02-01", "2025-02-04"] }),
            node("fulfillment_backlog", { contribution_score: 0.9, metric_value: 128, metric_baseline: 45, metric_zscore: 3.8, anomaly_window: ["2025-02-05", "2025-02-13"] }),
            node("delivery_delay_rate", { contribution_score: 1.7, metric_value: 0.31, metric_baseline: 0.06, metric_zscore: 5.2, anomaly_window: ["2025-02-08", "2025-02-14"] }),
          ],
        },
      ],
    },
    blast_radius: blast,
    status: "open",
    ...overrides,
  };
}

/** A refund spike whose causal chain is the incident metric alone (no upstream anomaly). */
export function refundIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incident_id: "inc_refund",
    incident_type: "REFUND_SPIKE",
    severity: "MEDIUM",
    confidence: "MEDIUM",
    detected_at: "2025-03-02",
    incident_window_start: "2025-03-02",
    incident_window_end: "2025-03-06",
    primary_metric: "refund_rate",
    primary_metric_value: 0.12,
    primary_metric_baseline: 0.045,
    primary_metric_zscore: 4.6,
    supporting_metrics: [
      { metric_name: "daily_refunds", value: 310, baseline: 105, zscore: 5.1 },
      { metric_name: "daily_revenue", value: 2210, baseline: 2200, zscore: 0.1 },
    ],
    detection_methods: ["mad_zscore"],
    evidence_event_ids: ["r-1", "r-2"],
    evidence_event_count: 48,
    data_quality_score: 1,
    cascade_id: null,
    causal_chain: {
      chain_id: "chain_refund",
      algorithm_version: "BRE-RCA-v0-self",
      dependency_graph_version: "none",
      causal_window: ["2025-03-02", "2025-03-06"],
      paths: [{ rank: 1, overall_score: 1.53, nodes: [node("refund_rate", { contribution_score: 1.53, anomaly_magnitude: 1.53, metric_value: 0.12, metric_baseline: 0.045, metric_zscore: 4.6, anomaly_window: ["2025-03-02", "2025-03-06"] })] }],
    },
    blast_radius: { ...blast, orders_affected: 0, customers_affected: 31, vendors_involved: 0, estimated_revenue_exposure: 1_540, estimated_refund_exposure: 69.3, estimated_churn_exposure: 0, blast_radius_severity: "significant", narrative: "This incident touched 0 orders across 31 customers, with estimated revenue exposure of $1,540 (significant)." },
    status: "open",
    ...overrides,
  };
}
