/**
 * The incident cascade correlator (spec, Component F): which incidents are one failure spreading
 * through the business rather than independent events.
 *
 * For incidents A, B with A detected no later than B and B starting within 7 days of A's end:
 *
 *   cascade_score(A, B) = exp(−gap/3) × entity_overlap(A, B) × causal_plausibility(A, B)
 *
 * - gap: days from A's window end to B's window start, 0 when the windows overlap (a failure that is
 *   still going on when the next one starts is not "days apart");
 * - entity_overlap: how much of one incident's affected entities (blast-radius.ts) the other touched,
 *   compared kind by kind (customers with customers, orders with orders…) over the kinds both
 *   incidents touched, taking the best-matching kind: the overlap coefficient by default (Jaccard,
 *   the spec's measure, is capped by the size ratio of the sets and missed 5 of 13 simulated cascades;
 *   `overlapMeasure: "jaccard"`, threshold 0.3 restores it); when they share no kind at all, the overlap
 *   cannot be observed and counts as `unobservedOverlap` (0.5) instead of 0;
 * - causal_plausibility: 1 when the incident dependency graph leads from A's type to B's type in at
 *   most two edges (one undetected incident in between).
 *
 * Links above the threshold (0.4; the spec's 0.3 with Jaccard) join B to its best-scoring earlier incident; each tree of links
 * is one cascade, its root the incident that started it (docs/decisions.md, "Cascades").
 */
import { stableId } from "../ids.ts";
import type { IncidentType } from "../scan-contract.ts";
import { daysBetween } from "../time.ts";
import { buildCausalGraph, type CausalGraph, upstreamDistances } from "./business-dag.ts";
import { ENTITY_KINDS, type EntityKind, type EntitySets } from "./entities.ts";
import { jaccardSimilarity } from "./jaccard-similarity.ts";
import { overlapCoefficient } from "./overlap-coefficient.ts";
import { temporalWeight } from "./temporal-weight.ts";

/** The spec's incident dependency graph, its chains written as edges. */
export const INCIDENT_DEPENDENCY_EDGES: readonly (readonly [IncidentType, IncidentType])[] = [
  ["FULFILLMENT_SLA_DEGRADATION", "SUPPORT_LOAD_SURGE"],
  ["SUPPORT_LOAD_SURGE", "CHURN_ACCELERATION"],
  ["FULFILLMENT_SLA_DEGRADATION", "CUSTOMER_SATISFACTION_REGRESSION"],
  ["CUSTOMER_SATISFACTION_REGRESSION", "CHURN_ACCELERATION"],
  ["SUPPLIER_DEPENDENCY_FAILURE", "FULFILLMENT_SLA_DEGRADATION"],
  ["REFUND_SPIKE", "MARGIN_COMPRESSION"],
  ["MARGIN_COMPRESSION", "LIQUIDITY_CRUNCH_RISK"],
  ["CHURN_ACCELERATION", "MARGIN_COMPRESSION"],
  ["SUPPORT_LOAD_SURGE", "CUSTOMER_SATISFACTION_REGRESSION"],
];

export const INCIDENT_DEPENDENCY_GRAPH: CausalGraph = buildCausalGraph(
  [...new Set(INCIDENT_DEPENDENCY_EDGES.flat())].sort(),
  INCIDENT_DEPENDENCY_EDGES.map(([a, b]) => [a, b, 1] as const),
);

/**
 * `causal_plausibility(A, B)`: 1 when the incident dependency graph leads from A's type to B's type
 * in at most `maxHops` edges, else 0. Two hops let a supplier failure reach support through a
 * fulfillment incident that was not detected; longer chains through several missing incidents are
 * not plausible enough to link on their own.
 */
export function causalPlausibility(from: IncidentType, to: IncidentType, maxHops = 2): 0 | 1 {
  if (!INCIDENT_DEPENDENCY_GRAPH.hasNode(from) || !INCIDENT_DEPENDENCY_GRAPH.hasNode(to) || from === to) return 0;
  const hops = upstreamDistances(INCIDENT_DEPENDENCY_GRAPH, to).get(from);
  return hops !== undefined && hops <= maxHops ? 1 : 0;
}

