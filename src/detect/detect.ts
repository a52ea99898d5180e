/**
 * The detection walk: day by day, each day scored against a baseline of earlier days only, and
 * consecutive anomalous days merged into one incident window. `detected_at` is the first day a
 * rule fired, which is when a daily scan running on that day would have raised it.
 */
import type { MetricDefinition, MetricName, GoldMetrics } from "../metrics/gold.ts";
import { METRICS_BY_NAME } from "../metrics/gold.ts";
import type { MetricSeries } from "../metrics/series.ts";
import type { DetectionMethod, IncidentType, Severity } from "../scan-contract.ts";
import { robustBaseline } from "./mad.ts";
import { median } from "./median.ts";
import { INCIDENT_RULES, type IncidentRule, maxSeverity, severityForZ, upgrade } from "./rules.ts";

export interface DetectionConfig {
  /** Trailing days in the baseline (the day itself excluded). */
  baselineDays: number;
  /** Fewest non-missing baseline values needed to score a day. */
  minBaselineValues: number;
  /** Quiet days allowed inside one incident window before it closes. */
  mergeGapDays: number;
  /** Per-type override of the trigger thresholds. */
  zThresholds: Partial<Record<IncidentType, number>>;
  /** Detection layers to run (the ablation switches them off one by one). MAD always runs. */
  methods: readonly DetectionMethod[];
}

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  baselineDays: 30,
  minBaselineValues: 14,
  mergeGapDays: 1,
  zThresholds: {},
  methods: ["mad_zscore"],
};

/** Smallest σ-scale per unit, so a near-constant baseline does not make noise look infinite. */
const UNIT_SCALE_FLOOR: Record<MetricDefinition["unit"], number> = {
  USD: 1,
  ratio: 0.002,
  count: 1,
  days: 0.1,
  hours: 0.5,
  score: 0.02,
  "score/day": 0.005,
};
/** …and never below 2 % of the baseline median. */
const RELATIVE_SCALE_FLOOR = 0.02;

export interface PointScore {
  value: number | null;
  baseline: number | null;
  z: number | null;
}

/** Modified z-score of each day against its trailing baseline (`null` where it cannot be scored). */
export function madScores(metric: MetricName, series: MetricSeries, config: DetectionConfig): PointScore[] {
  const unit = METRICS_BY_NAME.get(metric)?.unit ?? "count";
  const out: PointScore[] = [];
  for (let i = 0; i < series.length; i++) {
    const value = series[i] ?? null;
    const window: number[] = [];
    for (let j = Math.max(0, i - config.baselineDays); j < i; j++) {
      const v = series[j];
      if (v !== null && v !== undefined) window.push(v);
    }
    if (value === null || window.length < config.minBaselineValues) {
      out.push({ value, baseline: null, z: null });
      continue;
    }
    const floor = Math.max(UNIT_SCALE_FLOOR[unit], RELATIVE_SCALE_FLOOR * Math.abs(median(window)));
    const { median: center, scale } = robustBaseline(window, floor);
    out.push({ value, baseline: center, z: (value - center) / scale });
  }
  return out;
}

export interface FiredTrigger {
  metric: MetricName;
  value: number | null;
  baseline: number | null;
  z: number | null;
}

/** One detected incident before evidence and analysis are attached. */
export interface DetectedIncident {
  type: IncidentType;
  rule: IncidentRule;
  detectedIndex: number;
  startIndex: number;
  endIndex: number;
  /** The day and trigger with the largest |z| in the window. */
  peakIndex: number;
  primary: FiredTrigger;
  severity: Severity;
  methods: DetectionMethod[];
}

export type ScoreTable = Map<MetricName, PointScore[]>;

/** Scores every metric any rule or supporting list needs. */
export function scoreMetrics(metrics: GoldMetrics, config: DetectionConfig): ScoreTable {
  const names = new Set<MetricName>();
  for (const rule of INCIDENT_RULES) {
    for (const t of rule.triggers) names.add(t.metric);
    for (const m of rule.supporting) names.add(m);
  }
  const table: ScoreTable = new Map();
  for (const name of names) table.set(name, madScores(name, metrics[name], config));
  return table;
}

