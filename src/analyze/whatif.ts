/**
 * What-if simulation (spec, Component K): "what would happen if this metric changed by X %?"
 *
 * A stress test, not a forecast. From the latest scanned day the business is projected flat (each
 * gold metric at the median of its last 7 values) for a horizon of days; the perturbed metrics are
 * moved by their percentage from day 1; the change flows down the business dependency DAG edge by
 * edge in topological order with linear estimates from history:
 *
 *   Δeffect(t) += slope · Δcause(t − lag)
 *
 * where slope and lag come from the least-squares line of effect(t) on cause(t − lag) over the last
 * `historyDays` days (lag 0–7, the lag whose correlation best agrees with the DAG edge's sign). An
 * edge whose historical correlation is weak (|r| < 0.3), of the wrong sign or too short carries
 * nothing, and the narrative says so. The unchanged incident detector then walks history plus the
 * simulated days; incidents that fire on the horizon and do not also fire in the unperturbed
 * projection are the scenario's triggered incidents, linked into cascades along the incident
 * dependency graph.
 */
import { type DetectionConfig, detectIncidents, scoreMetrics } from "../detect/detect.ts";
import { median } from "../detect/median.ts";
import { stableId } from "../ids.ts";
import { type GoldMetrics, METRIC_NAMES, type MetricName } from "../metrics/gold.ts";
import type { MetricSeries } from "../metrics/series.ts";
import { formatDay, formatMetricValue, formatZ, incidentLabel, joinList, metricLabel, plural } from "../report/format.ts";
import type { IncidentType, Severity } from "../scan-contract.ts";
import { addDays } from "../time.ts";
import { laggedLinearFit } from "./lagged-linear-fit.ts";
import { round6 } from "./precision.ts";

export interface Perturbation {
  metric: string;
  /** Percent change from the current level: 30 means +30 %, −50 means halved. */
  change_pct: number;
}

export interface WhatIfModel {
  /** Business dependency DAG edges: cause, effect, and the sign of the effect. */
  edges: readonly (readonly [string, string, 1 | -1])[];
  /** Incident dependency graph edges, for cascades among triggered incidents. */
  incidentEdges: readonly (readonly [IncidentType, IncidentType])[];
}

export interface WhatIfConfig {
  horizonDays: number;
  /** Days of history the linear estimates are fitted on. */
  historyDays: number;
  maxLagDays: number;
  minPairs: number;
  /** Weakest |r| an edge needs to carry a change. */
  minCorrelation: number;
  /** Trailing values whose median is the projected level. */
  levelDays: number;
  /** Longest gap, in days, between two triggered incidents of one cascade. */
  cascadeWindowDays: number;
  /** Most incident-graph hops between two linked incident types (as the scan's correlator). */
  maxCascadeHops: number;
  detection: DetectionConfig;
}

export const WHATIF_LIMITS = { minPct: -100, maxPct: 1000, maxPerturbations: 10, maxHorizonDays: 60 } as const;

export interface WhatIfInput {
  /** Names the scenario's id together with the request (company and run). */
  scope: string;
  days: readonly string[];
  metrics: GoldMetrics;
  perturbations: readonly Perturbation[];
  model: WhatIfModel;
  config: WhatIfConfig;
}

export interface PropagationStep {
  from: string;
  to: string;
  sign: 1 | -1;
  used: boolean;
  lag_days: number | null;
  slope: number | null;
  correlation: number | null;
  pairs: number | null;
  /** The effect's change on the last simulated day, as a share of its level (null when not used or no level). */
  effect_change_pct: number | null;
  reason: string;
}

export interface SimulatedIncident {
  incident_type: IncidentType;
  severity: Severity;
  detected_at: string;
  /** Day of the horizon it fires on (1 = the first simulated day). */
  days_after_start: number;
  window: [string, string];
  primary_metric: string;
  primary_metric_value: number | null;
  primary_metric_baseline: number | null;
  primary_metric_zscore: number | null;
}

export interface SimulatedCascade {
  cascade_path: IncidentType[];
  detected_days: number[];
}

export interface SimulatedMetric {
  level: number | null;
  simulated: (number | null)[];
  /** Change on the last simulated day against the level, in percent (null without a level). */
  change_pct: number | null;
  changed: boolean;
}

