/**
 * D1 tables (silver/gold): what scans and ingestion produce, queried by the API and pages.
 * Migrations are generated from this file with `npm run db:generate` (drizzle-kit) into
 * migrations/d1 and applied with `wrangler d1 migrations apply DB`.
 */
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const companies = sqliteTable("companies", {
  companyId: text("company_id").primaryKey(),
  createdAt: text("created_at").notNull(),
  /** The newest completed scan: incidents listed are the ones it found. */
  latestRunId: text("latest_run_id"),
  latestRunAt: text("latest_run_at"),
});

export const ingestJobs = sqliteTable(
  "ingest_jobs",
  {
    jobId: text("job_id").primaryKey(),
    batchId: text("batch_id").notNull(),
    companyId: text("company_id").notNull(),
    kind: text("kind", { enum: ["upload", "qbo"] }).notNull(),
    status: text("status", { enum: ["running", "completed", "failed"] }).notNull(),
    format: text("format"),
    bytes: integer("bytes"),
    sha256: text("sha256"),
    bronzeKey: text("bronze_key"),
    records: integer("records").notNull().default(0),
    accepted: integer("accepted").notNull().default(0),
    duplicates: integer("duplicates").notNull().default(0),
    rejected: integer("rejected").notNull().default(0),
    /** The first rejections, as JSON (`rejections_truncated` says when there were more). */
    rejectionsJson: text("rejections_json").notNull().default("[]"),
    rejectionsTruncated: integer("rejections_truncated", { mode: "boolean" }).notNull().default(false),
    error: text("error"),
    requestId: text("request_id"),
    startedAt: text("started_at").notNull(),
    finishedAt: text("finished_at"),
  },
  (t) => [index("ingest_jobs_company").on(t.companyId, t.startedAt)],
);

export const qualityReports = sqliteTable("quality_reports", {
  batchId: text("batch_id").primaryKey(),
  jobId: text("job_id").notNull(),
  companyId: text("company_id").notNull(),
  source: text("source").notNull(),
  overall: real("overall").notNull(),
  reportJson: text("report_json").notNull(),
  createdAt: text("created_at").notNull(),
});

