/**
 * Writes to the visibility layer's D1 tables: the cross-shard mirror of conflicts, flags, audit
 * entries and rollups. Shards call these from their flush; every write is an upsert so a retried
 * flush changes nothing.
 */
import type { ConflictRecord } from "../../src/visibility/conflict.ts";
import type { AuditEntry } from "../../src/visibility/lifecycle.ts";
import type { RollupRow } from "../../src/visibility/okr/rollup.ts";
import type { GroundTruthFlag } from "../../src/visibility/shard.ts";

/** D1 allows 100 bound parameters per statement. */
const MAX_PARAMS = 100;

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
}

/** `,a,b,` so that `LIKE '%,a,%'` matches exactly team a. */
export function teamsColumn(teams: readonly string[]): string {
  return `,${teams.join(",")},`;
}

const CONFLICT_COLUMNS = [
  "conflict_id",
  "type",
  "product_id",
  "store_id",
  "category",
  "teams",
  "decision_team",
  "status",
  "first_seen",
  "last_seen",
  "detected_at",
  "occurrences",
  "active",
  "escalation_level",
  "resolved_at",
  "shard",
  "body_json",
  "updated_at",
] as const;

export function conflictStatements(db: D1Database, items: readonly { record: ConflictRecord; shard: number }[], now: string): D1PreparedStatement[] {
  const perStatement = Math.floor(MAX_PARAMS / CONFLICT_COLUMNS.length);
  const updates = CONFLICT_COLUMNS.filter((c) => c !== "conflict_id").map((c) => `${c} = excluded.${c}`).join(", ");
  return chunks(items, perStatement).map((chunk) =>
    db
      .prepare(
        `INSERT INTO visibility_conflicts (${CONFLICT_COLUMNS.join(", ")}) VALUES ${placeholders(chunk.length, CONFLICT_COLUMNS.length)}
         ON CONFLICT (conflict_id) DO UPDATE SET ${updates}`,
      )
      .bind(
        ...chunk.flatMap(({ record: r, shard }) => [
          r.conflict_id,
          r.type,
          r.product_id,
          r.store_id,
          r.category,
          teamsColumn(r.teams),
          r.decision_team,
          r.status,
          r.first_seen,
          r.last_seen,
          r.detected_at,
          r.occurrences,
          r.active ? 1 : 0,
          r.escalation_level,
          r.resolved_at,
          shard,
          JSON.stringify(r),
          now,
        ]),
      ),
  );
}

export function flagStatements(db: D1Database, flags: readonly GroundTruthFlag[], now: string): D1PreparedStatement[] {
  const columns = 8;
  return chunks(flags, Math.floor(MAX_PARAMS / columns)).map((chunk) =>
    db
      .prepare(
        `INSERT INTO visibility_flags (flag_id, product_id, store_id, reason, first_seen, active, body_json, updated_at) VALUES ${placeholders(chunk.length, columns)}
         ON CONFLICT (flag_id) DO UPDATE SET active = excluded.active, body_json = excluded.body_json, updated_at = excluded.updated_at`,
      )
      .bind(...chunk.flatMap((f) => [f.flag_id, f.product_id, f.store_id, f.reason, f.first_seen, f.active ? 1 : 0, JSON.stringify(f), now])),
  );
}

export function auditStatements(db: D1Database, entries: readonly AuditEntry[]): D1PreparedStatement[] {
  const columns = 9;
  return chunks(entries, Math.floor(MAX_PARAMS / columns)).map((chunk) =>
    db
      .prepare(
        `INSERT INTO visibility_audit (conflict_id, at, action, actor, from_status, to_status, reason, escalation_level, notified_json) VALUES ${placeholders(chunk.length, columns)}`,
      )
      .bind(...chunk.flatMap((a) => [a.conflict_id, a.at, a.action, a.actor, a.from, a.to, a.reason, a.escalation_level, JSON.stringify(a.notified)])),
  );
}

/** Adds rollup deltas to the D1 totals. */
export function rollupStatements(db: D1Database, rows: readonly RollupRow[]): D1PreparedStatement[] {
  const columns = 8;
  return chunks(rows, Math.floor(MAX_PARAMS / columns)).map((chunk) =>
    db
      .prepare(
        `INSERT INTO visibility_rollup (day, dimension, value, decision_events, conflicting_events, unverified_events, ground_truth_events, rejected_events)
         VALUES ${placeholders(chunk.length, columns)}
         ON CONFLICT (day, dimension, value) DO UPDATE SET
           decision_events = decision_events + excluded.decision_events,
           conflicting_events = conflicting_events + excluded.conflicting_events,
           unverified_events = unverified_events + excluded.unverified_events,
           ground_truth_events = ground_truth_events + excluded.ground_truth_events,
           rejected_events = rejected_events + excluded.rejected_events`,
      )
      .bind(...chunk.flatMap((r) => [r.day, r.dimension, r.value, r.decision_events, r.conflicting_events, r.unverified_events, r.ground_truth_events, r.rejected_events])),
  );
}

/** Conflict rows with their delivery time: `SELECT ${CONFLICT_WITH_ALERT} WHERE …`. */
export const CONFLICT_WITH_ALERT =
  "c.body_json AS body_json, a.alerted_at AS alerted_at FROM visibility_conflicts c LEFT JOIN visibility_alerted a ON a.conflict_id = c.conflict_id";

/** The record as the API shows it: the shard's copy with the alert sender's `alerted_at`. */
export function conflictFromRow(row: { body_json: string; alerted_at: string | null }): ConflictRecord {
  const record = JSON.parse(row.body_json) as ConflictRecord;
  return { ...record, alerted_at: row.alerted_at ?? record.alerted_at };
}