export interface WhatIfScenario {
  scenario_id: string;
  kind: "linear_stress_test";
  as_of: string;
  horizon: [string, string];
  perturbations: Perturbation[];
  projection: string;
  propagation: PropagationStep[];
  simulated_metrics: Record<string, SimulatedMetric>;
  triggered_incidents: SimulatedIncident[];
  triggered_cascades: SimulatedCascade[];
  /** Incidents the flat projection fires on the horizon even without the change (not caused by it). */
  baseline_incidents: SimulatedIncident[];
  narrative: string;
}

/** Bounds a simulated value to what the metric can be (rates are not negative, scores stay on 1–5). */
export function clampMetric(metric: string, value: number): number {
  const bounds: Record<string, [number, number]> = {
    net_cash_proxy: [-Infinity, Infinity],
    review_score_trend: [-Infinity, Infinity],
    margin_proxy: [-Infinity, 1],
    churn_proxy: [0, 1],
    customer_concentration: [0, 1],
    delivery_delay_rate: [0, 1],
    review_score_avg: [1, 5],
  };
  const [lo, hi] = bounds[metric] ?? [0, Infinity];
  return Math.min(hi, Math.max(lo, value));
}

export function scenarioId(scope: string, perturbations: readonly Perturbation[], horizonDays: number): string {
  const canonical = [...perturbations].sort((a, b) => (a.metric < b.metric ? -1 : 1)).map((p) => `${p.metric}:${p.change_pct}`);
  return `sim_${stableId(scope, canonical.join(","), String(horizonDays))}`;
}

function validate(input: WhatIfInput): void {
  const { perturbations, config } = input;
  if (perturbations.length === 0) throw new Error("runWhatIf: perturbations must name at least one metric");
  if (perturbations.length > WHATIF_LIMITS.maxPerturbations) throw new Error(`runWhatIf: perturbations has ${perturbations.length} entries; at most ${WHATIF_LIMITS.maxPerturbations}`);
  const seen = new Set<string>();
  perturbations.forEach((p, i) => {
    if (!(METRIC_NAMES as readonly string[]).includes(p.metric)) throw new Error(`runWhatIf: perturbations[${i}].metric ${JSON.stringify(p.metric)} is not a gold metric`);
    if (seen.has(p.metric)) throw new Error(`runWhatIf: perturbations[${i}].metric ${p.metric} is listed twice`);
    seen.add(p.metric);
    if (!Number.isFinite(p.change_pct) || p.change_pct < WHATIF_LIMITS.minPct || p.change_pct > WHATIF_LIMITS.maxPct) {
      throw new Error(`runWhatIf: perturbations[${i}].change_pct must be between ${WHATIF_LIMITS.minPct} and ${WHATIF_LIMITS.maxPct}, got ${p.change_pct}`);
    }
  });
  if (!Number.isInteger(config.horizonDays) || config.horizonDays < 1 || config.horizonDays > WHATIF_LIMITS.maxHorizonDays) {
    throw new Error(`runWhatIf: horizon_days must be a whole number from 1 to ${WHATIF_LIMITS.maxHorizonDays}, got ${config.horizonDays}`);
  }
  const needed = config.detection.minBaselineValues + 1;
  if (input.days.length < needed) throw new Error(`runWhatIf: needs at least ${needed} scanned days of history, got ${input.days.length}`);
}

/** Nodes of the edge list in topological order (Kahn), ties by name; fails on a cycle. */
function topologicalOrder(edges: WhatIfModel["edges"]): string[] {
  const nodes = new Set<string>();
  const indegree = new Map<string, number>();
  for (const [a, b] of edges) {
    nodes.add(a);
    nodes.add(b);
    indegree.set(b, (indegree.get(b) ?? 0) + 1);
  }
  const ready = [...nodes].filter((n) => !indegree.get(n)).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    order.push(n);
    for (const [a, b] of edges) {
      if (a !== n) continue;
      const left = indegree.get(b)! - 1;
      indegree.set(b, left);
      if (left === 0) {
        ready.push(b);
        ready.sort();
      }
    }
  }
  if (order.length !== nodes.size) throw new Error("runWhatIf: the dependency graph has a cycle");
  return order;
}


interface Detection {
  incidents: SimulatedIncident[];
  /** The rule metric with the largest |z| on the horizon (how close the scenario came). */
  strongest: { metric: string; z: number } | null;
}

