/**
 * The product path end to end inside workerd: token → upload → scan through the real queue →
 * incidents listed, and the same scan as `bre scan` would print for the same events.
 */
import { describe, expect, it } from "vitest";
import { MemoryEvidence } from "../src/evidence.ts";
import { validateEvent } from "../src/events/canonical.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";
import { runScan } from "../src/scan.ts";
import { scanResultSchema } from "../src/scan-contract.ts";
import { refundSpikeEvents } from "./fixtures.ts";
import { adminToken, authed, ndjson } from "./helpers.ts";

async function waitForRun(token: string, runId: string): Promise<{ status: string; incident_count: number }> {
  for (let i = 0; i < 100; i++) {
    const status = (await (await authed(`/v1/scan/status/${runId}`, token)).json()) as { status: string; incident_count: number };
    if (status.status === "completed" || status.status === "failed") return status;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`run ${runId} did not finish`);
}

describe("token → upload → scan through the queue → incidents", () => {
  it("finds the refund spike and stores metrics, incidents and the manifest", async () => {
    const token = await adminToken();
    const events = refundSpikeEvents();
    const body = ndjson(events);

    const upload = await authed("/v1/ingest/upload?company=acme", token, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
    expect(upload.status).toBe(201);
    const result = (await upload.json()) as Record<string, unknown> & { job_id: string; batch_id: string; sha256: string; bronze_key: string };
    expect(result).toMatchObject({ records: events.length, accepted: events.length, duplicates: 0, rejected: 0, rejections: [] });
    expect(result.bronze_key).toBe(`bronze/uploads/acme/${result.sha256}.ndjson`);

    // The raw body is kept byte for byte under its content address.
    const { env } = await import("cloudflare:workers");
    const raw = await env.BRONZE.get(result.bronze_key);
    expect(await raw!.text()).toBe(body);
    const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)))].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(result.sha256).toBe(digest);

    // Re-uploading the same file adds nothing.
    const again = (await (await authed("/v1/ingest/upload?company=acme", token, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body })).json()) as Record<string, unknown>;
    expect(again).toMatchObject({ accepted: 0, duplicates: events.length, rejected: 0 });

    const status = (await (await authed(`/v1/ingest/status/${result.job_id}`, token)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ status: "completed", accepted: events.length, company_id: "acme" });
    const quality = (await (await authed(`/v1/ingest/quality/${result.batch_id}`, token)).json()) as Record<string, unknown>;
    expect(quality).toMatchObject({ total_records: events.length, valid_records: events.length, rejected_records: 0, overall_quality_score: 1 });

    const queued = await authed("/v1/scan?company=acme", token, { method: "POST" });
    expect(queued.status).toBe(202);
    const { run_id } = (await queued.json()) as { run_id: string };
    const run = await waitForRun(token, run_id);
    expect(run.status).toBe("completed");

    const listed = (await (await authed("/v1/incidents?company=acme", token)).json()) as { run_id: string; incidents: Record<string, unknown>[] };
    expect(listed.run_id).toBe(run_id);
    const spike = listed.incidents.find((i) => i.incident_type === "REFUND_SPIKE");
    expect(spike).toBeDefined();
    expect(spike!.detected_at).toBe("2025-03-04");
    expect(spike!.status).toBe("open");
    expect(run.incident_count).toBe(listed.incidents.length);

    const detail = await authed(`/v1/incidents/${spike!.incident_id as string}`, token);
    expect(((await detail.json()) as { evidence_event_ids: string[] }).evidence_event_ids.length).toBeGreaterThan(0);

    const manifest = (await (await authed(`/v1/scan/manifest/${run_id}`, token)).json()) as { events_processed: number; days_scanned: number };
    expect(manifest.events_processed).toBe(events.length);
    expect(manifest.days_scanned).toBe(90);

    type Point = { day: string; value: number | null; expected: number | null; scale: number | null; z: number | null };
    const history = (await (await authed("/v1/metrics/history?company=acme&metric=refund_rate", token)).json()) as { metrics: { refund_rate: Point[] } };
    expect(history.metrics.refund_rate).toHaveLength(90);

    // The Worker's scan equals the CLI's scan of the same events (apart from run id and timings).
    const ledger = new MemoryLedger();
    const evidence = new MemoryEvidence();
    const valid = events.map((e) => validateEvent(e, "2025-04-01T00:00:00Z")).flatMap((v) => (v.ok ? [v.event] : []));
    ledger.append(valid);
    valid.forEach((e) => evidence.add(e));
    const local = await runScan({ companyId: "acme", runId: run_id, ledger: ledger.snapshot(), evidence, clock: () => new Date(0) });
    expect(scanResultSchema.parse(local.result)).toBeTruthy();
    const stored = listed.incidents.map(({ status: _s, run_id: _r, ...rest }) => rest).sort((a, b) => String(a.incident_id).localeCompare(String(b.incident_id)));
    const expected = local.result.incidents.map(({ status: _s, ...rest }) => rest).sort((a, b) => a.incident_id.localeCompare(b.incident_id));
    expect(stored).toEqual(expected);

    // The history carries the detector's own view of each day (what the pages draw as the band).
    const scores = local.scores.get("refund_rate")!;
    expect(history.metrics.refund_rate.map((p) => [p.expected, p.scale, p.z])).toEqual(scores.map((p) => [p.baseline, p.scale ?? null, p.z]));
    const onset = history.metrics.refund_rate.find((p) => p.day === spike!.detected_at)!;
    expect(onset.z).toBeGreaterThan(3);
    expect(history.metrics.refund_rate.slice(0, 10).every((p) => p.z === null)).toBe(true); // no baseline yet
  });

  it("lists nothing for a company that was never scanned", async () => {
    const token = await adminToken();
    const listed = (await (await authed("/v1/incidents?company=nobody", token)).json()) as { incidents: unknown[] };
    expect(listed.incidents).toEqual([]);
  });
});
