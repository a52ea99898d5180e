/** Builders shared by the visibility tests (not used by production code). */
import type { ConflictRecord } from "./conflict.ts";

/** A price-mismatch conflict detected at `detectedAt`, overridable field by field. */
export function conflictFixture(patch: Partial<ConflictRecord> = {}): ConflictRecord {
  const detectedAt = patch.detected_at ?? "2025-03-03T10:00:00.000Z";
  return {
    conflict_id: "c-1",
    type: "price_mismatch",
    product_id: "sku-1",
    store_id: "store-9",
    category: "paint",
    teams: ["inventory", "magic-apron"],
    decision_team: "magic-apron",
    status: "open",
    first_seen: detectedAt,
    last_seen: detectedAt,
    detected_at: detectedAt,
    alerted_at: null,
    occurrences: 1,
    active: true,
    cleared_at: null,
    first_event_id: "ma-1",
    last_event_id: "ma-1",
    previous_conflict_id: null,
    evidence: {
      type: "price_mismatch",
      decision: { team: "magic-apron", event_id: "ma-1", surface: "assistant", price: 12.99, currency: "USD", availability: "in_stock", quantity: null, ts: detectedAt },
      ground_truth: { team: "inventory", event_id: "gt-1", surface: null, price: 10.99, currency: "USD", availability: "in_stock", quantity: 12, ts: detectedAt },
      deviation_pct: 18.1984,
      tolerance_pct: 5,
    },
    sla_started_at: detectedAt,
    escalation_level: 0,
    escalated_at: null,
    acknowledged_at: null,
    resolved_at: null,
    resolved_by: null,
    resolution_reason: null,
    ...patch,
  };
}
