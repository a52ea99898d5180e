/**
 * The lines of an NDJSON file with their byte ranges, so that a record can be read back later
 * from the file instead of being kept in memory (FileEvidence). Same lines as
 * `readNdjson(decodeUtf8(…))`: a UTF-8 BOM at the start is dropped, each line is trimmed, blank
 * lines are skipped (a test compares the two on random bytes).
 */
import { createReadStream } from "node:fs";

export interface LineBatch {
  /** The trimmed, non-blank lines of one chunk of the file, in order. */
  lines: string[];
  /** Byte offset where each line starts and ends (before its newline) in the file. */
  starts: number[];
  ends: number[];
}

export async function* readNdjsonLines(path: string, chunkBytes = 1 << 20): AsyncGenerator<LineBatch> {
  let carry: Buffer = Buffer.alloc(0);
  let carryStart = 0;
  let first = true;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes }) as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const base = carryStart;
    let pos = 0;
    if (first) {
      first = false;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
    }
    const batch: LineBatch = { lines: [], starts: [], ends: [] };
    let newline = buf.indexOf(10, pos);
    while (newline !== -1) {
      push(batch, buf.toString("utf8", pos, newline), base + pos, base + newline);
      pos = newline + 1;
      newline = buf.indexOf(10, pos);
    }
    carry = buf.subarray(pos);
    carryStart = base + pos;
    if (batch.lines.length > 0) yield batch;
  }
  const last: LineBatch = { lines: [], starts: [], ends: [] };
  push(last, carry.toString("utf8"), carryStart, carryStart + carry.length);
  if (last.lines.length > 0) yield last;
}

function push(batch: LineBatch, line: string, start: number, end: number): void {
  const text = line.trim();
  if (!text) return;
  batch.lines.push(text);
  batch.starts.push(start);
  batch.ends.push(end);
}
