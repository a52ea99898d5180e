/**
 * What the event log should hold for the emulator's books, and how a log differs from it. Used
 * by the end-to-end tests (Node and workerd) to say "nothing lost, nothing doubled, nothing
 * invented" about a log built through webhooks, faults and sweeps.
 */
import { QBO_ENTITY_TYPES, type QboEntity } from "../../src/connectors/qbo/entities.ts";
import { linkedKey, mapQboEntity } from "../../src/connectors/qbo/mapping.ts";
import { type CanonicalEvent, type CanonicalEventInput, validateEvent } from "../../src/events/canonical.ts";
import { type LedgerSnapshot, MemoryLedger } from "../../src/metrics/ledger.ts";
import type { EmulatorStore } from "./store.ts";

/** Every canonical event the books' current state implies (per-version events: of the current version). */
export function expectedEvents(store: EmulatorStore, realmId: string): Map<string, CanonicalEventInput> {
  const linked = new Map<string, QboEntity>(store.list("Payment").map((p) => [linkedKey("Payment", p.Id), p]));
  const expected = new Map<string, CanonicalEventInput>();
  for (const type of QBO_ENTITY_TYPES) {
    for (const entity of store.list(type)) {
      for (const event of mapQboEntity(type, entity, { realmId, linked }).events) expected.set(event.event_id, event);
    }
  }
  return expected;
}

export interface LogComparison {
  /** Expected events missing from the log. */
  lost: string[];
  /** Log events with no basis in the books. */
  invented: string[];
  /** Log events whose content differs from what the books say (`id: field`). */
  mismatched: string[];
  /** Event ids present more than once. */
  doubled: string[];
  /** Log events of entities QuickBooks later voided or deleted (the log is append-only). */
  ofRemovedEntities: string[];
}

const PER_VERSION = /:(updated|inventory_low):\d+$/;

export function compareWithBooks(store: EmulatorStore, realmId: string, log: readonly CanonicalEvent[]): LogComparison {
  const expected = expectedEvents(store, realmId);
  const byId = new Map<string, CanonicalEvent>();
  const doubled: string[] = [];
  for (const event of log) {
    if (byId.has(event.event_id)) doubled.push(event.event_id);
    byId.set(event.event_id, event);
  }
  const removed = new Set(store.history.filter((h) => h.operation === "Delete" || h.operation === "Void").map((h) => `${h.type}:${h.id}`));
  const result: LogComparison = { lost: [], invented: [], mismatched: [], doubled, ofRemovedEntities: [] };
  for (const [id, want] of expected) {
    const got = byId.get(id);
    if (!got) {
      result.lost.push(id);
      continue;
    }
    if (PER_VERSION.test(id)) continue;
    const valid = validateEvent(want, got.ingested_at);
    if (!valid.ok) {
      result.mismatched.push(`${id}: expected event is invalid (${valid.rejection.field} ${valid.rejection.reason})`);
      continue;
    }
    const w = valid.event;
    const fields: [string, unknown, unknown][] = [
      ["event_type", got.event_type, w.event_type],
      ["event_time", got.event_time, w.event_time],
      ["amount", got.amount, w.amount],
      ["currency", got.currency, w.currency],
      ["related_entity_ids", got.related_entity_ids, w.related_entity_ids],
    ];
    // A customer's email and a purchase order's status (Open, then Closed on receipt) may have
    // changed since they were first seen (the log keeps the first body); other facts are immutable.
    if (got.event_type === "purchase_order_placed") {
      const { status: _a, ...gotRest } = got.attributes;
      const { status: _b, ...wantRest } = w.attributes;
      fields.push(["attributes", gotRest, wantRest]);
    } else if (got.event_type !== "customer_created") fields.push(["attributes", got.attributes, w.attributes]);
    for (const [field, a, b] of fields) if (JSON.stringify(a) !== JSON.stringify(b)) result.mismatched.push(`${id}: ${field}`);
  }
  for (const [id] of byId) {
    if (expected.has(id)) continue;
    const [, , type, entityId, fact, version] = id.split(":");
    if (fact === "updated" || fact === "inventory_low") {
      // An earlier version's event: it must name a version that really existed.
      const existed = store.history.some((h) => h.type === type && h.id === entityId && h.entity.SyncToken === version);
      if (!existed) result.invented.push(id);
    } else if (removed.has(`${type}:${entityId}`)) {
      result.ofRemovedEntities.push(id);
    } else {
      result.invented.push(id);
    }
  }
  return result;
}

/**
 * The ledger a log that matches the books must have: the books' own events (each validated as
 * ingested when the log got it, since timeliness flags depend on that), plus the log's
 * per-version events of earlier customer and item versions, which the books no longer imply.
 * Voided and deleted entities imply no event, so they count for nothing here.
 */
export function ledgerOfBooks(store: EmulatorStore, realmId: string, log: readonly CanonicalEvent[]): MemoryLedger {
  const expected = expectedEvents(store, realmId);
  const byId = new Map(log.map((e) => [e.event_id, e]));
  const ledger = new MemoryLedger();
  ledger.append(
    [...expected.values()].map((e) => {
      const v = validateEvent(e, byId.get(e.event_id)?.ingested_at ?? new Date(0).toISOString());
      if (!v.ok) throw new Error(`ledgerOfBooks: ${e.event_id}: ${v.rejection.field} ${v.rejection.reason}`);
      return v.event;
    }),
  );
  ledger.append(log.filter((e) => !expected.has(e.event_id) && PER_VERSION.test(e.event_id)));
  return ledger;
}

/** A snapshot to 1e-6 (sums of cents added in another order differ in the last bits). */
export function roundedSnapshot(snapshot: LedgerSnapshot): LedgerSnapshot {
  const r = (v: number) => Math.round(v * 1e6) / 1e6;
  return {
    daily: snapshot.daily.map((row) => ({ ...row, value: r(row.value) })).filter((row) => row.value !== 0),
    customerRevenue: snapshot.customerRevenue.map((row) => ({ ...row, revenue: r(row.revenue) })).filter((row) => row.revenue !== 0),
  };
}
