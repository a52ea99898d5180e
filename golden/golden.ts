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
  detected_between?: [string, string];
  after?: { id: string; lag_days: [number, number] };
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
  known_gaps: { id: string; expectation: { min_severity?: Severity }; capability: string; reason: string }[];
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
 * Finds the scan incident for each expected one: the first of its type detected inside
 * `detected_between`, or the first detected inside the lag window after its parent's match.
 * Unmatched expectations map to null, with the candidates listed in `why`.
 */
export function matchIncidents(expected: readonly ExpectedIncident[], scan: Pick<ScanResult, "incidents">): Map<string, { incident: Incident | null; why: string }> {
  const found = new Map<string, { incident: Incident | null; why: string }>();
  const byDay = [...scan.incidents].sort((a, b) => (a.detected_at < b.detected_at ? -1 : a.detected_at > b.detected_at ? 1 : 0));
  for (const e of expected) {
    const candidates = byDay.filter((i) => i.incident_type === e.incident_type);
    const listed = candidates.map((i) => `${i.detected_at} (${i.severity}, ${i.primary_metric} z=${i.primary_metric_zscore})`).join(", ") || "none";
    let incident: Incident | undefined;
    let wanted: string;
    if (e.detected_between) {
      const [from, to] = e.detected_between;
      incident = candidates.find((i) => i.detected_at >= from && i.detected_at <= to);
      wanted = `detected between ${from} and ${to}`;
    } else if (e.after) {
      const parent = found.get(e.after.id)?.incident;
      const [lo, hi] = e.after.lag_days;
      incident = parent ? candidates.find((i) => dayDiff(parent.detected_at, i.detected_at) >= lo && dayDiff(parent.detected_at, i.detected_at) <= hi) : undefined;
      wanted = parent ? `detected ${lo}–${hi} days after ${e.after.id} (${parent.detected_at})` : `after ${e.after.id}, which was not found`;
    } else {
      incident = candidates[0];
      wanted = "detected";
    }
    found.set(e.id, { incident: incident ?? null, why: `${e.incident_type} ${wanted}; the scan has: ${listed}` });
  }
  return found;
}
