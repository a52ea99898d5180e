/**
 * BRE-RCA as the spec writes it against BRE-RCA with its extensions (docs/decisions.md, "Root cause
 * analysis"), on the simulated suites, in one run: every business is simulated and its incidents
 * detected once, then analysed once per RCA variant (cascades and blast radius off: they do not
 * change the chains). Scored exactly as `npm run eval` scores RCA (src/eval/score.ts, review flags of
 * LOW confidence not counted): top-1 = the true root is the root of the top path, top-3 = of one of
 * the three best paths, over the detected labelled incidents.
 *
 *   npx tsx bench/rca-ablation.ts [--seeds 1-6] [--scenarios a,b] [--variants a,b] [--details out.json]
 *
 * `--seeds` takes a range (`1-6`, `7-12`) so tuning and reporting seeds can be kept apart.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { analyzeIncidents, DEFAULT_ANALYSIS_CONFIG } from "../src/analyze/analyze-incidents.ts";
import { DEFAULT_RCA_CONFIG, type RcaConfig, SPEC_RCA_CONFIG } from "../src/analyze/rca.ts";
import { scoreRun } from "../src/eval/score.ts";
import { DEFAULT_SCAN_CONFIG, detectForAnalysis } from "../src/scan.ts";
import { SCENARIOS, simulate } from "../src/sim/index.ts";
import { loadSimulated } from "./scan-simulated.ts";

const S = SPEC_RCA_CONFIG;
const D = DEFAULT_RCA_CONFIG;
/** Each extension alone on the spec, then the defaults with each left out. */
const RCA_VARIANTS: Record<string, RcaConfig> = {
  "spec as written": S,
  "spec + node measurements": { ...S, nodeMeasurements: D.nodeMeasurements },
  "spec + excursion onsets": { ...S, excursionLevel: D.excursionLevel },
  "spec + self root in top 3": { ...S, selfRootRank: D.selfRootRank },
  "spec + smoothed daily totals": { ...S, dailyTotalSmoothingDays: D.dailyTotalSmoothingDays },
  "spec + rolling memory": { ...S, rollingMemory: D.rollingMemory },
  "spec + threshold 2.5, gap 1 day": { ...S, anomalyThreshold: D.anomalyThreshold, maxGapDays: D.maxGapDays },
  "extended (defaults)": D,
  "defaults − node measurements": { ...D, nodeMeasurements: S.nodeMeasurements },
  "defaults − excursion onsets": { ...D, excursionLevel: S.excursionLevel },
  "defaults − self root in top 3": { ...D, selfRootRank: S.selfRootRank },
  "defaults − smoothed daily totals": { ...D, dailyTotalSmoothingDays: S.dailyTotalSmoothingDays },
  "defaults − rolling memory": { ...D, rollingMemory: S.rollingMemory },
  "defaults − threshold 2.5, gap 1 day": { ...D, anomalyThreshold: S.anomalyThreshold, maxGapDays: S.maxGapDays },
};

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "1-6" },
    scenarios: { type: "string" },
    variants: { type: "string" },
    details: { type: "string" },
  },
});
const [first, last] = values.seeds!.includes("-") ? values.seeds!.split("-").map(Number) : [1, Number(values.seeds)];
if (!Number.isInteger(first) || !Number.isInteger(last) || first! < 1 || last! < first!) throw new Error(`--seeds must be N or A-B, got ${values.seeds}`);
const scenarios = SCENARIOS.filter((s) => s.family !== "control" && (!values.scenarios || values.scenarios.split(",").includes(s.name)));
const variants = Object.entries(RCA_VARIANTS).filter(([name]) => !values.variants || values.variants.split(",").includes(name));
if (variants.length === 0) throw new Error(`no variant named in --variants; known: ${Object.keys(RCA_VARIANTS).join(", ")}`);

interface Tally {
  analysed: number;
  top1: number;
  top3: number;
  byScenario: Map<string, { analysed: number; top1: number; top3: number }>;
}
const tally = new Map<string, Tally>(variants.map(([name]) => [name, { analysed: 0, top1: 0, top3: 0, byScenario: new Map() }]));
const details: unknown[] = [];

const started = performance.now();
for (const scenario of scenarios) {
  for (let seed = first!; seed <= last!; seed++) {
    const run = simulate({ scenario: scenario.name, seed, qbo: false });
    const loaded = loadSimulated(run.events);
    const input = { companyId: "sim", runId: "run_eval", ledger: loaded.snapshot, evidence: loaded.evidence, clock: () => new Date(0) };
    const detected = await detectForAnalysis(input, DEFAULT_SCAN_CONFIG);
    const counted = detected.toAnalyze.filter((i) => i.incident.confidence !== "LOW");
    for (const [name, rca] of variants) {
      const { incidents } = await analyzeIncidents(counted, detected.analysisContext, { ...DEFAULT_ANALYSIS_CONFIG, cascades: false, blastRadius: false, rca });
      const score = scoreRun(run.labels, { incidents, cascades: [] });
      const t = tally.get(name)!;
      const s = t.byScenario.get(scenario.name) ?? { analysed: 0, top1: 0, top3: 0 };
      t.byScenario.set(scenario.name, s);
      for (const e of score.expected) {
        if (!e.detected) continue;
        t.analysed++;
        s.analysed++;
        if (e.rca_top1) (t.top1++, s.top1++);
        if (e.rca_top3) (t.top3++, s.top3++);
        if (values.details) {
          const chain = incidents.find((i) => i.incident_id === e.incident_id)!.causal_chain;
          details.push({
            variant: name,
            scenario: scenario.name,
            seed,
            label: e.label_id,
            type: e.incident_type,
            truth: e.root_cause_metric,
            top1: e.rca_top1,
            top3: e.rca_top3,
            incident_metric: chain.incident_metric,
            window: chain.causal_window,
            roots: chain.paths.slice(0, 5).map((p) => `${p.nodes.map((n) => n.metric_name).join(">")} ${p.overall_score}`),
            candidates: (chain.candidates ?? []).filter((c) => c.anomalous).map((c) => ({ m: c.metric_name, z: c.peak_zscore, onset: c.onset_day, lag: c.lag_days, r: c.cross_correlation, score: c.contribution_score })),
          });
        }
      }
    }
  }
  process.stderr.write(`${scenario.name}: seeds ${first}-${last} (${Math.round((performance.now() - started) / 1000)} s)\n`);
}

const pct = (n: number, d: number) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(1)} % (${n}/${d})`);
console.log(`${scenarios.length} incident scenario families × seeds ${first}–${last}, standard business, ${Math.round((performance.now() - started) / 1000)} s`);
console.log("");
console.log("| RCA variant | top-1 | top-3 |");
console.log("|---|---|---|");
for (const [name, t] of tally) console.log(`| ${name} | ${pct(t.top1, t.analysed)} | ${pct(t.top3, t.analysed)} |`);
console.log("");
console.log(`| Scenario | ${variants.map(([name]) => name).join(" | ")} |`);
console.log(`|---|${variants.map(() => "---").join("|")}|`);
for (const scenario of scenarios) {
  const cells = variants.map(([name]) => {
    const s = tally.get(name)!.byScenario.get(scenario.name);
    return s && s.analysed > 0 ? `${s.top1}/${s.top3}/${s.analysed}` : "–";
  });
  console.log(`| ${scenario.name} | ${cells.join(" | ")} |`);
}
console.log("");
console.log("Cells: top-1 hits / top-3 hits / detected labelled incidents.");
if (values.details) writeFileSync(values.details, `${JSON.stringify(details, null, 1)}\n`);
