import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { event, evidenceOf } from "./analyze/testing/events.ts";
import type { CanonicalEvent, EventType } from "./events/canonical.ts";
import { compareEvidence, type EvidenceEvent, type EvidenceQuery, MemoryEvidence, toEvidence } from "./evidence.ts";

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

/** The index as it was before the columnar one: every event object kept, sorted lists per type. */
class ReferenceEvidence {
  private readonly byType = new Map<EventType, EvidenceEvent[]>();
  add(e: CanonicalEvent): void {
    const list = this.byType.get(e.event_type) ?? [];
    list.push(toEvidence(e));
    this.byType.set(e.event_type, list);
  }
  events(query: EvidenceQuery): EvidenceEvent[] {
    const after = `${query.to}\uffff`;
    let merged: EvidenceEvent[] = [];
    for (const type of new Set(query.types)) {
      const list = [...(this.byType.get(type) ?? [])].sort(compareEvidence);
      const run = list.filter((e) => e.event_time >= query.from && e.event_time < after);
      merged = [...merged, ...run].sort(compareEvidence); // stable: earlier types first on ties
    }
    return merged.slice(0, query.limit);
  }
}

const TYPES = ["order_placed", "order_late", "refund_issued"] as const;
const DAYS = ["2025-01-31", "2025-02-01", "2025-02-02", "2025-02-03"];
const eventArb = fc.record({
  id: fc.constantFrom("a", "b", "c", "d", "e", "f"),
  type: fc.constantFrom(...TYPES),
  day: fc.constantFrom(...DAYS),
  time: fc.constantFrom("T00:00:00Z", "T10:00:00.5Z", "T23:59:59.999Z"),
  amount: fc.constantFrom(null, 1, 0.1, -3),
});
const queryArb = fc.record({
  types: fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 4 }),
  from: fc.constantFrom(...DAYS),
  span: fc.integer({ min: 0, max: 3 }),
  limit: fc.integer({ min: 0, max: 12 }),
});

describe("MemoryEvidence (columnar) against the reference index", () => {
  it("returns the same events in the same order for any events, queries and interleaving of adds and queries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 40 }), fc.array(queryArb, { minLength: 1, maxLength: 5 }), async (specs, queries) => {
        const source = new MemoryEvidence();
        const reference = new ReferenceEvidence();
        for (const [k, s] of specs.entries()) {
          const e = event({ event_id: s.id, event_type: s.type, event_time: `${s.day}${s.time}`, entity_type: "order", entity_id: `O-${k}`, amount: s.amount, currency: s.amount === null ? null : "USD", related_entity_ids: { customer_id: `C-${k % 3}` }, attributes: { k } });
          source.add(e);
          reference.add(e);
          if (k % 9 === 0) {
            const q = queries[k % queries.length]!;
            const query = { types: q.types, from: q.from, to: DAYS[Math.min(DAYS.indexOf(q.from) + q.span, DAYS.length - 1)]!, limit: q.limit };
            expect(await source.events(query)).toEqual(reference.events(query));
          }
        }
        for (const q of queries) {
          const query = { types: q.types, from: q.from, to: DAYS[Math.min(DAYS.indexOf(q.from) + q.span, DAYS.length - 1)]!, limit: q.limit };
          const found = await source.events(query);
          expect(JSON.stringify(found)).toBe(JSON.stringify(reference.events(query)));
        }
      }),
      { numRuns: 2_000, seed: 3 },
    );
  });

  it("returns the same object for an event each time it is found", async () => {
    const source = new MemoryEvidence();
    source.add(event({ event_id: "x", event_type: "order_placed", event_time: "2025-02-01T00:00:00Z", entity_type: "order", entity_id: "O-1" }));
    const query = { types: ["order_placed"] as EventType[], from: "2025-02-01", to: "2025-02-01", limit: 5 };
    expect((await source.events(query))[0]).toBe((await source.events(query))[0]);
  });

  it("gives back an event time that was not normalised exactly as it was added", async () => {
    const source = new MemoryEvidence();
    const added = { ...event({ event_id: "y", event_type: "order_placed", event_time: "2025-02-01T10:00:00Z", entity_type: "order", entity_id: "O-2" }), event_time: "2025-02-01T10:00:00Z" };
    source.add(added);
    const [found] = await source.events({ types: ["order_placed"], from: "2025-02-01", to: "2025-02-01", limit: 5 });
    expect(found).toEqual(toEvidence(added));
  });
});