function detect(metrics: GoldMetrics, detection: DetectionConfig, days: readonly string[], historyLength: number): Detection {
  const scores = scoreMetrics(metrics, detection);
  const incidents = detectIncidents(scores, days.length, detection)
    .filter((d) => d.detectedIndex >= historyLength)
    .map((d) => ({
      incident_type: d.type,
      severity: d.severity,
      detected_at: days[d.detectedIndex]!,
      days_after_start: d.detectedIndex - historyLength + 1,
      window: [days[d.startIndex]!, days[d.endIndex]!] as [string, string],
      primary_metric: d.primary.metric,
      primary_metric_value: d.primary.value === null ? null : round6(d.primary.value),
      primary_metric_baseline: d.primary.baseline === null ? null : round6(d.primary.baseline),
      primary_metric_zscore: d.primary.z === null ? null : round6(d.primary.z),
    }));
  let strongest: Detection["strongest"] = null;
  for (const [metric, points] of scores) {
    for (let i = historyLength; i < points.length; i++) {
      const z = points[i]!.z;
      if (z !== null && (!strongest || Math.abs(z) > Math.abs(strongest.z))) strongest = { metric, z: round6(z) };
    }
  }
  return { incidents, strongest };
}

function reachable(edges: WhatIfModel["incidentEdges"], from: IncidentType, to: IncidentType, maxHops: number): boolean {
  let frontier = new Set<string>([from]);
  for (let hop = 1; hop <= maxHops; hop++) {
    const next = new Set<string>();
    for (const [a, b] of edges) if (frontier.has(a)) next.add(b);
    if (next.has(to)) return true;
    frontier = next;
  }
  return false;
}

/** By day, then upstream incident type first (the order a failure spreads), then by name. */
function spreadOrder(model: WhatIfModel, config: WhatIfConfig) {
  const leads = (a: SimulatedIncident, b: SimulatedIncident) => reachable(model.incidentEdges, a.incident_type, b.incident_type, config.maxCascadeHops);
  return (a: SimulatedIncident, b: SimulatedIncident) =>
    a.days_after_start - b.days_after_start || (leads(a, b) ? -1 : leads(b, a) ? 1 : a.incident_type < b.incident_type ? -1 : 1);
}

/**
 * Triggered incidents (in spread order) linked when the incident graph leads from one type to the other within the
 * window (either way for incidents of the same day); each cascade listed in the order the failure
 * spreads: by day, and upstream type first on the same day.
 */
function cascadesOf(ordered: readonly SimulatedIncident[], model: WhatIfModel, config: WhatIfConfig): SimulatedCascade[] {
  const leads = (a: SimulatedIncident, b: SimulatedIncident) => reachable(model.incidentEdges, a.incident_type, b.incident_type, config.maxCascadeHops);
  const parent = ordered.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let j = 0; j < ordered.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = ordered[i]!;
      const b = ordered[j]!;
      if (b.days_after_start - a.days_after_start > config.cascadeWindowDays) continue;
      if (leads(a, b) || (a.days_after_start === b.days_after_start && leads(b, a))) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, SimulatedIncident[]>();
  ordered.forEach((incident, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), incident]));
  return [...groups.values()].filter((g) => g.length >= 2).map((g) => ({ cascade_path: g.map((x) => x.incident_type), detected_days: g.map((x) => x.days_after_start) }));
}

