/**
 * BRE-RCA and the cascade correlator under configuration variants on the simulated suites, scored
 * exactly as `npm run eval` scores them (src/eval/score.ts): RCA top-1 / top-3 over detected labelled
 * incidents, and labelled cascades linked when both ends are detected. Each business is simulated once
 * and scanned once per variant, so the variants are compared on the same events.
 *
 *   npx tsx bench/rca-variants.ts [seeds=6]
 */
import { DEFAULT_ANALYSIS_CONFIG } from "../src/analyze/analyze-incidents.ts";
import { scoreRun } from "../src/eval/score.ts";
import { DEFAULT_SCAN_CONFIG, type ScanConfig } from "../src/scan.ts";
import { SCENARIOS, simulate } from "../src/sim/index.ts";
import { loadSimulated, scanLoaded } from "./scan-simulated.ts";

const SEEDS = Number(process.argv[2] ?? 6);
const analysis = DEFAULT_ANALYSIS_CONFIG;
const VARIANTS: Record<string, ScanConfig> = {
  "BRE-RCA, cascades by overlap coefficient > 0.4 (defaults)": DEFAULT_SCAN_CONFIG,
  "baseline: no RCA (the incident metric alone)": { ...DEFAULT_SCAN_CONFIG, analysis: { ...analysis, rootCause: false } },
  "cascades by the spec's Jaccard > 0.3": { ...DEFAULT_SCAN_CONFIG, analysis: { ...analysis, cascade: { ...analysis.cascade, overlapMeasure: "jaccard", threshold: 0.3 } } },
  "RCA on weekly-smoothed series": { ...DEFAULT_SCAN_CONFIG, analysis: { ...analysis, rca: { ...analysis.rca, correlationSmoothingDays: 7 } } },
};

const tally = new Map(Object.keys(VARIANTS).map((v) => [v, { rca: 0, top1: 0, top3: 0, both: 0, linked: 0, links: 0 }]));
const scenarios = SCENARIOS.filter((s) => s.family !== "control");
const started = performance.now();
for (const scenario of scenarios) {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const run = simulate({ scenario: scenario.name, seed, qbo: false });
    const loaded = loadSimulated(run.events);
    for (const [name, config] of Object.entries(VARIANTS)) {
      const { result } = await scanLoaded(loaded, config);
      const score = scoreRun(run.labels, result);
      const t = tally.get(name)!;
      for (const e of score.expected) {
        if (!e.detected) continue;
        t.rca++;
        if (e.rca_top1) t.top1++;
        if (e.rca_top3) t.top3++;
      }
      for (const c of score.cascades) {
        if (!c.both_detected) continue;
        t.both++;
        if (c.linked_by_engine) t.linked++;
      }
      t.links += result.cascades.reduce((n, k) => n + k.incident_ids.length - 1, 0);
    }
  }
}
const pct = (n: number, d: number) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(1)} % (${n}/${d})`);
console.log(`${scenarios.length} incident scenario families × ${SEEDS} seeds, standard business (${Math.round((performance.now() - started) / 1000)} s)`);
console.log("| Variant | RCA top-1 | RCA top-3 | Cascades linked (both ends detected) | Links in all scans |");
console.log("|---|---|---|---|---|");
for (const [name, t] of tally) console.log(`| ${name} | ${pct(t.top1, t.rca)} | ${pct(t.top3, t.rca)} | ${pct(t.linked, t.both)} | ${t.links} |`);
