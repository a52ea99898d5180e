/**
 * The daily visibility jobs (cron 00:15 UTC, or POST /v1/visibility/jobs/daily): OKR rows of the
 * last three days into `visibility_okr_daily` (a day's 24 h resolution deadlines end the next day),
 * and pattern mining over the last 14 days into `visibility_incidents`.
 */
import { type ConflictRecord } from "../../src/visibility/conflict.ts";
import { dailyOkr, type OkrConflict } from "../../src/visibility/okr/report.ts";
import type { RollupRow } from "../../src/visibility/okr/rollup.ts";
import { patternIncident } from "../../src/visibility/pattern-incident.ts";
import { DEFAULT_PATTERN_OPTIONS, minePatterns, type PatternConflict } from "../../src/visibility/patterns.ts";
import { addDays } from "../../src/time.ts";
import type { Bindings } from "../env.ts";
import { CONFLICT_WITH_ALERT, conflictFromRow } from "./mirror.ts";

/** The cron expression of the daily visibility jobs (wrangler.toml [triggers]). */
export const VISIBILITY_CRON = "15 0 * * *";

/** The mining window is bounded so the job stays well inside a cron invocation's limits. */
const MAX_CONFLICTS = 200_000;

export interface DailyResult {
  okr_days: string[];
  patterns: number;
  incidents_raised: number;
}

export async function rollupRowsBetween(db: D1Database, from: string, to: string, dimensions: readonly string[]): Promise<RollupRow[]> {
  const { results } = await db
    .prepare(`SELECT * FROM visibility_rollup WHERE day >= ? AND day <= ? AND dimension IN (${dimensions.map(() => "?").join(",")})`)
    .bind(from, to, ...dimensions)
    .all<RollupRow>();
  return results;
}

/** Conflicts first seen between two days (inclusive), newest records as the API shows them. */
export async function conflictsFirstSeenBetween(db: D1Database, from: string, to: string): Promise<ConflictRecord[]> {
  const { results } = await db
    .prepare(`SELECT ${CONFLICT_WITH_ALERT} WHERE c.first_seen >= ? AND c.first_seen < ? ORDER BY c.first_seen LIMIT ?`)
    .bind(from, `${addDays(to, 1)}T`, MAX_CONFLICTS)
    .all<{ body_json: string; alerted_at: string | null }>();
  return results.map(conflictFromRow);
}

export async function runVisibilityDaily(env: Bindings, now: Date): Promise<DailyResult> {
  const asOf = now.toISOString();
  const today = asOf.slice(0, 10);
  const db = env.DB;

  const okrDays = [addDays(today, -2), addDays(today, -1), today];
  const rollup = await rollupRowsBetween(db, okrDays[0]!, today, ["all", "team"]);
  const recent = await conflictsFirstSeenBetween(db, okrDays[0]!, today);
  await db.batch(
    okrDays.map((day) => {
      const row = dailyOkr(
        day,
        rollup.filter((r) => r.day === day),
        recent.filter((c) => c.first_seen.startsWith(day)) as OkrConflict[],
        asOf,
      );
      return db
        .prepare("INSERT INTO visibility_okr_daily (day, body_json, computed_at) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET body_json = excluded.body_json, computed_at = excluded.computed_at")
        .bind(day, JSON.stringify(row), asOf);
    }),
  );

  const lookback = DEFAULT_PATTERN_OPTIONS.lookback_days;
  const from = addDays(today, -(lookback - 1));
  const conflicts: PatternConflict[] = await conflictsFirstSeenBetween(db, from, today);
  const exposure = await rollupRowsBetween(db, from, today, ["store", "category", "hour"]);
  const patterns = minePatterns(conflicts, exposure, asOf);
  const incidents = patterns.map((p) => patternIncident(p, asOf, lookback));
  if (incidents.length > 0) {
    await db.batch(
      incidents.map((incident) =>
        db
          .prepare(
            `INSERT INTO visibility_incidents (incident_id, severity, confidence, detected_at, last_raised_at, window_start, window_end, status, body_json, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
             ON CONFLICT (incident_id) DO UPDATE SET severity = excluded.severity, confidence = excluded.confidence, last_raised_at = excluded.last_raised_at,
               window_start = MIN(visibility_incidents.window_start, excluded.window_start), window_end = excluded.window_end,
               body_json = excluded.body_json, updated_at = excluded.updated_at`,
          )
          .bind(
            incident.incident_id,
            incident.severity,
            incident.confidence,
            incident.detected_at,
            incident.detected_at,
            incident.incident_window_start,
            incident.incident_window_end,
            JSON.stringify(incident),
            asOf,
          ),
      ),
    );
  }
  return { okr_days: okrDays, patterns: patterns.length, incidents_raised: incidents.length };
}

/** Pattern incidents as the API lists them: the stored incident with its first detection day and human-owned status laid over. */
export function incidentFromRow(row: { body_json: string; detected_at: string; status: string; last_raised_at: string }): Record<string, unknown> {
  return { ...(JSON.parse(row.body_json) as Record<string, unknown>), detected_at: row.detected_at, last_raised_at: row.last_raised_at, status: row.status };
}
