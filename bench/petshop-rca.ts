/**
 * BRE-RCA on the PetShop dataset beside the dataset's anomaly-traversal baseline, both measured here,
 * and the baseline's published figures (the repository's RCA-Dataset-Eval notebook, see
 * shared/bench/petshop/README.md). Top-k recall as the repository's `rca_task.evaluate` computes it:
 * an issue counts at k when the true root-cause node is among the first k candidates.
 *
 *   npx tsx bench/petshop-rca.ts
 */
import { breRcaPetshop, causalGraphOf } from "./petshop/bre-rca.ts";
import { loadScenario } from "./petshop/load.ts";
import { traversalBaseline } from "./petshop/traversal-baseline.ts";

/** Published traversal baseline (MADScore, threshold 5), train + test issues. */
const PUBLISHED: Record<string, { top1: number; top3: number; empty: number; specificity: number }> = {
  "low_traffic/latency": { top1: 0.571, top3: 0.571, empty: 0.21, specificity: 0.167 },
  "low_traffic/availability": { top1: 0.833, top3: 1.0, empty: 0.0, specificity: 1.0 },
  "high_traffic/latency": { top1: 0.571, top3: 0.786, empty: 0.14, specificity: 0.333 },
  "high_traffic/availability": { top1: 0.667, top3: 1.0, empty: 0.0, specificity: 1.0 },
};

interface Tally {
  issues: number;
  top1: number;
  top3: number;
  empty: number;
}

const rows: string[] = [];
const totals = { bre: { issues: 0, top1: 0, top3: 0 }, base: { issues: 0, top1: 0, top3: 0 } };
const bySplit = { train: { n: 0, bre: [0, 0], base: [0, 0] }, test: { n: 0, bre: [0, 0], base: [0, 0] } };
const started = performance.now();
for (const name of ["low_traffic", "high_traffic", "temporal_traffic1", "temporal_traffic2"]) {
  const scenario = loadScenario(name);
  if (!scenario.normal) {
    rows.push(`| ${name} | all | ${scenario.issues.length} | not run: the normal-operation file is missing from this copy (see shared/bench/petshop/README.md) | | | | |`);
    continue;
  }
  const graph = causalGraphOf(scenario.nodes, scenario.calls);
  for (const metric of ["latency", "availability"] as const) {
    const issues = scenario.issues.filter((i) => i.target.metric === metric);
    const bre: Tally = { issues: issues.length, top1: 0, top3: 0, empty: 0 };
    const base: Tally = { issues: issues.length, top1: 0, top3: 0, empty: 0 };
    for (const issue of issues) {
      const ours = breRcaPetshop(graph, scenario.normal, issue).roots;
      const theirs = traversalBaseline(scenario.nodes, scenario.calls, scenario.normal, issue).map((c) => c.node);
      const split = bySplit[issue.split];
      split.n++;
      for (const [tally, roots, counts] of [[bre, ours, split.bre], [base, theirs, split.base]] as const) {
        if (roots.length === 0) tally.empty++;
        if (roots[0] === issue.rootCause) (tally.top1++, counts[0]++);
        if (roots.slice(0, 3).includes(issue.rootCause)) (tally.top3++, counts[1]++);
      }
    }
    // Specificity as the repository computes it: normal data split at 50 %, 60 %, … of its length;
    // the later part plays the "abnormal" window; a method is right when it names no root cause.
    const target = issues[0]!.target;
    let specificBre = 0;
    let specificBase = 0;
    let splits = 0;
    const steps = scenario.normal.values().next().value!.length;
    for (let split = Math.floor(steps / 2); split < steps - 3; split += Math.floor(steps * 0.1)) {
      const head = new Map([...scenario.normal].map(([k, v]) => [k, v.slice(0, split)]));
      const tail = new Map([...scenario.normal].map(([k, v]) => [k, v.slice(split)]));
      const pseudo = { metrics: tail, steps: steps - split, target };
      splits++;
      if (breRcaPetshop(graph, head, pseudo).roots.length === 0) specificBre++;
      if (traversalBaseline(scenario.nodes, scenario.calls, head, pseudo).length === 0) specificBase++;
    }
    const key = `${name}/${metric}`;
    const p = PUBLISHED[key];
    const f = (n: number, d: number) => (d === 0 ? "–" : (n / d).toFixed(3));
    rows.push(
      `| ${name} | ${metric} | ${issues.length} | **${f(bre.top1, bre.issues)}** / **${f(bre.top3, bre.issues)}** (empty ${f(bre.empty, bre.issues)}, specificity ${f(specificBre, splits)}) | ${f(base.top1, base.issues)} / ${f(base.top3, base.issues)} (empty ${f(base.empty, base.issues)}, specificity ${f(specificBase, splits)}) | ${p ? `${p.top1.toFixed(3)} / ${p.top3.toFixed(3)} (empty ${p.empty.toFixed(2)}, specificity ${p.specificity.toFixed(3)})` : "–"} |`,
    );
    totals.bre.issues += bre.issues;
    totals.bre.top1 += bre.top1;
    totals.bre.top3 += bre.top3;
    totals.base.issues += base.issues;
    totals.base.top1 += base.top1;
    totals.base.top3 += base.top3;
  }
}
console.log("| scenario | issue type | issues | BRE-RCA top-1 / top-3 | traversal baseline, measured here | traversal baseline, published |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)} %`;
console.log(`\nAll issues run (${totals.bre.issues}): BRE-RCA top-1 ${pct(totals.bre.top1, totals.bre.issues)}, top-3 ${pct(totals.bre.top3, totals.bre.issues)}; traversal baseline top-1 ${pct(totals.base.top1, totals.base.issues)}, top-3 ${pct(totals.base.top3, totals.base.issues)}.`);
for (const [name, s] of Object.entries(bySplit)) {
  console.log(`${name} issues (${s.n}): BRE-RCA top-1 ${pct(s.bre[0]!, s.n)}, top-3 ${pct(s.bre[1]!, s.n)}; traversal baseline top-1 ${pct(s.base[0]!, s.n)}, top-3 ${pct(s.base[1]!, s.n)}.`);
}
console.log(`(${Math.round(performance.now() - started)} ms)`);
