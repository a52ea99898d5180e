/**
 * What RCA (and cascades + blast radius) add to a scan's time: the same input scanned in the same
 * process with the analysis switched on and off, alternating, after a warm-up. The baseline is the
 * scan without RCA, measured in the same run.
 *
 *   npx tsx bench/rca-overhead.ts [--events file.ndjson|json|csv] [--reps 40]
 *
 * Without --events it scans the test fixture's 6-month business (a supplier failure and an order
 * surge injected). Times are runScan only: loading and folding events are outside.
 */
import { parseArgs } from "node:util";
import { loadEventsFile } from "../cli/load-events.ts";
import { DEFAULT_ANALYSIS_CONFIG } from "../src/analyze/analyze-incidents.ts";
import { SPEC_RCA_CONFIG } from "../src/analyze/rca.ts";
import { generateFixtureEvents } from "../src/analyze/testing/scenario-fixture.ts";
import { MemoryEvidence } from "../src/evidence.ts";
import type { EvidenceSource } from "../src/evidence.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";
import type { ColumnarLedger } from "../src/metrics/memory-ledger.ts";
import { DEFAULT_SCAN_CONFIG, runScan, type ScanConfig } from "../src/scan.ts";

const { values } = parseArgs({ options: { events: { type: "string" }, reps: { type: "string", default: "40" } } });
const reps = Number(values.reps);

let ledger: MemoryLedger | ColumnarLedger;
let evidence: EvidenceSource;
let description: string;
if (values.events) {
  const loaded = await loadEventsFile(values.events, { ingestedAt: new Date().toISOString() });
  ledger = loaded.ledger;
  evidence = loaded.evidence;
  description = `${values.events}: ${loaded.accepted} events`;
} else {
  const events = generateFixtureEvents({
    seed: 1,
    start: "2025-01-01",
    days: 182,
    injections: [
      { kind: "supplier_delay", day: 90, days: 7, vendor: "V-001" },
      { kind: "order_surge", day: 140, days: 3, factor: 3 },
    ],
  });
  ledger = new MemoryLedger();
  ledger.append(events);
  const memory = new MemoryEvidence();
  for (const e of events) memory.add(e);
  evidence = memory;
  description = `fixture business, 182 days, ${events.length} events`;
}
const snapshot = ledger.snapshot();

const configs: Record<string, ScanConfig> = {
  "detection only (no cascades, RCA, blast radius)": { ...DEFAULT_SCAN_CONFIG, analysis: { ...DEFAULT_ANALYSIS_CONFIG, rootCause: false, cascades: false, blastRadius: false } },
  "without RCA (cascades + blast radius)": { ...DEFAULT_SCAN_CONFIG, analysis: { ...DEFAULT_ANALYSIS_CONFIG, rootCause: false } },
  "full scan (with RCA)": DEFAULT_SCAN_CONFIG,
  "full scan, RCA as the spec writes it (no extensions)": { ...DEFAULT_SCAN_CONFIG, analysis: { ...DEFAULT_ANALYSIS_CONFIG, rca: SPEC_RCA_CONFIG } },
};
const names = Object.keys(configs);
const wall = new Map<string, number[]>(names.map((n) => [n, []]));
const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
let incidents = 0;
const scanOnce = async (name: string) => {
  const startedCpu = process.cpuUsage();
  const started = performance.now();
  const { result } = await runScan({ companyId: "bench", runId: "run_bench", ledger: snapshot, evidence, clock: () => new Date(0), config: configs[name]! });
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(startedCpu);
  incidents = result.incidents.length;
  return { wall: elapsed, cpu: (used.user + used.system) / 1000 };
};
for (const name of names) for (let i = 0; i < 3; i++) await scanOnce(name); // warm-up
for (let r = 0; r < reps; r++) {
  // Rotate the order so no configuration always runs right after the same one.
  for (let k = 0; k < names.length; k++) {
    const name = names[(r + k) % names.length]!;
    const t = await scanOnce(name);
    wall.get(name)!.push(t.wall);
    cpu.get(name)!.push(t.cpu);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
console.log(`${description}; ${incidents} incidents; ${reps} alternating runs per configuration (medians; CPU = this process's user + system time, less disturbed by other load)`);
for (const name of names) console.log(`  ${name.padEnd(50)} wall ${median(wall.get(name)!).toFixed(1)} ms   CPU ${median(cpu.get(name)!).toFixed(1)} ms`);
// Paired differences: each repetition ran every configuration back to back, so the median of the
// per-repetition differences is less sensitive to the machine's load drifting than a difference of medians.
const pairedMedian = (table: Map<string, number[]>, a: string, b: string) => median(table.get(a)!.map((v, i) => v - table.get(b)![i]!));
for (const [label, table] of [["wall", wall], ["CPU", cpu]] as const) {
  const without = median(table.get(names[1]!)!);
  const added = pairedMedian(table, names[2]!, names[1]!);
  console.log(`${label}, paired: RCA adds ${added.toFixed(1)} ms = ${((100 * added) / without).toFixed(1)} % of the scan without RCA (median ${without.toFixed(1)} ms).`);
  const spec = pairedMedian(table, names[3]!, names[1]!);
  console.log(`${label}, paired: RCA as the spec writes it adds ${spec.toFixed(1)} ms = ${((100 * spec) / without).toFixed(1)} %.`);
}
for (const [label, table] of [["wall", wall], ["CPU", cpu]] as const) {
  const detection = median(table.get(names[0]!)!);
  const without = median(table.get(names[1]!)!);
  const full = median(table.get(names[2]!)!);
  console.log(
    `${label}: RCA adds ${(full - without).toFixed(1)} ms = ${((100 * (full - without)) / without).toFixed(1)} % of the scan without RCA; ` +
      `cascades + blast radius + RCA add ${(full - detection).toFixed(1)} ms = ${((100 * (full - detection)) / detection).toFixed(1)} % over detection only.`,
  );
}
