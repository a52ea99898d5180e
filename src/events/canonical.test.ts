import { describe, expect, it } from "vitest";
import { validateEvent } from "./canonical.ts";

const INGESTED_AT = "2025-03-01T00:00:00.000Z";
const lateOrder = {
  event_id: "evt-1",
  event_type: "order_late",
  event_time: "2025-02-03T10:00:00Z",
  source: "olist",
  source_entity_id: "o-1",
  entity_type: "order",
  entity_id: "o-1",
  attributes: { days_late: 3 },
};

describe("validateEvent", () => {
  it("accepts a valid event, normalises its time to UTC and stamps ingested_at", () => {
    const result = validateEvent({ ...lateOrder, event_time: "2025-02-03T10:00:00+02:00" }, INGESTED_AT);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.event.event_time).toBe("2025-02-03T08:00:00.000Z");
    expect(result.event.ingested_at).toBe(INGESTED_AT);
    expect(result.event.schema_version).toBe("canonical_v1");
    expect(result.event.data_quality_flags).toEqual([]);
  });

  it.each([
    [{ event_type: "order_teleported" }, "event_type", /not a known event type/],
    [{ event_type: undefined }, "event_type", /is required/],
    [{ entity_id: undefined }, "entity_id", /is required/],
    [{ event_time: "yesterday" }, "event_time", /ISO 8601/],
    [{ event_time: "2025-02-30T00:00:00Z" }, "event_time", /not a real calendar/],
    [{ amount: "12.50" }, "amount", /must be a number, got string/],
    [{ currency: "usd" }, "currency", /ISO 4217/],
    [{ entity_type: "planet" }, "entity_type", /not a known entity type/],
    [{ attributes: { days_late: "3" } }, "attributes.days_late", /must be a number/],
  ])("rejects %j on field %s", (patch, field, reason) => {
    const result = validateEvent({ ...lateOrder, ...patch }, INGESTED_AT);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.field).toBe(field);
    expect(result.rejection.reason).toMatch(reason);
    expect(result.rejection.event_id).toBe("evt-1");
  });

  it("rejects a record that is not an object", () => {
    const result = validateEvent("order", INGESTED_AT);
    expect(result).toEqual({ ok: false, rejection: { field: "(record)", reason: "must be an object, got string" } });
  });

  it("keeps an event missing a key attribute and flags it", () => {
    const result = validateEvent({ ...lateOrder, attributes: {} }, INGESTED_AT);
    expect(result.ok && result.event.data_quality_flags).toEqual(["missing:days_late"]);
  });
});

describe("timestamps", () => {
  it.each([
    ["2025-02-03T10:00:00Z", "2025-02-03T10:00:00.000Z"],
    ["2025-02-03T10:00:00.123Z", "2025-02-03T10:00:00.123Z"],
    ["2025-02-03T10:00:00.5Z", "2025-02-03T10:00:00.500Z"],
    ["2025-02-03T10:00Z", "2025-02-03T10:00:00.000Z"],
    ["2025-02-03T10:00:00", "2025-02-03T10:00:00.000Z"],
    ["2025-02-03 10:00:00", "2025-02-03T10:00:00.000Z"],
    ["2025-02-03", "2025-02-03T00:00:00.000Z"],
    ["2025-02-03T23:30:00-01:00", "2025-02-04T00:30:00.000Z"],
    ["2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"],
  ])("normalises %s to %s", (input, expected) => {
    const result = validateEvent({ ...lateOrder, event_time: input }, INGESTED_AT);
    expect(result.ok && result.event.event_time).toBe(expected);
  });

  it.each(["2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-02-03T10:61:00Z", "03/02/2025"])("rejects %s", (input) => {
    const result = validateEvent({ ...lateOrder, event_time: input }, INGESTED_AT);
    expect(result.ok).toBe(false);
  });
});
