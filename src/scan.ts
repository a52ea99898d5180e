/**
 * The Reliability Scan: ledger aggregates in, incidents, cascades, monitors and alerts out.
 * Used unchanged by the Worker's queue consumer, the `bre` CLI and the tests.
 *
 * It is a backtest: every day is scored against earlier days only, and an incident's
 * `detected_at` is the first day it fired. Same ledger + config ⇒ same output, apart from
 * `run_id` and the manifest's timings.
 */
import { type AnalysisConfig, type AnalysisContext, analyzeIncidents, DEFAULT_ANALYSIS_CONFIG, type IncidentToAnalyze } from "./analyze/analyze-incidents.ts";
import { computeLayers, type DetectedIncident, DEFAULT_DETECTION_CONFIG, type DetectionConfig, detectIncidents, type LayerSignals, scoreMetrics, type ScoreTable } from "./detect/detect.ts";
import { selectEvidence } from "./detect/evidence.ts";
import { evidenceUpgrade } from "./detect/rules.ts";
import { SCHEMA_VERSION } from "./events/canonical.ts";
import type { EvidenceEvent, EvidenceSource } from "./evidence.ts";
import { stableId } from "./ids.ts";
import { repeatPurchaseDropoffs } from "./metrics/dropoff.ts";
import { computeGoldMetrics, type GoldMetrics, METRIC_SCHEMA_VERSION, type MetricName } from "./metrics/gold.ts";
import type { LedgerSnapshot } from "./metrics/ledger.ts";
import { metricDataQuality } from "./metrics/quality.ts";
import { DailyAggregates } from "./metrics/series.ts";
import { runMonitorLoop } from "./monitors/loop.ts";
import type { Confidence, Incident, Monitor, RunManifest, ScanResult } from "./scan-contract.ts";

export const ENGINE_VERSION = "0.1.0";
export const SCAN_SCHEMA_VERSION = "scan_v1";
/** Most evidence event ids listed on one incident; the count covers them all. */
export const EVIDENCE_LIMIT = 500;

/**
 * What this build of the engine computes. Golden expectations for a capability are checked only
 * once it is on; each capability's issue turns it on when it lands.
 */
export const CAPABILITIES = {
  detection: true,
  layeredDetection: true,
  cascades: true,
  rootCause: true,
  blastRadius: true,
  monitors: true,
  postmortems: true,
} as const;

export interface ScanConfig {
  detection: DetectionConfig;
  /** Cascades, BRE-RCA and blast radius; the defaults when absent. */
  analysis?: AnalysisConfig;
}

export const DEFAULT_SCAN_CONFIG: ScanConfig = { detection: DEFAULT_DETECTION_CONFIG, analysis: DEFAULT_ANALYSIS_CONFIG };

export interface ScanInput {
  companyId: string;
  runId: string;
  ledger: LedgerSnapshot;
  evidence: EvidenceSource;
  /** Last day to scan; defaults to the last day that has events. */
  asOf?: string;
  /** Wall clock for the manifest's timings (the only non-deterministic fields). */
  clock: () => Date;
  config?: ScanConfig;
  /** Monitors stored by earlier scans, with people's edits (disabled, custom threshold): this scan runs them too. */
  monitors?: readonly Monitor[];
}

/** What the scan computed besides the contract JSON: the gold metrics, for storage and pages. */
export interface ScanOutput {
  result: ScanResult;
  days: string[];
  metrics: GoldMetrics;
  /** Layer 1 scores of every metric (values, baselines, z), as detection saw them. */
  scores: ScoreTable;
}

