/**
 * Daily counters behind the OKR and the pattern miner, additive so that shards can count on
 * their own and the sums merge in any order. One row per (day, dimension, value): `all` (value
 * `*`), `team`, `store`, `category` and `hour` (UTC hour of the event, `00`–`23`).
 */
import type { VisibilityEvent } from "../event.ts";
import type { Observation, Outcome, ShardState } from "../shard.ts";

export const ROLLUP_DIMENSIONS = ["all", "team", "store", "category", "hour"] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];

export interface RollupRow {
  day: string;
  dimension: RollupDimension;
  value: string;
  decision_events: number;
  conflicting_events: number;
  unverified_events: number;
  ground_truth_events: number;
  rejected_events: number;
}

export type RollupCounts = Omit<RollupRow, "day" | "dimension" | "value">;
export type Rollup = Map<string, RollupRow>;

const ZERO: RollupCounts = { decision_events: 0, conflicting_events: 0, unverified_events: 0, ground_truth_events: 0, rejected_events: 0 };
const COUNT_FIELDS = Object.keys(ZERO) as (keyof RollupCounts)[];

export function rollupKey(day: string, dimension: RollupDimension, value: string): string {
  return `${day}|${dimension}|${value}`;
}

function bump(rollup: Rollup, day: string, dimension: RollupDimension, value: string, counts: Partial<RollupCounts>): void {
  const key = rollupKey(day, dimension, value);
  let row = rollup.get(key);
  if (!row) {
    row = { day, dimension, value, ...ZERO };
    rollup.set(key, row);
  }
  for (const field of COUNT_FIELDS) row[field] += counts[field] ?? 0;
}

/**
 * Counts one observed event on its UTC day under every dimension it has. A pending decision is
 * not counted until it is judged (its outcome arrives in a later observation's `settled`).
 */
export function countObservation(
  rollup: Rollup,
  event: Pick<VisibilityEvent, "ts" | "team" | "kind" | "store_id">,
  outcome: Outcome,
  category: string | null,
): void {
  if (outcome === "pending") return;
  const day = event.ts.slice(0, 10);
  const counts: Partial<RollupCounts> =
    outcome === "ground_truth"
      ? { ground_truth_events: 1 }
      : {
          decision_events: 1,
          conflicting_events: outcome === "conflicting" ? 1 : 0,
          unverified_events: outcome === "unverified" ? 1 : 0,
        };
  bump(rollup, day, "all", "*", counts);
  bump(rollup, day, "team", event.team, counts);
  if (event.kind === "decision") {
    // Exposure for the pattern miner: where and when decisions were shown.
    bump(rollup, day, "store", event.store_id, counts);
    if (category !== null) bump(rollup, day, "category", category, counts);
    bump(rollup, day, "hour", event.ts.slice(11, 13), counts);
  }
}

/** Counts what an observation decided: the event itself (unless pending) and any earlier decisions it settled. */
export function countObserved(rollup: Rollup, event: Pick<VisibilityEvent, "ts" | "team" | "kind" | "store_id"> | null, observation: Observation, state: ShardState): void {
  if (event) countObservation(rollup, event, observation.outcome, state.category);
  for (const { decision, outcome } of observation.settled) {
    countObservation(rollup, { ts: decision.ts, team: decision.team, kind: "decision", store_id: state.store_id }, outcome, state.category);
  }
}

/** Counts events a team sent that the contract rejected (on the day they arrived). */
export function countRejections(rollup: Rollup, day: string, team: string, rejected: number): void {
  if (rejected <= 0) return;
  bump(rollup, day, "all", "*", { rejected_events: rejected });
  bump(rollup, day, "team", team, { rejected_events: rejected });
}

/** Adds every row of `from` into `into`. */
export function mergeRollup(into: Rollup, from: Iterable<RollupRow>): Rollup {
  for (const row of from) bump(into, row.day, row.dimension, row.value, row);
  return into;
}

/** Rows sorted by day, dimension, value: a stable order for storage and tests. */
export function rollupRows(rollup: Rollup): RollupRow[] {
  return [...rollup.values()].sort((a, b) =>
    a.day !== b.day ? (a.day < b.day ? -1 : 1) : a.dimension !== b.dimension ? (a.dimension < b.dimension ? -1 : 1) : a.value < b.value ? -1 : a.value > b.value ? 1 : 0,
  );
}
