import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateEvent } from "../../src/events/canonical.ts";
import { labelsSchema } from "../../src/sim/index.ts";
import { main } from "../main.ts";

const quietly = async (argv: string[]) => {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await main(argv);
  } finally {
    process.stderr.write = write;
  }
};

describe("bre simulate", () => {
  it("writes events (NDJSON) and labels (JSON), byte-identical for the same scenario and seed", async () => {
    const a = mkdtempSync(join(tmpdir(), "bre-sim-a-"));
    const b = mkdtempSync(join(tmpdir(), "bre-sim-b-"));
    expect(await quietly(["simulate", "--scenario", "refund_spike", "--seed", "4", "--days", "40", "--out", a])).toBe(0);
    expect(await quietly(["simulate", "--scenario", "refund_spike", "--seed", "4", "--days", "40", "--out", b])).toBe(0);
    const events = readFileSync(join(a, "events.ndjson"), "utf8");
    expect(events).toBe(readFileSync(join(b, "events.ndjson"), "utf8"));
    expect(readFileSync(join(a, "labels.json"), "utf8")).toBe(readFileSync(join(b, "labels.json"), "utf8"));
    const lines = events.trimEnd().split("\n");
    expect(lines.length).toBeGreaterThan(1000);
    for (const line of lines.slice(0, 200)) expect(validateEvent(JSON.parse(line), "2030-01-01T00:00:00Z").ok).toBe(true);
    const labels = labelsSchema.parse(JSON.parse(readFileSync(join(a, "labels.json"), "utf8")));
    expect(labels.scenario).toBe("refund_spike");
    expect(labels.days).toBe(40);
  });

  it("refuses an unknown scenario or a missing seed with a usage error (exit 2)", async () => {
    const out = mkdtempSync(join(tmpdir(), "bre-sim-x-"));
    expect(await quietly(["simulate", "--scenario", "meteor_strike", "--seed", "1", "--out", out])).toBe(2);
    expect(await quietly(["simulate", "--scenario", "refund_spike", "--out", out])).toBe(2);
    expect(await quietly(["simulate", "--scenario", "refund_spike", "--seed", "1", "--days", "5", "--out", out])).toBe(1);
  });
});
