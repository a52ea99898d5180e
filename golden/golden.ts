/**
 * The golden scenarios of the spec (section 9): readable inputs (`scenario.json`: the pinned
 * simulation and the digest of the events it writes) and expected outputs (`expected.json`),
 * checked by golden.test.ts against `runScan`. Each expectation belongs to a capability of
 * `CAPABILITIES` (src/scan.ts) and is checked once that capability is on.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Incident, ScanResult, Severity } from "../src/scan-contract.ts";
import { SEVERITIES } from "../src/scan-contract.ts";
import type { SimEvent, SimulateOptions } from "../src/sim/index.ts";

export const GOLDEN_DIR = dirname(fileURLToPath(import.meta.url));

export interface GoldenScenario {
  spec: string;
  simulate: SimulateOptions & { startDay: string; days: number };
  mechanism: string;
  events?: { count: number; sha256: string };
}

export interface ExpectedIncident {
  id: string;
  incident_type: Incident["incident_type"];
  min_severity?: Severity;
  /** First detected on one of these days. */
  detected_between?: [string, string];
  /** Open on this day (its window covers it) and raised no later than `detected_by`. */
  covers?: string;
  detected_by?: string;
  /** First detected within this many days after the matched parent incident. */
  after?: { id: string; lag_days: [number, number] };
}

/**
 * A spec expectation the engine does not meet yet. The incident is then checked with `fallback`
 * (or only for the other fields), and the strict expectation is checked to still fail, so a
 * closed gap is noticed and promoted.
 */
export interface KnownGap {
  id: string;
  /**
   * An incident expectation (`min_severity` … `detected`), or an analysis one: `cascade` (the cascade
   * ending at incident `id` is not linked) and `root_cause` (incident `id`'s top path has another root).
   */
  field: "min_severity" | "detected_between" | "covers" | "after" | "detected" | "cascade" | "root_cause";
  fallback?: Pick<ExpectedIncident, "detected_between">;
  reason: string;
}

export interface Expected {
  incidents: ExpectedIncident[];
  evidence?: { incident: string; event_type?: string; event_types?: string[]; vendor_id?: string; product_id?: string; at_least: number }[];
  metrics?: { metric: string; ratio_at_least: number; window: [string, string]; baseline: [string, string] }[];
  labels?: { id: string; overdue_invoices_at_least: number }[];
  cascades?: { path: [string, string] }[];
  root_cause?: { incident: string; top_path_root?: string; top_path_in_order?: string[] }[];
  blast_radius?: { incident: string; customers_affected_at_least?: number; revenue_exposure_at_least?: number }[];
  monitors?: { incident: string; metric_name: string; threshold_sigma: number }[];
  known_gaps: KnownGap[];
}

export function goldenDirectories(): string[] {
  return readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function readGolden(name: string): { scenario: GoldenScenario; expected: Expected } {
  const dir = join(GOLDEN_DIR, name);
  return {
    scenario: JSON.parse(readFileSync(join(dir, "scenario.json"), "utf8")) as GoldenScenario,
    expected: JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expected,
  };
}

/** SHA-256 of the events as `bre simulate` writes them (NDJSON). */
export function eventsDigest(events: readonly SimEvent[]): { count: number; sha256: string } {
  const hash = createHash("sha256");
  for (const event of events) hash.update(`${JSON.stringify(event)}\n`);
  return { count: events.length, sha256: hash.digest("hex") };
}

export function severityAtLeast(actual: Severity, minimum: Severity): boolean {
  return SEVERITIES.indexOf(actual) >= SEVERITIES.indexOf(minimum);
}

const dayDiff = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/**
 * Finds the scan incident for each expected one: the first of its type that satisfies its timing
 * (`detected_between`, `covers` + `detected_by`, or `after` its parent's match). Unmatched
 * expectations map to null, with the candidates listed in `why`.
 */
export function matchIncidents(expected: readonly ExpectedIncident[], scan: Pick<ScanResult, "incidents">): Map<string, { incident: Incident | null; why: string }> {
  const found = new Map<string, { incident: Incident | null; why: string }>();
  const byDay = [...scan.incidents].sort((a, b) => (a.detected_at < b.detected_at ? -1 : a.detected_at > b.detected_at ? 1 : 0));
  for (const e of expected) {
    const candidates = byDay.filter((i) => i.incident_type === e.incident_type);
    const listed = candidates.map((i) => `${i.detected_at} (${i.severity}, ${i.primary_metric} z=${i.primary_metric_zscore}, window ${i.incident_window_start}..${i.incident_window_end})`).join(", ") || "none";
    const conditions: { test: (i: Incident) => boolean; text: string }[] = [];
    if (e.detected_between) {
      const [from, to] = e.detected_between;
      conditions.push({ test: (i) => i.detected_at >= from && i.detected_at <= to, text: `detected between ${from} and ${to}` });
    }
    if (e.covers) {
      const day = e.covers;
      const by = e.detected_by ?? e.covers;
      conditions.push({ test: (i) => i.incident_window_start <= day && i.incident_window_end >= day && i.detected_at <= by, text: `open on ${day} and raised by ${by}` });
    }
    if (e.after) {
      const parent = found.get(e.after.id)?.incident;
      const [lo, hi] = e.after.lag_days;
      conditions.push({
        test: (i) => parent !== null && parent !== undefined && dayDiff(parent.detected_at, i.detected_at) >= lo && dayDiff(parent.detected_at, i.detected_at) <= hi,
        text: parent ? `detected ${lo}–${hi} days after ${e.after.id} (${parent.detected_at})` : `after ${e.after.id}, which was not found`,
      });
    }
    const incident = candidates.find((i) => conditions.every((c) => c.test(i)));
    found.set(e.id, { incident: incident ?? null, why: `${e.incident_type} ${conditions.map((c) => c.text).join(", ") || "detected"}; the scan has: ${listed}` });
  }
  return found;
}

/** The expectations with each known gap's field replaced by its fallback (or dropped). */
export function relaxed(expected: readonly ExpectedIncident[], gaps: readonly KnownGap[]): ExpectedIncident[] {
  return expected.map((e) => {
    const copy: ExpectedIncident = { ...e };
    for (const gap of gaps.filter((g) => g.id === e.id)) {
      if (gap.field === "covers") {
        delete copy.covers;
        delete copy.detected_by;
      } else if (gap.field !== "detected" && gap.field !== "cascade" && gap.field !== "root_cause") delete copy[gap.field];
      if (gap.fallback?.detected_between) copy.detected_between = gap.fallback.detected_between;
    }
    return copy;
  });
}
