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

/**
 * Evidence from events held in memory, for the CLI and tests. Compact: per event type, a column
 * of event times (epoch ms), one of ids and one JSON string of the other evidence fields, so a
 * million events are three million flat values rather than millions of nested objects for the
 * garbage collector to trace. An event is rebuilt the first time a query returns it (its fields
 * through the same JSON round trip as the CompanyLog's stored rows) and kept for later queries.
 */
export class MemoryEvidence implements EvidenceSource {
  private readonly byType = new Map<EventType, EvidenceColumns>();

  add(event: CanonicalEvent): void {
    let columns = this.byType.get(event.event_type);
    if (!columns) this.byType.set(event.event_type, (columns = new EvidenceColumns()));
    columns.add(event);
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
    // Merge the per-type runs in (time, id) order up to the limit, then parse only what is returned.
    const out: EvidenceEvent[] = [];
    const next = runs.map((r) => r.start);
    while (out.length < query.limit) {
      let best = -1;
      for (let r = 0; r < runs.length; r++) {
        if (next[r]! >= runs[r]!.end) continue;
        // Strictly before: on a tie the earlier type of the query goes first.
        if (best === -1 || runs[r]!.columns.before(next[r]!, runs[best]!.columns, next[best]!)) best = r;
      }
      if (best === -1) break;
      out.push(runs[best]!.columns.event(next[best]!++));
    }
    return out;
  }
}

/** The events of one type: times, ids and JSON bodies in parallel arrays, sorted by (time, id) on demand. */
class EvidenceColumns {
  private type: EventType | null = null;
  private times: number[] = [];
  private ids: string[] = [];
  private bodies: string[] = [];
  private parsed = new Map<number, EvidenceEvent>();
  private sorted = true;

  add(event: CanonicalEvent): void {
    const time = Date.parse(event.event_time);
    const n = this.times.length;
    if (n > 0 && this.sorted) this.sorted = this.times[n - 1]! < time || (this.times[n - 1] === time && this.ids[n - 1]! <= event.event_id);
    this.type = event.event_type;
    this.times.push(time);
    this.ids.push(event.event_id);
    // A validated event_time is its epoch ms's toISOString(): the column has it. Any other form is kept.
    const t = event.event_time;
    const normalised = t.length === 24 && t.charCodeAt(19) === 46 && t.charCodeAt(23) === 90;
    const fields = [event.entity_type, event.entity_id, event.related_entity_ids, event.amount, event.attributes];
    this.bodies.push(JSON.stringify(normalised ? fields : [...fields, t]));
  }

  sort(): void {
    if (this.sorted) return;
    const { times, ids } = this;
    const order = Array.from({ length: times.length }, (_, i) => i);
    order.sort((a, b) => times[a]! - times[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
    const parsed = new Map<number, EvidenceEvent>();
    for (let i = 0; i < order.length; i++) {
      const cached = this.parsed.get(order[i]!);
      if (cached) parsed.set(i, cached);
    }
    this.times = order.map((i) => times[i]!);
    this.ids = order.map((i) => ids[i]!);
    this.bodies = order.map((i) => this.bodies[i]!);
    this.parsed = parsed;
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

  event(i: number): EvidenceEvent {
    let event = this.parsed.get(i);
    if (!event) {
      const [entity_type, entity_id, related_entity_ids, amount, attributes, time] = JSON.parse(this.bodies[i]!) as [
        EvidenceEvent["entity_type"],
        string,
        EvidenceEvent["related_entity_ids"],
        number | null,
        EvidenceEvent["attributes"],
        string | undefined,
      ];
      const event_time = time ?? new Date(this.times[i]!).toISOString();
      event = { event_id: this.ids[i]!, event_type: this.type!, event_time, entity_type, entity_id, related_entity_ids, amount, attributes };
      this.parsed.set(i, event);
    }
    return event;
  }
}

export function compareEvidence(a: EvidenceEvent, b: EvidenceEvent): number {
  if (a.event_time !== b.event_time) return a.event_time < b.event_time ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}