export async function runScan(input: ScanInput): Promise<ScanOutput> {
  if (input.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(input.asOf)) {
    throw new Error(`runScan: asOf must be a day as YYYY-MM-DD, got ${JSON.stringify(input.asOf)}`);
  }
  const startedAt = input.clock();
  const config = input.config ?? DEFAULT_SCAN_CONFIG;
  const { firstDay, lastDay, eventsByType, eventsProcessed } = describeLedger(input.ledger);
  const asOf = input.asOf ?? lastDay;
  const { aggregates, metrics, scores, layers, toAnalyze, analysisContext } = await detectForAnalysis(input, config, firstDay, asOf);
  const { incidents, cascades } = await analyzeIncidents(toAnalyze, analysisContext, config.analysis ?? DEFAULT_ANALYSIS_CONFIG);

  // The closed loop, last: monitors from the assembled incidents (and stored ones), run over the history.
  const loop = runMonitorLoop({ incidents, stored: input.monitors ?? [], days: aggregates.days, metrics, detection: config.detection, aggregates });

  const finishedAt = input.clock();
  const incidentsByType: Record<string, number> = {};
  for (const incident of incidents) incidentsByType[incident.incident_type] = (incidentsByType[incident.incident_type] ?? 0) + 1;
  const manifest: RunManifest = {
    run_id: input.runId,
    company_id: input.companyId,
    engine_version: ENGINE_VERSION,
    schema_versions: { canonical: SCHEMA_VERSION, metrics: METRIC_SCHEMA_VERSION, scan: SCAN_SCHEMA_VERSION },
    config_digest: stableId(JSON.stringify(config)),
    input_digest: stableId(JSON.stringify(input.ledger)),
    as_of: asOf ?? null,
    first_day: firstDay ?? null,
    days_scanned: aggregates.length,
    events_processed: eventsProcessed,
    events_by_type: eventsByType,
    detection_methods_enabled: [...config.detection.methods],
    detection_models: detectionModels(config.detection, layers, incidents),
    incidents_by_type: incidentsByType,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    duration_ms: finishedAt.getTime() - startedAt.getTime(),
  };
  return {
    result: { run_id: input.runId, manifest, incidents, cascades, monitors: loop.monitors, alerts: loop.alerts },
    days: aggregates.days,
    metrics,
    scores,
  };
}

/** What the analysis half of the scan starts from: the detected incidents and the context they are analysed in. */
export interface DetectedForAnalysis {
  aggregates: DailyAggregates;
  metrics: GoldMetrics;
  scores: ScoreTable;
  layers: LayerSignals;
  toAnalyze: IncidentToAnalyze[];
  analysisContext: AnalysisContext;
}

/**
 * The detection half of the scan (metrics, scores, layers, incidents). Exported so that benches can
 * analyse the same detected incidents under several analysis settings without detecting again.
 */
export async function detectForAnalysis(input: ScanInput, config: ScanConfig = input.config ?? DEFAULT_SCAN_CONFIG, firstDay?: string, asOf?: string): Promise<DetectedForAnalysis> {
  if (firstDay === undefined || asOf === undefined) {
    const described = describeLedger(input.ledger);
    firstDay ??= described.firstDay;
    asOf ??= input.asOf ?? described.lastDay;
  }
  const aggregates = new DailyAggregates(input.ledger, firstDay ?? "", asOf ?? "");
  const metrics = computeGoldMetrics(aggregates);
  const scores = scoreMetrics(metrics, config.detection, { days: aggregates.days, aggregates });
  const layers = computeLayers(scores, aggregates.length, config.detection);
  const detected = detectIncidents(scores, aggregates.length, config.detection, layers, { days: aggregates.days, aggregates });

  const toAnalyze: IncidentToAnalyze[] = [];
  for (const found of detected) {
    toAnalyze.push(await buildIncident(found, { input: { ...input, config }, aggregates, metrics, scores, layers }));
  }
  const analysisContext: AnalysisContext = {
    runId: input.runId,
    aggregates,
    metrics,
    scores,
    detection: config.detection,
    evidence: input.evidence,
    dataQuality: (metric: MetricName, from: number, to: number) => metricDataQuality(aggregates, metric, from, to, metrics[metric]).score,
  };
  return { aggregates, metrics, scores, layers, toAnalyze, analysisContext };
}

function describeLedger(ledger: LedgerSnapshot) {
  const eventsByType: Record<string, number> = {};
  let eventsProcessed = 0;
  let firstDay: string | undefined;
  let lastDay: string | undefined;
  for (const row of ledger.daily) {
    if (!row.key.startsWith("n:") || !isEventTypeKey(row.key)) continue;
    const type = row.key.slice(2);
    eventsByType[type] = (eventsByType[type] ?? 0) + row.value;
    eventsProcessed += row.value;
    if (firstDay === undefined || row.day < firstDay) firstDay = row.day;
    if (lastDay === undefined || row.day > lastDay) lastDay = row.day;
  }
  return { firstDay, lastDay, eventsByType: sortKeys(eventsByType), eventsProcessed };
}

