/**
 * The conflict lifecycle (the proposal's resolution process): open → acknowledged → fixed,
 * documented (accepted as it is) or disputed (a false positive), each step with who and why, each
 * step audited. A documented or disputed conflict may be reopened (the acceptance or the dispute
 * is overturned); a fixed one stays fixed, and if the contradiction comes back the detector opens
 * a new conflict (a regression deserves a fresh alert).
 */
import { z } from "zod";
import { CONFLICT_STATUSES, RESOLVED_STATUSES, type ConflictRecord, type ConflictStatus } from "./conflict.ts";

export const ALLOWED_TRANSITIONS: Readonly<Record<ConflictStatus, readonly ConflictStatus[]>> = {
  open: ["acknowledged", "fixed", "documented", "disputed"],
  acknowledged: ["fixed", "documented", "disputed"],
  fixed: [],
  documented: ["open"],
  disputed: ["open"],
};

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** The body of `PATCH /v1/visibility/conflicts/:id`. */
export const transitionRequestSchema = z.strictObject({
  status: z.enum(CONFLICT_STATUSES, { error: () => `must be one of: ${CONFLICT_STATUSES.join(", ")}` }),
  /** Who makes the change (a person or a team handle). */
  actor: text(128),
  /** Why: what was fixed, why it is acceptable, why it is a false positive. */
  reason: text(2000),
});
export type TransitionRequest = z.output<typeof transitionRequestSchema>;

export type AuditAction = "detected" | "transition" | "escalated" | "alerted";

export interface AuditEntry {
  conflict_id: string;
  at: string;
  action: AuditAction;
  actor: string;
  from: ConflictStatus | null;
  to: ConflictStatus | null;
  reason: string;
  /** For escalations: 1 = decision owner, 2 = executives. */
  escalation_level: 1 | 2 | null;
  /** For escalations: who was notified. */
  notified: string[];
}

/** A transition the lifecycle does not allow; the Worker answers 409 with this message. */
export class LifecycleError extends Error {
  constructor(
    message: string,
    readonly code: "INVALID_TRANSITION",
  ) {
    super(message);
    this.name = "LifecycleError";
  }
}

/** The audit entry written when the detector opens a conflict. */
export function detectionAudit(record: ConflictRecord): AuditEntry {
  return {
    conflict_id: record.conflict_id,
    at: record.detected_at,
    action: "detected",
    actor: "visibility-layer",
    from: null,
    to: "open",
    reason: `${record.type} on ${record.product_id} at ${record.store_id} (${record.teams.join(" vs ")})`,
    escalation_level: null,
    notified: [],
  };
}

/**
 * Applies a status change at `at` (ISO). Returns the new record and its audit entry; throws
 * {@link LifecycleError} when the lifecycle does not allow the move.
 */
export function transition(
  record: ConflictRecord,
  request: TransitionRequest,
  at: string,
): { record: ConflictRecord; audit: AuditEntry } {
  const from = record.status;
  const to = request.status;
  if (!ALLOWED_TRANSITIONS[from].includes(to)) {
    const allowed = ALLOWED_TRANSITIONS[from];
    throw new LifecycleError(
      `cannot move conflict ${record.conflict_id} from ${from} to ${to}` +
        (allowed.length > 0 ? ` (from ${from} it can go to: ${allowed.join(", ")})` : ` (${from} is final; a recurrence opens a new conflict)`),
      "INVALID_TRANSITION",
    );
  }
  const next: ConflictRecord = { ...record, status: to };
  if (to === "acknowledged") next.acknowledged_at = at;
  if (RESOLVED_STATUSES.has(to)) {
    next.acknowledged_at = record.acknowledged_at ?? at; // resolving implies having seen it
    next.resolved_at = at;
    next.resolved_by = request.actor;
    next.resolution_reason = request.reason;
  }
  if (to === "open") {
    // Reopened: the acceptance or dispute no longer holds; the SLA clock starts again.
    next.resolved_at = null;
    next.resolved_by = null;
    next.resolution_reason = null;
    next.acknowledged_at = null;
    next.sla_started_at = at;
    next.escalation_level = 0;
    next.escalated_at = null;
  }
  return {
    record: next,
    audit: {
      conflict_id: record.conflict_id,
      at,
      action: "transition",
      actor: request.actor,
      from,
      to,
      reason: request.reason,
      escalation_level: null,
      notified: [],
    },
  };
}

/** Whether a conflict still needs someone to act on it. */
export function isUnresolved(record: Pick<ConflictRecord, "status">): boolean {
  return !RESOLVED_STATUSES.has(record.status);
}
