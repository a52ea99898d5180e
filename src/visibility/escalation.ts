/**
 * Escalation by the decision authority matrix (the proposal's governance table): an unresolved
 * conflict goes to its decision owner 24 h after detection and to the executives after 48 h.
 * Acknowledging a conflict does not stop the clock; only fixing, documenting or disputing it does.
 * The Durable Object sets its alarm to {@link nextEscalationAt} and calls {@link escalate} when it
 * rings (alarms are at-least-once, so escalating twice at the same level is a no-op).
 */
import { z } from "zod";
import { CONFLICT_TYPES, type ConflictRecord, type ConflictType } from "./conflict.ts";
import { teamName } from "./event.ts";
import { isUnresolved, type AuditEntry } from "./lifecycle.ts";

const HOUR_MS = 3_600_000;
const person = z.string().trim().min(1, "must not be empty").max(128, "must be at most 128 characters");

export const authorityRuleSchema = z.strictObject({
  /** The conflict type this rule covers, or `*` for all. */
  type: z.enum([...CONFLICT_TYPES, "*"]),
  /** When set, the rule applies only to conflicts that involve this team. */
  team: teamName.optional(),
  /** Who is alerted first besides the teams involved (which always are). */
  first_responders: z.array(person).max(20).default([]),
  /** Who decides when the teams have not resolved it within the first window. */
  decision_owner: person,
  /** Who hears about it when it is still unresolved after the second window. */
  executives: z.array(person).min(1).max(20),
});
export type AuthorityRule = z.output<typeof authorityRuleSchema>;

export const authorityMatrixSchema = z
  .strictObject({
    rules: z.array(authorityRuleSchema).min(1).max(500),
    owner_after_hours: z.number().positive().max(24 * 30).default(24),
    executive_after_hours: z.number().positive().max(24 * 60).default(48),
  })
  .refine((m) => m.executive_after_hours > m.owner_after_hours, {
    message: "executive_after_hours must be later than owner_after_hours",
    path: ["executive_after_hours"],
  })
  .refine((m) => CONFLICT_TYPES.every((type) => m.rules.some((r) => r.team === undefined && (r.type === type || r.type === "*"))), {
    message: "needs a rule without a team for every conflict type (or a `*` rule), so every conflict has an owner",
    path: ["rules"],
  });
export type AuthorityMatrix = z.output<typeof authorityMatrixSchema>;

/** The proposal's "Decision Authority Matrix", with handles for its people. */
export const DEFAULT_AUTHORITY_MATRIX: AuthorityMatrix = authorityMatrixSchema.parse({
  rules: [
    { type: "price_mismatch", first_responders: ["pricing-team"], decision_owner: "vp-data-science", executives: ["sam-evp-digital"] },
    { type: "availability_contradiction", first_responders: ["inventory-team"], decision_owner: "dave-vp-delivery", executives: ["sam-evp-digital"] },
    { type: "team_disagreement", first_responders: [], decision_owner: "dave-vp-delivery", executives: ["sam-evp-digital"] },
  ],
});

export interface Authority {
  first_responders: string[];
  decision_owner: string;
  executives: string[];
}

/**
 * The most specific rule for a conflict: a rule naming one of its teams beats one that does not;
 * an exact type beats `*`; among equals, the first listed wins.
 */
export function authorityFor(matrix: AuthorityMatrix, conflict: Pick<ConflictRecord, "type" | "teams">): Authority {
  let best: AuthorityRule | undefined;
  let bestScore = -1;
  for (const rule of matrix.rules) {
    if (rule.type !== "*" && rule.type !== conflict.type) continue;
    if (rule.team !== undefined && !conflict.teams.includes(rule.team)) continue;
    const score = (rule.team !== undefined ? 2 : 0) + (rule.type === conflict.type ? 1 : 0);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }
  if (!best) throw new Error(`authorityFor: no rule covers a ${conflict.type} conflict (the matrix schema should have refused this)`);
  return {
    first_responders: [...new Set([...conflict.teams, ...best.first_responders])],
    decision_owner: best.decision_owner,
    executives: best.executives,
  };
}

/** When the next escalation of a conflict is due (ISO), or null when none is pending. */
export function nextEscalationAt(
  conflict: Pick<ConflictRecord, "status" | "escalation_level" | "sla_started_at">,
  matrix: Pick<AuthorityMatrix, "owner_after_hours" | "executive_after_hours">,
): string | null {
  if (!isUnresolved(conflict) || conflict.escalation_level >= 2) return null;
  const hours = conflict.escalation_level === 0 ? matrix.owner_after_hours : matrix.executive_after_hours;
  return new Date(Date.parse(conflict.sla_started_at) + hours * HOUR_MS).toISOString();
}

export interface EscalationNotice {
  conflict_id: string;
  type: ConflictType;
  level: 1 | 2;
  notified: string[];
  due_at: string;
  at: string;
}

/**
 * Applies every escalation due at `now` (both levels when an alarm ran very late). Returns the
 * updated record with one audit entry and one notice per level reached.
 */
export function escalate(
  conflict: ConflictRecord,
  now: string,
  matrix: AuthorityMatrix,
): { record: ConflictRecord; audits: AuditEntry[]; notices: EscalationNotice[] } {
  const nowMs = Date.parse(now);
  if (Number.isNaN(nowMs)) throw new Error(`escalate: now "${now}" is not an ISO timestamp`);
  let record = conflict;
  const audits: AuditEntry[] = [];
  const notices: EscalationNotice[] = [];
  const authority = authorityFor(matrix, conflict);
  for (let due = nextEscalationAt(record, matrix); due !== null && Date.parse(due) <= nowMs; due = nextEscalationAt(record, matrix)) {
    const level = (record.escalation_level + 1) as 1 | 2;
    const notified = level === 1 ? [authority.decision_owner] : authority.executives;
    const hours = level === 1 ? matrix.owner_after_hours : matrix.executive_after_hours;
    record = { ...record, escalation_level: level, escalated_at: now };
    audits.push({
      conflict_id: record.conflict_id,
      at: now,
      action: "escalated",
      actor: "visibility-layer",
      from: record.status,
      to: record.status,
      reason: `unresolved ${hours} h after ${record.sla_started_at === record.detected_at ? "detection" : "reopening"}`,
      escalation_level: level,
      notified,
    });
    notices.push({ conflict_id: record.conflict_id, type: record.type, level, notified, due_at: due, at: now });
  }
  return { record, audits, notices };
}
