/**
 * TCPD benchmark for the project's change-point detectors (Layer 3): our PELT and BOCPD in
 * TCPDBench's "default" setting, scored with TCPDBench's F1 and cover, beside the published
 * figures. Run: `npx tsx bench/tcpd.ts` (add `--per-dataset` for the per-series table).
 *
 * Default settings reproduced (TCPDBench abed_conf.py + execs/R wrappers):
 * - every series is standardised as R's `scale()` does (mean, sample standard deviation);
 * - pelt  = changepoint::cpt.mean(method="PELT", penalty="MBIC", test.stat="Normal"):
 *           mean cost with the MBIC segment term and β = 3·log n; reported as τ − 1 (the last
 *           index of the old segment, which is what the R wrapper writes);
 * - bocpd = ocp::onlineCPD(gaussian, λ = 100, prior m=0, κ=1, α=1, β=1, truncRlim=1e-4), maxCPs;
 * - predictions are cleaned (1 ≤ x ≤ n−2, unique), series with missing values fail (score 0),
 *   as the R methods do without a missing-value strategy.
 */
import { Bocpd } from "../src/detect/bocpd.ts";
import { mbicPenalty, pelt } from "../src/detect/pelt.ts";
import { EXCLUDED_FROM_AGGREGATE, loadTcpd, publishedScores, type TcpdSeries } from "./tcpd/corpus.ts";
import { cleanPredictions, covering, fMeasure } from "./tcpd/metrics.ts";

type Method = "pelt" | "bocpd" | "zero";

/** R's scale(): (x − mean) / sd with the n − 1 denominator. */
export function standardise(values: readonly number[]): number[] {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  return values.map((v) => (sd > 0 ? (v - mean) / sd : v - mean));
}

export function runDefault(method: Method, series: TcpdSeries): number[] | null {
  if (method === "zero") return [];
  if (series.series.some((dim) => dim.some((v) => v === null))) return null;
  const dims = series.series.map((dim) => standardise(dim as number[]));
  if (method === "pelt") {
    if (dims.length > 1) return null; // changepoint handles univariate data only
    const starts = pelt(dims[0]!, { penalty: mbicPenalty(series.nObs), cost: "mean", mbic: true });
    return starts.map((s) => s - 1);
  }
  const detector = new Bocpd({ lambda: 100, prior: { mean: 0, kappa: 1, alpha: 1, beta: 1 }, truncate: 1e-4, dimensions: dims.length });
  for (let i = 0; i < series.nObs; i++) detector.update(dims.map((d) => d[i]!));
  return detector.changePoints();
}

function main(): void {
  const perDataset = process.argv.includes("--per-dataset");
  const started = performance.now();
  const all = loadTcpd();
  const f1Published = publishedScores("default_f1");
  const coverPublished = publishedScores("default_cover");
  const methods: Method[] = ["pelt", "bocpd", "zero"];
  const ours: Record<Method, Record<string, { f1: number; cover: number } | null>> = { pelt: {}, bocpd: {}, zero: {} };
  let exact = 0;
  let compared = 0;
  const rows: string[] = [];
  for (const s of all) {
    const cells: string[] = [s.name];
    for (const m of methods) {
      const raw = runDefault(m, s);
      const result = raw === null ? null : (() => {
        const p = cleanPredictions(raw, s.nObs);
        return { f1: fMeasure(s.annotations, p).f1, cover: covering(s.annotations, p, s.nObs) };
      })();
      ours[m][s.name] = result;
      const pf = f1Published[s.name]?.[m] ?? null;
      const pc = coverPublished[s.name]?.[m] ?? null;
      if (m !== "zero") {
        compared++;
        const same = (a: number | null | undefined, b: number | null) => (a ?? null) === null ? b === null : b !== null && Math.abs(a! - b) < 1e-9;
        if (same(result?.f1, pf) && same(result?.cover, pc)) exact++;
      }
      cells.push(fmt(result?.f1 ?? null), fmt(pf), fmt(result?.cover ?? null), fmt(pc));
    }
    rows.push(`| ${cells.join(" | ")} |`);
  }
  if (perDataset) {
    console.log("| series | pelt F1 | published | pelt cover | published | bocpd F1 | published | bocpd cover | published | zero F1 | published | zero cover | published |");
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of rows) console.log(r);
    console.log("");
  }
  const univariate = all.filter((s) => !EXCLUDED_FROM_AGGREGATE.has(s.name) && s.series.length === 1);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  console.log(`Default setting, univariate, ${univariate.length} local series (TCPDBench aggregate rule: QC and uk_coal_employ excluded, failures count 0)\n`);
  console.log("| method | cover (ours) | cover (published, same series) | F1 (ours) | F1 (published, same series) |");
  console.log("|---|---|---|---|---|");
  for (const m of ["binseg", "pelt", "bocpd", "zero"] as const) {
    const pubCover = mean(univariate.map((s) => coverPublished[s.name]?.[m] ?? 0));
    const pubF1 = mean(univariate.map((s) => f1Published[s.name]?.[m] ?? 0));
    if (m === "binseg") {
      console.log(`| binseg | — | ${pubCover.toFixed(3)} | — | ${pubF1.toFixed(3)} |`);
      continue;
    }
    const oursCover = mean(univariate.map((s) => ours[m][s.name]?.cover ?? 0));
    const oursF1 = mean(univariate.map((s) => ours[m][s.name]?.f1 ?? 0));
    console.log(`| ${m} | ${oursCover.toFixed(3)} | ${pubCover.toFixed(3)} | ${oursF1.toFixed(3)} | ${pubF1.toFixed(3)} |`);
  }
  const runLog = ours.bocpd.run_log;
  if (runLog) console.log(`\nrun_log (multivariate) bocpd: cover ${runLog.cover.toFixed(3)} (published 0.815), F1 ${runLog.f1.toFixed(3)} (published 1.000)`);
  console.log(`\nPer-series agreement with the published pelt/bocpd scores (F1 and cover within 1e-9): ${exact} of ${compared}`);
  console.log(`(${Math.round(performance.now() - started)} ms)`);
}

function fmt(v: number | null): string {
  return v === null ? "—" : v.toFixed(3);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
