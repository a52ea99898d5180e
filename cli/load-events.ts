/**
 * Reads a file of canonical events (NDJSON, JSON array or CSV) into an in-memory ledger and an
 * evidence index, one record at a time, with the same validation and fold as the CompanyLog. For
 * NDJSON the evidence index points into the file (FileEvidence); for the others it holds the
 * evidence fields (MemoryEvidence).
 */
import { createReadStream } from "node:fs";
import { extname } from "node:path";
import { decodeUtf8, formatFrom, parseNdjsonLine, readRecords, type RecordFormat, type RecordItem } from "../src/connectors/files/records.ts";
import { type CanonicalEvent, type Rejection, validateEvent } from "../src/events/canonical.ts";
import { type EvidenceSource, MemoryEvidence } from "../src/evidence.ts";
import { ColumnarLedger } from "../src/metrics/memory-ledger.ts";
import { FileEvidence } from "./file-evidence.ts";
import { readNdjsonLines } from "./ndjson-lines.ts";

export interface LoadedEvents {
  ledger: ColumnarLedger;
  evidence: EvidenceSource;
  records: number;
  accepted: number;
  duplicates: number;
  rejections: Rejection[];
}

const BATCH = 5_000;
const READ_CHUNK = 1 << 20;

export async function loadEventsFile(path: string, options: { format?: RecordFormat; ingestedAt: string }): Promise<LoadedEvents> {
  const format = options.format ?? formatFrom(extname(path) || path);
  if (!format) throw new Error(`cannot tell the format of ${path}: use a .ndjson, .jsonl, .json or .csv file, or --format`);
  const ledger = new ColumnarLedger();
  const rejections: Rejection[] = [];
  let records = 0;
  let accepted = 0;
  let duplicates = 0;
  // Events are folded as they are read; the ledger's batches stay every BATCH valid records (the
  // batching decides how floating-point sums are grouped, so it is part of the output).
  let inBatch = 0;
  const take = (item: RecordItem, keep: (event: CanonicalEvent) => void) => {
    records++;
    if ("error" in item) {
      rejections.push({ index: item.index, field: "(record)", reason: item.error });
      return;
    }
    const result = validateEvent(item.record, options.ingestedAt);
    if (!result.ok) {
      rejections.push({ index: item.index, ...result.rejection });
      return;
    }
    // The first event with an id is kept, for the aggregates and for evidence alike.
    if (ledger.add(result.event)) {
      accepted++;
      keep(result.event);
    } else duplicates++;
    if (++inBatch >= BATCH) {
      ledger.endBatch();
      inBatch = 0;
    }
  };

  let evidence: EvidenceSource;
  if (format === "ndjson") {
    // Evidence is read back from the file when the scan asks for it, by byte range.
    const fileEvidence = new FileEvidence(path, options.ingestedAt);
    for await (const { lines, starts, ends } of readNdjsonLines(path, READ_CHUNK)) {
      for (let i = 0; i < lines.length; i++) take(parseNdjsonLine(lines[i]!, records), (event) => fileEvidence.add(event, starts[i]!, ends[i]!));
    }
    evidence = fileEvidence;
  } else {
    const memory = new MemoryEvidence();
    for await (const item of readRecords(decodeUtf8(createReadStream(path, { highWaterMark: READ_CHUNK })), format)) take(item, (event) => memory.add(event));
    evidence = memory;
  }
  ledger.endBatch();
  return { ledger, evidence, records, accepted, duplicates, rejections };
}
