/**
 * Cost of the closed loop on the demo company (the simulated wholesaler, six months): the monitor runtime inside
 * the scan and the postmortem exports, against a baseline measured in the same run — the scan
 * itself (detection and analysis) on the same ledger.
 *
 *   npx tsx bench/closed-loop.ts [repeats=5]
 */
import { performance } from "node:perf_hooks";
import { PDFDocument } from "pdf-lib";
import { validateEvent } from "../src/events/canonical.ts";
import { MemoryEvidence } from "../src/evidence.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";
import { runMonitorLoop } from "../src/monitors/loop.ts";
import { renderPostmortemMarkdown } from "../src/report/markdown.ts";
import { renderPostmortemPdf } from "../src/report/pdf.ts";
import { buildPostmortem } from "../src/report/postmortem.ts";
import { DEFAULT_SCAN_CONFIG, runScan } from "../src/scan.ts";
import { generateDemoCompany } from "../src/sim/index.ts";

const REPEATS = Number(process.argv[2] ?? 5);

const ledger = new MemoryLedger();
const evidence = new MemoryEvidence();
const valid = generateDemoCompany()
  .events.map((e) => validateEvent(e, "2026-11-01T00:00:00Z"))
  .flatMap((v) => (v.ok ? [v.event] : []));
ledger.append(valid);
for (const e of valid) evidence.add(e);
const snapshot = ledger.snapshot();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const scanMs: number[] = [];
const loopMs: number[] = [];
const buildMs: number[] = [];
const mdMs: number[] = [];
const pdfMs: number[] = [];
let pdfBytes = 0;
let pages = 0;
let counts = { incidents: 0, monitors: 0, alerts: 0 };

for (let r = 0; r < REPEATS; r++) {
  let t = performance.now();
  const out = await runScan({ companyId: "demo", runId: "run_bench", ledger: snapshot, evidence, clock: () => new Date(0) });
  scanMs.push(performance.now() - t);
  const { incidents, cascades, monitors, alerts } = out.result;
  counts = { incidents: incidents.length, monitors: monitors.length, alerts: alerts.length };

  // The loop alone, as the scan runs it (stored monitors = the scan's own, the steady state).
  t = performance.now();
  runMonitorLoop({ incidents, stored: monitors, days: out.days, metrics: out.metrics, detection: DEFAULT_SCAN_CONFIG.detection });
  loopMs.push(performance.now() - t);

  for (const incident of incidents) {
    t = performance.now();
    const pm = buildPostmortem({ incident, incidents, cascades, monitors, alerts, runId: "run_bench", asOf: out.result.manifest.as_of!, generatedAt: "2026-11-01T03:00:00.000Z" });
    buildMs.push(performance.now() - t);
    t = performance.now();
    renderPostmortemMarkdown(pm);
    mdMs.push(performance.now() - t);
    t = performance.now();
    const pdf = await renderPostmortemPdf(pm);
    pdfMs.push(performance.now() - t);
    if (r === 0) {
      pdfBytes += pdf.length;
      pages += (await PDFDocument.load(pdf)).getPageCount();
    }
  }
}

const fmt = (x: number) => x.toFixed(1);
console.log(`demo company: ${valid.length} events, ${counts.incidents} incidents, ${counts.monitors} monitors, ${counts.alerts} alerts; ${REPEATS} repeats, medians`);
console.log(`| step | ms |`);
console.log(`|---|---|`);
console.log(`| baseline: whole scan (detection, analysis, monitor loop) | ${fmt(median(scanMs))} |`);
console.log(`| monitor loop alone (plan + run every monitor over the history) | ${fmt(median(loopMs))} |`);
console.log(`| postmortem model, per incident | ${fmt(median(buildMs))} |`);
console.log(`| Markdown export, per incident | ${fmt(median(mdMs))} |`);
console.log(`| PDF export, per incident (max ${fmt(Math.max(...pdfMs))}, the first, cold) | ${fmt(median(pdfMs))} |`);
console.log(`PDFs: ${counts.incidents} files, ${pages} pages, ${Math.round(pdfBytes / Math.max(1, counts.incidents) / 1024)} KiB each on average`);
