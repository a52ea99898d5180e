import { describe, expect, it } from "vitest";
import type { Labels } from "../sim/labels.ts";
import { effectRatios } from "./effect-size.ts";

const realized = (count: number) => ({ count, amount: 0, first_day: "2026-03-01", last_day: "2026-03-05" });

function labels(): Pick<Labels, "incidents" | "injections"> {
  const base = { onset_day: 59, onset: "2026-03-01", root_cause_metric: "refund_rate" as const, caused_by: null, lag_days: null, min_severity: null, entities: {}, effect_onset: "2026-03-01" };
  return {
    injections: [{ kind: "defect_batch", onset_day: 56, onset: "2026-02-26", duration_days: 5, parameters: {}, realized: { defect_refunds: realized(21), costlier_bills: realized(40) } }],
    incidents: [
      { ...base, id: "refunds", incident_type: "REFUND_SPIKE", duration_days: 5, effect_marker: "defect_refunds" },
      { ...base, id: "long", incident_type: "REFUND_SPIKE", duration_days: 14, effect_marker: "defect_refunds" },
      { ...base, id: "margin", incident_type: "MARGIN_COMPRESSION", duration_days: 30, effect_marker: "costlier_bills" },
      { ...base, id: "unmarked", incident_type: "REFUND_SPIKE", duration_days: 5, effect_marker: null },
    ],
  };
}

/** 3 refunds every 2 days in the 30 days before 1 March (1.5 a day), and some that do not count. */
function events() {
  const out = [];
  for (let d = 0; d < 30; d++) {
    const day = new Date(Date.parse("2026-01-30T00:00:00Z") + d * 86_400_000).toISOString().slice(0, 10);
    const refunds = d % 2 === 0 ? 2 : 1;
    for (let k = 0; k < refunds; k++) out.push({ event_type: k === 0 ? "refund_issued" : "credit_memo_issued", event_time: `${day}T10:00:00Z`, attributes: {} });
    out.push({ event_type: "order_placed", event_time: `${day}T11:00:00Z`, attributes: {} });
  }
  // Before the 30-day window and on the onset day itself: not part of the normal count.
  out.push({ event_type: "refund_issued", event_time: "2026-01-29T10:00:00Z", attributes: {} });
  out.push({ event_type: "refund_issued", event_time: "2026-03-01T10:00:00Z", attributes: {} });
  return out as Parameters<typeof effectRatios>[1] extends Iterable<infer E> ? E[] : never;
}

describe("effectRatios", () => {
  it("divides the realized effect by the normal count over the incident's window (at least a week)", () => {
    const ratios = effectRatios(labels(), events());
    // 45 refunds in 30 days = 1.5 a day; 21 extra over 7 days (5 → at least 7) = 2.0.
    expect(ratios.get("refunds")).toBeCloseTo(21 / (1.5 * 7), 10);
    // Over 14 days the same 21 extra refunds are a smaller effect.
    expect(ratios.get("long")).toBeCloseTo(21 / (1.5 * 14), 10);
  });

  it("gives no ratio to types without a comparable count or labels without a marker", () => {
    const ratios = effectRatios(labels(), events());
    expect(ratios.get("margin")).toBeNull();
    expect(ratios.get("unmarked")).toBeNull();
  });

  it("gives no ratio when the business had none of those events before", () => {
    expect(effectRatios(labels(), []).get("refunds")).toBeNull();
  });
});
