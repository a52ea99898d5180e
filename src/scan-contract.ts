/**
 * The JSON a scan produces: printed by `bre scan --json`, stored by the Worker, served by the API.
 * DESIGN.md fixes its shape ("The scan command"); outside checks rely on it, so fields are only
 * ever added, never renamed or removed.
 */
import { z } from "zod";

export const INCIDENT_TYPES = [
  "REFUND_SPIKE",
  "FULFILLMENT_SLA_DEGRADATION",
  "SUPPORT_LOAD_SURGE",
  "CHURN_ACCELERATION",
  "MARGIN_COMPRESSION",
  "LIQUIDITY_CRUNCH_RISK",
  "SUPPLIER_DEPENDENCY_FAILURE",
  "CUSTOMER_SATISFACTION_REGRESSION",
] as const;
export type IncidentType = (typeof INCIDENT_TYPES)[number];

export const SEVERITIES = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const CONFIDENCES = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"] as const;
export type Confidence = (typeof CONFIDENCES)[number];
export const DETECTION_METHODS = ["mad_zscore", "isolation_forest", "changepoint"] as const;
export type DetectionMethod = (typeof DETECTION_METHODS)[number];

/** Calendar days are `YYYY-MM-DD` (UTC): the engine works in whole days. */
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const evidenceClusterSchema = z.object({
  cluster_label: z.string(),
  event_count: z.number().int(),
  event_ids: z.array(z.string()),
  entity_type: z.string(),
  entity_id: z.string().nullable(),
  total_amount: z.number().nullable(),
  summary: z.string(),
});
export type EvidenceCluster = z.infer<typeof evidenceClusterSchema>;

export const causalNodeSchema = z
  .object({
    metric_name: z.string(),
    contribution_score: z.number(),
    anomaly_magnitude: z.number(),
    temporal_precedence: z.number(),
    graph_proximity: z.number(),
    data_quality_weight: z.number(),
    metric_value: z.number().nullable(),
    metric_baseline: z.number().nullable(),
    metric_zscore: z.number().nullable(),
    anomaly_window: z.tuple([day, day]).nullable(),
    evidence_clusters: z.array(evidenceClusterSchema),
    /** Added by BRE-RCA-v1: where the node sits on its path and how its precedence was found. */
    role: z.enum(["root_cause", "intermediate", "incident"]).optional(),
    path_length: z.number().int().optional(),
    lag_days: z.number().int().optional(),
    cross_correlation: z.number().optional(),
    onset_day: day.nullable().optional(),
  })
  .passthrough();
export type CausalNode = z.infer<typeof causalNodeSchema>;

export const causalPathSchema = z.object({
  rank: z.number().int().positive(),
  overall_score: z.number(),
  nodes: z.array(causalNodeSchema).min(1),
  /** The DAG route the path follows, including metrics on the way that were not anomalous. */
  dag_path: z.array(z.string()).optional(),
});
export type CausalPath = z.infer<typeof causalPathSchema>;

export const rootCauseSchema = z.object({
  rank: z.number().int().positive(),
  metric_name: z.string(),
  best_path_score: z.number(),
});

/** An upstream metric as BRE-RCA scored it, listed so every number can be checked. */
export const rcaCandidateSchema = z
  .object({
    metric_name: z.string(),
    path_length: z.number().int(),
    expected_direction: z.union([z.literal(1), z.literal(-1)]),
    anomalous: z.boolean(),
    peak_zscore: z.number().nullable(),
    peak_day: day.nullable(),
    onset_day: day.nullable(),
    /** Null when the metric was not anomalous (it cannot contribute, so no lag was searched). */
    lag_days: z.number().int().nullable(),
    cross_correlation: z.number().nullable(),
    anomaly_magnitude: z.number(),
    temporal_precedence: z.number(),
    graph_proximity: z.number(),
    data_quality_weight: z.number(),
    contribution_score: z.number(),
  })
  .passthrough();
export type RcaCandidate = z.infer<typeof rcaCandidateSchema>;

export const causalChainSchema = z
  .object({
    chain_id: z.string(),
    algorithm_version: z.string(),
    dependency_graph_version: z.string(),
    causal_window: z.tuple([day, day]),
    paths: z.array(causalPathSchema),
    incident_id: z.string().optional(),
    run_id: z.string().optional(),
    lookback_days: z.number().int().optional(),
    /** The incident's primary metric (the first path node names the DAG node it stands for). */
    incident_metric: z.string().optional(),
    /** Distinct root causes in the order of their best path. */
    root_causes: z.array(rootCauseSchema).optional(),
    candidates: z.array(rcaCandidateSchema).optional(),
  })
  .passthrough();
export type CausalChain = z.infer<typeof causalChainSchema>;

export const blastRadiusSchema = z
  .object({
    customers_affected: z.number().int(),
    orders_affected: z.number().int(),
    products_affected: z.number().int(),
    vendors_involved: z.number().int(),
    estimated_revenue_exposure: z.number(),
    estimated_refund_exposure: z.number(),
    estimated_churn_exposure: z.number().int(),
    downstream_incidents_triggered: z.array(z.string()),
    blast_radius_severity: z.enum(["contained", "significant", "severe", "catastrophic"]),
    narrative: z.string(),
    invoices_affected: z.number().int().optional(),
    /** Revenue of the 30 days ending at the window end: the severity's denominator. */
    monthly_revenue: z.number().optional(),
    revenue_exposure_share: z.number().nullable().optional(),
  })
  .passthrough();
export type BlastRadius = z.infer<typeof blastRadiusSchema>;

