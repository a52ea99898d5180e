/**
 * Data quality per gold metric over a range of days (spec 3.7: "if 20% of shipping dates are
 * missing, the system says logistics-related RCA confidence is reduced").
 *
 * `score = clean share × coverage`, where
 * - clean share = 1 − (source events carrying any data-quality flag) / (source events), the
 *   flags being those the validator and the batch report attach (`missing:*`, `inconsistent:*`,
 *   `timeliness:*`); 1 when the range has no source events;
 * - coverage = days in the range on which the metric has a value / days in the range (a rate with
 *   no denominator, a rolling mean with no events: no value).
 * Completeness, consistency and timeliness are the same share per flag category, for the
 * advisory. The RCA weights a candidate cause by `score` (its `data_quality_weight`); incidents
 * carry the score of their primary metric as `data_quality_score`.
 *
 * @example
 * // 100 order_late events over the range, 20 flagged missing:days_late, a value on 28 of 30 days:
 * // score = 0.8 × 28/30 = 0.7467, completeness 0.8
 */
import type { EventType } from "../events/canonical.ts";
import { computeGoldMetrics, type MetricName, METRICS_BY_NAME } from "./gold.ts";
import type { DailyAggregates, MetricSeries } from "./series.ts";

export interface MetricDataQuality {
  metric: MetricName;
  score: number;
  completeness: number;
  consistency: number;
  timeliness: number;
  coverage: number;
  /** Source events in the range, and those with any flag. */
  events: number;
  flagged: number;
  /** One sentence when something weakens the metric (a category or a gap above 5 %), else null. */
  advisory: string | null;
}

const CATEGORIES = [
  ["missing", "completeness", "are missing fields"],
  ["inconsistent", "consistency", "contradict themselves"],
  ["timeliness", "timeliness", "have implausible times"],
] as const;
const ADVISORY_SHARE = 0.05;

/**
 * Quality of `metric` over day indices [fromIndex, toIndex] (clamped to the aggregates' range).
 * Pass the metric's series when it is already computed; otherwise it is computed here.
 */
export function metricDataQuality(
  aggregates: DailyAggregates,
  metric: MetricName,
  fromIndex: number,
  toIndex: number,
  series?: MetricSeries,
): MetricDataQuality {
  const definition = METRICS_BY_NAME.get(metric);
  if (!definition) throw new Error(`metricDataQuality: unknown metric ${metric}`);
  const from = Math.max(0, Math.floor(fromIndex));
  const to = Math.min(aggregates.length - 1, Math.floor(toIndex));
  const values = series ?? computeGoldMetrics(aggregates)[metric];
  let events = 0;
  let flagged = 0;
  const byCategory = new Map<string, { count: number; types: Set<EventType> }>();
  for (const type of new Set(definition.sources)) {
    events += sum(aggregates.column(`n:${type}`), from, to);
    flagged += sum(aggregates.column(`dq:${type}`), from, to);
    for (const [category] of CATEGORIES) {
      const count = sum(aggregates.column(`dq:${category}:${type}`), from, to);
      if (count === 0) continue;
      const entry = byCategory.get(category) ?? { count: 0, types: new Set<EventType>() };
      entry.count += count;
      entry.types.add(type);
      byCategory.set(category, entry);
    }
  }
  const days = Math.max(0, to - from + 1);
  let withValue = 0;
  for (let i = from; i <= to; i++) if (values[i] !== null && values[i] !== undefined) withValue++;
  const coverage = days === 0 ? 0 : withValue / days;
  const share = (count: number) => (events === 0 ? 0 : count / events);
  const clean = 1 - share(flagged);
  const categoryScore = (category: string) => 1 - share(byCategory.get(category)?.count ?? 0);

  const notes: string[] = [];
  for (const [category, , phrase] of CATEGORIES) {
    const entry = byCategory.get(category);
    if (!entry || share(entry.count) < ADVISORY_SHARE) continue;
    notes.push(`${percent(share(entry.count))} of its ${[...entry.types].sort().join("/")} events ${phrase}`);
  }
  if (days > 0 && 1 - coverage >= ADVISORY_SHARE) notes.push(`it has no value on ${days - withValue} of ${days} days`);
  return {
    metric,
    score: clean * coverage,
    completeness: categoryScore("missing"),
    consistency: categoryScore("inconsistent"),
    timeliness: categoryScore("timeliness"),
    coverage,
    events,
    flagged,
    advisory: notes.length === 0 ? null : `${metric}: ${notes.join("; ")}, so conclusions resting on it are less certain.`,
  };
}

function sum(values: Float64Array, from: number, to: number): number {
  let total = 0;
  for (let i = from; i <= to; i++) total += values[i]!;
  return total;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
