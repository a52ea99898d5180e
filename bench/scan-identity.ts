/**
 * `bre scan --json` must not change when the ingest path gets faster. This runs the real CLI on
 * NDJSON files and compares a digest of each output (run id and timings removed, as
 * cli/bre.test.ts does) with digests recorded earlier:
 *   npx tsx bench/scan-identity.ts inputs <dir>                  (the five golden scenarios, the demo
 *                                                                 company, a messy copy of it, 100k synthetic)
 *   npx tsx bench/scan-identity.ts record <dir> <digests.json>   (on the reference build)
 *   npx tsx bench/scan-identity.ts check <dir> <digests.json>    (on the candidate build)
 * The CLI stamps `ingested_at` with the wall clock, so record and check on the same day. The
 * rejected records are compared too: the CLI's log (stderr, apart from timings) and the full list
 * from the same loader in-process.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { loadEventsFile } from "../cli/load-events.ts";
import { goldenDirectories, readGolden } from "../golden/golden.ts";
import { seededRandom } from "../src/rng.ts";
import { generateDemoCompany, simulate } from "../src/sim/index.ts";
import { syntheticBusiness } from "./scan-speed.ts";

const run = promisify(execFile);
const BRE = resolve(import.meta.dirname, "../cli/bre.mjs");

/** Everything but the run id and the timings. */
export function stableScanJson(json: string): string {
  const result = JSON.parse(json) as { run_id: string; manifest: Record<string, unknown> };
  const { run_id: _, ...rest } = result;
  const { run_id: _r, started_at: _s, finished_at: _f, duration_ms: _d, ...manifest } = result.manifest;
  return JSON.stringify({ ...rest, manifest }).replaceAll(result.run_id, "RUN");
}

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

interface Digest {
  stdout: string;
  stderr: string;
  /** Every rejection (the CLI prints only the first 20), from the same loader in-process. */
  rejections: string;
}

async function digestOf(file: string): Promise<Digest & { seconds: number }> {
  const started = performance.now();
  const { stdout, stderr } = await run(process.execPath, [BRE, "scan", "--events", file, "--json"], { maxBuffer: 1 << 30 });
  const seconds = (performance.now() - started) / 1000;
  const loaded = await loadEventsFile(file, { ingestedAt: "2026-11-23T00:00:00.000Z" });
  const counts = { records: loaded.records, accepted: loaded.accepted, duplicates: loaded.duplicates };
  return {
    stdout: sha(stableScanJson(stdout)),
    stderr: sha(stderr.replace(/\(\d+ ms( total)?\)/g, "(ms)")),
    rejections: sha(JSON.stringify({ counts, rejections: loaded.rejections })),
    seconds,
  };
}

const ndjson = (records: readonly unknown[]) => `${records.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n")}\n`;

