import { concentrationZ } from "../src/detect/detect.ts";
import { RULES_BY_TYPE } from "../src/detect/rules.ts";
import { DEFAULT_SCAN_CONFIG, detectForAnalysis } from "../src/scan.ts";
import { simulate } from "../src/sim/index.ts";
import { loadSimulated } from "./scan-simulated.ts";
const [scenario, seedS, type, from, to] = process.argv.slice(2);
const run = simulate({ scenario: scenario!, seed: Number(seedS), qbo: false });
const loaded = loadSimulated(run.events);
const d = await detectForAnalysis({ companyId: "sim", runId: "r", ledger: loaded.snapshot, evidence: loaded.evidence, clock: () => new Date(0) }, DEFAULT_SCAN_CONFIG);
console.log(JSON.stringify(run.labels.incidents.map((l) => [l.id, l.onset, l.duration_days, l.entities])));
for (const t of d.toAnalyze) console.log(t.incident.incident_type, t.incident.incident_window_start, t.incident.detected_at, t.incident.primary_metric, t.incident.confidence);
const rule = RULES_BY_TYPE.get(type as never)!;
const c = concentrationZ({ prefix: rule.countCheck!.byEntity!, windowDays: 7, baselineDays: 30 }, d.aggregates);
const days = d.aggregates.days;
for (let i = days.indexOf(from!); i <= days.indexOf(to!); i++) {
  const zs = rule.triggers.map((t) => (d.scores.get(t.metric)?.[i]?.z ?? NaN).toFixed(1)).join(" ");
  const k = c.key[i];
  console.log(days[i], zs.padEnd(12), (c.z[i] ?? NaN).toFixed(1), k, k ? Array.from(d.aggregates.column(k).slice(i - 6, i + 1)).join(",") : "");
}
