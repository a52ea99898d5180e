/**
 * The closed loop at the edge: upload a history with an early refund spike and a later recurrence,
 * scan through the real queue, then read monitors, alerts and the postmortem (JSON, Markdown, PDF
 * kept in R2), edit a monitor and an alert, re-scan and check the edits survive and take effect,
 * and compare the two incidents.
 */
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { refundHistory } from "../src/monitors/testing/refund-history.ts";
import { adminToken, authed, call, envelopeOf, ndjson } from "./helpers.ts";

const COMPANY = "loop";
let token: string;

async function scan(company = COMPANY): Promise<string> {
  const queued = await authed(`/v1/scan?company=${company}`, token, { method: "POST" });
  expect(queued.status).toBe(202);
  const { run_id } = (await queued.json()) as { run_id: string };
  for (let i = 0; i < 150; i++) {
    const status = (await (await authed(`/v1/scan/status/${run_id}`, token)).json()) as { status: string; error: string | null };
    if (status.status === "completed") return run_id;
    if (status.status === "failed") throw new Error(`scan failed: ${status.error}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("scan did not finish");
}

async function json<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T; response: Response }> {
  const response = await authed(path, token, init);
  return { status: response.status, body: (await response.clone().json()) as T, response };
}

const patch = (body: unknown): RequestInit => ({ method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

type MonitorView = { monitor_id: string; metric_name: string; enabled: boolean; threshold_z: number; condition: string; state: string; source_incident_id: string; alert_count: number };
type AlertView = { alert_id: string; monitor_id: string; triggered_at: string; status: string; preceded_incident_id: string | null; lead_days: number | null; run_id: string };
type IncidentView = { incident_id: string; incident_type: string; detected_at: string; incident_window_end: string };

let firstRun: string;
let spikes: IncidentView[];
let refundMonitor: MonitorView;

beforeAll(async () => {
  token = await adminToken();
  const history = refundHistory(160, [
    { start: 40, refunds: [10, 10, 10, 10, 10] },
    // Refunds creep back (the 2.5σ monitor sees it a day before detection), then stay high long
    // enough to squeeze the 30-day margin: Refund Spike → Margin Compression.
    { start: 110, refunds: [4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 10, 14, 16, 18, 20, 20, 20, 20, 20, 20, 20] },
  ]);
  const upload = await authed(`/v1/ingest/upload?company=${COMPANY}`, token, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: ndjson(history.events) });
  expect(upload.status).toBe(201);
  firstRun = await scan();
  const listed = (await json<{ incidents: IncidentView[] }>(`/v1/incidents?company=${COMPANY}&type=REFUND_SPIKE&sort=detected_at`)).body;
  spikes = listed.incidents;
  const monitors = (await json<{ monitors: MonitorView[] }>(`/v1/monitors?company=${COMPANY}`)).body.monitors;
  refundMonitor = monitors.find((m) => m.metric_name === "refund_rate")!;
});

describe("monitors and alerts from a scan", () => {
  it("stores the monitor born from the first spike and the alert that came ahead of the recurrence", async () => {
    expect(spikes).toHaveLength(2);
    expect(refundMonitor).toMatchObject({ source_incident_id: spikes[0]!.incident_id, condition: "zscore > 2.5", enabled: true });
    expect(["healthy", "warning", "triggered"]).toContain(refundMonitor.state);
    const { body } = await json<{ alerts: AlertView[] }>(`/v1/monitors/alerts?company=${COMPANY}&monitor_id=${refundMonitor.monitor_id}`);
    const early = body.alerts.find((a) => a.preceded_incident_id === spikes[1]!.incident_id)!;
    expect(early).toBeDefined();
    expect(early.triggered_at < spikes[1]!.detected_at).toBe(true);
    expect(early).toMatchObject({ status: "active", run_id: firstRun });

    const detail = await json<MonitorView & { alerts: AlertView[] }>(`/v1/monitors/${refundMonitor.monitor_id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.alerts.map((a) => a.alert_id)).toContain(early.alert_id);
  });

  it("keeps people's edits across re-scans: an acknowledged alert stays acknowledged, a disabled monitor stops alerting", async () => {
    const alerts = (await json<{ alerts: AlertView[] }>(`/v1/monitors/alerts?company=${COMPANY}&monitor_id=${refundMonitor.monitor_id}`)).body.alerts;
    const early = alerts.find((a) => a.preceded_incident_id === spikes[1]!.incident_id)!;
    expect(early).toBeDefined();
    const ack = await json<AlertView>(`/v1/monitors/alerts/${early.alert_id}/status`, patch({ status: "acknowledged" }));
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe("acknowledged");

    // Re-scanning finds the same alert again (same monitor, same day ⇒ same id) and keeps the person's status.
    const secondRun = await scan();
    const again = (await json<{ alerts: AlertView[] }>(`/v1/monitors/alerts?company=${COMPANY}`)).body.alerts;
    expect(again.find((a) => a.alert_id === early.alert_id)).toMatchObject({ status: "acknowledged", run_id: secondRun });

    const off = await json<MonitorView>(`/v1/monitors/${refundMonitor.monitor_id}`, patch({ enabled: false }));
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, takes_effect: "on the next scan" });

    const thirdRun = await scan();
    const monitors = (await json<{ monitors: MonitorView[] }>(`/v1/monitors?company=${COMPANY}`)).body.monitors;
    // Re-scanning found the same monitors: none duplicated, none lost.
    expect(new Set(monitors.map((m) => m.monitor_id)).size).toBe(monitors.length);
    expect(monitors.map((m) => m.monitor_id)).toContain(refundMonitor.monitor_id);
    expect(monitors.find((m) => m.monitor_id === refundMonitor.monitor_id)).toMatchObject({ enabled: false, state: "disabled" });
    const after = (await json<{ alerts: AlertView[] }>(`/v1/monitors/alerts?company=${COMPANY}`)).body.alerts;
    // The disabled monitor's alerts are history now: none came from the third scan.
    expect(after.filter((a) => a.monitor_id === refundMonitor.monitor_id && a.run_id === thirdRun)).toEqual([]);
    expect(after.find((a) => a.alert_id === early.alert_id)).toMatchObject({ status: "acknowledged", run_id: secondRun });

    // A custom threshold is kept too, and the condition follows it.
    const strict = await json<MonitorView>(`/v1/monitors/${refundMonitor.monitor_id}`, patch({ enabled: true, threshold_z: 3.5 }));
    expect(strict.body).toMatchObject({ enabled: true, threshold_z: 3.5, condition: "zscore > 3.5" });
    await scan();
    const kept = (await json<MonitorView>(`/v1/monitors/${refundMonitor.monitor_id}`)).body;
    expect(kept).toMatchObject({ enabled: true, threshold_z: 3.5, condition: "zscore > 3.5" });
  });

  it("rejects bad edits with the field and reason, and unknown ids with 404", async () => {
    const low = await authed(`/v1/monitors/${refundMonitor.monitor_id}`, token, patch({ threshold_z: 0.2 }));
    expect(low.status).toBe(422);
    expect((await envelopeOf(low)).error.details).toMatchObject({ field: "threshold_z" });
    const empty = await authed(`/v1/monitors/${refundMonitor.monitor_id}`, token, patch({}));
    expect(empty.status).toBe(422);
    const extra = await authed(`/v1/monitors/${refundMonitor.monitor_id}`, token, patch({ metric_name: "x" }));
    expect(extra.status).toBe(422);
    const badStatus = await authed(`/v1/monitors/alerts/whatever/status`, token, patch({ status: "closed" }));
    expect(badStatus.status).toBe(422);
    expect((await envelopeOf(await authed("/v1/monitors/mon_nope", token))).error.code).toBe("MONITOR_NOT_FOUND");
    expect((await envelopeOf(await authed("/v1/monitors/alerts/alr_nope/status", token, patch({ status: "dismissed" })))).error.code).toBe("ALERT_NOT_FOUND");
    expect((await call("/v1/monitors?company=loop")).status).toBe(401);
  });
});

