/**
 * Evidence for `bre scan` read back from the NDJSON file it loaded, as the CompanyLog reads it
 * back from its log: the index keeps each event's time, id and the byte range of its line, and an
 * event is re-read and re-validated (same ingestion time, so the same event) the first time a
 * query returns it. A million events then cost three numbers and an id each, not their fields.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { type CanonicalEvent, type EventType, validateEvent } from "../src/events/canonical.ts";
import { ColumnarEvidence, type EvidenceEvent, toEvidence } from "../src/evidence.ts";

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

  protected rebuild(slot: number, _type: EventType, _time: number, id: string): EvidenceEvent {
    const start = this.starts[slot]!;
    const length = this.ends[slot]! - start;
    if (this.buffer.length < length) this.buffer = Buffer.alloc(Math.max(length, this.buffer.length * 2));
    this.fd ??= openSync(this.path, "r");
    const read = readSync(this.fd, this.buffer, 0, length, start);
    let result: ReturnType<typeof validateEvent> | null = null;
    try {
      if (read === length) result = validateEvent(JSON.parse(this.buffer.toString("utf8", 0, length).trim()), this.ingestedAt);
    } catch {
      // not JSON any more: reported below
    }
    if (!result?.ok || result.event.event_id !== id) throw new Error(`${this.path} changed while it was being scanned (the record at byte ${start} is no longer ${id})`);
    return toEvidence(result.event);
  }
}
