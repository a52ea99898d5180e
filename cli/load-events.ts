/**
 * Reads a file of canonical events (NDJSON, JSON array or CSV) into an in-memory ledger and
 * evidence index, one record at a time, with the same validation and fold as the CompanyLog.
 */
import { createReadStream } from "node:fs";
import { extname } from "node:path";
import { decodeUtf8, formatFrom, readRecords, type RecordFormat } from "../src/connectors/files/records.ts";
import { type CanonicalEvent, type Rejection, validateEvent } from "../src/events/canonical.ts";
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

export async function loadEventsFile(path: string, options: { format?: RecordFormat; ingestedAt: string }): Promise<LoadedEvents> {
  const format = options.format ?? formatFrom(extname(path) || path);
  if (!format) throw new Error(`cannot tell the format of ${path}: use a .ndjson, .jsonl, .json or .csv file, or --format`);
  const ledger = new MemoryLedger();
  const evidence = new MemoryEvidence();
  const rejections: Rejection[] = [];
  let records = 0;
  let accepted = 0;
  let duplicates = 0;
  let batch: CanonicalEvent[] = [];
  const flush = () => {
    const counts = ledger.append(batch);
    accepted += counts.accepted;
    duplicates += counts.duplicates;
    batch = [];
  };
  const seen = new Set<string>();
  for await (const item of readRecords(decodeUtf8(createReadStream(path)), format)) {
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
    if (!seen.has(result.event.event_id)) {
      seen.add(result.event.event_id);
      evidence.add(result.event);
    }
    batch.push(result.event);
    if (batch.length >= BATCH) flush();
  }
  flush();
  return { ledger, evidence, records, accepted, duplicates, rejections };
}
