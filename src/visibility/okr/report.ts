/**
 * The shared OKR, "Accuracy to Reality" (the proposal's table): conflict rate < 2 %, time to
 * detect < 5 minutes, > 90 % of conflicts resolved within 24 h, < 10 customer-impact incidents a
 * week. {@link okrReport} answers `GET /v1/visibility/okr`; {@link dailyOkr} is the row the daily
 * rollup keeps in D1.
 */
import type { ConflictRecord } from "../conflict.ts";
import { conflictRate } from "./conflict-rate.ts";
import { customerImpactByWeek } from "./customer-impact.ts";
import { nearestRankPercentile } from "./nearest-rank.ts";
import { resolvedWithin } from "./resolved-within.ts";
import type { RollupRow } from "./rollup.ts";
import { timeToDetectMs } from "./time-to-detect.ts";

export interface OkrTargets {
  conflict_rate: number;
  time_to_detect_ms: number;
  resolved_within_hours: number;
  resolved_share: number;
  customer_impact_per_week: number;
}

export const DEFAULT_OKR_TARGETS: OkrTargets = {
  conflict_rate: 0.02,
  time_to_detect_ms: 5 * 60_000,
  resolved_within_hours: 24,
  resolved_share: 0.9,
  customer_impact_per_week: 10,
};

export type OkrConflict = Pick<ConflictRecord, "conflict_id" | "type" | "teams" | "first_seen" | "detected_at" | "alerted_at" | "status" | "resolved_at">;

export interface TimeToDetectSummary {
  /** Conflicts with an alert sent. */
  count: number;
  mean_ms: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

/** Summary of per-conflict detection times (nearest-rank percentiles). */
export function summarizeTimeToDetect(conflicts: readonly OkrConflict[]): TimeToDetectSummary {
  const times = conflicts.map(timeToDetectMs).filter((t): t is number => t !== null);
  if (times.length === 0) return { count: 0, mean_ms: null, p50_ms: null, p95_ms: null, p99_ms: null, max_ms: null };
  return {
    count: times.length,
    mean_ms: Math.round(times.reduce((s, t) => s + t, 0) / times.length),
    p50_ms: nearestRankPercentile(times, 50),
    p95_ms: nearestRankPercentile(times, 95),
    p99_ms: nearestRankPercentile(times, 99),
    max_ms: Math.max(...times),
  };
}

export interface OkrReport {
  from: string;
  to: string;
  as_of: string;
  conflict_rate: { value: number | null; conflicting_events: number; decision_events: number; target: number; met: boolean | null };
  time_to_detect: TimeToDetectSummary & { target_ms: number; met: boolean | null };
  resolved_within_24h: { share: number | null; resolved: number; eligible: number; target: number; met: boolean | null };
  customer_impact_incidents: { per_week: { week_start: string; incidents: number }[]; target_per_week: number; met: boolean | null };
  events: { decision: number; ground_truth: number; unverified: number; rejected: number };
  teams: { team: string; decision_events: number; conflicting_events: number; conflict_rate: number | null; rejected_events: number; reject_rate: number | null; ground_truth_events: number }[];
  conflicts: { total: number; by_type: Record<string, number>; by_status: Record<string, number> };
  /** The conflict rate day by day (days without decisions are left out). */
  days: { day: string; decision_events: number; conflicting_events: number; conflict_rate: number }[];
}

/**
 * The OKR over the days `from` … `to` (inclusive, `YYYY-MM-DD`), from the daily rollup rows and the
 * conflicts first seen in those days, as known at `asOf`.
 */
export function okrReport(input: {
  from: string;
  to: string;
  asOf: string;
  rollup: readonly RollupRow[];
  conflicts: readonly OkrConflict[];
  targets?: OkrTargets;
}): OkrReport {
  const { from, to, asOf } = input;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) {
    throw new Error(`okrReport: from/to must be days (YYYY-MM-DD) with from <= to, got ${from} … ${to}`);
  }
  const targets = input.targets ?? DEFAULT_OKR_TARGETS;
  const rows = input.rollup.filter((r) => r.day >= from && r.day <= to);
  const conflicts = input.conflicts.filter((c) => c.first_seen.slice(0, 10) >= from && c.first_seen.slice(0, 10) <= to);

  const all = sumRows(rows.filter((r) => r.dimension === "all"));
  const rate = all.decision_events > 0 ? conflictRate(all.conflicting_events, all.decision_events) : null;
  const ttd = summarizeTimeToDetect(conflicts);
  const resolution = resolvedWithin(conflicts, asOf, targets.resolved_within_hours);
  const perWeek = [...customerImpactByWeek(conflicts)].map(([week_start, incidents]) => ({ week_start, incidents }));