/** Edits that make a record invalid, or valid in an unusual form, or a duplicate (the last one). */
const MESS: ((e: Record<string, unknown>) => unknown)[] = [
  (e) => ({ ...e, event_id: undefined }),
  (e) => ({ ...e, event_id: "" }),
  (e) => ({ ...e, event_id: `  ${String(e.event_id)} ` }),
  (e) => ({ ...e, event_type: "ORDER_PLACED" }),
  (e) => ({ ...e, event_type: undefined }),
  (e) => ({ ...e, event_time: `${String(e.event_time).slice(0, 19)}+02:00` }),
  (e) => ({ ...e, event_time: String(e.event_time).slice(0, 10) }),
  (e) => ({ ...e, event_time: String(e.event_time).slice(0, 19) }),
  (e) => ({ ...e, event_time: `${String(e.event_time).slice(0, 19)}Z` }),
  (e) => ({ ...e, event_time: `${String(e.event_time).slice(0, 10)} 10:00` }),
  (e) => ({ ...e, event_time: "2026-02-30T10:00:00Z" }),
  (e) => ({ ...e, event_time: "yesterday" }),
  (e) => ({ ...e, event_time: 1234 }),
  (e) => ({ ...e, amount: "12.5" }),
  (e) => ({ ...e, amount: -5 }),
  (e) => ({ ...e, amount: undefined }),
  (e) => ({ ...e, amount: null }),
  (e) => ({ ...e, currency: "usd" }),
  (e) => ({ ...e, currency: undefined }),
  (e) => ({ ...e, entity_type: "thing" }),
  (e) => ({ ...e, related_entity_ids: { ...(e.related_entity_ids as object), customer_id: 5 } }),
  (e) => ({ ...e, related_entity_ids: { ...(e.related_entity_ids as object), extra_id: "X-1", more_ids: ["a", "b"] } }),
  (e) => ({ ...e, related_entity_ids: undefined }),
  (e) => ({ ...e, attributes: { ...(e.attributes as object), days_late: "3" } }),
  (e) => ({ ...e, attributes: { ...(e.attributes as object), due_date: "not a date", days_to_pay: -3, score: 9 } }),
  (e) => ({ ...e, attributes: { ...(e.attributes as object), due_date: "2026-03-01", paid_date: "2026-03-04T10:00:00-05:00", actual_delivery: "2026-03-01T23:30:00.5Z" } }),
  (e) => ({ ...e, attributes: {} }),
  (e) => ({ ...e, attributes: undefined }),
  (e) => ({ ...e, data_quality_flags: ["from_source:x"] }),
  (e) => ({ ...e, data_quality_flags: "x" }),
  (e) => ({ ...e, ingested_at: "2026-12-01T00:00:00Z" }),
  (e) => ({ ...e, ingested_at: "2025-01-01T00:00:00Z" }),
  (e) => ({ ...e, ingested_at: "2032-01-01T00:00:00+01:00" }),
  (e) => ({ ...e, schema_version: "canonical_v2" }),
  (e) => ({ ...e, schema_version: undefined }),
  (e) => ({ ...e, unknown_top: { a: 1 } }),
  (e) => ({ ...e, source: 7 }),
  () => "[1,2]",
  () => "null",
  () => "{broken json",
  (e) => e,
];

function writeInputs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const name of goldenDirectories()) {
    const { scenario } = readGolden(name);
    writeFileSync(join(dir, `${name}.ndjson`), ndjson(simulate({ ...scenario.simulate, qbo: false }).events));
  }
  const demo = generateDemoCompany({ qbo: false }).events;
  writeFileSync(join(dir, "demo.ndjson"), ndjson(demo));
  // The demo company with an edited copy after about one record in seven (a new id, but for the duplicate).
  const random = seededRandom(42);
  const messy: unknown[] = [];
  for (const event of demo) {
    messy.push(event);
    if (random() >= 0.15) continue;
    const edit = MESS[Math.floor(random() * MESS.length)]!;
    const copy: Record<string, unknown> = edit === MESS[MESS.length - 1] ? { ...event } : { ...event, event_id: `${event.event_id}:m${messy.length}` };
    messy.push(edit(copy));
  }
  writeFileSync(join(dir, "messy.ndjson"), ndjson(messy));
  writeFileSync(join(dir, "synthetic-100k.ndjson"), ndjson(syntheticBusiness(100_000)));
}

async function main(): Promise<number> {
  const [mode, dir, digestsPath] = process.argv.slice(2);
  if (mode === "inputs" && dir) {
    writeInputs(dir);
    return 0;
  }
  if ((mode !== "record" && mode !== "check") || !dir || !digestsPath) {
    process.stderr.write("usage: npx tsx bench/scan-identity.ts inputs <dir> | record|check <dir of .ndjson files> <digests.json>\n");
    return 2;
  }
  const files = readdirSync(dir).filter((f) => f.endsWith(".ndjson")).sort();
  const digests: Record<string, Digest> = {};
  const recorded = mode === "check" ? (JSON.parse(readFileSync(digestsPath, "utf8")) as typeof digests) : {};
  let failures = 0;
  for (const file of files) {
    const { seconds, ...digest } = await digestOf(join(dir, file));
    digests[file] = digest;
    if (mode === "check") {
      const want = recorded[file];
      const differs = (["stdout", "stderr", "rejections"] as const).filter((k) => want?.[k] !== digest[k]);
      if (differs.length > 0) failures++;
      console.log(`${differs.length === 0 ? "same" : `DIFFERENT (${differs.join(", ")})`}  ${file}  (bre scan ${seconds.toFixed(1)} s)`);
    } else console.log(`recorded  ${file}  (bre scan ${seconds.toFixed(1)} s)`);
  }
  if (mode === "record") writeFileSync(digestsPath, `${JSON.stringify(digests, null, 2)}\n`);
  return failures === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
