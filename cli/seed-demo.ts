/**
 * Seeds the `demo` company through the public API on first start (when its log is empty), then
 * runs a scan so the workspace opens on a story. Later starts find the data and leave it alone.
 */
import type { CanonicalEventInput } from "../src/events/canonical.ts";
import { generateDemoCompany } from "../src/sim/index.ts";
import type { VisibilityEvent } from "../src/visibility/event.ts";
import { SyntheticStream } from "../src/visibility/synthetic.ts";

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

const VISIBILITY_TEAMS = { inventory: "ground_truth", "magic-apron": "decision", search: "decision", sponsored: "decision" } as const;

/**
 * Seeds the Visibility Layer on first start (when no team is registered): the four teams of the
 * spec's story, then the last two hours of a seeded synthetic stream (the benchmark's generator)
 * with a handful of injected price mismatches, availability contradictions, team disagreements and
 * a stale feed, published with each team's key exactly as a team would. A few of the conflicts are
 * then acknowledged, documented and disputed so the lifecycle has something to show, and the
 * daily jobs run once (rollups and pattern mining).
 */
export async function seedVisibilityDemo(base: string, adminSecret: string, say: (m: string) => void, now = Date.now()): Promise<void> {
  const token = await adminToken(base, adminSecret);
  const auth = { authorization: `Bearer ${token}` };
  const teams = (await getJson(`${base}/v1/visibility/teams`, auth)) as { teams: unknown[] };
  if (teams.teams.length > 0) {
    say("visibility layer already has teams; keeping them");
    return;
  }
  const keys: Record<string, string> = {};
  for (const [team, role] of Object.entries(VISIBILITY_TEAMS)) {
    keys[team] = ((await postJson(`${base}/v1/visibility/teams`, { team, role }, auth)) as { key: string }).key;
  }
  const stream = new SyntheticStream({
    seed: "demo",
    start: new Date(now - 3 * 3600_000).toISOString(),
    duration_s: 2 * 3600,
    decisions_per_s: 2,
    products: 40,
    stores: 5,
    decision_teams: ["magic-apron", "search", "sponsored"],
    ground_truth_team: "inventory",
    inject: { price_mismatch: 6, availability_contradiction: 4, team_disagreement: 4, stale_ground_truth: 1 },
  });
  let published = 0;
  const pending = new Map<string, VisibilityEvent[]>();
  const flush = async () => {
    // Ground truth first, so decisions are judged against the truth of their time.
    for (const team of ["inventory", "magic-apron", "search", "sponsored"]) {
      const events = pending.get(team);
      if (!events?.length) continue;
      const response = await fetch(`${base}/v1/visibility/events`, {
        method: "POST",
        headers: { authorization: `Bearer ${keys[team]}`, "content-type": "application/x-ndjson" },
        body: events.map((e) => JSON.stringify(e)).join("\n"),
      });
      const body = (await response.json()) as { accepted?: number; error?: { message: string } };
      if (!response.ok) throw new Error(`publishing ${team}'s decisions failed: ${body.error?.message ?? response.status}`);
      published += body.accepted ?? 0;
    }
    pending.clear();
  };
  let buffered = 0;
  for (const event of stream.events()) {
    const list = pending.get(event.team) ?? [];
    list.push(event);
    pending.set(event.team, list);
    if (++buffered % 2000 === 0) await flush();
  }
  await flush();
  await postJson(`${base}/v1/visibility/shards/flush`, {}, auth);
  const { conflicts } = (await getJson(`${base}/v1/visibility/conflicts?limit=50&sort=detected_at`, auth)) as { conflicts: { conflict_id: string; status: string }[] };
  const transitions: [string, string][] = [
    ["acknowledged", "Looking at the pricing feed"],
    ["documented", "Known promo price on this surface; accepted"],
    ["disputed", "Quote was for a different pack size"],
  ];
  for (const [i, [status, reason]] of transitions.entries()) {
    const conflict = conflicts[i];
    if (!conflict) break;
    if (status !== "acknowledged") await patchJson(`${base}/v1/visibility/conflicts/${conflict.conflict_id}`, { status: "acknowledged", actor: "demo-analyst", reason: "triage" }, auth);
    await patchJson(`${base}/v1/visibility/conflicts/${conflict.conflict_id}`, { status, actor: "demo-analyst", reason }, auth);
  }
  await postJson(`${base}/v1/visibility/jobs/daily`, {}, auth);
  say(`visibility layer: 4 teams, ${published} decision events published, ${conflicts.length} conflicts detected`);
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

async function patchJson(url: string, payload: unknown, headers: Record<string, string>): Promise<unknown> {
  const response = await fetch(url, { method: "PATCH", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(payload) });
  const body = await response.json();
  if (!response.ok) throw new Error(`PATCH ${url}: ${(body as { error?: { message: string } }).error?.message ?? response.status}`);
  return body;
}

export type { CanonicalEventInput };
