import { describe, expect, it } from "vitest";
import { CONFLICT_STATUSES } from "./conflict.ts";
import { ALLOWED_TRANSITIONS, detectionAudit, LifecycleError, transition, transitionRequestSchema } from "./lifecycle.ts";
import { conflictFixture } from "./test-fixtures.ts";

describe("transition", () => {
  it("acknowledges, then fixes, with who and why on the record and in the audit", () => {
    const acked = transition(conflictFixture(), { status: "acknowledged", actor: "ana@pricing", reason: "looking at the cache" }, "2025-03-03T10:05:00.000Z");
    expect(acked.record).toMatchObject({ status: "acknowledged", acknowledged_at: "2025-03-03T10:05:00.000Z", resolved_at: null });
    expect(acked.audit).toEqual({
      conflict_id: "c-1",
      at: "2025-03-03T10:05:00.000Z",
      action: "transition",
      actor: "ana@pricing",
      from: "open",
      to: "acknowledged",
      reason: "looking at the cache",
      escalation_level: null,
      notified: [],
    });
    const fixed = transition(acked.record, { status: "fixed", actor: "ana@pricing", reason: "TTL lowered to 60 s" }, "2025-03-03T11:00:00.000Z");
    expect(fixed.record).toMatchObject({
      status: "fixed",
      acknowledged_at: "2025-03-03T10:05:00.000Z",
      resolved_at: "2025-03-03T11:00:00.000Z",
      resolved_by: "ana@pricing",
      resolution_reason: "TTL lowered to 60 s",
    });
  });

  it("allows exactly the documented moves", () => {
    const moves = CONFLICT_STATUSES.flatMap((from) =>
      CONFLICT_STATUSES.filter((to) => {
        try {
          transition(conflictFixture({ status: from }), { status: to, actor: "x", reason: "y" }, "2025-03-03T11:00:00.000Z");
          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(LifecycleError);
          return false;
        }
      }).map((to) => `${from}->${to}`),
    );
    expect(moves).toEqual([
      "open->acknowledged",
      "open->fixed",
      "open->documented",
      "open->disputed",
      "acknowledged->fixed",
      "acknowledged->documented",
      "acknowledged->disputed",
      "documented->open",
      "disputed->open",
    ]);
    expect(Object.values(ALLOWED_TRANSITIONS).flat()).toHaveLength(9);
  });

  it("explains a refused move", () => {
    expect(() => transition(conflictFixture({ status: "fixed" }), { status: "open", actor: "x", reason: "y" }, "2025-03-03T11:00:00.000Z")).toThrow(
      "cannot move conflict c-1 from fixed to open (fixed is final; a recurrence opens a new conflict)",
    );
    expect(() => transition(conflictFixture({ status: "acknowledged" }), { status: "open", actor: "x", reason: "y" }, "2025-03-03T11:00:00.000Z")).toThrow(
      "from acknowledged it can go to: fixed, documented, disputed",
    );
  });

  it("reopens an overturned dispute and restarts the escalation clock", () => {
    const disputed = transition(conflictFixture({ escalation_level: 1, escalated_at: "2025-03-04T10:00:00.000Z" }), { status: "disputed", actor: "lee", reason: "bundle price" }, "2025-03-04T11:00:00.000Z");
    const reopened = transition(disputed.record, { status: "open", actor: "dave-vp-delivery", reason: "customers were charged the bundle price" }, "2025-03-04T12:00:00.000Z");
    expect(reopened.record).toMatchObject({
      status: "open",
      resolved_at: null,
      resolved_by: null,
      resolution_reason: null,
      sla_started_at: "2025-03-04T12:00:00.000Z",
      escalation_level: 0,
      escalated_at: null,
    });
  });

  it("requires an actor and a reason", () => {
    expect(transitionRequestSchema.safeParse({ status: "fixed", actor: "ana" }).success).toBe(false);
    expect(transitionRequestSchema.safeParse({ status: "fixed", actor: " ", reason: "done" }).success).toBe(false);
    expect(transitionRequestSchema.safeParse({ status: "closed", actor: "ana", reason: "done" }).success).toBe(false);
  });

  it("writes a detection audit entry", () => {
    expect(detectionAudit(conflictFixture())).toMatchObject({ action: "detected", from: null, to: "open", reason: "price_mismatch on sku-1 at store-9 (inventory vs magic-apron)" });
  });
});
