import { describe, expect, it } from "vitest";
import { validateEvent } from "./canonical.ts";
import { QualityAccumulator } from "./quality.ts";

const NOW = "2025-03-01T00:00:00Z";
const shipment = (id: string, attributes: Record<string, unknown>, time = "2025-02-20T00:00:00Z") => {
  const result = validateEvent(
    { event_id: id, event_type: "shipment_delayed", event_time: time, source: "logistics", source_entity_id: id, entity_type: "vendor", entity_id: "v-1", attributes },
    NOW,
  );
  if (!result.ok) throw new Error("invalid");
  return result.event;
};

describe("data-quality report", () => {
  it("scores completeness, consistency and timeliness and says what they weaken", () => {
    const q = new QualityAccumulator();
    // 10 records: 8 complete, 2 without days_delayed (one of them dated in the future), plus 0 rejects.
    for (let i = 0; i < 8; i++) q.add(shipment(`s${i}`, { days_delayed: 2 }));
    q.add(shipment("s8", {}));
    q.add(shipment("s9", {}, "2025-03-05T00:00:00Z"));
    const report = q.report("batch-1", "logistics");
    expect(report.total_records).toBe(10);
    expect(report.completeness_score).toBe(0.8); // 8 of 10 expected key fields present
    expect(report.consistency_score).toBe(1);
    expect(report.timeliness_score).toBe(0.9);
    expect(report.overall_quality_score).toBeCloseTo(0.4 * 0.8 + 0.3 * 1 + 0.3 * 0.9, 4);
    expect(report.quality_issues[0]).toEqual({ issue: "missing:days_delayed", count: 2, share: 0.2, event_types: ["shipment_delayed"] });
    expect(report.impact_advisory).toMatch(/^Supplier RCA confidence may be reduced: 20 % of records lack days delayed/);
  });

  it("counts rejected records against the batch", () => {
    const q = new QualityAccumulator();
    q.add(shipment("ok", { days_delayed: 1 }));
    q.reject({ field: "event_type" }, "teleport");
    const report = q.report("b", "upload");
    expect(report).toMatchObject({ total_records: 2, valid_records: 1, rejected_records: 1, consistency_score: 0.5 });
    expect(report.quality_issues.map((i) => i.issue)).toContain("rejected:event_type");
  });

  it("is calm about a clean batch", () => {
    const q = new QualityAccumulator();
    q.add(shipment("ok", { days_delayed: 1 }));
    expect(q.report("b", "upload").impact_advisory).toMatch(/full confidence/);
  });
});
