/**
 * How the scan reads raw events for evidence without holding the log in memory: by type and day
 * window, with a limit. The CompanyLog answers from SQLite; the CLI from an in-memory index.
 */
import type { CanonicalEvent, EventType } from "./events/canonical.ts";

export interface EvidenceQuery {
  types: readonly EventType[];
  /** First and last UTC day, inclusive. */
  from: string;
  to: string;
  /** Most events to return (earliest first, then by event id). */
  limit: number;
}

/** The fields of an event that evidence, clustering and blast radius use. */
export type EvidenceEvent = Pick<
  CanonicalEvent,
  "event_id" | "event_type" | "event_time" | "entity_type" | "entity_id" | "related_entity_ids" | "amount" | "attributes"
>;

export interface EvidenceSource {
  events(query: EvidenceQuery): Promise<EvidenceEvent[]>;
}

export function toEvidence(event: CanonicalEvent): EvidenceEvent {
  const { event_id, event_type, event_time, entity_type, entity_id, related_entity_ids, amount, attributes } = event;
  return { event_id, event_type, event_time, entity_type, entity_id, related_entity_ids, amount, attributes };
}

/** An indexed event: its slot, type, time (epoch ms) and id. */
export interface EvidenceSlot {
  slot: number;
  type: EventType;
  time: number;
  id: string;
}

/**
 * An evidence index in columns: per event type, the events' times (epoch ms), ids and a slot
 * number, sorted by (time, id) when a query needs it. A subclass keeps what it needs to rebuild
 * the event of a slot; an event is rebuilt the first time a query returns it and kept for later
 * queries (the same object comes back). A million events are a few flat arrays rather than
 * millions of nested objects for the garbage collector to trace.
 */
export abstract class ColumnarEvidence implements EvidenceSource {
  private readonly byType = new Map<EventType, EvidenceColumns>();
  private readonly rebuilt = new Map<number, EvidenceEvent>();
  private slots = 0;

  /** The event stored under `slot` (its type, time and id are given). */
  protected abstract rebuild(slot: number, type: EventType, time: number, id: string): EvidenceEvent;

  /** Indexes an event; returns the slot the subclass keeps its fields under. */
  protected index(event: CanonicalEvent): number {
    let columns = this.byType.get(event.event_type);
    if (!columns) this.byType.set(event.event_type, (columns = new EvidenceColumns(event.event_type)));
    const slot = this.slots++;
    columns.add(Date.parse(event.event_time), event.event_id, slot);
    return slot;
  }

  async events(query: EvidenceQuery): Promise<EvidenceEvent[]> {
    // Times of day `from` 00:00 up to (not including) the day after `to`: both days included.
    const from = Date.parse(`${query.from}T00:00:00.000Z`);
    const until = Date.parse(`${query.to}T00:00:00.000Z`) + 86_400_000;
    const runs: { columns: EvidenceColumns; start: number; end: number }[] = [];
    for (const type of new Set(query.types)) {
      const columns = this.byType.get(type);
      if (!columns) continue;
      columns.sort();
      const start = columns.firstAtOrAfter(from);
      const end = columns.firstAtOrAfter(until);
      if (end > start) runs.push({ columns, start, end });
    }
    // Merge the per-type runs in (time, id) order up to the limit, then rebuild only what is returned.
    const picked: EvidenceSlot[] = [];
    const next = runs.map((r) => r.start);
    while (picked.length < query.limit) {
      let best = -1;
      for (let r = 0; r < runs.length; r++) {
        if (next[r]! >= runs[r]!.end) continue;
        // Strictly before: on a tie the earlier type of the query goes first.
        if (best === -1 || runs[r]!.columns.before(next[r]!, runs[best]!.columns, next[best]!)) best = r;
      }
      if (best === -1) break;
      const { columns } = runs[best]!;
      const i = next[best]!++;
      picked.push({ slot: columns.slots[i]!, type: columns.type, time: columns.times[i]!, id: columns.ids[i]! });
    }
    const missing = picked.filter((p) => !this.rebuilt.has(p.slot));
    if (missing.length > 0) {
      const events = this.rebuildAll(missing);
      for (let k = 0; k < missing.length; k++) this.rebuilt.set(missing[k]!.slot, events[k]!);
    }
    return picked.map((p) => this.rebuilt.get(p.slot)!);
  }

  /** The events of several slots (a subclass may read them together). */
  protected rebuildAll(slots: readonly EvidenceSlot[]): EvidenceEvent[] {
    return slots.map((s) => this.rebuild(s.slot, s.type, s.time, s.id));
  }
}

/** The events of one type: times, ids and slots in parallel arrays, sorted by (time, id) on demand. */
class EvidenceColumns {
  times: number[] = [];
  ids: string[] = [];
  slots: number[] = [];
  private sorted = true;

  constructor(readonly type: EventType) {}

  add(time: number, id: string, slot: number): void {
    const n = this.times.length;
    if (n > 0 && this.sorted) this.sorted = this.times[n - 1]! < time || (this.times[n - 1] === time && this.ids[n - 1]! <= id);
    this.times.push(time);
    this.ids.push(id);
    this.slots.push(slot);
  }

  sort(): void {
    if (this.sorted) return;
    const { times, ids, slots } = this;
    const order = Array.from({ length: times.length }, (_, i) => i);
    order.sort((a, b) => times[a]! - times[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    this.times = order.map((i) => times[i]!);
    this.ids = order.map((i) => ids[i]!);
    this.slots = order.map((i) => slots[i]!);
    this.sorted = true;
  }

  /** Index of the first event at or after `time` (epoch ms). */
  firstAtOrAfter(time: number): number {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether event `i` here comes strictly before event `j` of `other` in (time, id) order. */
  before(i: number, other: EvidenceColumns, j: number): boolean {
    const a = this.times[i]!;
    const b = other.times[j]!;
    return a !== b ? a < b : this.ids[i]! < other.ids[j]!;
  }
}

/**
 * Evidence from events held in memory, for tests and the CLI's JSON and CSV inputs: per event,
 * one JSON string of the evidence fields the columns do not hold, rebuilt through the same JSON
 * round trip as the CompanyLog's stored rows.
 */
export class MemoryEvidence extends ColumnarEvidence {
  private readonly bodies: string[] = [];

  add(event: CanonicalEvent): void {
    this.index(event);
    // A validated event_time is its epoch ms's toISOString(): the time column has it. Any other form is kept.
    const t = event.event_time;
    const normalised = t.length === 24 && t.charCodeAt(19) === 46 && t.charCodeAt(23) === 90;
    const fields = [event.entity_type, event.entity_id, event.related_entity_ids, event.amount, event.attributes];
    this.bodies.push(JSON.stringify(normalised ? fields : [...fields, t]));
  }

  protected rebuild(slot: number, event_type: EventType, time: number, event_id: string): EvidenceEvent {
    const [entity_type, entity_id, related_entity_ids, amount, attributes, given] = JSON.parse(this.bodies[slot]!) as [
      EvidenceEvent["entity_type"],
      string,
      EvidenceEvent["related_entity_ids"],
      number | null,
      EvidenceEvent["attributes"],
      string | undefined,
    ];
    const event_time = given ?? new Date(time).toISOString();
    return { event_id, event_type, event_time, entity_type, entity_id, related_entity_ids, amount, attributes };
  }
}

export function compareEvidence(a: EvidenceEvent, b: EvidenceEvent): number {
  if (a.event_time !== b.event_time) return a.event_time < b.event_time ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}