export function runWhatIf(input: WhatIfInput): WhatIfScenario {
  validate(input);
  const { days, metrics, model, config } = input;
  const n = days.length;
  const H = config.horizonDays;
  const asOf = days[n - 1]!;
  const horizonDays = Array.from({ length: H }, (_, i) => addDays(asOf, i + 1));
  const allDays = [...days, ...horizonDays];

  const level = new Map<string, number | null>();
  for (const name of METRIC_NAMES) {
    const recent = metrics[name].filter((v): v is number => v !== null).slice(-config.levelDays);
    level.set(name, recent.length > 0 ? median(recent) : null);
  }

  const delta = new Map<string, number[]>();
  const notes: string[] = [];
  const bounded: string[] = [];
  for (const p of input.perturbations) {
    const base = level.get(p.metric) ?? null;
    if (base === null || base === 0) {
      notes.push(`${metricLabel(p.metric)} has ${base === null ? "no recent value" : "a current level of 0"}, so a percentage change of it moves nothing.`);
      continue;
    }
    delta.set(p.metric, Array.from({ length: H }, () => (base * p.change_pct) / 100));
  }

  // Linear propagation down the DAG, cause before effect.
  const propagation: PropagationStep[] = [];
  const from = Math.max(0, n - config.historyDays);
  for (const node of topologicalOrder(model.edges)) {
    for (const [cause, effect, sign] of model.edges) {
      if (cause !== node) continue;
      const change = delta.get(cause);
      if (!change || change.every((d) => d === 0)) continue;
      const step: PropagationStep = { from: cause, to: effect, sign, used: false, lag_days: null, slope: null, correlation: null, pairs: null, effect_change_pct: null, reason: "" };
      const causeSeries = metrics[cause as MetricName];
      const effectSeries = metrics[effect as MetricName];
      const fit = causeSeries && effectSeries ? laggedLinearFit(causeSeries, effectSeries, sign, from, n - 1, config.maxLagDays, config.minPairs) : null;
      if (!fit) {
        step.reason = `no lag from 0 to ${config.maxLagDays} days correlates in the expected direction over the last ${config.historyDays} days`;
      } else if (Math.abs(fit.correlation) < config.minCorrelation) {
        Object.assign(step, { lag_days: fit.lag, slope: round6(fit.slope), correlation: round6(fit.correlation), pairs: fit.pairs });
        step.reason = `historical correlation r = ${fit.correlation.toFixed(2)} is weaker than ${config.minCorrelation}`;
      } else {
        const target = delta.get(effect) ?? Array.from({ length: H }, () => 0);
        for (let t = 0; t < H; t++) target[t]! += t - fit.lag >= 0 ? fit.slope * change[t - fit.lag]! : 0;
        delta.set(effect, target);
        const effectLevel = level.get(effect) ?? null;
        Object.assign(step, {
          used: true,
          lag_days: fit.lag,
          slope: round6(fit.slope),
          correlation: round6(fit.correlation),
          pairs: fit.pairs,
          effect_change_pct: effectLevel ? round6(((fit.slope * change[H - 1 - Math.min(fit.lag, H - 1)]!) / Math.abs(effectLevel)) * 100) : null,
          reason: `least-squares line over ${fit.pairs} days, lag ${fit.lag} days`,
        });
      }
      propagation.push(step);
    }
  }

  const baseline = {} as Record<MetricName, MetricSeries>;
  const scenario = {} as Record<MetricName, MetricSeries>;
  const simulatedMetrics: Record<string, SimulatedMetric> = {};
  for (const name of METRIC_NAMES) {
    const base = level.get(name) ?? null;
    const d = delta.get(name);
    const flat = Array.from({ length: H }, () => base);
    const moved = flat.map((v, t) => (v === null ? null : clampMetric(name, v + (d?.[t] ?? 0))));
    // A straight line can run past what the metric can be (orders below 0, a rate above 100 %):
    // the value is held at the bound, and the narrative says so, next to the edge's raw effect.
    const overrun = base === null || !d ? -1 : d.findIndex((dt, t) => moved[t] !== base + dt);
    if (overrun >= 0) {
      const line = base! + d![overrun]!;
      bounded.push(
        `On a straight line ${metricLabel(name).toLowerCase()} would reach ${formatMetricValue(name, line)} by day ${overrun + 1}; it is held at ${formatMetricValue(name, moved[overrun]!)}, the ${line < moved[overrun]! ? "least" : "most"} it can be.`,
      );
    }
    baseline[name] = [...metrics[name], ...flat];
    scenario[name] = [...metrics[name], ...moved];
    const last = moved[H - 1] ?? null;
    simulatedMetrics[name] = {
      level: base === null ? null : round6(base),
      simulated: moved.map((v) => (v === null ? null : round6(v))),
      change_pct: base === null || base === 0 || last === null ? null : round6(((last - base) / Math.abs(base)) * 100),
      changed: d !== undefined && moved.some((v, t) => v !== flat[t]),
    };
  }

  const withChange = detect(scenario as GoldMetrics, config.detection, allDays, n);
  const without = detect(baseline as GoldMetrics, config.detection, allDays, n).incidents;
  const overlaps = (a: SimulatedIncident, b: SimulatedIncident) => a.incident_type === b.incident_type && a.window[0] <= b.window[1] && b.window[0] <= a.window[1];
  const triggered = withChange.incidents.filter((i) => !without.some((b) => overlaps(i, b))).sort(spreadOrder(model, config));
  const cascades = cascadesOf(triggered, model, config);

  const perturbations = input.perturbations.map((p) => ({ metric: p.metric, change_pct: p.change_pct }));
  const result: Omit<WhatIfScenario, "narrative"> = {
    scenario_id: scenarioId(input.scope, perturbations, H),
    kind: "linear_stress_test",
    as_of: asOf,
    horizon: [horizonDays[0]!, horizonDays[H - 1]!],
    perturbations,
    projection: `each gold metric held at the median of its last ${config.levelDays} values, for ${plural(H, "day")} after ${asOf}`,
    propagation,
    simulated_metrics: simulatedMetrics,
    triggered_incidents: triggered,
    triggered_cascades: cascades,
    baseline_incidents: without,
  };
  return { ...result, narrative: narrative(result, level, notes, bounded, config, withChange.strongest) };
}

