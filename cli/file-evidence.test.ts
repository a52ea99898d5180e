import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, validateEvent } from "../src/events/canonical.ts";
import { MemoryEvidence } from "../src/evidence.ts";
import { refundSpikeEvents } from "../test/fixtures.ts";
import { FileEvidence } from "./file-evidence.ts";
import { loadEventsFile } from "./load-events.ts";

const INGESTED_AT = "2025-06-01T00:00:00.000Z";

describe("FileEvidence (bre scan's evidence, read back from the NDJSON file)", () => {
  const events = refundSpikeEvents();
  // Unusual but valid lines, a duplicate id (the first one counts), blank and broken lines, CRLF and a BOM.
  const lines = events.map((e) => JSON.stringify(e));
  lines.splice(10, 0, JSON.stringify({ ...events[3], amount: 999 }), "", "{broken", `  ${JSON.stringify({ ...events[4], event_id: "offset-time", event_time: "2025-01-01T12:00:00+02:00" })}\r`);
  const dir = mkdtempSync(join(tmpdir(), "file-evidence-"));
  const file = join(dir, "events.ndjson");
  writeFileSync(file, `\ufeff${lines.join("\n")}`);

  it("answers every query as the in-memory index of the same events does", async () => {
    const loaded = await loadEventsFile(file, { ingestedAt: INGESTED_AT });
    expect(loaded.evidence).toBeInstanceOf(FileEvidence);
    const memory = new MemoryEvidence();
    const seen = new Set<string>();
    for (const line of lines) {
      if (!line.trim()) continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        continue;
      }
      const result = validateEvent(record, INGESTED_AT);
      if (result.ok && !seen.has(result.event.event_id)) {
        seen.add(result.event.event_id);
        memory.add(result.event);
      }
    }
    const queries = ([["2025-01-01", "2025-03-31", 10_000], ["2025-03-01", "2025-03-05", 40], ["2025-01-01", "2025-01-01", 3]] as const).map(([from, to, limit]) => ({ types: EVENT_TYPES, from, to, limit }));
    // Concurrently, as the scan asks.
    const answers = await Promise.all(queries.map((q) => loaded.evidence.events(q)));
    for (const [k, query] of queries.entries()) {
      expect(answers[k]!.length).toBeGreaterThan(0);
      expect(answers[k]).toEqual(await memory.events(query));
    }
  });

  it("refuses to answer from a file that changed after it was loaded", async () => {
    const changing = join(dir, "changing.ndjson");
    writeFileSync(changing, lines.join("\n"));
    const loaded = await loadEventsFile(changing, { ingestedAt: INGESTED_AT });
    writeFileSync(changing, [...lines].reverse().join("\n"));
    await expect(loaded.evidence.events({ types: EVENT_TYPES, from: "2025-01-01", to: "2025-03-31", limit: 10 })).rejects.toThrow(/changed while it was being scanned/);
  });
});
