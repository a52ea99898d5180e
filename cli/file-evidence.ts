/**
 * Evidence for `bre scan` read back from the NDJSON file it loaded, as the CompanyLog reads it
 * back from its log: the index keeps each event's time, id and the byte range of its line, and an
 * event is re-read and re-validated (same ingestion time, so the same event) the first time a
 * query returns it. A million events then cost three numbers and an id each, not their fields.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { type CanonicalEvent, type EventType, validateEvent } from "../src/events/canonical.ts";
import { ColumnarEvidence, type EvidenceEvent, type EvidenceSlot, toEvidence } from "../src/evidence.ts";

export class FileEvidence extends ColumnarEvidence {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private fd: number | null = null;
  private buffer = Buffer.alloc(1 << 12);

  constructor(
    private readonly path: string,
    private readonly ingestedAt: string,
  ) {
    super();
  }

  /** Indexes an event read from bytes [start, end) of the file. */
  add(event: CanonicalEvent, start: number, end: number): void {
    this.index(event);
    this.starts.push(start);
    this.ends.push(end);
  }

  /** Closes the file (it is opened again if another query comes). */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  protected rebuild(slot: number, type: EventType, time: number, id: string): EvidenceEvent {
    return this.rebuildAll([{ slot, type, time, id }])[0]!;
  }

  /** Reads the lines in file order, neighbours together (one read per stretch of nearby lines). */
  protected override rebuildAll(wanted: readonly EvidenceSlot[]): EvidenceEvent[] {
    this.fd ??= openSync(this.path, "r");
    const order = wanted.map((_, k) => k).sort((a, b) => this.starts[wanted[a]!.slot]! - this.starts[wanted[b]!.slot]!);
    const out: EvidenceEvent[] = new Array(wanted.length);
    for (let k = 0; k < order.length; ) {
      // A stretch: following lines less than 4 KiB apart, at most 256 KiB in all (sparse queries read little).
      const from = this.starts[wanted[order[k]!]!.slot]!;
      let last = k;
      while (last + 1 < order.length) {
        const nextStart = this.starts[wanted[order[last + 1]!]!.slot]!;
        if (nextStart - this.ends[wanted[order[last]!]!.slot]! > 1 << 12 || this.ends[wanted[order[last + 1]!]!.slot]! - from > 1 << 18) break;
        last++;
      }
      const to = this.ends[wanted[order[last]!]!.slot]!;
      if (this.buffer.length < to - from) this.buffer = Buffer.alloc(Math.max(to - from, this.buffer.length * 2));
      const read = readSync(this.fd, this.buffer, 0, to - from, from);
      for (let j = k; j <= last; j++) {
        const { slot, id } = wanted[order[j]!]!;
        out[order[j]!] = this.parse(read, this.starts[slot]! - from, this.ends[slot]! - from, id);
      }
      k = last + 1;
    }
    return out;
  }

  private parse(read: number, start: number, end: number, id: string): EvidenceEvent {
    let result: ReturnType<typeof validateEvent> | null = null;
    try {
      if (end <= read) result = validateEvent(JSON.parse(this.buffer.toString("utf8", start, end).trim()), this.ingestedAt);
    } catch {
      // not JSON any more: reported below
    }
    if (!result?.ok || result.event.event_id !== id) throw new Error(`${this.path} changed while it was being scanned (the record for ${id} is not where it was)`);
    return toEvidence(result.event);
  }
}
