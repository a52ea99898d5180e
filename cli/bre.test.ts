import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bre } from "./testing/run-bre.ts";
import { scanResultSchema } from "../src/scan-contract.ts";
import { refundSpikeEvents } from "../test/fixtures.ts";

/** Everything but the run id and the timings, which may differ between runs. */
function stable(json: string): unknown {
  const result = JSON.parse(json) as { run_id: string; manifest: Record<string, unknown> };
  const { run_id: _, ...rest } = result;
  const { run_id: _r, started_at: _s, finished_at: _f, duration_ms: _d, ...manifest } = result.manifest;
  return JSON.parse(JSON.stringify({ ...rest, manifest }).replaceAll(result.run_id, "RUN"));
}

describe("bre scan", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bre-cli-"));
    const events = refundSpikeEvents();
    writeFileSync(join(dir, "events.ndjson"), events.map((e) => JSON.stringify(e)).join("\n"));
    writeFileSync(join(dir, "events.json"), JSON.stringify([...events].reverse()));
  });

  it("prints exactly one JSON document of the scan contract on stdout, logs on stderr", async () => {
    const { code, stdout, stderr } = await bre(["scan", "--events", join(dir, "events.ndjson"), "--json"]);
    expect(code).toBe(0);
    const result = scanResultSchema.parse(JSON.parse(stdout));
    expect(result.incidents.map((i) => [i.incident_type, i.detected_at])).toContainEqual(["REFUND_SPIKE", "2025-03-04"]);
    expect(stderr).toMatch(/accepted/);
    expect(stdout.trim().startsWith("{") && stdout.trim().endsWith("}")).toBe(true);
  });

  it("gives byte-identical output for the same events in another order and format, apart from run id and timings", async () => {
    const a = await bre(["scan", "--events", join(dir, "events.ndjson"), "--json"]);
    const b = await bre(["scan", "--events", join(dir, "events.json"), "--json"]);
    expect(JSON.stringify(stable(b.stdout))).toBe(JSON.stringify(stable(a.stdout)));
  });

  it("fails with a usage error and a clear message", async () => {
    expect((await bre(["scan"])).code).toBe(2);
    expect((await bre(["scan"])).stderr).toMatch(/--events <file> is required/);
    expect((await bre(["frobnicate"])).code).toBe(2);
    const missing = await bre(["scan", "--events", join(dir, "nope.ndjson")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.ndjson/);
  });
});
