/**
 * Scores one scan against the ground truth of a simulated run, then sums runs into the figures
 * of the evaluation table (spec section 7): recall, precision, detection delay, false positives
 * per 30 days on controls, RCA top-1/top-3 and cascade linkage.
 *
 * Matching rules (docs/decisions.md, "Evaluation"):
 * - an expected incident is detected when a scan incident of the same type was first detected
 *   (`detected_at`) from 2 days before its onset to {@link MATCH_GRACE_DAYS} days after its cause
 *   ends; the earliest such detection is its match, and a detection matches one label at most;
 * - any other detection is a true positive only if its type is expected or tolerated and it was
 *   detected inside the episode (first onset − 2 days … last cause end + the labels' tolerance);
 *   everything else is a false positive;
 * - delay = detected_at − onset in days (negative when the scan fired before the labelled onset);
 *   the effect delay counts from the label's `effect_onset` instead, the first day the mechanism's
 *   consequence exists in the books (a late parcel can only be late once its promised day has
 *   passed), or from the onset when the label has none;
 * - RCA top-1: the root (first node) of the incident's rank-1 causal path is the label's root
 *   metric; top-3: it is the root of one of the three best-ranked paths;
 * - a cascade is linked when both ends are detected, the lag between their detections is inside
 *   the label's window (any detection of the child's type in its match window may satisfy it), and
 *   (when the engine reports cascades) one scan cascade holds both.
 */
import type { Labels } from "../sim/labels.ts";
import type { Incident, ScanResult } from "../scan-contract.ts";
import { addDays, daysBetween } from "../time.ts";
import { quantile } from "./quantile.ts";

export const MATCH_EARLY_DAYS = 2;
export const MATCH_GRACE_DAYS = 7;

export interface MatchedIncident {
  label_id: string;
  incident_type: string;
  root_cause_metric: string;
  /** Is this a root of its episode (no `caused_by`)? Delay targets apply to roots. */
  is_root: boolean;
  detected: boolean;
  incident_id: string | null;
  delay_days: number | null;
  /** detected_at − effect onset (the onset when the label has no effect onset). */
  effect_delay_days: number | null;
  rca_top1: boolean | null;
  rca_top3: boolean | null;
  severity: string | null;
}

export interface CascadeCheck {
  from: string;
  to: string;
  both_detected: boolean;
  lag_days: number | null;
  lag_in_window: boolean;
  /** null when the scan reports no cascades at all (the capability is off). */
  linked_by_engine: boolean | null;
}

export interface RunScore {
  scenario: string;
  family: Labels["family"];
  seed: number;
  days: number;
  expected: MatchedIncident[];
  cascades: CascadeCheck[];
  detections: number;
  true_positives: number;
  false_positives: { incident_type: string; detected_at: string; primary_metric: string; zscore: number | null }[];
}

export function scoreRun(labels: Labels, scan: Pick<ScanResult, "incidents" | "cascades">): RunScore {
  const incidents = [...scan.incidents].sort((a, b) => (a.detected_at < b.detected_at ? -1 : a.detected_at > b.detected_at ? 1 : a.incident_id.localeCompare(b.incident_id)));
  const used = new Set<string>();
  const expected: MatchedIncident[] = [];
  const matchOf = new Map<string, Incident>();
  const ordered = [...labels.incidents].sort((a, b) => a.onset_day - b.onset_day || a.id.localeCompare(b.id));
  for (const label of ordered) {
    const last = lastCauseDay(label.onset, label.duration_days);
    const match = incidents.find(
      (i) =>
        !used.has(i.incident_id) &&
        i.incident_type === label.incident_type &&
        daysBetween(label.onset, i.detected_at) >= -MATCH_EARLY_DAYS &&
        daysBetween(last, i.detected_at) <= MATCH_GRACE_DAYS,
    );
    if (match) {
      used.add(match.incident_id);
      matchOf.set(label.id, match);
    }
    const roots = match ? match.causal_chain.paths.slice(0, 3).map((p) => p.nodes[0]?.metric_name) : [];
    expected.push({
      label_id: label.id,
      incident_type: label.incident_type,
      root_cause_metric: label.root_cause_metric,
      is_root: label.caused_by === null,
      detected: match !== undefined,
      incident_id: match?.incident_id ?? null,
      delay_days: match ? daysBetween(label.onset, match.detected_at) : null,
      effect_delay_days: match ? daysBetween(label.effect_onset ?? label.onset, match.detected_at) : null,
      rca_top1: match ? roots[0] === label.root_cause_metric : null,
      rca_top3: match ? roots.includes(label.root_cause_metric) : null,
      severity: match?.severity ?? null,
    });
  }

  // Report in the labels' own order (matching went by onset).
  const position = new Map(labels.incidents.map((l, k) => [l.id, k]));
  expected.sort((a, b) => position.get(a.label_id)! - position.get(b.label_id)!);

  const episode = episodeOf(labels);
  const allowed = new Set<string>([...labels.incidents.map((l) => l.incident_type), ...labels.tolerated_incident_types]);
  const falsePositives: RunScore["false_positives"] = [];
  let truePositives = 0;
  for (const i of incidents) {
    const inEpisode = episode !== null && i.detected_at >= episode[0] && i.detected_at <= episode[1];
    if (used.has(i.incident_id) || (inEpisode && allowed.has(i.incident_type))) truePositives++;
    else falsePositives.push({ incident_type: i.incident_type, detected_at: i.detected_at, primary_metric: i.primary_metric, zscore: i.primary_metric_zscore });
  }

  const engineReportsCascades = scan.cascades.length > 0;
  const cascades: CascadeCheck[] = labels.cascades.map((c) => {
    const from = matchOf.get(c.from);
    let to = matchOf.get(c.to);
    const child = labels.incidents.find((l) => l.id === c.to)!;
    const inWindow = (i: Incident) => from !== undefined && daysBetween(from.detected_at, i.detected_at) >= c.lag_days[0] && daysBetween(from.detected_at, i.detected_at) <= c.lag_days[1];
    if (from && to && !inWindow(to)) {
      // The child may have fired early on its own (more orders bring more tickets at once) and again as the cascade arrives: any detection of its type in its window counts.
      const later = incidents.find((i) => i.incident_type === child.incident_type && inWindow(i) && daysBetween(child.onset, i.detected_at) >= -MATCH_EARLY_DAYS && daysBetween(lastCauseDay(child.onset, child.duration_days), i.detected_at) <= MATCH_GRACE_DAYS);
      if (later) to = later;
    }
    const lag = from && to ? daysBetween(from.detected_at, to.detected_at) : null;
    const linked =
      from && to
        ? scan.cascades.some((k) => k.incident_ids.includes(from.incident_id) && k.incident_ids.includes(to.incident_id))
        : false;
    return {
      from: c.from,
      to: c.to,
      both_detected: from !== undefined && to !== undefined,
      lag_days: lag,
      lag_in_window: lag !== null && lag >= c.lag_days[0] && lag <= c.lag_days[1],
      linked_by_engine: engineReportsCascades ? linked : null,
    };
  });

  return {
    scenario: labels.scenario,
    family: labels.family,
    seed: labels.seed,
    days: labels.days,
    expected,
    cascades,
    detections: incidents.length,
    true_positives: truePositives,
    false_positives: falsePositives,
  };
}

