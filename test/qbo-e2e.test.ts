/**
 * The QuickBooks connector end to end inside workerd, against the emulator running in the same
 * test (its handler answers every fetch to http://qbo.emulator; its webhooks go to the Worker):
 * connect through OAuth → backfill over the real queue → live changes with API faults and
 * dropped, duplicated and reordered webhooks, an invoice voided and a credit memo deleted → CDC
 * sweep → the log matches the books, and the CompanyLog's ledger is exactly the ledger of the
 * books' own events (the voided and deleted entities retracted). Then every webhook is delivered
 * again: nothing changes. The emulator's company is the simulated demo business.
 */
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QboEntity } from "../src/connectors/qbo/entities.ts";
import type { CanonicalEvent } from "../src/events/canonical.ts";
import { compareWithBooks, expectedEvents, ledgerOfBooks, roundedSnapshot } from "../cli/qbo-emulator/expectations.ts";
import { createEmulator, type QboEmulator } from "../cli/qbo-emulator/index.ts";
import { companyLog } from "../worker/http.ts";
import { adminToken, authed, call } from "./helpers.ts";

const COMPANY = "qbo-e2e";
const VERIFIER = "test-verifier-token";

let emulator: QboEmulator;
const originalFetch = globalThis.fetch;
const delivered: { body: string; signature: string }[] = [];

beforeAll(() => {
  emulator = createEmulator({
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    verifierToken: VERIFIER,
    webhookUrl: "http://workspace.test/v1/webhooks/qbo",
    autoApprove: true,
    // Webhooks from the emulator go to the Worker under test.
    fetch: async (input, init) => {
      const request = new Request(input as string, init);
      const body = await request.text();
      delivered.push({ body, signature: request.headers.get("intuit-signature") ?? "" });
      return call("/v1/webhooks/qbo", { method: "POST", headers: request.headers, body });
    },
  });
  // The Worker's (and its Durable Objects') calls to QuickBooks reach the emulator.
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    if (new URL(request.url).host === "qbo.emulator") return emulator.fetch(request);
    return originalFetch(request);
  };
});

afterAll(() => {
  globalThis.fetch = originalFetch;
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Connection {
  realm_id: string;
  health: string;
  backfill: { status: string };
  last_sync_at: string | null;
  last_sweep_at: string | null;
  entities_tracked: number;
  tokens: { refreshes: number; access_expires_at: string };
}

async function connection(token: string): Promise<Connection> {
  const status = (await (await authed(`/v1/connect/status?company=${COMPANY}`, token)).json()) as { connections: Connection[] };
  return status.connections[0]!;
}

async function allEvents(token: string): Promise<CanonicalEvent[]> {
  const events: CanonicalEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await authed(`/v1/events?company=${COMPANY}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`, token)).json()) as { events: CanonicalEvent[]; next_cursor: string | null };
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}

/** Waits until the log and the realm's bookkeeping stop changing (the queue has drained). */
async function settle(token: string): Promise<number> {
  let last = "";
  let stable = 0;
  return waitFor("the queue to drain", async () => {
    const c = await connection(token);
    const count = (await allEvents(token)).length;
    const now = `${count}|${c.entities_tracked}|${c.last_sync_at}`;
    stable = now === last ? stable + 1 : 0;
    last = now;
    return stable >= 4 && emulator.webhooks.pendingCount === 0 ? count : undefined;
  });
}

