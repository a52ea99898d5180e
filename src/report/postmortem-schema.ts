/**
 * The postmortem (spec, Component I, "Postmortem Structure"): what the API serves as JSON and the
 * Markdown and PDF exports render. Fields follow the spec's model; a few are added so a reader does
 * not have to re-derive them (kind of timeline entry, evidence totals, the confidence level).
 */
import { z } from "zod";
import { blastRadiusSchema, causalChainSchema, CONFIDENCES, INCIDENT_TYPES, monitorSchema, SEVERITIES } from "../scan-contract.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const TIMELINE_KINDS = [
  "upstream_anomaly",
  "monitor_alert",
  "incident_window_opened",
  "detection",
  "cascade",
  "incident_window_closed",
  "still_ongoing",
  "monitor_created",
] as const;

export const timelineEntrySchema = z.object({
  /** The UTC day it happened (the engine works in whole days). */
  timestamp: day,
  kind: z.enum(TIMELINE_KINDS),
  event_description: z.string(),
  metric_name: z.string().nullable(),
  metric_value: z.number().nullable(),
  /** The first evidence events behind the entry (at most `TIMELINE_EVIDENCE_IDS`). */
  evidence_event_ids: z.array(z.string()),
  /** How many evidence events stand behind it in all. */
  evidence_event_count: z.number().int(),
  related_incident_id: z.string().nullable(),
});
export type TimelineEntry = z.infer<typeof timelineEntrySchema>;

export const postmortemSchema = z.object({
  postmortem_id: z.string(),
  incident_id: z.string(),
  incident_type: z.enum(INCIDENT_TYPES),
  cascade_id: z.string().nullable(),
  /** ISO 8601; passed in (the scan's finish time), never read from a clock. */
  generated_at: z.string(),

  // 1. Summary
  title: z.string(),
  severity: z.enum(SEVERITIES),
  duration: z.string(),
  duration_days: z.number().int().positive(),
  /** From the data: "ongoing" while the last scanned day is still inside the incident window (or its merge gap). */
  status: z.enum(["resolved", "ongoing"]),
  /** What people set on the incident (open / acknowledged / resolved). */
  incident_status: z.enum(["open", "acknowledged", "resolved"]),
  detected_at: day,
  incident_window: z.tuple([day, day]),
  one_line_summary: z.string(),

  // 2. Timeline
  timeline: z.array(timelineEntrySchema),

  // 3. Root cause
  causal_chain: causalChainSchema,
  root_cause_summary: z.string(),

  // 4. Blast radius
  blast_radius: blastRadiusSchema,

  // 5. Contributing factors
  contributing_factors: z.array(z.string()),

  // 6. Prevention monitors
  monitors: z.array(monitorSchema),

  // 7. Recommendations
  recommendations: z.array(z.string()),

  // 8. Metadata
  data_quality_score: z.number(),
  confidence: z.enum(CONFIDENCES),
  confidence_note: z.string(),
  algorithm_version: z.string(),
  dependency_graph_version: z.string(),
  run_id: z.string(),
});
export type Postmortem = z.infer<typeof postmortemSchema>;
