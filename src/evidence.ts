/**
 * How the scan reads raw events for evidence without holding the log in memory: by type and day
 * window, with a limit. The CompanyLog answers from SQLite; the CLI from an in-memory index.
 */
import type { CanonicalEvent, EventType } from "./events/canonical.ts";
import { dayOf } from "./events/canonical.ts";

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

/** Evidence from events held in memory, indexed by type and sorted by time then id. */
export class MemoryEvidence implements EvidenceSource {
  private readonly byType = new Map<EventType, EvidenceEvent[]>();
  private sorted = true;

  add(event: CanonicalEvent): void {
    let list = this.byType.get(event.event_type);
    if (!list) this.byType.set(event.event_type, (list = []));
    list.push(toEvidence(event));
    this.sorted = false;
  }

  async events(query: EvidenceQuery): Promise<EvidenceEvent[]> {
    if (!this.sorted) {
      for (const list of this.byType.values()) list.sort(compareEvidence);
      this.sorted = true;
    }
    const out: EvidenceEvent[] = [];
    for (const type of query.types) {
      const list = this.byType.get(type) ?? [];
      // Sorted by time: jump to the first event of the window, stop after its last day, and take
      // at most `limit` per type (the earliest `limit` overall are among them).
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid]!.event_time < query.from) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo, taken = 0; i < list.length && taken < query.limit; i++, taken++) {
        const event = list[i]!;
        if (dayOf(event.event_time) > query.to) break;
        out.push(event);
      }
    }
    return out.sort(compareEvidence).slice(0, query.limit);
  }
}

export function compareEvidence(a: EvidenceEvent, b: EvidenceEvent): number {
  if (a.event_time !== b.event_time) return a.event_time < b.event_time ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}