  const teamNames = [...new Set(rows.filter((r) => r.dimension === "team").map((r) => r.value))].sort();
  const teams = teamNames.map((team) => {
    const t = sumRows(rows.filter((r) => r.dimension === "team" && r.value === team));
    const published = t.decision_events + t.ground_truth_events;
    return {
      team,
      decision_events: t.decision_events,
      conflicting_events: t.conflicting_events,
      conflict_rate: t.decision_events > 0 ? conflictRate(t.conflicting_events, t.decision_events) : null,
      rejected_events: t.rejected_events,
      reject_rate: published + t.rejected_events > 0 ? t.rejected_events / (published + t.rejected_events) : null,
      ground_truth_events: t.ground_truth_events,
    };
  });

  return {
    from,
    to,
    as_of: asOf,
    conflict_rate: {
      value: rate,
      conflicting_events: all.conflicting_events,
      decision_events: all.decision_events,
      target: targets.conflict_rate,
      met: rate === null ? null : rate < targets.conflict_rate,
    },
    time_to_detect: { ...ttd, target_ms: targets.time_to_detect_ms, met: ttd.mean_ms === null ? null : ttd.mean_ms < targets.time_to_detect_ms },
    resolved_within_24h: {
      ...resolution,
      target: targets.resolved_share,
      met: resolution.share === null ? null : resolution.share > targets.resolved_share,
    },
    customer_impact_incidents: {
      per_week: perWeek,
      target_per_week: targets.customer_impact_per_week,
      met: perWeek.length === 0 ? true : perWeek.every((w) => w.incidents < targets.customer_impact_per_week),
    },
    events: { decision: all.decision_events, ground_truth: all.ground_truth_events, unverified: all.unverified_events, rejected: all.rejected_events },
    teams,
    conflicts: { total: conflicts.length, by_type: countBy(conflicts, (c) => c.type), by_status: countBy(conflicts, (c) => c.status) },
    days: [...new Set(rows.filter((r) => r.dimension === "all").map((r) => r.day))]
      .sort()
      .map((d) => ({ day: d, ...sumRows(rows.filter((r) => r.dimension === "all" && r.day === d)) }))
      .filter((d) => d.decision_events > 0)
      .map((d) => ({ day: d.day, decision_events: d.decision_events, conflicting_events: d.conflicting_events, conflict_rate: conflictRate(d.conflicting_events, d.decision_events) })),
  };
}

/** One day of the OKR, as the daily rollup stores it. */
export interface DailyOkr {
  day: string;
  decision_events: number;
  conflicting_events: number;
  conflict_rate: number | null;
  unverified_events: number;
  ground_truth_events: number;
  rejected_events: number;
  conflicts_opened: number;
  alerted: number;
  ttd_p50_ms: number | null;
  ttd_p99_ms: number | null;
  ttd_max_ms: number | null;
  resolution_eligible: number;
  resolved_within_24h: number;
  customer_impact_incidents: number;
  computed_at: string;
}

/** The OKR row of one day (conflicts counted on the day they were first seen). Recompute until the day's 24 h deadlines have passed. */
export function dailyOkr(day: string, rollup: readonly RollupRow[], conflicts: readonly OkrConflict[], asOf: string): DailyOkr {
  const report = okrReport({ from: day, to: day, asOf, rollup, conflicts });
  return {
    day,
    decision_events: report.conflict_rate.decision_events,
    conflicting_events: report.conflict_rate.conflicting_events,
    conflict_rate: report.conflict_rate.value,
    unverified_events: report.events.unverified,
    ground_truth_events: report.events.ground_truth,
    rejected_events: report.events.rejected,
    conflicts_opened: report.conflicts.total,
    alerted: report.time_to_detect.count,
    ttd_p50_ms: report.time_to_detect.p50_ms,
    ttd_p99_ms: report.time_to_detect.p99_ms,
    ttd_max_ms: report.time_to_detect.max_ms,
    resolution_eligible: report.resolved_within_24h.eligible,
    resolved_within_24h: report.resolved_within_24h.resolved,
    customer_impact_incidents: report.customer_impact_incidents.per_week.reduce((s, w) => s + w.incidents, 0),
    computed_at: asOf,
  };
}

function sumRows(rows: readonly RollupRow[]) {
  const total = { decision_events: 0, conflicting_events: 0, unverified_events: 0, ground_truth_events: 0, rejected_events: 0 };
  for (const r of rows) {
    total.decision_events += r.decision_events;
    total.conflicting_events += r.conflicting_events;
    total.unverified_events += r.unverified_events;
    total.ground_truth_events += r.ground_truth_events;
    total.rejected_events += r.rejected_events;
  }
  return total;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}
