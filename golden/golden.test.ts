/**
 * Golden scenarios: the spec's five expectations, checked against the scan of a pinned
 * simulation. Detection expectations are checked now; cascades, root cause, blast radius and
 * monitors are checked as soon as their capability turns on in `CAPABILITIES`.
 * A known gap (expected.json) is a spec expectation the engine does not meet yet, with the
 * reason; the test fails once the gap closes, so that it is promoted to a real expectation.
 */
import { describe, expect, it } from "vitest";
import { loadSimulated, scanLoaded } from "../bench/scan-simulated.ts";
import type { GoldMetrics, MetricName } from "../src/metrics/gold.ts";
import { CAPABILITIES } from "../src/scan.ts";
import { simulate } from "../src/sim/index.ts";
import { eventsDigest, goldenDirectories, matchIncidents, readGolden, relaxed, severityAtLeast } from "./golden.ts";

const capabilities: Record<string, boolean> = CAPABILITIES;

describe.each(goldenDirectories())("golden scenario %s", (name) => {
  const { scenario, expected } = readGolden(name);
  const run = simulate({ ...scenario.simulate, qbo: false });
  const scanned = scanLoaded(loadSimulated(run.events), undefined);

  it("simulates exactly the committed input (same events, same bytes)", () => {
    expect(eventsDigest(run.events)).toEqual(scenario.events);
  });

  it("detects the expected incidents, at the expected time and severity", async () => {
    expect(capabilities.detection).toBe(true);
    const { result } = await scanned;
    const expectations = relaxed(expected.incidents, expected.known_gaps);
    const matches = matchIncidents(expectations, result);
    for (const e of expectations) {
      if (expected.known_gaps.some((g) => g.id === e.id && g.field === "detected")) continue;
      const match = matches.get(e.id)!;
      expect(match.incident, match.why).not.toBeNull();
      if (e.min_severity) {
        expect(severityAtLeast(match.incident!.severity, e.min_severity), `${e.id}: severity ${match.incident!.severity}, expected at least ${e.min_severity}`).toBe(true);
      }
    }
  });

  it.runIf(expected.known_gaps.length > 0)("still has its known gaps (a closed gap must become an expectation again)", async () => {
    const { result } = await scanned;
    const strict = matchIncidents(expected.incidents, result);
    const loose = matchIncidents(relaxed(expected.incidents, expected.known_gaps), result);
    for (const gap of expected.known_gaps) {
      // Analysis gaps are checked by their own tests below ("links the cascade", "ranks the true root cause").
      if (gap.field === "cascade" || gap.field === "root_cause") continue;
      const wanted = expected.incidents.find((e) => e.id === gap.id)!;
      if (gap.field === "min_severity") {
        const incident = loose.get(gap.id)?.incident;
        const met = incident ? severityAtLeast(incident.severity, wanted.min_severity!) : false;
        expect(met, `known gap closed: ${gap.id} is now ${incident?.severity}; put min_severity back into its expectation`).toBe(false);
      } else {
        expect(strict.get(gap.id)?.incident ?? null, `known gap closed: ${gap.id} now meets "${gap.field}"; remove the gap`).toBeNull();
      }
    }
  });

  it("cites the incident's own events as evidence", async () => {
    const { result } = await scanned;
    const matches = matchIncidents(relaxed(expected.incidents, expected.known_gaps), result);
    const byId = new Map(run.events.map((e) => [e.event_id, e]));
    for (const ev of expected.evidence ?? []) {
      const incident = matches.get(ev.incident)?.incident;
      expect(incident, `${ev.incident} was not detected`).toBeTruthy();
      const types = ev.event_types ?? (ev.event_type ? [ev.event_type] : []);
      const cited = incident!.evidence_event_ids
        .map((id) => byId.get(id)!)
        .filter((e) => types.includes(e.event_type))
        .filter((e) => !ev.vendor_id || e.related_entity_ids.vendor_id === ev.vendor_id)
        .filter((e) => !ev.product_id || (e.related_entity_ids.product_ids ?? []).includes(ev.product_id));
      expect(cited.length, `${ev.incident}: evidence events of ${types.join("/")}${ev.vendor_id ? ` from ${ev.vendor_id}` : ""}${ev.product_id ? ` for ${ev.product_id}` : ""}`).toBeGreaterThanOrEqual(ev.at_least);
    }
  });

  it("moves the input metrics as the scenario describes", async () => {
    const { metrics, days } = await scanned;
    for (const m of expected.metrics ?? []) {
      const mean = (from: string, to: string) => meanOver(metrics, m.metric as MetricName, days, from, to);
      const ratio = mean(...m.window) / mean(...m.baseline);
      expect(ratio, `${m.metric}: window mean / baseline mean`).toBeGreaterThanOrEqual(m.ratio_at_least);
    }
    for (const l of expected.labels ?? []) {
      expect(run.labels.injections[0]!.realized.affected?.count ?? 0, `${l.id}: invoices gone overdue together`).toBeGreaterThanOrEqual(l.overdue_invoices_at_least);
    }
  });

  it.runIf(capabilities.cascades)("links the cascade", async () => {
    const { result } = await scanned;
    const matches = matchIncidents(relaxed(expected.incidents, expected.known_gaps), result);
    for (const c of expected.cascades ?? []) {
      const [fromType, toType] = c.path;
      const from = expected.incidents.find((i) => i.incident_type === fromType)!;
      const to = expected.incidents.find((i) => i.incident_type === toType)!;
      const a = matches.get(from.id)!.incident!;
      const b = matches.get(to.id)!.incident!;
      const cascade = result.cascades.find((k) => k.incident_ids.includes(a.incident_id) && k.incident_ids.includes(b.incident_id));
      if (expected.known_gaps.some((g) => g.field === "cascade" && g.id === to.id)) {
        expect(cascade, `known gap closed: ${from.id} → ${to.id} is now linked; remove the gap`).toBeUndefined();
        continue;
      }
      expect(cascade, `a cascade holding ${a.incident_id} and ${b.incident_id}`).toBeTruthy();
      expect(cascade!.cascade_path.indexOf(fromType)).toBeLessThan(cascade!.cascade_path.indexOf(toType));
    }
  });

  it.runIf(capabilities.rootCause)("ranks the true root cause in the top path", async () => {
    const { result } = await scanned;
    const matches = matchIncidents(relaxed(expected.incidents, expected.known_gaps), result);
    for (const rc of expected.root_cause ?? []) {
      const incident = matches.get(rc.incident)!.incident!;
      const top = incident.causal_chain.paths[0]?.nodes.map((n) => n.metric_name) ?? [];
      if (expected.known_gaps.some((g) => g.field === "root_cause" && g.id === rc.incident)) {
        expect(top[0], `known gap closed: ${rc.incident}'s top path now starts at ${rc.top_path_root}; remove the gap`).not.toBe(rc.top_path_root);
        // Still among the ranked root causes.
        const roots = incident.causal_chain.paths.map((p) => p.nodes[0]?.metric_name);
        if (rc.top_path_root) expect(roots, `${rc.incident}: ${rc.top_path_root} among the ranked paths' roots`).toContain(rc.top_path_root);
        continue;
      }
      if (rc.top_path_root) expect(top[0], `${rc.incident}: root of the top path (${top.join(" → ")})`).toBe(rc.top_path_root);
      if (rc.top_path_in_order) {
        const positions = rc.top_path_in_order.map((m) => top.indexOf(m));
        expect(positions.every((p) => p >= 0) && positions.every((p, k) => k === 0 || p > positions[k - 1]!), `${rc.incident}: top path ${top.join(" → ")} should contain ${rc.top_path_in_order.join(" → ")} in order`).toBe(true);
      }
    }
  });

  it.runIf(capabilities.blastRadius)("sizes the blast radius", async () => {
    const { result } = await scanned;
    const matches = matchIncidents(relaxed(expected.incidents, expected.known_gaps), result);
    for (const br of expected.blast_radius ?? []) {
      const radius = matches.get(br.incident)!.incident!.blast_radius;
      if (br.customers_affected_at_least !== undefined) expect(radius.customers_affected).toBeGreaterThanOrEqual(br.customers_affected_at_least);
      if (br.revenue_exposure_at_least !== undefined) expect(radius.estimated_revenue_exposure).toBeGreaterThanOrEqual(br.revenue_exposure_at_least);
    }
  });

  it.runIf(capabilities.monitors)("generates the prevention monitors", async () => {
    const { result } = await scanned;
    const matches = matchIncidents(relaxed(expected.incidents, expected.known_gaps), result);
    for (const m of expected.monitors ?? []) {
      const source = matches.get(m.incident)!.incident!;
      const monitor = result.monitors.find((x) => x.source_incident_id === source.incident_id && x.metric_name === m.metric_name);
      expect(monitor, `a monitor on ${m.metric_name} from ${m.incident}`).toBeTruthy();
      expect(monitor!.condition).toContain(String(m.threshold_sigma));
    }
  });
});

function meanOver(metrics: GoldMetrics, metric: MetricName, days: string[], from: string, to: string): number {
  const values = days
    .map((d, i) => (d >= from && d <= to ? metrics[metric][i] : null))
    .filter((v): v is number => v !== null && v !== undefined);
  if (values.length === 0) throw new Error(`meanOver: ${metric} has no values from ${from} to ${to}`);
  return values.reduce((s, v) => s + v, 0) / values.length;
}
