/**
 * Ground-truth labels of a simulated run: what was injected, which incidents it should cause, when,
 * with which root cause, and which incidents may follow from them. Written by `bre simulate` as
 * `labels.json` and read by the evaluation harness; the zod schema is the single source of truth.
 */
import { z } from "zod";
import { BUSINESS_DAG_NODES, type DagMetric } from "../analyze/business-dag.ts";
import { EVENT_TYPES } from "../events/canonical.ts";
import { INCIDENT_TYPES, SEVERITIES } from "../scan-contract.ts";

export const LABELS_SCHEMA_VERSION = "sim_labels_v1";

/** The 17 metrics of the business dependency DAG (spec, Component G): the only valid root causes. */
export const DAG_METRICS = BUSINESS_DAG_NODES;
export type { DagMetric };

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const expectedIncidentSchema = z.object({
  /** Stable within the run (`supplier`, `fulfillment`, …), referenced by cascades. */
  id: z.string(),
  incident_type: z.enum(INCIDENT_TYPES),
  /** First day the mechanism moves this incident's metrics (day index and date). */
  onset_day: z.number().int(),
  onset: day,
  /** Days the cause lasts; the incident's effects may outlive it. */
  duration_days: z.number().int().positive(),
  root_cause_metric: z.enum(DAG_METRICS),
  /** The expected incident this one follows from (its cascade parent), or null for a root. */
  caused_by: z.string().nullable(),
  /** For a caused incident: days from the parent's detection to this one's, inclusive window. */
  lag_days: z.tuple([z.number().int(), z.number().int()]).nullable(),
  /** Weakest severity the spec expects, when it states one. */
  min_severity: z.enum(SEVERITIES).nullable(),
  /** Entities at the origin (the delayed vendor, the defective products, the frozen accounts). */
  entities: z.record(z.string(), z.array(z.string())),
  /** The consequence the mechanism counted for this incident (`stockout_waits`, `support_churn`, …) and the first day it happened in this run. */
  effect_marker: z.string().nullable(),
  effect_onset: day.nullable(),
});
export type ExpectedIncident = z.infer<typeof expectedIncidentSchema>;

export const injectionLabelSchema = z.object({
  kind: z.string(),
  onset_day: z.number().int(),
  onset: day,
  duration_days: z.number().int().positive(),
  parameters: z.record(z.string(), z.unknown()),
  /** What the injection actually did in this run, per consequence (`affected` is the direct effect). */
  realized: z.record(z.string(), z.object({ count: z.number().int(), amount: z.number(), first_day: day, last_day: day })),
});

export const labelsSchema = z.object({
  schema_version: z.literal(LABELS_SCHEMA_VERSION),
  scenario: z.string(),
  family: z.enum(["spec", "extra", "control", "demo"]),
  title: z.string(),
  description: z.string(),
  seed: z.number().int(),
  profile: z.string(),
  start_day: day,
  end_day: day,
  days: z.number().int().positive(),
  injections: z.array(injectionLabelSchema),
  incidents: z.array(expectedIncidentSchema),
  cascades: z.array(
    z.object({
      from: z.string(),
      to: z.string(),
      path: z.tuple([z.enum(INCIDENT_TYPES), z.enum(INCIDENT_TYPES)]),
      /** Expected days from the parent's detection to the child's (the spec's window). */
      lag_days: z.tuple([z.number().int(), z.number().int()]),
      /** Days from the parent's first effect to the child's first effect in this run (the mechanism's own lag). */
      effect_lag_days: z.number().int().nullable(),
    }),
  ),
  /** Incident types that may legitimately follow in the episode (downstream effects); not required, not false positives. */
  tolerated_incident_types: z.array(z.enum(INCIDENT_TYPES)),
  /** Days after the last expected incident's cause ends during which tolerated incidents still count as part of the episode. */
  tolerance_days: z.number().int().nonnegative(),
  data_quality_issues: z.array(
    z.object({ event_type: z.enum(EVENT_TYPES), field: z.string(), share: z.number(), onset: day, flag: z.string() }),
  ),
  notes: z.array(z.string()),
});
export type Labels = z.infer<typeof labelsSchema>;
