/**
 * The Reliability Scan: ledger aggregates in, incidents, cascades, monitors and alerts out.
 * Used unchanged by the Worker's queue consumer, the `bre` CLI and the tests.
 *
 * It is a backtest: every day is scored against earlier days only, and an incident's
 * `detected_at` is the first day it fired. Same ledger + config ⇒ same output, apart from
 * `run_id` and the manifest's timings.
 */
import { computeBlastRadius } from "./analyze/blast-radius.ts";
import { type DetectedIncident, DEFAULT_DETECTION_CONFIG, type DetectionConfig, detectIncidents, scoreMetrics, type ScoreTable } from "./detect/detect.ts";
import { SCHEMA_VERSION, type EventType } from "./events/canonical.ts";
import type { EvidenceEvent, EvidenceSource } from "./evidence.ts";
import { stableId } from "./ids.ts";
import { computeGoldMetrics, type GoldMetrics, METRIC_SCHEMA_VERSION, METRICS_BY_NAME } from "./metrics/gold.ts";
import type { LedgerSnapshot } from "./metrics/ledger.ts";
import { DailyAggregates } from "./metrics/series.ts";
import type { CausalChain, Incident, RunManifest, ScanResult } from "./scan-contract.ts";

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
  layeredDetection: false,
  cascades: false,
  rootCause: false,
  blastRadius: false,
  monitors: false,
  postmortems: false,
} as const;

export interface ScanConfig {
  detection: DetectionConfig;
}

export const DEFAULT_SCAN_CONFIG: ScanConfig = { detection: DEFAULT_DETECTION_CONFIG };

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
}

/** What the scan computed besides the contract JSON: the gold metrics, for storage and pages. */
export interface ScanOutput {
  result: ScanResult;
  days: string[];
  metrics: GoldMetrics;
}

export async function runScan(input: ScanInput): Promise<ScanOutput> {
  if (input.asOf !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(input.asOf)) {
    throw new Error(`runScan: asOf must be a day as YYYY-MM-DD, got ${JSON.stringify(input.asOf)}`);
  }
  const startedAt = input.clock();
  const config = input.config ?? DEFAULT_SCAN_CONFIG;
  const { firstDay, lastDay, eventsByType, eventsProcessed } = describeLedger(input.ledger);
  const asOf = input.asOf ?? lastDay;
  const aggregates = new DailyAggregates(input.ledger, firstDay ?? "", asOf ?? "");
  const metrics = computeGoldMetrics(aggregates);
  const scores = scoreMetrics(metrics, config.detection);
  const detected = detectIncidents(scores, aggregates.length, config.detection);

  const incidents: Incident[] = [];
  for (const found of detected) {
    incidents.push(await buildIncident(found, { input, aggregates, metrics, scores }));
  }

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
    incidents_by_type: incidentsByType,
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
    duration_ms: finishedAt.getTime() - startedAt.getTime(),
  };
  return {
    result: { run_id: input.runId, manifest, incidents, cascades: [], monitors: [], alerts: [] },
    days: aggregates.days,
    metrics,
  };
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
}

async function buildIncident(found: DetectedIncident, ctx: BuildContext): Promise<Incident> {
  const days = ctx.aggregates.days;
  const start = days[found.startIndex]!;
  const end = days[found.endIndex]!;
  const incidentId = `inc_${stableId(ctx.input.companyId, found.type, start)}`;
  const evidence = await ctx.input.evidence.events({ types: found.rule.evidence, from: start, to: end, limit: EVIDENCE_LIMIT });
  const evidenceCount = countEvents(ctx.aggregates, found.rule.evidence, found.startIndex, found.endIndex);
  const primaryMetric = found.primary.metric;
  const peak = found.peakIndex;
  const supporting = found.rule.supporting.map((name) => {
    const point = ctx.scores.get(name)?.[peak];
    return { metric_name: name, value: round(point?.value ?? null), baseline: round(point?.baseline ?? null), zscore: round(point?.z ?? null) };
  });
  const quality = dataQuality(ctx.aggregates, primaryMetric, Math.max(0, found.startIndex - 30), found.endIndex);
  const z = found.primary.z;
  const causalChain: CausalChain = {
    chain_id: `chain_${stableId(incidentId)}`,
    algorithm_version: "BRE-RCA-v0-self",
    dependency_graph_version: "none",
    causal_window: [start, end],
    paths: [
      {
        rank: 1,
        overall_score: round(Math.min(Math.abs(z ?? 3) / 3, 3)) ?? 1,
        nodes: [
          {
            metric_name: primaryMetric,
            contribution_score: round(Math.min(Math.abs(z ?? 3) / 3, 3)) ?? 1,
            anomaly_magnitude: round(Math.min(Math.abs(z ?? 3) / 3, 3)) ?? 1,
            temporal_precedence: 1,
            graph_proximity: 1,
            data_quality_weight: round(quality) ?? 1,
            metric_value: round(found.primary.value),
            metric_baseline: round(found.primary.baseline),
            metric_zscore: round(z),
            anomaly_window: [start, end],
            evidence_clusters: [],
          },
        ],
      },
    ],
  };
  const windowEnd = found.endIndex;
  const monthlyRevenue = sumRange(ctx.aggregates.column("sum:revenue"), Math.max(0, windowEnd - 29), windowEnd);
  const baselineRefundRate = ctx.metrics.refund_rate[found.startIndex - 1] ?? 0;
  return {
    incident_id: incidentId,
    incident_type: found.type,
    severity: found.severity,
    confidence: "MEDIUM",
    detected_at: days[found.detectedIndex]!,
    incident_window_start: start,
    incident_window_end: end,
    primary_metric: primaryMetric,
    primary_metric_value: round(found.primary.value),
    primary_metric_baseline: round(found.primary.baseline),
    primary_metric_zscore: round(z),
    supporting_metrics: supporting,
    detection_methods: found.methods,
    evidence_event_ids: evidence.map((e) => e.event_id),
    evidence_event_count: evidenceCount,
    data_quality_score: round(quality) ?? 1,
    cascade_id: null,
    causal_chain: causalChain,
    blast_radius: computeBlastRadius({
      evidence: evidence as EvidenceEvent[],
      monthlyRevenue,
      baselineRefundRate: baselineRefundRate ?? 0,
      downstreamIncidentIds: [],
    }),
    status: "open",
  };
}

function countEvents(aggregates: DailyAggregates, types: readonly EventType[], from: number, to: number): number {
  let total = 0;
  for (const type of types) total += sumRange(aggregates.column(`n:${type}`), from, to);
  return total;
}

/** Share of the metric's source events without data-quality flags, over days [from, to]. */
function dataQuality(aggregates: DailyAggregates, metric: string, from: number, to: number): number {
  const definition = METRICS_BY_NAME.get(metric as never);
  if (!definition) return 1;
  let events = 0;
  let flagged = 0;
  for (const type of definition.sources) {
    events += sumRange(aggregates.column(`n:${type}`), from, to);
    flagged += sumRange(aggregates.column(`dq:${type}`), from, to);
  }
  return events === 0 ? 1 : 1 - flagged / events;
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
