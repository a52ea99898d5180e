import { describe, expect, it } from "vitest";
import { authorityFor, authorityMatrixSchema, DEFAULT_AUTHORITY_MATRIX, escalate, nextEscalationAt } from "./escalation.ts";
import { conflictFixture } from "./test-fixtures.ts";

const DETECTED = "2025-03-03T10:00:00.000Z";

describe("escalation", () => {
  it("is due 24 h after detection to the decision owner, then 48 h after to the executives", () => {
    const conflict = conflictFixture({ detected_at: DETECTED, sla_started_at: DETECTED });
    expect(nextEscalationAt(conflict, DEFAULT_AUTHORITY_MATRIX)).toBe("2025-03-04T10:00:00.000Z");
    expect(escalate(conflict, "2025-03-04T09:59:59.999Z", DEFAULT_AUTHORITY_MATRIX).notices).toEqual([]);

    const first = escalate(conflict, "2025-03-04T10:00:00.000Z", DEFAULT_AUTHORITY_MATRIX);
    expect(first.notices).toEqual([
      { conflict_id: "c-1", type: "price_mismatch", level: 1, notified: ["vp-data-science"], due_at: "2025-03-04T10:00:00.000Z", at: "2025-03-04T10:00:00.000Z" },
    ]);
    expect(first.audits[0]).toMatchObject({ action: "escalated", escalation_level: 1, reason: "unresolved 24 h after detection", notified: ["vp-data-science"] });
    expect(nextEscalationAt(first.record, DEFAULT_AUTHORITY_MATRIX)).toBe("2025-03-05T10:00:00.000Z");

    const second = escalate(first.record, "2025-03-05T10:00:00.000Z", DEFAULT_AUTHORITY_MATRIX);
    expect(second.notices.map((n) => [n.level, n.notified])).toEqual([[2, ["sam-evp-digital"]]]);
    expect(nextEscalationAt(second.record, DEFAULT_AUTHORITY_MATRIX)).toBeNull();
    // Alarms are at-least-once: running again changes nothing.
    expect(escalate(second.record, "2025-03-05T10:00:01.000Z", DEFAULT_AUTHORITY_MATRIX).notices).toEqual([]);
  });

  it("applies both levels when the alarm runs very late", () => {
    const late = escalate(conflictFixture(), "2025-03-06T00:00:00.000Z", DEFAULT_AUTHORITY_MATRIX);
    expect(late.notices.map((n) => n.level)).toEqual([1, 2]);
    expect(late.record.escalation_level).toBe(2);
  });

  it("keeps running after an acknowledgement and stops on resolution", () => {
    expect(nextEscalationAt(conflictFixture({ status: "acknowledged" }), DEFAULT_AUTHORITY_MATRIX)).toBe("2025-03-04T10:00:00.000Z");
    for (const status of ["fixed", "documented", "disputed"] as const) {
      expect(nextEscalationAt(conflictFixture({ status }), DEFAULT_AUTHORITY_MATRIX)).toBeNull();
    }
  });

  it("follows a configured matrix: custom hours and the most specific rule", () => {
    const matrix = authorityMatrixSchema.parse({
      owner_after_hours: 4,
      executive_after_hours: 12,
      rules: [
        { type: "*", decision_owner: "ops-lead", executives: ["cto"] },
        { type: "price_mismatch", decision_owner: "pricing-lead", executives: ["cfo"], first_responders: ["pricing-oncall"] },
        { type: "*", team: "magic-apron", decision_owner: "apron-lead", executives: ["cdo"] },
        { type: "price_mismatch", team: "magic-apron", decision_owner: "apron-pricing-lead", executives: ["cdo", "cfo"] },
      ],
    });
    expect(authorityFor(matrix, { type: "price_mismatch", teams: ["inventory", "magic-apron"] }).decision_owner).toBe("apron-pricing-lead");
    expect(authorityFor(matrix, { type: "availability_contradiction", teams: ["inventory", "magic-apron"] }).decision_owner).toBe("apron-lead");
    expect(authorityFor(matrix, { type: "price_mismatch", teams: ["inventory", "search"] })).toEqual({
      first_responders: ["inventory", "search", "pricing-oncall"],
      decision_owner: "pricing-lead",
      executives: ["cfo"],
    });
    expect(authorityFor(matrix, { type: "team_disagreement", teams: ["search", "sponsored"] }).decision_owner).toBe("ops-lead");
    expect(nextEscalationAt(conflictFixture(), matrix)).toBe("2025-03-03T14:00:00.000Z");
  });

  it("refuses a matrix that leaves a conflict type without an owner or escalates backwards", () => {
    const gap = authorityMatrixSchema.safeParse({ rules: [{ type: "price_mismatch", decision_owner: "a", executives: ["b"] }] });
    expect(gap.error?.issues[0]?.message).toMatch(/needs a rule without a team for every conflict type/);
    const backwards = authorityMatrixSchema.safeParse({ owner_after_hours: 48, executive_after_hours: 24, rules: [{ type: "*", decision_owner: "a", executives: ["b"] }] });
    expect(backwards.error?.issues[0]?.message).toBe("executive_after_hours must be later than owner_after_hours");
  });
});
