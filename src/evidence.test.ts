import { describe, expect, it } from "vitest";
import { event, evidenceOf } from "./analyze/testing/events.ts";

describe("MemoryEvidence", () => {
  const events = [
    event({ event_id: "late-1", event_type: "order_late", event_time: "2025-02-01T23:59:00Z", entity_type: "order", entity_id: "O-1" }),
    event({ event_id: "late-2", event_type: "order_late", event_time: "2025-02-02T08:00:00Z", entity_type: "order", entity_id: "O-2" }),
    event({ event_id: "placed-1", event_type: "order_placed", event_time: "2025-02-02T07:00:00Z", entity_type: "order", entity_id: "O-3" }),
    event({ event_id: "placed-2", event_type: "order_placed", event_time: "2025-02-03T00:00:00Z", entity_type: "order", entity_id: "O-4" }),
    event({ event_id: "late-3", event_type: "order_late", event_time: "2025-02-04T00:00:00Z", entity_type: "order", entity_id: "O-5" }),
  ];
  const source = evidenceOf([...events].reverse());

  it("returns the events of the asked types on the asked days, both ends included, in time order", async () => {
    const found = await source.events({ types: ["order_late", "order_placed"], from: "2025-02-02", to: "2025-02-03", limit: 10 });
    expect(found.map((e) => e.event_id)).toEqual(["placed-1", "late-2", "placed-2"]);
  });

  it("stops at the limit, keeping the earliest", async () => {
    const found = await source.events({ types: ["order_late", "order_placed"], from: "2025-02-01", to: "2025-02-04", limit: 2 });
    expect(found.map((e) => e.event_id)).toEqual(["late-1", "placed-1"]);
  });

  it("finds nothing outside the window or for absent types", async () => {
    expect(await source.events({ types: ["order_late"], from: "2025-02-05", to: "2025-03-01", limit: 10 })).toEqual([]);
    expect(await source.events({ types: ["refund_issued"], from: "2025-01-01", to: "2025-12-31", limit: 10 })).toEqual([]);
  });
});
