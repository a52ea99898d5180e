import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bre } from "./testing/run-bre.ts";
import { refundHistory } from "../src/monitors/testing/refund-history.ts";
import { scanResultSchema } from "../src/scan-contract.ts";

describe("the closed loop from the command line", () => {
  let dir: string;
  let events: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bre-loop-"));
    events = join(dir, "events.ndjson");
    const history = refundHistory(160, [
      { start: 40, refunds: [10, 10, 10, 10, 10] },
      { start: 110, refunds: [5, 6, 7, 8, 9, 10, 10, 10] },
    ]);
    writeFileSync(events, history.events.map((e) => JSON.stringify(e)).join("\n"));
  });

  it("runs monitors stored from an earlier scan, with a person's edit, via --monitors", async () => {
    const first = await bre(["scan", "--events", events, "--json", "--as-of", "2025-04-10"]);
    expect(first.code).toBe(0);
    const stored = scanResultSchema.parse(JSON.parse(first.stdout)).monitors;
    expect(stored.map((m) => m.metric_name)).toContain("refund_rate");
    const edited = stored.map((m) => (m.metric_name === "refund_rate" ? { ...m, enabled: false } : m));
    writeFileSync(join(dir, "monitors.json"), JSON.stringify(edited));

    const later = scanResultSchema.parse(JSON.parse((await bre(["scan", "--events", events, "--json", "--monitors", join(dir, "monitors.json")])).stdout));
    const refund = later.monitors.find((m) => m.metric_name === "refund_rate")!;
    expect(refund.enabled).toBe(false);
    expect(later.alerts.filter((a) => a.monitor_id === refund.monitor_id)).toEqual([]);

    writeFileSync(join(dir, "bad.json"), JSON.stringify([{ ...stored[0], threshold_z: -1 }]));
    const bad = await bre(["scan", "--events", events, "--monitors", join(dir, "bad.json")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/monitors\[0\]\.threshold_z/);
  });

  it("writes the same postmortem bytes for the same events and --generated-at, as Markdown and PDF", async () => {
    const args = ["postmortem", "--events", events, "--generated-at", "2025-06-10T00:00:00.000Z", "--run-id", "run_cli"];
    const a = await bre(args);
    const b = await bre(args);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toMatch(/^# (Refund Spike|Margin Compression) — /);
    const pdf = join(dir, "pm.pdf");
    expect((await bre([...args, "--format", "pdf", "--out", pdf])).code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect((await bre(["postmortem", "--events", events, "--format", "pdf"])).code).toBe(2);
  });
});
