/**
 * The postmortem of one incident (spec, Component I): assembled from the incident, its causal
 * chain, blast radius and cascade, and the monitors and alerts of the closed loop. Pure and
 * deterministic: the same input (including `generatedAt`) gives the same document.
 */
import { stableId } from "../ids.ts";
import { daysBetween } from "../time.ts";
import { monitorsOf, type PostmortemInput } from "./context.ts";
import { plural } from "./format.ts";
import { contributingFactors, durationDays, oneLineSummary, postmortemTitle, rootCauseSummary } from "./narrative.ts";
import type { Postmortem } from "./postmortem-schema.ts";
import { confidenceOf, recommendations } from "./recommendations.ts";
import { buildTimeline } from "./timeline.ts";

export type { PostmortemInput } from "./context.ts";

export function postmortemId(incidentId: string): string {
  return `pm_${stableId(incidentId)}`;
}

export function buildPostmortem(input: PostmortemInput): Postmortem {
  const { incident } = input;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(input.generatedAt) || Number.isNaN(Date.parse(input.generatedAt))) {
    throw new Error(`buildPostmortem: generatedAt must be an ISO 8601 time, got ${JSON.stringify(input.generatedAt)}`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.asOf)) throw new Error(`buildPostmortem: asOf must be a day as YYYY-MM-DD, got ${JSON.stringify(input.asOf)}`);
  if (input.asOf < incident.incident_window_end) {
    throw new Error(`buildPostmortem: asOf ${input.asOf} is before the incident window's end ${incident.incident_window_end}`);
  }
  const gap = input.mergeGapDays ?? 1;
  const status = daysBetween(incident.incident_window_end, input.asOf) <= gap ? "ongoing" : "resolved";
  const days = durationDays(incident);
  const confidence = confidenceOf(incident);
  return {
    postmortem_id: postmortemId(incident.incident_id),
    incident_id: incident.incident_id,
    incident_type: incident.incident_type,
    cascade_id: incident.cascade_id,
    generated_at: input.generatedAt,
    title: postmortemTitle(incident),
    severity: incident.severity,
    duration: plural(days, "day"),
    duration_days: days,
    status,
    incident_status: incident.status,
    detected_at: incident.detected_at,
    incident_window: [incident.incident_window_start, incident.incident_window_end],
    one_line_summary: oneLineSummary(incident),
    timeline: buildTimeline(input, status),
    causal_chain: incident.causal_chain,
    root_cause_summary: rootCauseSummary(incident),
    blast_radius: incident.blast_radius,
    contributing_factors: contributingFactors(input),
    monitors: monitorsOf(input),
    recommendations: recommendations(input),
    data_quality_score: incident.data_quality_score,
    confidence: confidence.level,
    confidence_note: confidence.note,
    algorithm_version: incident.causal_chain.algorithm_version,
    dependency_graph_version: incident.causal_chain.dependency_graph_version,
    run_id: input.runId,
  };
}