const EVENT_TYPE_KEY = /^n:[a-z_]+$/;
function isEventTypeKey(key: string): boolean {
  return EVENT_TYPE_KEY.test(key) && !["n:days_to_pay", "n:days_late", "n:days_delayed", "n:resolution_hours", "n:review_score", "n:days_payable"].includes(key);
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}

interface BuildContext {
  input: ScanInput;
  aggregates: DailyAggregates;
  metrics: GoldMetrics;
  scores: ScoreTable;
  layers: LayerSignals;
}

/** The manifest's account of the layers: what ran, with which settings, and what it contributed. */
function detectionModels(config: DetectionConfig, layers: LayerSignals, incidents: readonly Incident[]) {
  const byConfidence: Record<string, number> = {};
  for (const incident of incidents) byConfidence[incident.confidence] = (byConfidence[incident.confidence] ?? 0) + 1;
  const modelsTrained: Record<string, number> = {};
  for (const [domain, forest] of layers.isolation) modelsTrained[domain] = forest.modelsTrained;
  return {
    mad_zscore: { baseline_days: config.baselineDays, weekly_seasonality_days: config.seasonalityDays, thresholds: "per incident type (3, or 2.5 for churn and satisfaction)" },
    isolation_forest: config.methods.includes("isolation_forest")
      ? { library: "ml-isolation-forest@0.1.0", trees: config.isolationForest.trees, training_days: config.isolationForest.trainingDays, retrain_every_days: config.isolationForest.retrainEveryDays, contamination: config.isolationForest.contamination, seed: config.isolationForest.seed, models_trained_by_domain: modelsTrained }
      : null,
    changepoint: config.methods.includes("changepoint")
      ? { methods: [...config.changepoint.methods], lambda: config.changepoint.lambda, window_days: config.changepoint.windowDays, metrics: [...layers.changes.keys()] }
      : null,
    incidents_by_confidence: byConfidence,
  };
}

/** Confidence one level lower when the primary metric's data quality is below this. */
const LOW_QUALITY = 0.6;
const CONFIDENCE_ORDER: readonly Confidence[] = ["LOW", "MEDIUM", "HIGH", "VERY_HIGH"];

