/**
 * A conflict: one record per ongoing contradiction about a (product, store) pair, however many
 * events repeat it. DESIGN.md fixes the fields the API returns (`conflict_id`, `type`,
 * `product_id`, `store_id`, `teams`, `status`, `first_seen`, `detected_at`, `occurrences`); the
 * rest is what the lifecycle, escalation, alerts and OKR need.
 */
import type { Availability } from "./event.ts";

export const CONFLICT_TYPES = ["price_mismatch", "availability_contradiction", "team_disagreement"] as const;
export type ConflictType = (typeof CONFLICT_TYPES)[number];

export const CONFLICT_STATUSES = ["open", "acknowledged", "fixed", "documented", "disputed"] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];
/** Statuses that end a conflict's lifecycle: fixed, documented (accepted), disputed (false positive). */
export const RESOLVED_STATUSES: ReadonlySet<ConflictStatus> = new Set(["fixed", "documented", "disputed"]);

/** What one side of a comparison said. */
export interface Statement {
  team: string;
  event_id: string;
  surface: string | null;
  price: number;
  currency: string;
  availability: Availability;
  quantity: number | null;
  ts: string;
}

export type ConflictEvidence =
  | {
      type: "price_mismatch";
      decision: Statement;
      ground_truth: Statement;
      /** |quoted − true| / true, in percent (null when the currencies differ). */
      deviation_pct: number | null;
      tolerance_pct: number;
    }
  | {
      type: "availability_contradiction";
      decision: Statement;
      ground_truth: Statement;
      /** `shown_available`: in stock shown, none on hand; `shown_unavailable`: out of stock shown, stock on hand. */
      direction: "shown_available" | "shown_unavailable";
    }
  | {
      type: "team_disagreement";
      a: Statement;
      b: Statement;
      /** What the two teams disagree on. */
      aspects: ("price" | "availability")[];
      /** |a − b| / min(a, b), in percent, when they disagree on price. */
      difference_pct: number | null;
      tolerance_pct: number;
    };

export interface ConflictRecord {
  conflict_id: string;
  type: ConflictType;
  product_id: string;
  store_id: string;
  category: string | null;
  /** Teams involved, sorted: the decision team and the ground-truth team, or the two decision teams. */
  teams: string[];
  /** The team whose decision is judged (the later of the two for a disagreement). */
  decision_team: string;
  status: ConflictStatus;
  /** Event time of the first conflicting event. */
  first_seen: string;
  /** Event time of the latest conflicting event. */
  last_seen: string;
  /** When the layer detected it (processing time of the first conflicting event). */
  detected_at: string;
  /** When the alert went out (set by the alert sender); time to detect = alerted_at − first_seen. */
  alerted_at: string | null;
  occurrences: number;
  /** Whether the contradiction is still being observed (false once a consistent decision follows). */
  active: boolean;
  cleared_at: string | null;
  first_event_id: string;
  last_event_id: string;
  /** The earlier conflict of the same key this one follows (a regression after a fix, or a new episode). */
  previous_conflict_id: string | null;
  evidence: ConflictEvidence;
  /** When the 24 h / 48 h escalation clock started (detection, or the last reopening). */
  sla_started_at: string;
  escalation_level: 0 | 1 | 2;
  escalated_at: string | null;
  acknowledged_at: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution_reason: string | null;
}

/** The fields of `GET /v1/visibility/conflicts` that DESIGN.md fixes, in their order. */
export function publicConflict(record: ConflictRecord) {
  return {
    conflict_id: record.conflict_id,
    type: record.type,
    product_id: record.product_id,
    store_id: record.store_id,
    teams: record.teams,
    status: record.status,
    first_seen: record.first_seen,
    detected_at: record.detected_at,
    occurrences: record.occurrences,
    last_seen: record.last_seen,
    active: record.active,
    cleared_at: record.cleared_at,
    category: record.category,
    decision_team: record.decision_team,
    previous_conflict_id: record.previous_conflict_id,
    alerted_at: record.alerted_at,
    escalation_level: record.escalation_level,
    escalated_at: record.escalated_at,
    acknowledged_at: record.acknowledged_at,
    resolved_at: record.resolved_at,
    resolved_by: record.resolved_by,
    resolution_reason: record.resolution_reason,
    evidence: record.evidence,
  };
}
export type PublicConflict = ReturnType<typeof publicConflict>;
