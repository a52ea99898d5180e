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
    // Lists are sorted by time: binary-search the window, then merge the per-type runs in order.
    const after = `${query.to}\uffff`;
    const runs: EvidenceEvent[][] = [];
    for (const type of new Set(query.types)) {
      const list = this.byType.get(type);
      if (!list) continue;
      const start = firstAtOrAfter(list, query.from);
      const end = firstAtOrAfter(list, after);
      if (end > start) runs.push(list.slice(start, end));
    }
    let merged = runs[0] ?? [];
    for (let r = 1; r < runs.length; r++) merged = mergeSorted(merged, runs[r]!, query.limit);
    return merged.length > query.limit ? merged.slice(0, query.limit) : merged;
  }
}

function mergeSorted(a: readonly EvidenceEvent[], b: readonly EvidenceEvent[], limit: number): EvidenceEvent[] {
  const out: EvidenceEvent[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && compareEvidence(a[i]!, b[j]!) <= 0)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** Index of the first event whose time is ≥ `time` (string order is time order for ISO UTC). */
function firstAtOrAfter(list: readonly EvidenceEvent[], time: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.event_time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function compareEvidence(a: EvidenceEvent, b: EvidenceEvent): number {
  if (a.event_time !== b.event_time) return a.event_time < b.event_time ? -1 : 1;
  return a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0;
}
