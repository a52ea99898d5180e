import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CanonicalEvent, EVENT_TYPES, validateEvent } from "../events/canonical.ts";
import { type EntityState, foldEvents, type LedgerSnapshot, snapshotFromRows } from "./ledger.ts";
import { ColumnarLedger } from "./memory-ledger.ts";

/** The ledger as it was before the columnar one: string keys and state objects over `foldEvents`. */
class ReferenceLedger {
  readonly daily = new Map<string, number>();
  readonly customerRevenue = new Map<string, number>();
  readonly states = new Map<string, EntityState>();
  private readonly seen = new Set<string>();

  append(events: readonly CanonicalEvent[]): { accepted: number; duplicates: number } {
    const fresh = events.filter((e) => !this.seen.has(e.event_id) && this.seen.add(e.event_id));
    const delta = foldEvents(fresh, this.states);
    merge(this.daily, delta.daily);
    merge(this.customerRevenue, delta.customerRevenue);
    for (const [key, state] of delta.states) this.states.set(key, state);
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  }

  snapshot(): LedgerSnapshot {
    const split = (k: string) => [k.slice(0, k.indexOf("|")), k.slice(k.indexOf("|") + 1)] as const;
    return snapshotFromRows(
      [...this.daily].map(([k, value]) => ({ day: split(k)[0], key: split(k)[1], value })),
      [...this.customerRevenue].map(([k, revenue]) => ({ day: split(k)[0], customer_id: split(k)[1], revenue })),
    );
  }
}

/**
 * The reference keeps each payer's day on a bill (so a retracted payment can be taken back); the
 * columnar ledger, which has no retractions, keeps only the earliest, which is what contributes.
 */
function billPaidOnce(state: EntityState): EntityState {
  if (state.kind !== "bill" || state.payments === undefined) return state;
  const { payments, ...bill } = state;
  const paid_day = [bill.paid_day, ...Object.values(payments)].filter((d): d is string => d !== undefined).sort()[0];
  return paid_day === undefined ? bill : { ...bill, paid_day };
}

function merge(target: Map<string, number>, source: Map<string, number>): void {
  for (const [k, v] of source) {
    const next = (target.get(k) ?? 0) + v;
    if (Math.abs(next) < 1e-9) target.delete(k);
    else target.set(k, next);
  }
}

/** Exact comparison: key order, -0 and every last bit of a float count. */
const exact = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (Object.is(v, -0) ? "<-0>" : v));

const day = fc.constantFrom("2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02", "2025-02-14", "2025-02-15", "2025-03-01", "2024-12-31");
const amount = fc.constantFrom(null, 0, -0, 0.1, 0.2, 0.3, 334.08, 19.99, -12.5, 100, 1e-10, 7);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const eventSpec = fc.record({
  type: fc.constantFrom(...EVENT_TYPES),
  entity: fc.constantFrom("A", "B", "C", "D"),
  day,
  hour: fc.constantFrom("00", "09", "23"),
  amount,
  customer: maybe(fc.constantFrom("c1", "c2", "c|3")),
  bills: maybe(fc.array(fc.constantFrom("A", "B", "C"), { maxLength: 3 })),
  invoices: maybe(fc.array(fc.constantFrom("A"), { maxLength: 1 })),
  vendor: maybe(fc.constantFrom("V1", "V|2")),
  products: maybe(fc.array(fc.constantFrom("P1", "P2", "P|3"), { maxLength: 3 })),
  date: maybe(day),
  date2: maybe(day),
  number: maybe(fc.constantFrom(0, 1, 2.5, 3, 5, 40, 0.1)),
  total: maybe(fc.constantFrom(50, 0.3)),
  lines: maybe(fc.array(fc.record({ item_id: fc.constantFrom("I1", "I|2", ""), qty: fc.constantFrom(0, 1, 2.5, -1, 10), amount: fc.constantFrom(0, 10, 0.1, -5, 99.99) }), { maxLength: 3 })),
  flags: fc.array(fc.constantFrom("missing:x", "inconsistent:y", "a|b:c", "nocolon", "timeliness:z"), { maxLength: 3 }),
});

