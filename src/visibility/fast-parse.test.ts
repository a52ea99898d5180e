import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { visibilityEventSchema } from "./event.ts";
import { fastParseEvent } from "./fast-parse.ts";

const valid = {
  event_id: "ma-1",
  team: "magic-apron",
  kind: "decision",
  surface: "assistant",
  product_id: "sku-1",
  store_id: "store-9",
  category: "paint",
  price: 12.99,
  currency: "USD",
  availability: "in_stock",
  quantity: 3,
  ts: "2025-03-03T10:00:00.5Z",
};

/** Field values that are sometimes fine and sometimes not, to probe both paths. */
const anyValue = fc.oneof(
  fc.constantFrom("", " x", "x ", "ok", "USD", "usd", "in_stock", "limited", "decision", "ground_truth", "Magic Apron", "a".repeat(129)),
  fc.constantFrom("2025-03-03T10:00:00Z", "2025-02-30T10:00:00Z", "2025-03-03T10:00:00+02:00", "2025-03-03", "2025-03-03T10:00:00.1234Z", "2025-13-01T00:00:00Z"),
  fc.double({ noNaN: false }),
  fc.integer({ min: -5, max: 5 }),
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
);

describe("fastParseEvent", () => {
  it("gives exactly what the schema gives whenever it answers, and answers for a plain valid event", () => {
    expect(fastParseEvent(valid)).toEqual(visibilityEventSchema.parse(valid));
    const keys = Object.keys(valid) as (keyof typeof valid)[];
    fc.assert(
      fc.property(fc.subarray(keys), fc.array(anyValue, { minLength: keys.length, maxLength: keys.length }), (changed, values) => {
        const record: Record<string, unknown> = { ...valid };
        changed.forEach((key, i) => (record[key] = values[i]));
        const fast = fastParseEvent(record);
        if (fast === null) return; // the schema decides
        const schema = visibilityEventSchema.safeParse(record);
        expect(schema.success).toBe(true);
        expect(fast).toEqual(schema.data);
      }),
      { numRuns: 3000, seed: 42 },
    );
  });

  it("leaves the unusual to the schema: offsets, whitespace, rolled-over dates", () => {
    expect(fastParseEvent({ ...valid, ts: "2025-03-03T10:00:00+02:00" })).toBeNull();
    expect(fastParseEvent({ ...valid, product_id: " sku-1" })).toBeNull();
    expect(fastParseEvent({ ...valid, ts: "2025-02-30T10:00:00Z" })).toBeNull();
  });
});
