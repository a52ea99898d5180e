/**
 * Recurring conflict patterns raised as incidents of the reliability engine. They are listed
 * beside the engine's own incidents, so they share its list fields under the same names
 * (`incident_id`, `incident_type`, `severity`, `confidence`, `detected_at`, the window, the
 * primary metric, `detection_methods`, `evidence_event_ids`, `status`) and add `source:
 * "visibility"`, a `title` and the `pattern`. `incident_type` is `DECISION_CONFLICT_PATTERN`,
 * outside the engine's eight types on purpose: these incidents have no causal chain or blast
 * radius, and a reader filters on `source`.
 *
 * The id depends only on the pattern's dimensions, so the daily job updates the same incident
 * while a pattern persists instead of raising a new one every day.
 */
import { z } from "zod";
import { CONFIDENCES, SEVERITIES, type Confidence, type Severity } from "../scan-contract.ts";
import { CONFLICT_TYPES } from "./conflict.ts";
import type { ConflictPattern } from "./patterns.ts";

export const PATTERN_INCIDENT_TYPE = "DECISION_CONFLICT_PATTERN" as const;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const patternIncidentSchema = z.object({
  incident_id: z.string(),
  source: z.literal("visibility"),
  incident_type: z.literal(PATTERN_INCIDENT_TYPE),
  title: z.string(),
  severity: z.enum(SEVERITIES),
  confidence: z.enum(CONFIDENCES),
  detected_at: day,
  incident_window_start: day,
  incident_window_end: day,
  primary_metric: z.literal("decision_conflicts"),
  primary_metric_value: z.number(),
  primary_metric_baseline: z.number().nullable(),
  primary_metric_zscore: z.number().nullable(),
  detection_methods: z.tuple([z.literal("pattern_mining")]),
  evidence_event_ids: z.array(z.string()),
  evidence_conflict_ids: z.array(z.string()),
  status: z.enum(["open", "acknowledged", "resolved"]),
  pattern: z.object({
    pattern_id: z.string(),
    team_pair: z.string().nullable(),
    category: z.string().nullable(),
    store_id: z.string().nullable(),
    hour_of_day: z.number().int().min(0).max(23).nullable(),
    conflicts: z.number().int(),
    occurrences: z.number().int(),
    days: z.number().int(),
    lift: z.number().nullable(),
    p_value: z.number().nullable(),
    baseline: z.enum(["exposure", "uniform"]).nullable(),
    by_type: z.partialRecord(z.enum(CONFLICT_TYPES), z.number().int()),
  }),
});
export type PatternIncident = z.infer<typeof patternIncidentSchema>;

/**
 * Severity from the daily volume of the pattern and whether customers were shown unavailable
 * stock: ≥ 50 conflicts a day is CRITICAL, ≥ 10 HIGH, ≥ 2 MEDIUM, else LOW; availability
 * contradictions raise it one step (a customer who drives to the store for nothing).
 * Confidence from the p-value (≤ 1e-6 VERY_HIGH, ≤ 1e-4 HIGH, else MEDIUM); a team-pair pattern
 * has no test and rests on recurrence alone: HIGH when it recurred on 7 days or more, else MEDIUM.
 */
export function patternIncident(pattern: ConflictPattern, asOf: string, lookbackDays: number): PatternIncident {
  const perDay = pattern.conflicts / Math.max(1, lookbackDays);
  let level = perDay >= 50 ? 3 : perDay >= 10 ? 2 : perDay >= 2 ? 1 : 0;
  if ((pattern.by_type.availability_contradiction ?? 0) > 0) level = Math.min(3, level + 1);
  const severity: Severity = SEVERITIES[level]!;
  const confidence: Confidence =
    pattern.p_value === null ? (pattern.days >= 7 ? "HIGH" : "MEDIUM") : pattern.p_value <= 1e-6 ? "VERY_HIGH" : pattern.p_value <= 1e-4 ? "HIGH" : "MEDIUM";
  const z =
    pattern.expected !== null && pattern.expected > 0 ? Math.round(((pattern.conflicts - pattern.expected) / Math.sqrt(pattern.expected)) * 100) / 100 : null;
  const hour = pattern.dimensions.hour_of_day;
  return {
    incident_id: `vis-${pattern.pattern_id}`,
    source: "visibility",
    incident_type: PATTERN_INCIDENT_TYPE,
    title: titleOf(pattern),
    severity,
    confidence,
    detected_at: asOf.slice(0, 10),
    incident_window_start: pattern.first_seen.slice(0, 10),
    incident_window_end: pattern.last_seen.slice(0, 10),
    primary_metric: "decision_conflicts",
    primary_metric_value: pattern.conflicts,
    primary_metric_baseline: pattern.expected,
    primary_metric_zscore: z,
    detection_methods: ["pattern_mining"],
    evidence_event_ids: pattern.event_ids,
    evidence_conflict_ids: pattern.conflict_ids,
    status: "open",
    pattern: {
      pattern_id: pattern.pattern_id,
      team_pair: pattern.dimensions.team_pair ?? null,
      category: pattern.dimensions.category ?? null,
      store_id: pattern.dimensions.store_id ?? null,
      hour_of_day: hour === undefined ? null : Number(hour),
      conflicts: pattern.conflicts,
      occurrences: pattern.occurrences,
      days: pattern.days,
      lift: pattern.lift,
      p_value: pattern.p_value,
      baseline: pattern.baseline,
      by_type: pattern.by_type,
    },
  };
}

/** "magic-apron vs pricing: 42 conflicts on 9 days in Paint at store-17 around 02:00 UTC (6.1× expected)"; without a team pair it starts at the count. */
export function titleOf(pattern: ConflictPattern): string {
  const d = pattern.dimensions;
  const parts = [
    d.team_pair ? `${d.team_pair}: ` : "",
    `${pattern.conflicts} conflicts on ${pattern.days} days`,
    d.category ? ` in ${d.category}` : "",
    d.store_id ? ` at ${d.store_id}` : "",
    d.hour_of_day ? ` around ${d.hour_of_day}:00 UTC` : "",
    pattern.lift !== null ? ` (${pattern.lift.toFixed(1)}× expected)` : "",
  ];
  return parts.join("");
}
