/**
 * The five golden shapes of spec section 9 on the test fixture: detection, cascades, RCA roots and
 * blast radius together, through the real scan. (The committed golden files live in golden/.)
 */
import { describe, expect, it } from "vitest";
import { type Incident, type IncidentType, type ScanResult, scanResultSchema } from "../scan-contract.ts";
import { daysBetween } from "../time.ts";
import { scanEvents } from "./testing/run-fixture.ts";
import { generateFixtureEvents, type Injection } from "./testing/scenario-fixture.ts";

const INJECTED = "2025-04-01"; // day 90 of the fixture

async function scenario(injections: Injection[]): Promise<ScanResult> {
  const { result } = await scanEvents(generateFixtureEvents({ seed: 1, start: "2025-01-01", days: 120, injections }));
  return scanResultSchema.parse(result);
}

/** The first incident of a type still going on at the injection or starting in the `days` after it (two weeks by default). */
function find(result: ScanResult, type: IncidentType, days = 14): Incident {
  const found = result.incidents.find(
    (i) => i.incident_type === type && i.incident_window_end >= INJECTED && daysBetween(INJECTED, i.incident_window_start) <= days,
  );
  if (!found) throw new Error(`no ${type} near the injection: ${result.incidents.map((i) => `${i.incident_type}@${i.detected_at}`).join(", ")}`);
  return found;
}

const topRoot = (i: Incident) => i.causal_chain.paths[0]!.nodes[0]!.metric_name;
const topRoots = (i: Incident, k: number) => (i.causal_chain.root_causes ?? []).slice(0, k).map((r) => r.metric_name);

function linked(result: ScanResult, a: Incident, b: Incident): boolean {
  return a.cascade_id !== null && a.cascade_id === b.cascade_id && result.cascades.some((c) => c.cascade_id === a.cascade_id);
}

describe("golden shapes on the fixture", () => {
  it("1. supplier delay cascades into fulfillment, rooted at supplier_delay_rate", async () => {
    const result = await scenario([{ kind: "supplier_delay", day: 90, days: 7, vendor: "V-001" }]);
    const supplier = find(result, "SUPPLIER_DEPENDENCY_FAILURE");
    const fulfillment = find(result, "FULFILLMENT_SLA_DEGRADATION");
    // The fixture's stock runs out gradually, so fulfillment breaks a few days after the supplier.
    expect(daysBetween(supplier.detected_at, fulfillment.detected_at)).toBeGreaterThanOrEqual(2);
    expect(daysBetween(supplier.detected_at, fulfillment.detected_at)).toBeLessThanOrEqual(7);
    expect(linked(result, supplier, fulfillment)).toBe(true);
    const cascade = result.cascades.find((c) => c.cascade_id === supplier.cascade_id)!;
    expect(cascade.root_incident_id).toBe(supplier.incident_id);
    expect(cascade.cascade_path.slice(0, 2)).toEqual(["SUPPLIER_DEPENDENCY_FAILURE", "FULFILLMENT_SLA_DEGRADATION"]);
    expect(topRoot(supplier)).toBe("supplier_delay_rate");
    expect(topRoot(fulfillment)).toBe("supplier_delay_rate");
    // The evidence names the failing vendor, and the blast radius reaches it.
    const rootNode = fulfillment.causal_chain.paths[0]!.nodes[0]!;
    expect(rootNode.evidence_clusters.map((c) => c.cluster_label)).toContain("Vendor V-001");
    expect(supplier.blast_radius.vendors_involved).toBe(1);
    expect(supplier.blast_radius.downstream_incidents_triggered).toContain(fulfillment.incident_id);
  });

  it("2. a refund spike is its own root, with the refund cluster as evidence and customers in its blast radius", async () => {
    const result = await scenario([{ kind: "refund_spike", day: 90, days: 5, products: ["P-05", "P-06"] }]);
    const refunds = find(result, "REFUND_SPIKE");
    expect(topRoot(refunds)).toBe("refund_rate");
    const clusters = refunds.causal_chain.paths[0]!.nodes[0]!.evidence_clusters;
    expect(clusters[0]!.summary).toMatch(/^\d+ refunds/);
    expect(clusters.map((c) => c.cluster_label)).toEqual(expect.arrayContaining(["Product P-05", "Product P-06"]));
    expect(refunds.blast_radius.customers_affected).toBeGreaterThan(10);
    expect(refunds.blast_radius.estimated_refund_exposure).toBeGreaterThan(0);
  });

  it("3. an order surge cascades from fulfillment into support, both rooted at order_volume", async () => {
    const result = await scenario([{ kind: "order_surge", day: 90, days: 3, factor: 3 }]);
    const fulfillment = find(result, "FULFILLMENT_SLA_DEGRADATION");
    const support = find(result, "SUPPORT_LOAD_SURGE");
    expect(daysBetween(fulfillment.detected_at, support.detected_at)).toBeGreaterThanOrEqual(3);
    expect(linked(result, fulfillment, support)).toBe(true);
    expect(topRoot(fulfillment)).toBe("order_volume");
    expect(topRoot(support)).toBe("order_volume");
  });

  it("4. a support failure leads to churn through ticket backlog and resolution time", async () => {
    const result = await scenario([{ kind: "support_failure", day: 90, days: 14 }]);
    const support = find(result, "SUPPORT_LOAD_SURGE");
    // Churn climbs from ~13 to ~23 customers a fortnight (of 517) by day 15 of the failure, still
    // within Poisson noise; detection tests the count exactly and passes z 2.5 on day 16.
    const churn = find(result, "CHURN_ACCELERATION", 21);
    expect(daysBetween(support.detected_at, churn.detected_at)).toBeGreaterThanOrEqual(7);
    expect(topRoot(support)).toBe("ticket_backlog");
    expect(churn.causal_chain.paths[0]!.nodes.map((n) => n.metric_name)).toEqual(["ticket_backlog", "avg_resolution_time", "churn_proxy"]);
  });

  it("5. AR aging: the liquidity incident is rooted at ar_aging_amount and its blast radius is the overdue money", async () => {
    const result = await scenario([{ kind: "ar_aging", day: 90, invoices: 20 }]);
    const liquidity = find(result, "LIQUIDITY_CRUNCH_RISK");
    expect(topRoots(liquidity, 1)).toEqual(["ar_aging_amount"]);
    expect(liquidity.blast_radius.invoices_affected).toBeGreaterThanOrEqual(20);
    // 20 invoices of $2,000–5,000 each.
    expect(liquidity.blast_radius.estimated_revenue_exposure).toBeGreaterThan(40_000);
    expect(["severe", "catastrophic"]).toContain(liquidity.blast_radius.blast_radius_severity);
  });

  it("is deterministic: the same events give the same analysis", async () => {
    const events = generateFixtureEvents({ seed: 7, start: "2025-01-01", days: 120, injections: [{ kind: "order_surge", day: 90, days: 3, factor: 3 }] });
    const strip = (r: ScanResult) => JSON.stringify({ ...r, manifest: { ...r.manifest, started_at: 0, finished_at: 0, duration_ms: 0 } });
    const [a, b] = [await scanEvents(events), await scanEvents([...events].reverse())];
    expect(strip(a.result)).toBe(strip(b.result));
  });
});