export const scanRuns = sqliteTable(
  "scan_runs",
  {
    runId: text("run_id").primaryKey(),
    companyId: text("company_id").notNull(),
    status: text("status", { enum: ["queued", "running", "completed", "failed"] }).notNull(),
    trigger: text("trigger", { enum: ["api", "cron", "seed"] }).notNull(),
    asOf: text("as_of"),
    requestId: text("request_id"),
    requestedAt: text("requested_at").notNull(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    incidentCount: integer("incident_count"),
    manifestJson: text("manifest_json"),
  },
  (t) => [index("scan_runs_company").on(t.companyId, t.requestedAt)],
);

export const goldMetrics = sqliteTable(
  "gold_metrics",
  {
    companyId: text("company_id").notNull(),
    metric: text("metric").notNull(),
    day: text("day").notNull(),
    value: real("value"),
    /** The detector's view of the day: expected value (baseline), robust scale σ̂ and z-score (null when not scored). */
    expected: real("expected"),
    scale: real("scale"),
    zscore: real("zscore"),
    metricSchemaVersion: text("metric_schema_version").notNull(),
    runId: text("run_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.companyId, t.metric, t.day] })],
);

export const incidents = sqliteTable(
  "incidents",
  {
    incidentId: text("incident_id").primaryKey(),
    companyId: text("company_id").notNull(),
    /** The newest run that found this incident. */
    runId: text("run_id").notNull(),
    firstRunId: text("first_run_id").notNull(),
    incidentType: text("incident_type").notNull(),
    severity: text("severity").notNull(),
    confidence: text("confidence").notNull(),
    detectedAt: text("detected_at").notNull(),
    windowStart: text("window_start").notNull(),
    windowEnd: text("window_end").notNull(),
    primaryMetric: text("primary_metric").notNull(),
    cascadeId: text("cascade_id"),
    /** Set by people (PATCH); scans never overwrite it. */
    status: text("status", { enum: ["open", "acknowledged", "resolved"] }).notNull().default("open"),
    /** The incident exactly as the scan produced it (the `bre scan` JSON). */
    bodyJson: text("body_json").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("incidents_company_run").on(t.companyId, t.runId, t.detectedAt)],
);

/**
 * QuickBooks connections: which company a realm feeds, and how it is doing. Tokens are not
 * here: they live encrypted in the realm's Durable Object (QboRealm).
 */
export const qboConnections = sqliteTable(
  "qbo_connections",
  {
    realmId: text("realm_id").primaryKey(),
    companyId: text("company_id").notNull(),
    status: text("status", { enum: ["connected", "stale", "disconnected"] }).notNull(),
    environment: text("environment").notNull(),
    connectedAt: text("connected_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    lastWebhookAt: text("last_webhook_at"),
    lastSyncAt: text("last_sync_at"),
    lastSweepAt: text("last_sweep_at"),
    backfillStatus: text("backfill_status", { enum: ["pending", "running", "done", "failed"] }).notNull().default("pending"),
    /** Entity types whose backfill pages are all processed, comma-separated. */
    backfillDone: text("backfill_done").notNull().default(""),
    lastError: text("last_error"),
    lastErrorAt: text("last_error_at"),
  },
  (t) => [index("qbo_connections_company").on(t.companyId)],
);

/** Single-use nonces of the OAuth `state` parameter (CSRF): a state is accepted once. */
export const qboOauthStates = sqliteTable("qbo_oauth_states", {
  nonce: text("nonce").primaryKey(),
  companyId: text("company_id").notNull(),
  expiresAt: text("expires_at").notNull(),
  usedAt: text("used_at"),
});

export const cascades = sqliteTable(
  "cascades",
  {
    cascadeId: text("cascade_id").primaryKey(),
    companyId: text("company_id").notNull(),
    /** The newest run that found this cascade. */
    runId: text("run_id").notNull(),
    rootIncidentId: text("root_incident_id").notNull(),
    detectedAt: text("detected_at").notNull(),
    cascadeScore: real("cascade_score").notNull(),
    /** The cascade exactly as the scan produced it (the `bre scan` JSON). */
    bodyJson: text("body_json").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("cascades_company_run").on(t.companyId, t.runId, t.detectedAt)],
);

/**
 * Prevention monitors. Scans upsert the generated fields (`body_json`); `enabled` and
 * `threshold_z` belong to people (PATCH /v1/monitors/{id}) and are never overwritten by a scan.
 */
export const monitors = sqliteTable(
  "monitors",
  {
    monitorId: text("monitor_id").primaryKey(),
    companyId: text("company_id").notNull(),
    metricName: text("metric_name").notNull(),
    direction: text("direction", { enum: ["up", "down"] }).notNull(),
    sourceIncidentId: text("source_incident_id").notNull(),
    createdAt: text("created_at").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    thresholdZ: real("threshold_z").notNull(),
    /** When a person last changed enabled or threshold_z (null: as generated). */
    editedAt: text("edited_at"),
    /** The monitor as the latest scan produced it (the `bre scan` JSON). */
    bodyJson: text("body_json").notNull(),
    /** The newest scan that listed it. */
    runId: text("run_id").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("monitors_company").on(t.companyId, t.createdAt)],
);

/** Monitor alerts. Scans upsert them by id; `status` belongs to people (acknowledge, dismiss). */
export const monitorAlerts = sqliteTable(
  "monitor_alerts",
  {
    alertId: text("alert_id").primaryKey(),
    companyId: text("company_id").notNull(),
    monitorId: text("monitor_id").notNull(),
    triggeredAt: text("triggered_at").notNull(),
    metricName: text("metric_name").notNull(),
    severity: text("severity").notNull(),
    /** The incident this alert came ahead of, when one followed. */
    precededIncidentId: text("preceded_incident_id"),
    status: text("status", { enum: ["active", "acknowledged", "dismissed"] }).notNull().default("active"),
    statusChangedAt: text("status_changed_at"),
    bodyJson: text("body_json").notNull(),
    runId: text("run_id").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("monitor_alerts_company").on(t.companyId, t.triggeredAt), index("monitor_alerts_preceded").on(t.precededIncidentId)],
);

/** Incident comparisons (POST /v1/compare), kept so they can be fetched and shared by id. */
export const comparisons = sqliteTable(
  "comparisons",
  {
    comparisonId: text("comparison_id").primaryKey(),
    companyId: text("company_id").notNull(),
    incidentAId: text("incident_a_id").notNull(),
    incidentBId: text("incident_b_id").notNull(),
    bodyJson: text("body_json").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("comparisons_company").on(t.companyId, t.createdAt)],
);

/** What-if scenarios (POST /v1/simulate) and their results. */
export const simulations = sqliteTable(
  "simulations",
  {
    scenarioId: text("scenario_id").primaryKey(),
    companyId: text("company_id").notNull(),
    /** The scan whose gold metrics the scenario started from. */
    runId: text("run_id").notNull(),
    requestJson: text("request_json").notNull(),
    bodyJson: text("body_json").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("simulations_company").on(t.companyId, t.createdAt)],
);

export * from "./visibility.ts";
