/**
 * RCA and cascade quality on the test fixture's five golden shapes over many seeds, until the
 * simulator's labelled suites (bench/eval.ts) are on main. For each scenario: the incidents of the
 * expected types that start after the injection, whether the true root is the top path's root and
 * the root of one of the three best-ranked paths, and whether the expected pairs are linked in one cascade when both
 * are detected.
 *
 *   npx tsx bench/rca-fixture-quality.ts [seeds=20] [spec]
 *
 * With `spec`, RCA runs as the spec writes it (`SPEC_RCA_CONFIG`, no extensions).
 */
import { DEFAULT_ANALYSIS_CONFIG } from "../src/analyze/analyze-incidents.ts";
import { SPEC_RCA_CONFIG } from "../src/analyze/rca.ts";
import { scanEvents } from "../src/analyze/testing/run-fixture.ts";
import { DEFAULT_SCAN_CONFIG } from "../src/scan.ts";
import { generateFixtureEvents, type Injection } from "../src/analyze/testing/scenario-fixture.ts";
import type { Incident, IncidentType } from "../src/scan-contract.ts";
import { daysBetween } from "../src/time.ts";

const SEEDS = Number(process.argv[2] ?? 20);
const SPEC = process.argv[3] === "spec";
const CONFIG = SPEC ? { ...DEFAULT_SCAN_CONFIG, analysis: { ...DEFAULT_ANALYSIS_CONFIG, rca: SPEC_RCA_CONFIG } } : DEFAULT_SCAN_CONFIG;
const INJECTED = "2025-04-01";
const LAST = "2025-04-15";

interface Shape {
  name: string;
  injection: Injection;
  /** Incident type → its true root cause metric. */
  roots: Partial<Record<IncidentType, string>>;
  cascades: [IncidentType, IncidentType][];
}

const SHAPES: Shape[] = [
  {
    name: "1 supplier delay",
    injection: { kind: "supplier_delay", day: 90, days: 7, vendor: "V-001" },
    roots: { SUPPLIER_DEPENDENCY_FAILURE: "supplier_delay_rate", FULFILLMENT_SLA_DEGRADATION: "supplier_delay_rate" },
    cascades: [["SUPPLIER_DEPENDENCY_FAILURE", "FULFILLMENT_SLA_DEGRADATION"]],
  },
  { name: "2 refund spike", injection: { kind: "refund_spike", day: 90, days: 5, products: ["P-05", "P-06"] }, roots: { REFUND_SPIKE: "refund_rate" }, cascades: [] },
  {
    name: "3 order surge",
    injection: { kind: "order_surge", day: 90, days: 3, factor: 3 },
    roots: { FULFILLMENT_SLA_DEGRADATION: "order_volume", SUPPORT_LOAD_SURGE: "order_volume" },
    cascades: [["FULFILLMENT_SLA_DEGRADATION", "SUPPORT_LOAD_SURGE"]],
  },
  {
    name: "4 support failure",
    injection: { kind: "support_failure", day: 90, days: 14 },
    roots: { SUPPORT_LOAD_SURGE: "ticket_backlog", CHURN_ACCELERATION: "ticket_backlog" },
    cascades: [["SUPPORT_LOAD_SURGE", "CHURN_ACCELERATION"]],
  },
  { name: "5 AR aging", injection: { kind: "ar_aging", day: 90, invoices: 20 }, roots: { LIQUIDITY_CRUNCH_RISK: "ar_aging_amount" }, cascades: [] },
];

/** The incident of a type that overlaps the two weeks after the injection the most. */
function find(incidents: Incident[], type: IncidentType): Incident | undefined {
  const overlap = (i: Incident) => {
    const start = i.incident_window_start > INJECTED ? i.incident_window_start : INJECTED;
    const end = i.incident_window_end < LAST ? i.incident_window_end : LAST;
    return daysBetween(start, end) + 1;
  };
  return incidents.filter((i) => i.incident_type === type && overlap(i) > 0).sort((a, b) => overlap(b) - overlap(a))[0];
}

const rows: string[] = [];
const all = { rca: 0, top1: 0, top3: 0, pairs: 0, linked: 0 };
for (const shape of SHAPES) {
  const t = { rca: 0, top1: 0, top3: 0, missed: 0, pairs: 0, linked: 0 };
  const misses = new Map<string, number>();
  for (let seed = 1; seed <= SEEDS; seed++) {
    const { result } = await scanEvents(generateFixtureEvents({ seed, start: "2025-01-01", days: 120, injections: [shape.injection] }), CONFIG);
    for (const [type, root] of Object.entries(shape.roots) as [IncidentType, string][]) {
      const incident = find(result.incidents, type);
      if (!incident) {
        t.missed++;
        continue;
      }
      t.rca++;
      const top = incident.causal_chain.paths[0]!.nodes[0]!.metric_name;
      if (top === root) t.top1++;
      else misses.set(`${type}→${top}`, (misses.get(`${type}→${top}`) ?? 0) + 1);
      // As the simulator's harness scores it: the roots of the three best-ranked paths.
      if (incident.causal_chain.paths.slice(0, 3).some((p) => p.nodes[0]?.metric_name === root)) t.top3++;
    }
    for (const [a, b] of shape.cascades) {
      const x = find(result.incidents, a);
      const y = find(result.incidents, b);
      if (!x || !y) continue;
      t.pairs++;
      if (x.cascade_id !== null && x.cascade_id === y.cascade_id) t.linked++;
    }
  }
  const pct = (n: number, d: number) => (d === 0 ? "–" : `${((100 * n) / d).toFixed(0)} %`);
  rows.push(
    `| ${shape.name} | ${t.rca} (${t.missed} not detected) | ${pct(t.top1, t.rca)} | ${pct(t.top3, t.rca)} | ${shape.cascades.length ? `${t.linked}/${t.pairs} = ${pct(t.linked, t.pairs)}` : "–"} | ${[...misses].map(([k, n]) => `${k} ×${n}`).join(", ") || "–"} |`,
  );
  all.rca += t.rca;
  all.top1 += t.top1;
  all.top3 += t.top3;
  all.pairs += t.pairs;
  all.linked += t.linked;
}
console.log(`Fixture, ${SEEDS} seeds per shape, 120 days, injection on day 90, RCA ${SPEC ? "as the spec writes it" : "with its extensions (defaults)"}`);
console.log("| shape | incidents analysed | true root = top path's root | true root in top 3 | expected cascade linked | top-root misses |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
console.log(`| all | ${all.rca} | ${((100 * all.top1) / all.rca).toFixed(1)} % | ${((100 * all.top3) / all.rca).toFixed(1)} % | ${all.linked}/${all.pairs} = ${((100 * all.linked) / all.pairs).toFixed(1)} % | |`);