export interface CascadeConfig {
  /** Largest gap, in days, between two linked incidents (spec default 7). */
  windowDays: number;
  /** Decay constant of the temporal weight (spec: 3.0). */
  decayDays: number;
  /** A link needs a cascade score above this (spec: 0.3). */
  threshold: number;
  /** Overlap used when the two incidents touched no entity kind in common. */
  unobservedOverlap: number;
  /** The spec's Jaccard, or the overlap coefficient (|A ∩ B| / min(|A|, |B|)) for comparison. */
  overlapMeasure: OverlapMeasure;
  /** Longest chain of the incident dependency graph that makes a pair plausible. */
  maxPlausibleHops: number;
  /** With the overlap coefficient: fewest entities of a kind both incidents need for it to be compared. */
  minSetSize: number;
  /**
   * Count the overlap as complete when the later incident's RCA names the earlier incident's metric
   * (or the same root cause) as its root: the two share their cause whatever entities they touched.
   */
  rootCauseAgreement: boolean;
}

export type OverlapMeasure = "jaccard" | "overlap_coefficient";

export const DEFAULT_CASCADE_CONFIG: CascadeConfig = { windowDays: 7, decayDays: 3, threshold: 0.4, unobservedOverlap: 0.5, overlapMeasure: "overlap_coefficient", maxPlausibleHops: 2, minSetSize: 3, rootCauseAgreement: false };

export interface EntityOverlap {
  value: number;
  /** The entity kind the value comes from; null when no kind was shared. */
  kind: EntityKind | null;
  /** Jaccard similarity per shared kind. */
  by_kind: Partial<Record<EntityKind, number>>;
}

/**
 * Kind-by-kind similarity over the entity kinds both incidents touched (customers with customers,
 * orders with orders…); the best-matching kind decides, since one strongly shared identity is the
 * link. With no kind in common the overlap cannot be observed and is `unobserved`.
 */
export function entityOverlap(a: EntitySets, b: EntitySets, unobserved: number, measure: OverlapMeasure = "jaccard", minSetSize = 1): EntityOverlap {
  const byKind: Partial<Record<EntityKind, number>> = {};
  let best: EntityOverlap = { value: unobserved, kind: null, by_kind: byKind };
  for (const kind of ENTITY_KINDS) {
    if (a[kind].size === 0 || b[kind].size === 0) continue;
    // The overlap coefficient of a 1-entity set is 0 or 1 by chance: too small a kind is not compared.
    if (measure === "overlap_coefficient" && Math.min(a[kind].size, b[kind].size) < minSetSize) continue;
    const value = measure === "jaccard" ? jaccardSimilarity(a[kind], b[kind]) : overlapCoefficient(a[kind], b[kind]);
    byKind[kind] = value;
    if (best.kind === null || value > best.value) best = { value, kind, by_kind: byKind };
  }
  return best;
}

/** One incident as the correlator sees it. */
export interface CascadeIncident {
  id: string;
  type: IncidentType;
  detectedAt: string;
  windowStart: string;
  windowEnd: string;
  entities: EntitySets;
  /** The DAG node of the incident's metric and the root of its top causal path (when RCA ran). */
  metricNode?: string | null;
  rootCause?: string | null;
}

export interface CascadeLink {
  from_incident_id: string;
  to_incident_id: string;
  cascade_score: number;
  temporal_weight: number;
  entity_overlap: number;
  overlap_entity_type: EntityKind | null;
  causal_plausibility: 0 | 1;
  gap_days: number;
}

/** The cascade score of A → B, or null when the pair is not eligible (order, window, plausibility). */
export function cascadeLink(a: CascadeIncident, b: CascadeIncident, config: CascadeConfig = DEFAULT_CASCADE_CONFIG): CascadeLink | null {
  if (a.id === b.id || a.detectedAt > b.detectedAt) return null;
  const gap = Math.max(0, daysBetween(a.windowEnd, b.windowStart));
  if (gap > config.windowDays || b.windowStart < a.windowStart) return null;
  const plausibility = causalPlausibility(a.type, b.type, config.maxPlausibleHops);
  if (plausibility === 0) return null;
  let overlap = entityOverlap(a.entities, b.entities, config.unobservedOverlap, config.overlapMeasure, config.minSetSize);
  const agrees = config.rootCauseAgreement && b.rootCause != null && (b.rootCause === a.metricNode || b.rootCause === a.rootCause);
  if (agrees && overlap.value < 1) overlap = { ...overlap, value: 1, kind: null };
  const weight = temporalWeight(gap, config.decayDays);
  return {
    from_incident_id: a.id,
    to_incident_id: b.id,
    cascade_score: weight * overlap.value * plausibility,
    temporal_weight: weight,
    entity_overlap: overlap.value,
    overlap_entity_type: overlap.kind,
    causal_plausibility: plausibility,
    gap_days: gap,
  };
}