describe("QuickBooks connector end to end in workerd", () => {
  it("connects, backfills, survives faults and lost webhooks, retracts a void and a deletion, and ends matching the books", { timeout: 300_000 }, async () => {
    const token = await adminToken();

    // 1. Connect: the admin asks for the authorize URL, approves, Intuit redirects to the callback.
    const started = (await (await authed(`/v1/connect/quickbooks?company=${COMPANY}`, token, { method: "POST" })).json()) as { authorize_url: string };
    expect(started.authorize_url.startsWith("http://qbo.emulator/connect/oauth2?")).toBe(true);
    const redirect = await emulator.fetch(new Request(started.authorize_url));
    const callback = new URL(redirect.headers.get("location")!);
    const connected = await call(`${callback.pathname}${callback.search}`, { headers: { accept: "application/json" } });
    expect(connected.status).toBe(200);
    const { realm_id } = (await connected.json()) as { realm_id: string };
    expect(realm_id).toBe(emulator.store.realmId);
    // The same callback again (a replayed state) is refused.
    expect((await call(`${callback.pathname}${callback.search}`, { headers: { accept: "application/json" } })).status).toBe(400);

    // 2. The backfill pages through every type on the queue.
    await waitFor("the backfill", async () => ((await connection(token)).backfill.status === "done" ? true : undefined));
    // Right after the backfill the log is exactly what the books imply.
    const afterBackfill = await settle(token);
    expect(afterBackfill).toBe(expectedEvents(emulator.store, realm_id).size);
    expect(compareWithBooks(emulator.store, realm_id, await allEvents(token))).toEqual({ lost: [], invented: [], mismatched: [], doubled: [], ofRemovedEntities: [] });

    // 3. Live changes under fire: throttling, outages, slow answers, an early 401; webhooks
    //    dropped, duplicated and reordered. The bookkeeper voids an overdue invoice and deletes a
    //    credit memo (announced by webhook, which may be dropped too).
    emulator.faults.set({ throttle: 0.1, error: 0.05, slow: 0.05, slowMs: 50, retryAfterSeconds: 0, drop: 0.3, duplicate: 0.3, reorder: true, script: ["401"] });
    let lastDay = "";
    let voided: QboEntity | undefined;
    let deleted: QboEntity | undefined;
    for (let day = 0; day < 4; day++) {
      lastDay = (await emulator.advance(1)).day;
      if (day === 1) {
        voided = emulator.store.list("Invoice").find((i) => (i.Balance as number) > 0 && String(i.DueDate) < lastDay)!;
        emulator.store.void("Invoice", voided.Id);
      }
      if (day === 2) {
        deleted = emulator.store.list("CreditMemo").at(-1)!;
        emulator.store.remove("CreditMemo", deleted.Id);
      }
    }
    await settle(token);
    const beforeSweep = compareWithBooks(emulator.store, realm_id, await allEvents(token));
    expect(emulator.faults.injected.drop).toBeGreaterThan(0);
    expect(emulator.faults.injected.duplicate).toBeGreaterThan(0);
    expect(emulator.faults.injected["401"]).toBe(1);

    // 4. The sweep (what cron runs daily; here on demand) repairs what the webhooks missed.
    emulator.faults.set({ throttle: 0, error: 0, slow: 0, drop: 0, duplicate: 0, reorder: false, script: [] });
    const sweepAsked = new Date().toISOString();
    const queued = await authed(`/v1/ingest/qbo?company=${COMPANY}&mode=sweep`, token, { method: "POST" });
    expect(queued.status).toBe(202);
    await waitFor("the sweep", async () => {
      const c = await connection(token);
      return c.last_sweep_at && c.last_sweep_at >= sweepAsked ? true : undefined;
    });
    await settle(token);
    const events = await allEvents(token);
    const after = compareWithBooks(emulator.store, realm_id, events);
    expect(beforeSweep.lost.length).toBeGreaterThan(0); // the dropped webhooks had cost something
    expect(after.lost).toEqual([]);
    expect(after.mismatched).toEqual([]);
    expect(after.invented).toEqual([]);
    expect(after.doubled).toEqual([]);
    expect(after.ofRemovedEntities).toEqual(
      expect.arrayContaining([`qbo:${realm_id}:Invoice:${voided!.Id}:issued`, `qbo:${realm_id}:CreditMemo:${deleted!.Id}:issued`]),
    );

    // The ledger the scan reads is exactly the ledger of the books' own events: the voided invoice
    // and the deleted memo no longer count (plus the per-version events of earlier versions).
    const snapshot = await companyLog(env as never, COMPANY).snapshot();
    expect(roundedSnapshot(snapshot)).toEqual(roundedSnapshot(ledgerOfBooks(emulator.store, realm_id, events).snapshot()));
    // In figures: the AR overdue at the end of the last day is the books' open invoices due before it.
    const overdue = emulator.store.list("Invoice").filter((i) => i.PrivateNote !== "Voided" && (i.Balance as number) > 0 && String(i.DueDate) < lastDay);
    const arOverdue = snapshot.daily.filter((r) => r.key === "state:ar_overdue_amount" && r.day <= lastDay).reduce((sum, r) => sum + r.value, 0);
    expect(Math.round(arOverdue * 100) / 100).toBe(Math.round(overdue.reduce((sum, i) => sum + (i.TotalAmt as number), 0) * 100) / 100);

    // 5. Every webhook delivered again, twice: harmless.
    for (const d of [...delivered, ...delivered]) {
      const response = await call("/v1/webhooks/qbo", { method: "POST", headers: { "content-type": "application/json", "intuit-signature": d.signature }, body: d.body });
      expect(response.status).toBe(200);
    }
    expect(await settle(token)).toBe(events.length);
    expect(await companyLog(env as never, COMPANY).snapshot()).toEqual(snapshot);

    // Bronze kept the raw answers, content-addressed, with their metadata.
    const bronze = await env.BRONZE.list({ prefix: `bronze/qbo/${realm_id}/`, include: ["customMetadata"] });
    expect(bronze.objects.length).toBeGreaterThan(10);
    expect(bronze.objects[0]!.customMetadata).toMatchObject({ realm_id, company_id: COMPANY, schema_version: "bronze_v1" });

    // The connection reports healthy, with its tokens refreshed once after the early 401.
    const c = await connection(token);
    expect(c.health).toBe("healthy");
    expect(c.tokens.refreshes).toBeGreaterThanOrEqual(1);
  });

  it("disconnects: the grant is revoked at Intuit and the status says so", async () => {
    const token = await adminToken();
    const response = await authed(`/v1/connect/quickbooks/disconnect?company=${COMPANY}`, token, { method: "POST" });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { disconnected: { revoked: boolean }[] }).disconnected).toEqual([{ realm_id: emulator.store.realmId, revoked: true }]);
    expect((await connection(token)).health).toBe("disconnected");
    expect(emulator.status().grants).toBe(0);
  });
});

