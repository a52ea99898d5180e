/**
 * Cascades, causal chains, blast radius and status through the API, inside workerd: a supplier
 * failure that spreads into fulfillment, uploaded, scanned through the real queue and read back.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { generateFixtureEvents } from "../src/analyze/testing/scenario-fixture.ts";
import { causalChainSchema, causalGraphSchema, cascadeSchema } from "../src/scan-contract.ts";
import { adminToken, authed, envelopeOf, ndjson } from "./helpers.ts";

const COMPANY = "rca-co";
type Listed = { incident_id: string; incident_type: string; detected_at: string; incident_window_start: string; cascade_id: string | null; status: string };

let token = "";
let supplier: Listed;
let fulfillment: Listed;

async function scan(): Promise<string> {
  const queued = await authed(`/v1/scan?company=${COMPANY}`, token, { method: "POST" });
  expect(queued.status).toBe(202);
  const { run_id } = (await queued.json()) as { run_id: string };
  for (let i = 0; i < 150; i++) {
    const status = (await (await authed(`/v1/scan/status/${run_id}`, token)).json()) as { status: string; error?: string };
    if (status.status === "completed") return run_id;
    if (status.status === "failed") throw new Error(`scan failed: ${status.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("scan did not finish");
}

beforeAll(async () => {
  token = await adminToken();
  const events = generateFixtureEvents({ seed: 1, start: "2025-01-01", days: 75, injections: [{ kind: "supplier_delay", day: 50, days: 7, vendor: "V-001" }] });
  for (let i = 0; i < events.length; i += 2_500) {
    const upload = await authed(`/v1/ingest/upload?company=${COMPANY}`, token, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: ndjson(events.slice(i, i + 2_500)) });
    expect(upload.status).toBe(201);
  }
  await scan();
  const listed = (await (await authed(`/v1/incidents?company=${COMPANY}&sort=detected_at`, token)).json()) as { incidents: Listed[] };
  const near = (type: string) => listed.incidents.find((i) => i.incident_type === type && i.incident_window_start >= "2025-02-18")!;
  supplier = near("SUPPLIER_DEPENDENCY_FAILURE");
  fulfillment = near("FULFILLMENT_SLA_DEGRADATION");
  expect(supplier).toBeDefined();
  expect(fulfillment).toBeDefined();
}, 120_000);

describe("GET /v1/incidents/{id}/causal-chain", () => {
  it("returns BRE-RCA's ranked paths, rooted at the supplier for the fulfillment incident", async () => {
    const response = await authed(`/v1/incidents/${fulfillment.incident_id}/causal-chain`, token);
    expect(response.status).toBe(200);
    const chain = causalChainSchema.parse(await response.json());
    expect(chain).toMatchObject({ algorithm_version: "BRE-RCA-v1", incident_id: fulfillment.incident_id });
    expect(chain.paths[0]!.nodes[0]!.metric_name).toBe("supplier_delay_rate");
    expect(chain.paths[0]!.nodes.at(-1)!.metric_name).toBe("delivery_delay_rate");
    expect(chain.paths.length).toBeLessThanOrEqual(5);
  });

  it("answers 404 in the envelope for an unknown incident", async () => {
    const response = await authed("/v1/incidents/inc_nope/causal-chain", token);
    expect(response.status).toBe(404);
    expect((await envelopeOf(response)).error.code).toBe("INCIDENT_NOT_FOUND");
  });
});

describe("GET /v1/incidents/{id}/blast-radius and /graph", () => {
  it("reports what the supplier failure touched, including the fulfillment incident downstream", async () => {
    const radius = (await (await authed(`/v1/incidents/${supplier.incident_id}/blast-radius`, token)).json()) as Record<string, unknown>;
    expect(radius).toMatchObject({ incident_id: supplier.incident_id, vendors_involved: 1 });
    expect(radius.customers_affected as number).toBeGreaterThan(0);
    expect(radius.downstream_incidents_triggered).toContain(fulfillment.incident_id);
    expect(radius.narrative).toMatch(/^This incident affected \d+ orders/);
  });

  it("draws the chain as nodes with parents and edges", async () => {
    const graph = causalGraphSchema.parse(await (await authed(`/v1/incidents/${fulfillment.incident_id}/graph`, token)).json());
    const root = graph.nodes.find((n) => n.id === "supplier_delay_rate")!;
    expect(root).toMatchObject({ role: "root_cause", on_top_path: true, parentIds: [] });
    expect(graph.nodes.find((n) => n.id === "delivery_delay_rate")!.parentIds).toContain("supplier_delay_rate");
    expect(graph.edges.some((e) => e.source === "supplier_delay_rate" && e.target === "delivery_delay_rate" && e.on_top_path)).toBe(true);
  });
});

describe("GET /v1/cascades", () => {
  it("lists the cascade linking supplier and fulfillment, and details it with its incidents", async () => {
    const listed = (await (await authed(`/v1/cascades?company=${COMPANY}`, token)).json()) as { cascades: unknown[] };
    const cascades = listed.cascades.map((c) => cascadeSchema.parse(c));
    const cascade = cascades.find((c) => c.incident_ids.includes(supplier.incident_id))!;
    expect(cascade).toBeDefined();
    expect(cascade.root_incident_id).toBe(supplier.incident_id);
    expect(cascade.incident_ids).toContain(fulfillment.incident_id);
    expect(fulfillment.cascade_id).toBe(cascade.cascade_id);

    const detail = (await (await authed(`/v1/cascades/${cascade.cascade_id}`, token)).json()) as { incidents: { incident_id: string; root_cause: string }[]; total_blast_radius: unknown };
    expect(detail.incidents.map((i) => i.incident_id)).toEqual(cascade.incident_ids);
    expect(detail.incidents.find((i) => i.incident_id === fulfillment.incident_id)!.root_cause).toBe("supplier_delay_rate");
    expect(detail.total_blast_radius).toMatchObject({ vendors_involved: 1 });
  });

  it("answers 404 for an unknown cascade and an empty list for an unscanned company", async () => {
    const response = await authed("/v1/cascades/casc_nope", token);
    expect(response.status).toBe(404);
    expect((await envelopeOf(response)).error.code).toBe("CASCADE_NOT_FOUND");
    expect(await (await authed("/v1/cascades?company=nobody-here", token)).json()).toMatchObject({ cascades: [] });
  });

  it("needs a token", async () => {
    const { call } = await import("./helpers.ts");
    expect((await call(`/v1/cascades?company=${COMPANY}`)).status).toBe(401);
  });
});

describe("PATCH /v1/incidents/{id}/status", () => {
  it("acknowledges an incident, and a later scan keeps what people set", async () => {
    const patched = await authed(`/v1/incidents/${supplier.incident_id}/status`, token, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: "acknowledged" }),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ incident_id: supplier.incident_id, status: "acknowledged" });
    await scan();
    expect(await (await authed(`/v1/incidents/${supplier.incident_id}`, token)).json()).toMatchObject({ status: "acknowledged" });
  }, 60_000);

  it("rejects an unknown status with 422 naming the field, and unknown incidents with 404", async () => {
    const bad = await authed(`/v1/incidents/${supplier.incident_id}/status`, token, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "closed" }) });
    expect(bad.status).toBe(422);
    expect((await envelopeOf(bad)).error.message).toMatch(/'status'/);
    const missing = await authed("/v1/incidents/inc_nope/status", token, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ status: "resolved" }) });
    expect(missing.status).toBe(404);
  });
});