export interface CascadeGroup {
  cascade_id: string;
  root_incident_id: string;
  /** Members in the order the failure spread (detection day, then depth in the tree). */
  incident_ids: string[];
  cascade_path: IncidentType[];
  /** The weakest link's score: the cascade is as certain as its least certain step. */
  cascade_score: number;
  /** The first day two linked incidents had both been detected. */
  detected_at: string;
  links: CascadeLink[];
}

export interface Correlation {
  cascades: CascadeGroup[];
  /** Incident id → cascade id. */
  cascadeOf: Map<string, string>;
  /** Incident id → ids of the incidents downstream of it in its cascade. */
  downstreamOf: Map<string, string[]>;
}

/**
 * Links every incident to its best-scoring earlier incident above the threshold and groups the
 * resulting trees into cascades. Input order does not matter; output is sorted by detection.
 */
export function correlateCascades(incidents: readonly CascadeIncident[], config: CascadeConfig = DEFAULT_CASCADE_CONFIG): Correlation {
  const sorted = [...incidents].sort((x, y) => (x.detectedAt < y.detectedAt ? -1 : x.detectedAt > y.detectedAt ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const byId = new Map(sorted.map((i) => [i.id, i]));
  const parent = new Map<string, CascadeLink>();
  for (const b of sorted) {
    let best: CascadeLink | null = null;
    for (const a of sorted) {
      const link = cascadeLink(a, b, config);
      if (link === null || !(link.cascade_score > config.threshold)) continue;
      if (best === null || link.cascade_score > best.cascade_score) best = link;
    }
    if (best) parent.set(b.id, best);
  }
  const rootOf = (id: string): string => {
    let current = id;
    while (parent.has(current)) current = parent.get(current)!.from_incident_id;
    return current;
  };
  const depthOf = (id: string): number => (parent.has(id) ? 1 + depthOf(parent.get(id)!.from_incident_id) : 0);
  const members = new Map<string, string[]>();
  for (const i of sorted) {
    const root = rootOf(i.id);
    let list = members.get(root);
    if (!list) members.set(root, (list = []));
    list.push(i.id);
  }
  const cascades: CascadeGroup[] = [];
  const cascadeOf = new Map<string, string>();
  const downstreamOf = new Map<string, string[]>();
  for (const [root, ids] of members) {
    if (ids.length < 2) continue;
    const ordered = [...ids].sort((x, y) => {
      const a = byId.get(x)!;
      const b = byId.get(y)!;
      return a.detectedAt < b.detectedAt ? -1 : a.detectedAt > b.detectedAt ? 1 : depthOf(x) - depthOf(y) || (x < y ? -1 : 1);
    });
    const links = ordered.filter((id) => parent.has(id)).map((id) => parent.get(id)!);
    const cascadeId = `casc_${stableId(root)}`;
    cascades.push({
      cascade_id: cascadeId,
      root_incident_id: root,
      incident_ids: ordered,
      cascade_path: ordered.map((id) => byId.get(id)!.type),
      cascade_score: Math.min(...links.map((l) => l.cascade_score)),
      detected_at: links.map((l) => byId.get(l.to_incident_id)!.detectedAt).sort()[0]!,
      links,
    });
    for (const id of ordered) cascadeOf.set(id, cascadeId);
  }
  for (const i of sorted) {
    const below: string[] = [];
    const stack = [i.id];
    while (stack.length > 0) {
      const current = stack.pop()!;
      for (const [child, link] of parent) {
        if (link.from_incident_id === current) {
          below.push(child);
          stack.push(child);
        }
      }
    }
    downstreamOf.set(i.id, below.sort((x, y) => sorted.findIndex((s) => s.id === x) - sorted.findIndex((s) => s.id === y)));
  }
  return { cascades: cascades.sort((x, y) => (x.detected_at < y.detected_at ? -1 : x.detected_at > y.detected_at ? 1 : x.cascade_id < y.cascade_id ? -1 : 1)), cascadeOf, downstreamOf };
}