/** Which triggers of a rule fire on day i. */
export function firedTriggers(rule: IncidentRule, scores: ScoreTable, i: number, config: DetectionConfig): FiredTrigger[] {
  const fired: FiredTrigger[] = [];
  for (const trigger of rule.triggers) {
    const point = scores.get(trigger.metric)?.[i];
    if (!point || point.value === null) continue;
    const threshold = Number.isFinite(trigger.zThreshold)
      ? (config.zThresholds[rule.type] ?? trigger.zThreshold)
      : trigger.zThreshold;
    const z = point.z;
    const byZ = z !== null && (trigger.direction === "up" ? z > threshold : z < -threshold);
    const abs = trigger.absolute;
    const byAbsolute =
      abs !== undefined &&
      ((abs.below !== undefined && point.value < abs.below) || (abs.above !== undefined && point.value > abs.above));
    if (byZ || byAbsolute) fired.push({ metric: trigger.metric, value: point.value, baseline: point.baseline, z });
  }
  return fired;
}

/**
 * Walks the days in order and merges runs of firing days (allowing `mergeGapDays` quiet days
 * inside a run) into incidents. Only days ≥ `firstScoredIndex` can open an incident.
 */
export function detectIncidents(scores: ScoreTable, dayCount: number, config: DetectionConfig): DetectedIncident[] {
  const incidents: DetectedIncident[] = [];
  for (const rule of INCIDENT_RULES) {
    let open: DetectedIncident | null = null;
    let lastFired = -Infinity;
    let peakAbsZ = -Infinity;
    for (let i = 0; i < dayCount; i++) {
      const fired = firedTriggers(rule, scores, i, config);
      if (fired.length === 0) {
        if (open && i - lastFired > config.mergeGapDays) {
          incidents.push(open);
          open = null;
        }
        continue;
      }
      const strongest = fired.reduce((a, b) => (Math.abs(b.z ?? 0) > Math.abs(a.z ?? 0) ? b : a));
      const absZ = Math.abs(strongest.z ?? 0);
      const severity = severityOf(rule, fired, scores, i);
      if (!open) {
        open = {
          type: rule.type,
          rule,
          detectedIndex: i,
          startIndex: i,
          endIndex: i,
          peakIndex: i,
          primary: strongest,
          severity,
          methods: ["mad_zscore"],
        };
        peakAbsZ = absZ;
      } else {
        open.endIndex = i;
        open.severity = maxSeverity(open.severity, severity);
        if (absZ > peakAbsZ) {
          peakAbsZ = absZ;
          open.peakIndex = i;
          open.primary = strongest;
        }
      }
      lastFired = i;
    }
    if (open) incidents.push(open);
  }
  return incidents.sort((a, b) => a.detectedIndex - b.detectedIndex || a.type.localeCompare(b.type));
}

function severityOf(rule: IncidentRule, fired: FiredTrigger[], scores: ScoreTable, i: number): Severity {
  const absZ = Math.max(...fired.map((f) => (f.z === null ? 3 : Math.abs(f.z))));
  let severity = severityForZ(absZ);
  switch (rule.type) {
    case "REFUND_SPIKE":
      // CRITICAL needs both z > 8 and refunds above 10 % of trailing revenue (refund_rate > 0.1).
      if (severity === "CRITICAL" && !((scores.get("refund_rate")?.[i]?.value ?? 0) > 0.1)) severity = "HIGH";
      break;
    case "SUPPORT_LOAD_SURGE": {
      const resolution = scores.get("avg_resolution_time")?.[i]?.z ?? null;
      if (resolution !== null && resolution > 3) severity = upgrade(severity);
      break;
    }
    case "LIQUIDITY_CRUNCH_RISK":
      if (fired.length >= 2) severity = "CRITICAL";
      break;
    default:
      break;
  }
  return severity;
}