async function buildIncident(found: DetectedIncident, ctx: BuildContext): Promise<IncidentToAnalyze> {
  const days = ctx.aggregates.days;
  const start = days[found.startIndex]!;
  const end = days[found.endIndex]!;
  const incidentId = `inc_${stableId(ctx.input.companyId, found.type, start)}`;
  const selected = await selectEvidence(found.type, ctx.input.evidence, start, end, EVIDENCE_LIMIT);
  const evidence = selected.events;
  const primaryMetric = found.primary.metric;
  const peak = found.peakIndex;
  const supporting = found.rule.supporting.map((name) => {
    const point = ctx.scores.get(name)?.[peak];
    return { metric_name: name, value: round(point?.value ?? null), baseline: round(point?.baseline ?? null), zscore: round(point?.z ?? null) };
  });
  const dq = metricDataQuality(ctx.aggregates, primaryMetric, found.startIndex - 30, found.endIndex, ctx.metrics[primaryMetric]);
  const quality = dq.score;
  // Customers who stopped buying during the window (churn evidence without an event id).
  const droppedCustomers = found.type === "CHURN_ACCELERATION" ? dropoffsIn(ctx.aggregates, found.startIndex, found.endIndex) : [];
  const upgraded = evidenceUpgrade(found.type, found.severity, [...evidence, ...droppedCustomers.map(asCustomerEvidence)], topCustomers(ctx.aggregates, found.startIndex));
  let confidence = found.confidence;
  if (quality < LOW_QUALITY && confidence !== "LOW") confidence = CONFIDENCE_ORDER[CONFIDENCE_ORDER.indexOf(confidence) - 1]!;

  const z = found.primary.z;
  const trigger = found.rule.triggers.find((t) => t.metric === primaryMetric);
  return {
    incident: {
      incident_id: incidentId,
      incident_type: found.type,
      severity: upgraded.severity,
      confidence,
      detected_at: days[found.detectedIndex]!,
      incident_window_start: start,
      incident_window_end: end,
      primary_metric: primaryMetric,
      primary_metric_value: round(found.primary.value),
      primary_metric_baseline: round(found.primary.baseline),
      primary_metric_zscore: round(z),
      supporting_metrics: [...supporting, ...(found.extraSupporting ?? [])],
      detection_methods: found.methods,
      evidence_event_ids: evidence.map((e) => e.event_id),
      evidence_event_count: selected.total,
      data_quality_score: round(quality) ?? 1,
      status: "open",
      needs_review: found.needsReview,
      severity_notes: upgraded.reason ? [upgraded.reason] : [],
      detection_notes: found.notes ?? [],
      detection_layers: {
        mad_zscore: found.layers.madZscore,
        isolation_forest: found.layers.isolationForest
          ? { day: days[found.layers.isolationForest.dayIndex]!, score: round(found.layers.isolationForest.score), threshold: round(found.layers.isolationForest.threshold) }
          : null,
        changepoint: found.layers.changepoint
          ? {
              metric_name: found.layers.changepoint.metric,
              method: found.layers.changepoint.method,
              detected_on: days[found.layers.changepoint.dayIndex]!,
              regime_start: days[found.layers.changepoint.changeIndex]!,
              mean_before: round(found.layers.changepoint.before),
              mean_after: round(found.layers.changepoint.after),
            }
          : null,
      },
      data_quality: {
        score: round(dq.score),
        completeness: round(dq.completeness),
        consistency: round(dq.consistency),
        timeliness: round(dq.timeliness),
        coverage: round(dq.coverage),
        advisory: dq.advisory,
      },
      ...(found.type === "CHURN_ACCELERATION" ? { dropped_off_customer_ids: droppedCustomers.slice(0, EVIDENCE_LIMIT) } : {}),
    },
    rca: {
      incidentId,
      type: found.type,
      primaryMetric,
      direction: trigger?.direction === "down" ? -1 : 1,
      primary: { value: found.primary.value, baseline: found.primary.baseline, z },
      startIndex: found.anomalyStartIndex ?? found.startIndex,
      endIndex: found.endIndex,
      peakIndex: found.peakIndex,
      triggers: found.rule.triggers
        .filter((t) => Number.isFinite(t.zThreshold))
        .map((t) => ({ metric: t.metric, direction: t.direction === "down" ? -1 : 1, threshold: ctx.input.config?.detection.zThresholds[found.type] ?? t.zThreshold })),
    },
  };
}

/** Customers whose repeat purchasing stopped (drop-off day) within days [from, to]. */
function dropoffsIn(aggregates: DailyAggregates, from: number, to: number): string[] {
  const { dropped } = repeatPurchaseDropoffs(aggregates);
  return [...new Set(dropped.slice(from, to + 1).flat())].sort();
}

function asCustomerEvidence(customerId: string): EvidenceEvent {
  return { event_id: `dropoff:${customerId}`, event_type: "customer_churned", event_time: "", entity_type: "customer", entity_id: customerId, related_entity_ids: { customer_id: customerId }, amount: null, attributes: {} };
}

/** The top 10 % of customers by revenue over the 90 days before day `before` (at least one). */
function topCustomers(aggregates: DailyAggregates, before: number): Set<string> {
  const totals = new Map<string, number>();
  for (let i = Math.max(0, before - 90); i < before; i++) {
    for (const [customer, revenue] of aggregates.customerRevenue[i]!) totals.set(customer, (totals.get(customer) ?? 0) + revenue);
  }
  const ranked = [...totals].filter(([, r]) => r > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return new Set(ranked.slice(0, Math.max(1, Math.ceil(ranked.length * 0.1))).map(([c]) => c));
}

function sumRange(values: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let i = Math.max(0, from); i <= to && i < values.length; i++) total += values[i]!;
  return total;
}

/** Six significant decimals keep the JSON readable and stable across platforms. */
export function round(value: number | null | undefined): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  return Math.round(value * 1e6) / 1e6;
}
