import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateDemoCompany } from "../sim/index.ts";
import { ATTRIBUTE_SCHEMAS, EVENT_TYPES, validateEvent, validateEventWithSchema } from "./canonical.ts";
import { ATTRIBUTE_KINDS, parseCommonShape } from "./common-shape.ts";

const INGESTED_AT = "2026-11-23T00:00:00.000Z";

/** JSON with what JSON hides made visible: keys holding undefined, and -0. Key order counts. */
function exact(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v === undefined ? "<undefined>" : Object.is(v, -0) ? "<-0>" : v));
}

const ATTRIBUTE_EXAMPLES: Record<string, unknown> = {
  due_date: "2025-03-01", paid_date: "2025-03-04T10:00:00Z", original_due_date: "2025-03-01", estimated_delivery: "2025-03-02",
  actual_delivery: "2025-03-05T12:00:00.250Z", expected_date: "2025-03-09", total: 120.5, days_to_pay: 12, days_overdue: 4,
  balance_remaining: 80, days_late: 2, quantity_on_hand: 3, reorder_point: 10, days_delayed: 5, resolution_time_hours: 6.5,
  satisfaction_score: 4, score: 5, changed_fields: ["email"],
};

/** One valid record of each event type, every typed attribute filled. */
const BASES = EVENT_TYPES.map((type, k) => ({
  event_id: `evt-${k}`,
  event_type: type,
  event_time: "2025-02-03T10:00:00Z",
  source: "test",
  source_entity_id: `src-${k}`,
  entity_type: "order",
  entity_id: `ent-${k}`,
  related_entity_ids: { customer_id: "C-1", product_ids: ["P-1", "P-2"] },
  amount: 100,
  currency: "USD",
  attributes: Object.fromEntries(Object.keys(ATTRIBUTE_KINDS[type]).map((key) => [key, ATTRIBUTE_EXAMPLES[key] ?? "text"])),
}));

const strings = ["", " ", "a", " a", "a ", "\u00a0a", "a\u3000", "\u0001a", "é", "x".repeat(256), "x".repeat(257), "USD", "usd", "@SD", "U5D", "EURO", "canonical_v1", "canonical_v2"];
const times = [
  "2025-02-03T10:00:00Z", "2025-02-03T10:00:00.123Z", "2025-02-03T10:00:00.5Z", "2025-02-03T10:00Z", "2025-02-03T10:00:00",
  "2025-02-03 10:00:00", "2025-02-03", "2025-02-03T23:30:00-01:00", "2024-02-29T00:00:00Z", "2025-02-29T00:00:00Z",
  "2025-13-01T00:00:00Z", "2025-02-03T24:00:00Z", "2025-02-03T10:60:00Z", "2025-02-03T10:00:60Z", "1899-12-31T00:00:00Z",
  "0000-02-29", "1900-02-29", "2000-02-29T00:00:00Z", "2025-04-31", "2025-02-03T10:00:00.123+00:00", "2025-02-03t10:00:00z",
  "2025-02-03T10:00:00.12Z", "2025-02-03T10:00:00,123Z", "yesterday", "2040-01-01T00:00:00Z", "2019-01-01T00:00:00Z",
];
const values: unknown[] = [
  undefined, null, 0, -0, 1, -1, 0.5, 5, 6, 1e308, Number.NaN, Number.POSITIVE_INFINITY, true, [], ["a"], ["a", " b"], [1], ["x".repeat(201)],
  Array.from({ length: 101 }, () => "f"), {}, { a: 1 }, ...strings, ...times,
];
const TOP_KEYS = ["event_id", "event_type", "event_time", "ingested_at", "source", "source_entity_id", "entity_type", "entity_id", "related_entity_ids", "amount", "currency", "attributes", "data_quality_flags", "schema_version", "extra"];
const RELATED_KEYS = ["customer_id", "vendor_id", "order_id", "product_ids", "invoice_ids", "bill_ids", "other_id", "5"];
const ATTRIBUTE_KEYS = [...new Set([...Object.keys(ATTRIBUTE_EXAMPLES), "payment_method", "category", "reason", "carrier", "email", "line_items", "__proto__"])];

type Mutation = { where: "top" | "related" | "attributes"; key: string; value: unknown; remove: boolean };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ where: fc.constant("top" as const), key: fc.constantFrom(...TOP_KEYS), value: fc.constantFrom(...values, "order_placed", "invoice", "ORDER"), remove: fc.boolean() }),
  fc.record({ where: fc.constant("related" as const), key: fc.constantFrom(...RELATED_KEYS), value: fc.constantFrom(...values), remove: fc.boolean() }),
  fc.record({ where: fc.constant("attributes" as const), key: fc.constantFrom(...ATTRIBUTE_KEYS), value: fc.constantFrom(...values), remove: fc.boolean() }),
);

function mutate(base: (typeof BASES)[number], mutations: readonly Mutation[]): Record<string, unknown> {
  const record: Record<string, unknown> = structuredClone(base);
  for (const m of mutations) {
    let target = record;
    if (m.where !== "top") {
      const nested = record[m.where];
      if (typeof nested !== "object" || nested === null || Array.isArray(nested)) continue;
      target = nested as Record<string, unknown>;
    }
    if (m.remove) delete target[m.key];
    else if (m.key === "__proto__") Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    else target[m.key] = m.value;
  }
  return record;
}

describe("parseCommonShape (the fast path of validateEvent)", () => {
  it("knows the typed attributes of every event type, as the schema does", () => {
    for (const type of EVENT_TYPES) expect(Object.keys(ATTRIBUTE_KINDS[type])).toEqual(Object.keys(ATTRIBUTE_SCHEMAS[type].shape));
  });

  it("takes the common shape: every valid base record and every simulated event", () => {
    for (const base of BASES) expect(parseCommonShape(base), base.event_type).not.toBeNull();
    const simulated = generateDemoCompany({ qbo: false }).events;
    expect(simulated.filter((e) => parseCommonShape(e) === null)).toEqual([]);
  });

  it("gives exactly the schema's result for any record: the same event, or the same rejection", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BASES.length - 1 }), fc.array(mutation, { maxLength: 4 }), (k, mutations) => {
        const record = mutate(BASES[k]!, mutations);
        const fast = validateEvent(structuredClone(record), INGESTED_AT);
        const reference = validateEventWithSchema(structuredClone(record), INGESTED_AT);
        expect(exact(fast)).toBe(exact(reference));
      }),
      { numRuns: 20_000, seed: 5 },
    );
  });

  it("gives the schema's result for records that are not objects", () => {
    for (const record of [null, undefined, 1, "order", [], [BASES[0]], true]) {
      expect(exact(validateEvent(record, INGESTED_AT))).toBe(exact(validateEventWithSchema(record, INGESTED_AT)));
    }
  });
});
