/**
 * Seeds the `demo` company through the public API on first start (when its log is empty), then
 * runs a scan so the workspace opens on a story. Later starts find the data and leave it alone.
 */
import type { CanonicalEventInput } from "../src/events/canonical.ts";
import { generateDemoCompany } from "../src/sim/index.ts";

const COMPANY = "demo";
/** Events per upload request. */
const CHUNK = 20_000;

export async function seedDemo(base: string, adminSecret: string, say: (m: string) => void): Promise<void> {
  const token = await adminToken(base, adminSecret);
  const auth = { authorization: `Bearer ${token}` };
  const existing = (await getJson(`${base}/v1/events?company=${COMPANY}&limit=1`, auth)) as { events: unknown[] };
  if (existing.events.length > 0) {
    say("demo company already has data; keeping it");
    return;
  }
  // Six months of the simulated wholesaler, with incidents planted by its mechanisms.
  const events = generateDemoCompany().events;
  say(`seeding the demo company with ${events.length} events…`);
  let accepted = 0;
  for (let i = 0; i < events.length; i += CHUNK) {
    const body = events
      .slice(i, i + CHUNK)
      .map((e) => JSON.stringify(e))
      .join("\n");
    const response = await fetch(`${base}/v1/ingest/upload?company=${COMPANY}&source=demo-seed`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/x-ndjson" },
      body,
    });
    const result = (await response.json()) as { accepted?: number; error?: { message: string } };
    if (!response.ok) throw new Error(`seeding failed: ${result.error?.message ?? response.status}`);
    accepted += result.accepted ?? 0;
  }
  say(`seeded ${accepted} events; running the first scan…`);
  const queued = (await postJson(`${base}/v1/scan?company=${COMPANY}`, {}, auth)) as { run_id: string };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const status = (await getJson(`${base}/v1/scan/status/${queued.run_id}`, auth)) as { status: string; incident_count: number | null; error: string | null };
    if (status.status === "completed") {
      say(`first scan done: ${status.incident_count} incidents`);
      return;
    }
    if (status.status === "failed") throw new Error(`the first scan failed: ${status.error}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  say("the first scan is still running; the workspace will show it when done");
}

async function adminToken(base: string, secret: string): Promise<string> {
  const grant = (await postJson(`${base}/v1/auth/token`, { secret }, {})) as { token: string };
  return grant.token;
}

async function getJson(url: string, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { headers });
  const body = await response.json();
  if (!response.ok) throw new Error(`GET ${url}: ${(body as { error?: { message: string } }).error?.message ?? response.status}`);
  return body;
}

async function postJson(url: string, payload: unknown, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(payload) });
  const body = await response.json();
  if (!response.ok) throw new Error(`POST ${url}: ${(body as { error?: { message: string } }).error?.message ?? response.status}`);
  return body;
}

export type { CanonicalEventInput };
