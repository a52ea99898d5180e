/**
 * Scan speed: the `bre scan --events <file>` path, end to end and in process, against a baseline
 * measured in the same run: the same path as it was at an earlier commit (default: the last
 * commit before the columnar ingest), loaded from a `git archive` of that commit.
 *
 *   npx tsx bench/scan-speed.ts [--baseline <commit>] [--quick]
 *
 * 1. The demo company (the simulator's `generateDemoCompany`, six months): load (read + validate
 *    + fold + evidence index) and scan, warm, median of 5 runs; the budget is 2 s for the scan.
 * 2. A synthetic business written as NDJSON, 100k to 1M events, in two series (365 days, more
 *    events per day; and 2,500 events a day, longer histories): load and scan times and the time
 *    per event; the budget is 20 s for a million, and the cost per event must stay flat.
 * 3. `bre scan --events <1M.ndjson> --json` as a user runs it (a child process, tsx start-up and
 *    output included), this build and the baseline's.
 * Every row checks that both builds print the same scan (run id and timings aside). Wall time on
 * these shared machines depends on the load, so each row gives the load average and this
 * process's CPU time too. `--quick` stops at 250k events.
 */
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { CanonicalEventInput } from "../src/events/canonical.ts";
import { seededRandom } from "../src/rng.ts";
import { generateDemoCompany } from "../src/sim/index.ts";
import { addDays } from "../src/time.ts";
import { stableScanJson } from "./scan-identity.ts";

/** The last commit before the columnar ingest (validation fast path, columnar ledger and evidence). */
const DEFAULT_BASELINE = "4756119c43eaf6499ab4e7c2149dfcd635d35f9c";
const INGESTED_AT = "2027-01-01T00:00:00.000Z";
const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..");

/** A year of a synthetic business with about `total` events (orders, invoices, tickets, …). */
export function syntheticBusiness(total: number, days = 365, seed = 1): CanonicalEventInput[] {
  const random = seededRandom(seed);
  const perDay = total / days;
  const start = "2025-01-01";
  const out: CanonicalEventInput[] = [];
  let n = 0;
  const base = { source: "bench", currency: "USD" } as const;
  const push = (e: Omit<CanonicalEventInput, "source" | "source_entity_id">) => out.push({ ...base, source_entity_id: e.event_id, ...e });
  const customers = Math.max(50, Math.round(perDay * 3));
  for (let d = 0; d < days && out.length < total; d++) {
    const day = addDays(start, d);
    const at = (h: number) => `${day}T${String(h).padStart(2, "0")}:00:00Z`;
    // Per order about 2.5 events (placed, delivered, sometimes late); the rest spread over the others.
    const orders = Math.round((perDay * 0.5) / 2.2 * (0.8 + random() * 0.4));
    for (let k = 0; k < orders; k++) {
      const id = `o${n++}`;
      const customer = `c${Math.floor(random() * customers)}`;
      push({ event_id: `${id}-p`, event_type: "order_placed", event_time: at(9), entity_type: "order", entity_id: id, amount: 50, related_entity_ids: { customer_id: customer } });
      const late = random() < 0.06;
      const deliveredDay = addDays(day, late ? 6 : 3);
      push({ event_id: `${id}-d`, event_type: "order_delivered", event_time: `${deliveredDay}T15:00:00Z`, entity_type: "order", entity_id: id, amount: null, currency: null, related_entity_ids: { customer_id: customer } });
      if (late) push({ event_id: `${id}-l`, event_type: "order_late", event_time: `${deliveredDay}T15:00:00Z`, entity_type: "order", entity_id: id, amount: null, currency: null, attributes: { days_late: 3 } });
    }
    const invoices = Math.round(perDay * 0.12);
    for (let k = 0; k < invoices; k++) {
      const id = `i${n++}`;
      const customer = `c${Math.floor(random() * customers)}`;
      const pay = 15 + Math.floor(random() * 25);
      push({ event_id: `${id}-i`, event_type: "invoice_issued", event_time: at(10), entity_type: "invoice", entity_id: id, amount: 400, related_entity_ids: { customer_id: customer }, attributes: { due_date: addDays(day, 30) } });
      push({ event_id: `${id}-p`, event_type: "invoice_paid", event_time: `${addDays(day, pay)}T10:00:00Z`, entity_type: "invoice", entity_id: id, amount: 400, related_entity_ids: { customer_id: customer }, attributes: { days_to_pay: pay } });
    }
    const tickets = Math.round(perDay * 0.06);
    for (let k = 0; k < tickets; k++) {
      const id = `t${n++}`;
      push({ event_id: `${id}-o`, event_type: "support_ticket_opened", event_time: at(11), entity_type: "ticket", entity_id: id, amount: null, currency: null });
      push({ event_id: `${id}-c`, event_type: "support_ticket_closed", event_time: at(16), entity_type: "ticket", entity_id: id, amount: null, currency: null, attributes: { resolution_time_hours: 5 } });
    }
    const small = Math.max(1, Math.round(perDay * 0.02));
    for (let k = 0; k < small; k++) {
      push({ event_id: `r${n++}`, event_type: "refund_issued", event_time: at(12), entity_type: "payment", entity_id: `r${n}`, amount: 30 });
      push({ event_id: `x${n++}`, event_type: "expense_posted", event_time: at(8), entity_type: "expense", entity_id: `x${n}`, amount: 300 });
      push({ event_id: `v${n++}`, event_type: "review_submitted", event_time: at(13), entity_type: "customer", entity_id: `c${k}`, amount: null, currency: null, attributes: { score: 4 + Math.round(random()) } });
      push({ event_id: `po${n++}`, event_type: "purchase_order_placed", event_time: at(7), entity_type: "order", entity_id: `po${n}`, amount: null, currency: null, related_entity_ids: { vendor_id: `v${k % 7}` } });
    }
  }
  return out.slice(0, total);
}