export const causalGraphSchema = z.object({
  incident_id: z.string(),
  incident_type: z.string(),
  nodes: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      role: z.enum(["root_cause", "intermediate", "incident", "mediator"]),
      zscore: z.number().nullable(),
      contribution_score: z.number().nullable(),
      anomaly_window: z.tuple([day, day]).nullable(),
      best_path_rank: z.number().int(),
      on_top_path: z.boolean(),
      parentIds: z.array(z.string()),
    }),
  ),
  edges: z.array(
    z.object({
      id: z.string(),
      source: z.string(),
      target: z.string(),
      sign: z.union([z.literal(1), z.literal(-1)]),
      path_ranks: z.array(z.number().int()),
      on_top_path: z.boolean(),
    }),
  ),
});
export type CausalGraphView = z.infer<typeof causalGraphSchema>;

export const supportingMetricSchema = z.object({
  metric_name: z.string(),
  value: z.number().nullable(),
  baseline: z.number().nullable(),
  zscore: z.number().nullable(),
});

export const incidentSchema = z
  .object({
    incident_id: z.string(),
    incident_type: z.enum(INCIDENT_TYPES),
    severity: z.enum(SEVERITIES),
    confidence: z.enum(CONFIDENCES),
    detected_at: day,
    incident_window_start: day,
    incident_window_end: day,
    primary_metric: z.string(),
    primary_metric_value: z.number().nullable(),
    primary_metric_baseline: z.number().nullable(),
    primary_metric_zscore: z.number().nullable(),
    supporting_metrics: z.array(supportingMetricSchema),
    detection_methods: z.array(z.enum(DETECTION_METHODS)).min(1),
    evidence_event_ids: z.array(z.string()),
    evidence_event_count: z.number().int(),
    data_quality_score: z.number().min(0).max(1),
    cascade_id: z.string().nullable(),
    causal_chain: causalChainSchema,
    blast_radius: blastRadiusSchema,
    status: z.enum(["open", "acknowledged", "resolved"]),
    /** The causal chain as nodes and edges ready to draw (also `GET /v1/incidents/{id}/graph`). */
    causal_graph: causalGraphSchema.optional(),
  })
  .passthrough();
export type Incident = z.infer<typeof incidentSchema>;

export const cascadeLinkSchema = z.object({
  from_incident_id: z.string(),
  to_incident_id: z.string(),
  cascade_score: z.number(),
  temporal_weight: z.number(),
  entity_overlap: z.number(),
  /** The entity kind the overlap was measured on; null when the incidents shared none. */
  overlap_entity_type: z.string().nullable(),
  causal_plausibility: z.union([z.literal(0), z.literal(1)]),
  gap_days: z.number().int(),
});

export const cascadeSchema = z
  .object({
    cascade_id: z.string(),
    root_incident_id: z.string(),
    incident_ids: z.array(z.string()).min(2),
    cascade_path: z.array(z.string()).min(2),
    cascade_score: z.number(),
    detected_at: day,
    /** Each incident's link to the incident it came from (a tree rooted at `root_incident_id`). */
    links: z.array(cascadeLinkSchema).optional(),
    /** The union of the member incidents' blast radii. */
    total_blast_radius: blastRadiusSchema.optional(),
  })
  .passthrough();
export type Cascade = z.infer<typeof cascadeSchema>;

export const monitorSchema = z
  .object({
    monitor_id: z.string(),
    name: z.string(),
    description: z.string(),
    source_incident_id: z.string(),
    metric_name: z.string(),
    condition: z.string(),
    baseline_window_days: z.number().int(),
    check_frequency: z.string(),
    severity_if_triggered: z.enum(SEVERITIES),
    enabled: z.boolean(),
    created_at: day,
    alert_message_template: z.string(),
  })
  .passthrough();
export type Monitor = z.infer<typeof monitorSchema>;

export const monitorAlertSchema = z
  .object({
    alert_id: z.string(),
    monitor_id: z.string(),
    triggered_at: day,
    metric_name: z.string(),
    current_value: z.number(),
    baseline_value: z.number(),
    threshold: z.string(),
    severity: z.enum(SEVERITIES),
    message: z.string(),
    related_incident_id: z.string(),
    status: z.enum(["active", "acknowledged", "dismissed"]),
  })
  .passthrough();
export type MonitorAlert = z.infer<typeof monitorAlertSchema>;

export const manifestSchema = z
  .object({
    run_id: z.string(),
    company_id: z.string(),
    engine_version: z.string(),
    schema_versions: z.object({ canonical: z.string(), metrics: z.string(), scan: z.string() }),
    config_digest: z.string(),
    input_digest: z.string(),
    as_of: day.nullable(),
    first_day: day.nullable(),
    days_scanned: z.number().int(),
    events_processed: z.number().int(),
    events_by_type: z.record(z.string(), z.number()),
    detection_methods_enabled: z.array(z.enum(DETECTION_METHODS)),
    incidents_by_type: z.record(z.string(), z.number()),
    started_at: z.string(),
    finished_at: z.string(),
    duration_ms: z.number(),
  })
  .passthrough();
export type RunManifest = z.infer<typeof manifestSchema>;

export const scanResultSchema = z.object({
  run_id: z.string(),
  manifest: manifestSchema,
  incidents: z.array(incidentSchema),
  cascades: z.array(cascadeSchema),
  monitors: z.array(monitorSchema),
  alerts: z.array(monitorAlertSchema),
});
export type ScanResult = z.infer<typeof scanResultSchema>;