describe("postmortems", () => {
  it("serves the recurrence's postmortem as JSON and Markdown, naming the alert that came first", async () => {
    const { status, body } = await json<{ incident_id: string; title: string; monitors: MonitorView[]; timeline: { kind: string; timestamp: string }[]; recommendations: string[] }>(
      `/v1/incidents/${spikes[1]!.incident_id}/postmortem`,
    );
    expect(status).toBe(200);
    expect(body.title.startsWith("Refund Spike — ")).toBe(true);
    expect(body.monitors.map((m) => m.monitor_id)).toContain(refundMonitor.monitor_id);
    const alertEntry = body.timeline.find((e) => e.kind === "monitor_alert");
    expect(alertEntry && alertEntry.timestamp < spikes[1]!.detected_at).toBe(true);

    const md = await authed(`/v1/incidents/${spikes[1]!.incident_id}/postmortem/md`, token);
    expect(md.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    const text = await md.text();
    expect(text.startsWith(`# ${body.title}\n`)).toBe(true);
    expect(text).toContain("## 6. Prevention monitors");
  });

  it("renders the PDF once into the exports bucket and serves it from there until the postmortem changes", async () => {
    const id = spikes[0]!.incident_id;
    const first = await authed(`/v1/incidents/${id}/postmortem/pdf`, token);
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/pdf");
    expect(first.headers.get("x-export-cache")).toBe("miss");
    const bytes = new Uint8Array(await first.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const stored = await env.EXPORTS.get(`exports/postmortems/${id}.pdf`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(bytes);

    const second = await authed(`/v1/incidents/${id}/postmortem/pdf`, token);
    expect(second.headers.get("x-export-cache")).toBe("hit");
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(bytes);

    // Disabling the monitor changes the postmortem's recommendations, so the PDF is rendered again.
    await authed(`/v1/monitors/${refundMonitor.monitor_id}`, token, patch({ enabled: false }));
    const third = await authed(`/v1/incidents/${id}/postmortem/pdf`, token);
    expect(third.headers.get("x-export-cache")).toBe("miss");
    await third.arrayBuffer();
    await authed(`/v1/monitors/${refundMonitor.monitor_id}`, token, patch({ enabled: true }));
  });

  it("puts a cascade's upstream incident and the monitor that warned of it into the downstream postmortem", async () => {
    // The recurring refunds squeeze the margin: RCA roots the margin compression in the refund rate
    // and the correlator links the two incidents, so the refund monitor also watches the margin.
    const listed = (await json<{ incidents: (IncidentView & { cascade_id: string | null })[] }>(`/v1/incidents?company=${COMPANY}&type=MARGIN_COMPRESSION&sort=detected_at`)).body.incidents;
    const margin = listed.find((i) => i.detected_at > spikes[1]!.detected_at)!;
    expect(margin.cascade_id).not.toBeNull();
    const pm = (await json<{ cascade_id: string; timeline: { kind: string; timestamp: string; related_incident_id: string | null; event_description: string }[]; contributing_factors: string[]; monitors: MonitorView[] }>(
      `/v1/incidents/${margin.incident_id}/postmortem`,
    )).body;
    expect(pm.cascade_id).toBe(margin.cascade_id);
    expect(pm.timeline.find((e) => e.kind === "cascade")).toMatchObject({ related_incident_id: spikes[1]!.incident_id, timestamp: spikes[1]!.detected_at });
    expect(pm.contributing_factors.some((f) => f.startsWith("Part of cascade Refund Spike → Margin Compression"))).toBe(true);
    expect(pm.monitors.map((m) => m.monitor_id)).toContain(refundMonitor.monitor_id);
    const warned = pm.timeline.find((e) => e.kind === "monitor_alert" && e.event_description.includes('"Refund Rate Watch"'));
    expect(warned && warned.timestamp < margin.detected_at).toBe(true);
  });

  it("answers 404 for an unknown incident in every format", async () => {
    for (const suffix of ["", "/md", "/pdf"]) {
      const response = await authed(`/v1/incidents/inc_nope/postmortem${suffix}`, token);
      expect(response.status).toBe(404);
      expect((await envelopeOf(response)).error.code).toBe("INCIDENT_NOT_FOUND");
    }
  });
});

describe("comparisons", () => {
  it("compares the two spikes, keeps the result and serves it by id", async () => {
    const post = await json<{ comparison_id: string; same_type: boolean; shared_root_causes: string[]; narrative: string; company_id: string }>("/v1/compare", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ incident_a_id: spikes[0]!.incident_id, incident_b_id: spikes[1]!.incident_id }),
    });
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({ same_type: true, company_id: COMPANY });
    expect(post.body.narrative).toContain("These two Refund Spike incidents");
    const got = await json<{ comparison_id: string }>(`/v1/compare/${post.body.comparison_id}`);
    expect(got.body).toEqual(post.body);
  });

  it("rejects a comparison with itself, a missing incident, or the wrong company", async () => {
    const send = (body: unknown, query = "") => authed(`/v1/compare${query}`, token, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const same = await send({ incident_a_id: spikes[0]!.incident_id, incident_b_id: spikes[0]!.incident_id });
    expect(same.status).toBe(422);
    expect((await envelopeOf(same)).error.details).toMatchObject({ field: "incident_b_id" });
    const missing = await send({ incident_a_id: spikes[0]!.incident_id, incident_b_id: "inc_nope" });
    expect(missing.status).toBe(404);
    const wrong = await send({ incident_a_id: spikes[0]!.incident_id, incident_b_id: spikes[1]!.incident_id }, "?company=someone-else");
    expect(wrong.status).toBe(422);
    expect((await authed("/v1/compare/cmp_nope", token)).status).toBe(404);
  });
});

describe("what-if simulation", () => {
  type Scenario = {
    scenario_id: string;
    narrative: string;
    run_id: string;
    triggered_incidents: { incident_type: string; days_after_start: number }[];
    triggered_cascades: { cascade_path: string[] }[];
    propagation: { from: string; to: string; used: boolean; slope: number | null }[];
  };
  // A quiet history (one early refund spike, then months of 3–4 refunds a day), so that a change
  // today is judged against a calm month. (The loop company's recent surge would absorb it.)
  const CALM = "whatif-calm";
  const post = (body: unknown, company = CALM) =>
    authed(`/v1/simulate?company=${company}`, token, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  beforeAll(async () => {
    const history = refundHistory(160, [{ start: 40, refunds: [10, 10, 10, 10, 10] }]);
    const upload = await authed(`/v1/ingest/upload?company=${CALM}`, token, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: ndjson(history.events) });
    expect(upload.status).toBe(201);
    await scan(CALM);
  });

  it("tripling the refund rate triggers a refund spike on day 1 and carries the change down to the margin", async () => {
    const response = await post({ perturbations: [{ metric: "refund_rate", change_pct: 200 }] });
    expect(response.status).toBe(201);
    const s = (await response.json()) as Scenario;
    expect(s.narrative.startsWith("Linear stress test, not a causal forecast: refund rate +200%")).toBe(true);
    expect(s.triggered_incidents.find((i) => i.incident_type === "REFUND_SPIKE")!.days_after_start).toBe(1);
    // Refunds come out of the margin: the fitted line from refund rate to margin slopes down and is used.
    const toMargin = s.propagation.find((p) => p.from === "refund_rate" && p.to === "margin_proxy")!;
    expect(toMargin).toMatchObject({ used: true });
    expect(toMargin.slope!).toBeLessThan(0);
    expect(s.narrative).toContain("It would trigger Refund Spike");

    // The same change on the loop company, whose refunds surged to 29 % a month ago, is absorbed:
    // 15 % is inside the spread of its last 30 days.
    const absorbed = (await (await post({ perturbations: [{ metric: "refund_rate", change_pct: 200 }] }, COMPANY)).json()) as Scenario;
    expect(absorbed.triggered_incidents.filter((i) => i.incident_type === "REFUND_SPIKE")).toEqual([]);

    const again = await post({ perturbations: [{ metric: "refund_rate", change_pct: 200 }] });
    expect(((await again.json()) as Scenario).scenario_id).toBe(s.scenario_id);
    const got = (await (await authed(`/v1/simulate/${s.scenario_id}`, token)).json()) as Scenario;
    expect(got.narrative).toBe(s.narrative);
  });

  it("rejects a bad request naming the field, and a company without a scan", async () => {
    const unknown = await post({ perturbations: [{ metric: "vibes", change_pct: 10 }] });
    expect(unknown.status).toBe(422);
    expect((await envelopeOf(unknown)).error.details).toMatchObject({ field: "perturbations.0.metric" });
    const far = await post({ perturbations: [{ metric: "refund_rate", change_pct: 5000 }] });
    expect((await envelopeOf(far)).error.details).toMatchObject({ field: "perturbations.0.change_pct" });
    const twice = await post({ perturbations: [{ metric: "refund_rate", change_pct: 5 }, { metric: "refund_rate", change_pct: 6 }] });
    expect(twice.status).toBe(422);
    const none = await post({ perturbations: [{ metric: "refund_rate", change_pct: 5 }] }, "never-scanned");
    expect(none.status).toBe(409);
    expect((await envelopeOf(none)).error.code).toBe("NO_SCAN");
    expect((await authed("/v1/simulate/sim_nope", token)).status).toBe(404);
  });
});