function narrative(
  s: Omit<WhatIfScenario, "narrative">,
  level: Map<string, number | null>,
  notes: string[],
  bounded: string[],
  config: WhatIfConfig,
  strongest: Detection["strongest"],
): string {
  const sentences: string[] = [];
  const changes = s.perturbations.map((p) => {
    const base = level.get(p.metric) ?? null;
    const to = s.simulated_metrics[p.metric]!.simulated[0] ?? null;
    return `${metricLabel(p.metric).toLowerCase()} ${p.change_pct >= 0 ? "+" : ""}${p.change_pct}% (${formatMetricValue(p.metric, base)} → ${formatMetricValue(p.metric, to)})`;
  });
  sentences.push(
    `Linear stress test, not a causal forecast: ${joinList(changes)} from ${formatDay(s.horizon[0])}, with every other metric held at its recent level, ` +
      `and the change carried down the business dependency graph by straight-line estimates fitted on the last ${config.historyDays} days of history.`,
  );
  sentences.push(...notes);
  const used = s.propagation.filter((p) => p.used);
  if (used.length > 0) {
    sentences.push(
      `It reaches ${joinList(
        used.map(
          (p) =>
            `${metricLabel(p.to).toLowerCase()} via ${metricLabel(p.from).toLowerCase()} (${p.effect_change_pct === null ? "no level" : `${p.effect_change_pct >= 0 ? "+" : ""}${p.effect_change_pct.toFixed(1)}%`}, r = ${p.correlation!.toFixed(2)}, lag ${plural(p.lag_days!, "day")})`,
        ),
      )}.`,
    );
  }
  sentences.push(...bounded);
  const skipped = s.propagation.filter((p) => !p.used);
  if (skipped.length > 0) {
    sentences.push(`Not carried: ${joinList(skipped.map((p) => `${metricLabel(p.from).toLowerCase()} → ${metricLabel(p.to).toLowerCase()} (${p.reason})`))}.`);
  }
  if (s.triggered_incidents.length === 0) {
    sentences.push(
      `No new incident would fire on the ${plural(config.horizonDays, "simulated day")}` +
        (strongest ? `; the largest z-score on the horizon is ${metricLabel(strongest.metric).toLowerCase()} at ${formatZ(strongest.z)}.` : "."),
    );
  } else {
    const fired = s.triggered_incidents.map((i) => `${incidentLabel(i.incident_type)} (${i.severity}, ${metricLabel(i.primary_metric).toLowerCase()} ${formatZ(i.primary_metric_zscore)}) on day ${i.days_after_start}`);
    const first = Math.min(...s.triggered_incidents.map((i) => i.days_after_start));
    const last = Math.max(...s.triggered_incidents.map((i) => i.days_after_start));
    sentences.push(`It would trigger ${joinList(fired)}: within an estimated ${first === last ? plural(first, "day") : `${first}–${last} days`}.`);
    for (const c of s.triggered_cascades) sentences.push(`They would form the cascade ${c.cascade_path.map((t) => incidentLabel(t)).join(" → ")}.`);
  }
  if (s.baseline_incidents.length > 0) {
    sentences.push(`Without the change the projection already fires ${joinList(s.baseline_incidents.map((i) => incidentLabel(i.incident_type)))}; those are not counted as caused by it.`);
  }
  return sentences.filter((x) => x !== "").join(" ");
}