/** The `bre scan` path of one build: its file loader and its scan. */
interface Build {
  name: string;
  root: string;
  loadEventsFile: (path: string, options: { ingestedAt: string }) => Promise<{ ledger: { snapshot(): unknown }; evidence: unknown; accepted: number }>;
  runScan: (input: Record<string, unknown>) => Promise<{ result: unknown }>;
}

async function loadBuild(name: string, root: string): Promise<Build> {
  const loader = (await import(join(root, "cli/load-events.ts"))) as Pick<Build, "loadEventsFile">;
  const scan = (await import(join(root, "src/scan.ts"))) as Pick<Build, "runScan">;
  return { name, root, loadEventsFile: loader.loadEventsFile, runScan: scan.runScan };
}

/** The baseline commit's tree, extracted once under the temp directory, sharing this node_modules. */
function baselineTree(commit: string): string {
  const sha = execFileSync("git", ["rev-parse", commit], { cwd: ROOT, encoding: "utf8" }).trim();
  const dir = join(tmpdir(), `bre-baseline-${sha.slice(0, 12)}`);
  if (!existsSync(join(dir, "cli/load-events.ts"))) {
    mkdirSync(dir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${sha} | tar -x -C '${dir}'`], { cwd: ROOT });
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  }
  return dir;
}

interface Timing {
  loadMs: number;
  scanMs: number;
  cpuMs: number;
  output: string;
  days: number;
  incidents: number;
}

/** Load a file and scan it in this process, as `bre scan --events <file> --json` does. */
async function timeBuild(build: Build, file: string): Promise<Timing> {
  globalThis.gc?.();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const loaded = await build.loadEventsFile(file, { ingestedAt: INGESTED_AT });
  const loadedAt = performance.now();
  const { result } = await build.runScan({ companyId: "bench", runId: "run_bench", ledger: loaded.ledger.snapshot(), evidence: loaded.evidence, clock: () => new Date(0) });
  const scanMs = performance.now() - loadedAt;
  const used = process.cpuUsage(cpu);
  const scan = result as { incidents: unknown[]; manifest: { days_scanned: number } };
  return { loadMs: loadedAt - started, scanMs, cpuMs: (used.user + used.system) / 1000, output: stableScanJson(JSON.stringify(result)), days: scan.manifest.days_scanned, incidents: scan.incidents.length };
}

const ndjson = (events: readonly unknown[]) => {
  const lines: string[] = [];
  for (const e of events) lines.push(JSON.stringify(e));
  return `${lines.join("\n")}\n`;
};
const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const perEvent = (ms: number, n: number) => ((ms * 1000) / n).toFixed(1);
const load1 = () => loadavg()[0]!.toFixed(1);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const baselineArg = args.includes("--baseline") ? args[args.indexOf("--baseline") + 1]! : DEFAULT_BASELINE;
  const quick = args.includes("--quick");
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
  const current = await loadBuild(`this build (${head}${dirty ? ", with uncommitted changes" : ""})`, ROOT);
  const baseline = await loadBuild(`baseline (${baselineArg.slice(0, 7)})`, baselineTree(baselineArg));
  const work = mkdtempSync(join(tmpdir(), "bre-scan-speed-"));
  console.log(`Scan speed, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}; ${current.name} against ${baseline.name}; load average at start ${loadavg().map((x) => x.toFixed(1)).join(" ")}\n`);
  try {
    await demoTable(current, baseline, work);
    const sizes = quick ? [100_000, 250_000] : [100_000, 250_000, 500_000, 1_000_000];
    console.log("\n## Synthetic business, 365 days (more events per day)");
    await volumeTable(current, baseline, work, sizes.map((total) => ({ total, days: 365 })));
    console.log("\n## Synthetic business, 2,500 events a day (longer histories)");
    await volumeTable(current, baseline, work, sizes.map((total) => ({ total, days: total / 2_500 })));
    if (!quick) await endToEnd(current, baseline, work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function demoTable(current: Build, baseline: Build, work: string): Promise<void> {
  const file = join(work, "demo.ndjson");
  const demo = generateDemoCompany({ qbo: false }).events;
  writeFileSync(file, ndjson(demo));
  const runs = new Map<Build, Timing[]>([[current, []], [baseline, []]]);
  for (let k = 0; k < 6; k++) {
    for (const build of k % 2 ? [baseline, current] : [current, baseline]) {
      const t = await timeBuild(build, file);
      if (k > 0) runs.get(build)!.push(t); // the first run warms up
    }
  }
  const [a, b] = [runs.get(current)!, runs.get(baseline)!];
  const same = a.every((t) => t.output === b[0]!.output) && b.every((t) => t.output === b[0]!.output);
  console.log(`## Demo company: ${demo.length.toLocaleString("en-US")} events, ${a[0]!.days} days, ${a[0]!.incidents} incidents; same scan output: ${same ? "yes" : "NO"}; load average ${load1()}`);
  console.log("| step (median of 5, warm) | this build | baseline |");
  console.log("|---|---|---|");
  console.log(`| load (read + validate + fold + evidence) | ${medianOf(a.map((t) => t.loadMs)).toFixed(0)} ms | ${medianOf(b.map((t) => t.loadMs)).toFixed(0)} ms |`);
  console.log(`| scan, all three layers (budget 2 s) | ${medianOf(a.map((t) => t.scanMs)).toFixed(0)} ms | ${medianOf(b.map((t) => t.scanMs)).toFixed(0)} ms |`);
  console.log(`| load + scan | ${medianOf(a.map((t) => t.loadMs + t.scanMs)).toFixed(0)} ms | ${medianOf(b.map((t) => t.loadMs + t.scanMs)).toFixed(0)} ms |`);
  if (!same) process.exitCode = 1;
}

async function volumeTable(current: Build, baseline: Build, work: string, sizes: { total: number; days: number }[]): Promise<void> {
  console.log("| events | days | load | scan | load + scan | µs / event | CPU s | baseline: load | baseline: load + scan | baseline: µs / event | baseline: CPU s | speed-up | same output | load avg |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const { total, days } of sizes) {
    const events = syntheticBusiness(total, days);
    const file = join(work, `synthetic-${total}-${days}.ndjson`);
    writeFileSync(file, ndjson(events));
    const n = events.length;
    events.length = 0;
    const ours = await timeBuild(current, file);
    const theirs = await timeBuild(baseline, file);
    rmSync(file);
    const sum = ours.loadMs + ours.scanMs;
    const baseSum = theirs.loadMs + theirs.scanMs;
    const same = ours.output === theirs.output;
    if (!same) process.exitCode = 1;
    console.log(
      `| ${n.toLocaleString("en-US")} | ${ours.days} | ${seconds(ours.loadMs)} | ${seconds(ours.scanMs)} | **${seconds(sum)}** | ${perEvent(sum, n)} | ${(ours.cpuMs / 1000).toFixed(1)} | ${seconds(theirs.loadMs)} | ${seconds(baseSum)} | ${perEvent(baseSum, n)} | ${(theirs.cpuMs / 1000).toFixed(1)} | ${(baseSum / sum).toFixed(1)}× | ${same ? "yes" : "NO"} | ${load1()} |`,
    );
  }
}

/** `bre scan --events <1M> --json` in a child process, as a user runs it: wall time from spawn to exit. */
async function endToEnd(current: Build, baseline: Build, work: string): Promise<void> {
  const file = join(work, "synthetic-1m.ndjson");
  const events = syntheticBusiness(1_000_000);
  writeFileSync(file, ndjson(events));
  const n = events.length;
  events.length = 0;
  console.log(`\n## \`bre scan --events <${n.toLocaleString("en-US")} events>.ndjson --json\`, a child process each (tsx start-up and output included)`);
  console.log("| build | wall time | µs / event | child CPU s | load avg |");
  console.log("|---|---|---|---|---|");
  const outputs: string[] = [];
  // GNU time reports the child's CPU time on stderr's last line when it is there.
  const time = existsSync("/usr/bin/time") ? ["/usr/bin/time", "-f", "cpu %U %S"] : [];
  for (const build of [current, baseline]) {
    const command = [...time, process.execPath, join(build.root, "cli/bre.mjs"), "scan", "--events", file, "--json"];
    const started = performance.now();
    const { stdout, stderr } = await run(command[0]!, command.slice(1), { maxBuffer: 1 << 30 });
    const ms = performance.now() - started;
    const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
    outputs.push(stableScanJson(stdout));
    console.log(`| ${build.name} | **${seconds(ms)}** | ${perEvent(ms, n)} | ${cpu ? (Number(cpu[1]) + Number(cpu[2])).toFixed(1) : "—"} | ${load1()} |`);
  }
  console.log(`Same scan output (run id and timings aside): ${outputs[0] === outputs[1] ? "yes" : "NO"}`);
  if (outputs[0] !== outputs[1]) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
