import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeUtf8, parseNdjsonLine, readNdjson, type RecordItem } from "../src/connectors/files/records.ts";
import { readNdjsonLines } from "./ndjson-lines.ts";

const dir = mkdtempSync(join(tmpdir(), "ndjson-lines-"));
const encoder = new TextEncoder();

/** Pieces of bytes: JSON, blanks, CR, BOMs, multi-byte characters and invalid UTF-8. */
const piece = fc.constantFrom(
  ...['{"a":1}', '{"b":"x y"}', "[1,2]", "null", "{broken", "  ", "\t", "\r", "\n", "\n", "\n", "é", "€", "😀", '"\u00a0"', "\u00a0", "\u2028"].map((s) => encoder.encode(s)),
  Uint8Array.of(0xef, 0xbb, 0xbf),
  Uint8Array.of(0xff),
  Uint8Array.of(0xe2, 0x82),
  Uint8Array.of(0xc3),
  Uint8Array.of(0xf0, 0x9f, 0x98),
);

describe("readNdjsonLines", () => {
  it("gives the records of readNdjson(decodeUtf8(…)), and each line's byte range in the file", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 30 }), fc.integer({ min: 1, max: 16 }), async (pieces, chunk) => {
        const file = join(dir, `f${run++}.ndjson`);
        const bytes = Buffer.concat(pieces);
        writeFileSync(file, bytes);
        const expected: RecordItem[] = [];
        for await (const item of readNdjson(decodeUtf8(createReadStream(file, { highWaterMark: chunk })))) expected.push(item);
        const got: RecordItem[] = [];
        const content = readFileSync(file);
        for await (const { lines, starts, ends } of readNdjsonLines(file, chunk)) {
          for (let i = 0; i < lines.length; i++) {
            got.push(parseNdjsonLine(lines[i]!, got.length));
            expect(content.toString("utf8", starts[i], ends[i]).trim()).toBe(lines[i]);
          }
        }
        expect(got).toEqual(expected);
      }),
      { numRuns: 1_500, seed: 9 },
    );
  });
});