type EventSpec = typeof eventSpec extends fc.Arbitrary<infer T> ? T : never;

function eventOf(spec: EventSpec, n: number): CanonicalEvent | null {
  const attributes: Record<string, unknown> = {};
  for (const key of ["due_date", "paid_date", "actual_delivery"]) if (spec.date !== undefined) attributes[key] = spec.date;
  if (spec.date2 !== undefined) attributes.original_due_date = `${spec.date2}T12:00:00Z`;
  for (const key of ["days_to_pay", "days_late", "days_delayed", "resolution_time_hours", "score", "balance_remaining"]) if (spec.number !== undefined) attributes[key] = spec.number;
  if (spec.total !== undefined) attributes.total = spec.total;
  if (spec.lines !== undefined) attributes.line_items = spec.lines;
  const result = validateEvent(
    {
      event_id: `e${n % 37}`,
      event_type: spec.type,
      event_time: `${spec.day}T${spec.hour}:00:00Z`,
      source: "test",
      source_entity_id: spec.entity,
      entity_type: "order",
      entity_id: spec.entity,
      amount: spec.amount,
      currency: spec.amount === null ? null : "USD",
      related_entity_ids: { ...(spec.customer ? { customer_id: spec.customer } : {}), ...(spec.bills ? { bill_ids: spec.bills } : {}), ...(spec.invoices ? { invoice_ids: spec.invoices } : {}), ...(spec.products ? { product_ids: spec.products } : {}), ...(spec.vendor ? { vendor_id: spec.vendor } : {}) },
      attributes,
      data_quality_flags: spec.flags,
    },
    "2025-06-01T00:00:00Z",
  );
  return result.ok ? result.event : null;
}

describe("ColumnarLedger (columnar) against the reference fold", () => {
  it("gives exactly the reference's aggregates, customer revenue and entity states, for any stream and batching", () => {
    fc.assert(
      fc.property(fc.array(eventSpec, { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (specs, batchSizes, streaming) => {
        const events = specs.map((s, n) => eventOf(s, n)).filter((e): e is CanonicalEvent => e !== null);
        const ledger = new ColumnarLedger();
        const reference = new ReferenceLedger();
        let i = 0;
        for (let b = 0; i < events.length; b++) {
          const size = batchSizes[b % batchSizes.length]!;
          const batch = events.slice(i, i + size);
          const expected = reference.append(batch);
          if (streaming && b % 2 === 0) {
            // add() one event at a time, then endBatch(): the same as append() of the batch.
            const accepted = batch.filter((e) => ledger.add(e)).length;
            ledger.endBatch();
            expect({ accepted, duplicates: batch.length - accepted }).toEqual(expected);
          } else expect(ledger.append(batch)).toEqual(expected);
          i += size;
        }
        expect(exact(ledger.snapshot())).toBe(exact(reference.snapshot()));
        expect(exact([...ledger.daily])).toBe(exact([...reference.daily]));
        expect(exact([...ledger.customerRevenue])).toBe(exact([...reference.customerRevenue]));
        expect(new Map([...ledger.states].sort())).toEqual(new Map([...reference.states].map(([k, v]) => [k, billPaidOnce(v)] as const).sort()));
      }),
      { numRuns: 3_000, seed: 11 },
    );
  });

  it("sums floating-point amounts batch by batch, exactly as the reference", () => {
    const events = Array.from({ length: 40 }, (_, n) => eventOf({ type: "expense_posted", entity: `b${n}`, day: "2025-02-01", hour: "09", amount: [0.1, 0.2, 0.3, 334.08][n % 4]!, customer: undefined, bills: undefined, invoices: undefined, date: undefined, date2: undefined, number: undefined, total: undefined, flags: [] } as unknown as EventSpec, n + 100)!);
    const unique = events.map((e, n) => ({ ...e, event_id: `x${n}` }));
    const ledger = new ColumnarLedger();
    const reference = new ReferenceLedger();
    for (let i = 0; i < unique.length; i += 7) {
      ledger.append(unique.slice(i, i + 7));
      reference.append(unique.slice(i, i + 7));
    }
    expect(exact(ledger.snapshot())).toBe(exact(reference.snapshot()));
  });
});
