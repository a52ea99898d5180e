/**
 * Reads a file of canonical events (NDJSON, JSON array or CSV) into an in-memory ledger and
 * evidence index, one record at a time, with the same validation and fold as the CompanyLog.
 */
import { createReadStream } from "node:fs";
import { extname } from "node:path";
import { decodeUtf8, formatFrom, readRecordBatches, type RecordFormat } from "../src/connectors/files/records.ts";
import { type Rejection, validateEvent } from "../src/events/canonical.ts";
import { MemoryEvidence } from "../src/evidence.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";

export interface LoadedEvents {
  ledger: MemoryLedger;
  evidence: MemoryEvidence;
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
  const ledger = new MemoryLedger();
  const evidence = new MemoryEvidence();
  const rejections: Rejection[] = [];
  let records = 0;
  let accepted = 0;
  let duplicates = 0;
  // Events are folded as they are read; the ledger's batches stay every BATCH valid records (the
  // batching decides how floating-point sums are grouped, so it is part of the output).
  let inBatch = 0;
  for await (const items of readRecordBatches(decodeUtf8(createReadStream(path, { highWaterMark: READ_CHUNK })), format)) {
    for (const item of items) {
      records++;
      if ("error" in item) {
        rejections.push({ index: item.index, field: "(record)", reason: item.error });
        continue;
      }
      const result = validateEvent(item.record, options.ingestedAt);
      if (!result.ok) {
        rejections.push({ index: item.index, ...result.rejection });
        continue;
      }
      // The first event with an id is kept, for the aggregates and for evidence alike.
      if (ledger.add(result.event)) {
        accepted++;
        evidence.add(result.event);
      } else duplicates++;
      if (++inBatch >= BATCH) {
        ledger.endBatch();
        inBatch = 0;
      }
    }
  }
  ledger.endBatch();
  return { ledger, evidence, records, accepted, duplicates, rejections };
}