function lastCauseDay(onset: string, duration: number): string {
  return addDays(onset, duration - 1);
}

/** [first onset − 2 days, last cause end + tolerance] of the run's expected incidents, or null. */
export function episodeOf(labels: Labels): [string, string] | null {
  if (labels.incidents.length === 0) return null;
  let first = labels.incidents[0]!.onset;
  let last = lastCauseDay(first, labels.incidents[0]!.duration_days);
  for (const l of labels.incidents) {
    if (l.onset < first) first = l.onset;
    const end = lastCauseDay(l.onset, l.duration_days);
    if (end > last) last = end;
  }
  return [addDays(first, -MATCH_EARLY_DAYS), addDays(last, labels.tolerance_days)];
}

export interface Summary {
  runs: number;
  expected: number;
  detected: number;
  recall: number | null;
  detections: number;
  precision: number | null;
  /** Delay over detected root incidents (days): median and 90th percentile (nearest rank). */
  delay_median: number | null;
  delay_p90: number | null;
  /** Delay over detected root incidents counted from their effect onset: median and p90. */
  effect_delay_median: number | null;
  effect_delay_p90: number | null;
  /** Delay over all detected expected incidents, caused ones included. */
  delay_all_median: number | null;
  rca_top1: number | null;
  rca_top3: number | null;
  cascades: number;
  cascades_both_detected: number | null;
  cascades_lag_in_window: number | null;
  cascades_linked: number | null;
  /** Control runs: false positives per 30 scanned days. */
  control_days: number;
  control_false_positives: number;
  fp_per_30_days: number | null;
}

/** Sums run scores. Rates are null when their denominator is 0. */
export function summarize(runs: readonly RunScore[]): Summary {
  const expected = runs.flatMap((r) => r.expected);
  const detected = expected.filter((e) => e.detected);
  const incidentRuns = runs.filter((r) => r.family !== "control");
  const controlRuns = runs.filter((r) => r.family === "control");
  const detections = incidentRuns.reduce((s, r) => s + r.detections, 0);
  const truePositives = incidentRuns.reduce((s, r) => s + r.true_positives, 0);
  const rootDelays = detected.filter((e) => e.is_root).map((e) => e.delay_days!);
  const allDelays = detected.map((e) => e.delay_days!);
  const rootEffectDelays = detected.filter((e) => e.is_root).map((e) => e.effect_delay_days!);
  const withRca = detected.filter((e) => e.rca_top1 !== null);
  const cascades = runs.flatMap((r) => r.cascades);
  const engineCascades = cascades.filter((c) => c.linked_by_engine !== null);
  const controlDays = controlRuns.reduce((s, r) => s + r.days, 0);
  const controlFalsePositives = controlRuns.reduce((s, r) => s + r.false_positives.length, 0);
  const rate = (n: number, d: number) => (d === 0 ? null : n / d);
  return {
    runs: runs.length,
    expected: expected.length,
    detected: detected.length,
    recall: rate(detected.length, expected.length),
    detections,
    precision: rate(truePositives, detections),
    delay_median: quantile(rootDelays, 0.5),
    delay_p90: quantile(rootDelays, 0.9),
    effect_delay_median: quantile(rootEffectDelays, 0.5),
    effect_delay_p90: quantile(rootEffectDelays, 0.9),
    delay_all_median: quantile(allDelays, 0.5),
    rca_top1: rate(withRca.filter((e) => e.rca_top1).length, withRca.length),
    rca_top3: rate(withRca.filter((e) => e.rca_top3).length, withRca.length),
    cascades: cascades.length,
    cascades_both_detected: rate(cascades.filter((c) => c.both_detected).length, cascades.length),
    cascades_lag_in_window: rate(cascades.filter((c) => c.lag_in_window).length, cascades.length),
    cascades_linked: engineCascades.length === 0 ? null : rate(engineCascades.filter((c) => c.linked_by_engine && c.lag_in_window).length, cascades.length),
    control_days: controlDays,
    control_false_positives: controlFalsePositives,
    fp_per_30_days: controlDays === 0 ? null : (controlFalsePositives / controlDays) * 30,
  };
}
