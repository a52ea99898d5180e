/**
 * End to end in Node: the emulated company, connected through OAuth, changes for ten business
 * days while the API throttles, fails, answers slowly and expires tokens, and webhooks are
 * dropped, duplicated and reordered. Webhooks go through signature check → parse → queue →
 * consumer (with queue-style retries); a CDC sweep runs at the end. On the way the bookkeeper
 * voids an invoice and deletes a credit memo. Then the event log must match the emulator's books
 * (nothing lost, nothing doubled, nothing invented) and the ledger must be exactly the ledger of
 * the books' own events: the voided and deleted entities no longer count.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/fake-clock.ts";
import { QboClient } from "../../src/connectors/qbo/client.ts";
import type { QboEntity } from "../../src/connectors/qbo/entities.ts";
import type { QboRemoval } from "../../src/connectors/qbo/mapping.ts";
import { MemoryBronze, MemoryEventLog, MemorySyncStore } from "../../src/connectors/qbo/memory-store.ts";
import { authorizeUrl, exchangeCode, qboEndpoints, refreshTokens, type TokenSet } from "../../src/connectors/qbo/oauth.ts";
import { RealmRateLimiter } from "../../src/connectors/qbo/rate-limiter.ts";
import { backfill, cdcSweep, type SyncDeps, syncChanges } from "../../src/connectors/qbo/sync.ts";
import { RefreshingTokenSource } from "../../src/connectors/qbo/token-source.ts";
import { type EntityChange, parseWebhookBody, verifyIntuitSignature } from "../../src/connectors/qbo/webhooks.ts";
import { seededRandom } from "../../src/rng.ts";
import { compareWithBooks, expectedEvents, ledgerOfBooks, roundedSnapshot } from "./expectations.ts";
import { createEmulator, EMULATOR_DEFAULTS, emulatorUrls } from "./index.ts";

const BASE = "http://qbo.emulator";
const WEBHOOK_URL = "http://worker.test/v1/webhooks/qbo";
const endpoints = qboEndpoints(emulatorUrls(BASE));

describe("QuickBooks connector end to end against the emulator", () => {
  it("after faults and lost webhooks, the log matches the books exactly", async () => {
    // The day after the demo company's six months (they end on 2026-10-31).
    const clock = new FakeClock(Date.parse("2026-11-01T17:00:00Z"));
    // The receiving side: signature check, parse, enqueue, answer 200 (what /v1/webhooks/qbo does).
    const queue: { changes: EntityChange[]; attempts: number }[] = [];
    let badSignatures = 0;
    const worker = async (input: string | URL | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      const raw = new Uint8Array(await request.arrayBuffer());
      if (!(await verifyIntuitSignature(raw, request.headers.get("intuit-signature"), EMULATOR_DEFAULTS.verifierToken))) {
        badSignatures++;
        return new Response(null, { status: 401 });
      }
      queue.push({ changes: parseWebhookBody(new TextDecoder().decode(raw)), attempts: 0 });
      return new Response(null, { status: 200 });
    };
    const emulator = createEmulator({ now: clock.now, sleep: clock.sleep, webhookUrl: WEBHOOK_URL, fetch: worker, autoApprove: true });

    // Connect (authorization-code flow) and keep the tokens in a vault, refreshed on demand.
    const oauth = { endpoints, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret, fetch: emulator.fetch, now: clock.now };
    const redirect = await emulator.fetch(authorizeUrl({ endpoints, clientId: oauth.clientId, redirectUri: "http://localhost:8787/cb", state: "s" }));
    const callback = new URL(redirect.headers.get("location")!);
    let vault: TokenSet | undefined = await exchangeCode({ ...oauth, code: callback.searchParams.get("code")!, redirectUri: "http://localhost:8787/cb" });
    const realmId = callback.searchParams.get("realmId")!;
    const tokens = new RefreshingTokenSource({
      vault: { load: async () => vault, save: async (t) => void (vault = t) },
      refresh: (refreshToken) => refreshTokens({ ...oauth, refreshToken }),
      now: clock.now,
    });
    const client = new QboClient({
      realmId,
      apiBase: BASE,
      fetch: emulator.fetch,
      tokens,
      limiter: new RealmRateLimiter({ now: clock.now, sleep: clock.sleep }),
      now: clock.now,
      sleep: clock.sleep,
      random: seededRandom("client-jitter"),
      timeoutMs: 0,
      maxAttempts: 4,
    });
    const store = new MemorySyncStore();
    const bronze = new MemoryBronze();
    const log = new MemoryEventLog();
    const deps: SyncDeps = { realmId, client, store, bronze, log, now: clock.now };
    const removals: QboRemoval[] = [];

    // Initial backfill: every page of every entity type.
    const connectedAt = clock.t;
    const initial = await backfill(deps);
    removals.push(...initial.removals);
    const historyAtConnect = emulator.store.history.length;
    expect(initial.events_rejected).toBe(0);

    // Ten business days of live changes under fire.
    emulator.faults.set({ throttle: 0.15, error: 0.1, slow: 0.05, slowMs: 3_000, retryAfterSeconds: 2, drop: 0.3, duplicate: 0.25, reorder: true });
    let deadLettered = 0;
    // On the way, the bookkeeper voids an overdue invoice and deletes a credit memo (in QuickBooks'
    // UI: straight into the books, announced by webhook like any change).
    let deletedMemo: QboEntity | undefined;
    let voidedInvoice: QboEntity | undefined;
    let lastDay = "";
    for (let day = 0; day < 10; day++) {
      clock.t += 86_400_000; // a day passes: the access token has long expired (refreshed before use)
      lastDay = (await emulator.advance(1)).day;
      if (day === 2) {
        voidedInvoice = emulator.store.list("Invoice").find((i) => (i.Balance as number) > 0 && String(i.DueDate) < lastDay)!;
        emulator.store.void("Invoice", voidedInvoice.Id);
      }
      if (day === 5) {
        deletedMemo = emulator.store.list("CreditMemo").at(-1)!;
        emulator.store.remove("CreditMemo", deletedMemo.Id);
      }
      // Sometimes Intuit invalidates a token early: the next API call gets a 401.
      if (day % 3 === 2) emulator.faults.set({ script: ["401"] });
      // The queue consumer: each message is retried (like a Cloudflare Queue) up to 5 attempts.
      while (queue.length > 0) {
        const message = queue.shift()!;
        try {
          const report = await syncChanges(deps, message.changes);
          removals.push(...report.removals);
          expect(report.events_rejected).toBe(0);
        } catch {
          message.attempts++;
          if (message.attempts < 5) queue.push(message);
          else deadLettered++;
        }
      }
    }
    const injected = { ...emulator.faults.injected };
    const logBeforeSweep = new Set(log.events.keys());

    // The daily CDC sweep (since the connection) repairs whatever the webhooks missed.
    emulator.faults.set({ throttle: 0, error: 0, slow: 0, drop: 0, duplicate: 0, reorder: false });
    const sweep = await cdcSweep(deps, new Date(connectedAt - 60_000).toISOString());
    removals.push(...sweep.removals);

    // ---- the faults really happened ----
    expect(injected["429"]).toBeGreaterThan(0);
    expect(injected["500"]).toBeGreaterThan(0);
    expect(injected.slow).toBeGreaterThan(0);
    expect(injected.drop).toBeGreaterThan(0);
    expect(injected.duplicate).toBeGreaterThan(0);
    expect(emulator.log.some((l) => l.status === 401)).toBe(true);
    expect(tokens.refreshes).toBeGreaterThanOrEqual(10);
    expect(badSignatures).toBe(0);

    // ---- the log against the emulator's books (final state) ----
    const books = emulator.store;
    const comparison = compareWithBooks(books, realmId, [...log.events.values()]);
    expect(comparison.lost).toEqual([]); // nothing lost
    expect(comparison.mismatched).toEqual([]); // with the same content
    expect(comparison.invented).toEqual([]); // nothing invented
    expect(comparison.doubled).toEqual([]);
    // Events of entities QuickBooks later voided or deleted stay (the log is append-only), the
    // connector recorded each removal, and the log retracted each such entity.
    const removed = new Set(removals.map((r) => `${r.entity_type}:${r.entity_id}`));
    for (const id of comparison.ofRemovedEntities) {
      const entity = id.split(":").slice(2, 4).join(":");
      expect(removed.has(entity), id).toBe(true);
      expect(log.isRetracted("qbo", entity), id).toBe(true);
    }
    expect(comparison.ofRemovedEntities).toEqual(
      expect.arrayContaining([`qbo:${realmId}:Invoice:${voidedInvoice!.Id}:issued`, `qbo:${realmId}:CreditMemo:${deletedMemo!.Id}:issued`]),
    );
    // Every removal that happened after the connection is known to the connector.
    const removedLater = books.history.slice(historyAtConnect).filter((h) => h.operation === "Delete" || h.operation === "Void");
    expect(removedLater.length).toBeGreaterThan(0);
    for (const h of removedLater) expect(removed.has(`${h.type}:${h.id}`), `${h.type} ${h.id} ${h.operation}`).toBe(true);

    // Nothing doubled, nothing voided or deleted counted: the ledger's totals equal the books'
    // totals, computed independently from the books.
    const sum = (key: string, through = "9999-12-31") =>
      [...log.ledger.daily].filter(([k]) => k.endsWith(`|${key}`) && k.slice(0, 10) <= through).reduce((s, [, v]) => s + v, 0);
    const round = (x: number) => Math.round(x * 100) / 100;
    const total = (entities: QboEntity[]) => round(entities.reduce((s, e) => s + (e.TotalAmt as number), 0));
    const liveInvoices = books.list("Invoice").filter((i) => i.PrivateNote !== "Voided");
    const paidInvoices = liveInvoices.filter((i) => i.Balance === 0 && (i.TotalAmt as number) > 0);
    expect(round(sum("sum:revenue"))).toBe(total(paidInvoices));
    expect(round(sum("sum:expenses"))).toBe(total(books.list("Bill")));
    // The deleted credit memo no longer counts as a refund (the books no longer list it).
    expect(books.list("CreditMemo").some((m) => m.Id === deletedMemo!.Id)).toBe(false);
    expect(round(sum("sum:refunds"))).toBe(total([...books.list("RefundReceipt"), ...books.list("CreditMemo")]));
    expect(sum("n:invoice_issued")).toBe(liveInvoices.length);
    expect(sum("n:invoice_paid")).toBe(paidInvoices.length);
    expect(sum("n:payment_received")).toBe(books.list("Payment").length);
    expect(sum("n:expense_paid")).toBe(books.list("BillPayment").length);
    // AR: overdue at the end of the last day = the open invoices due before it; the voided
    // invoice (overdue when it was voided) is not among them.
    const overdue = liveInvoices.filter((i) => (i.Balance as number) > 0 && String(i.DueDate) < lastDay);
    expect(overdue.some((i) => i.Id === voidedInvoice!.Id)).toBe(false);
    expect(round(sum("state:ar_overdue_amount", lastDay))).toBe(total(overdue));
    expect(sum("state:ar_overdue_count", lastDay)).toBe(overdue.length);

    // Exactly: the log's ledger is the ledger of the books' own events (plus the per-version
    // events of earlier customer and item versions, which the books no longer imply).
    const reference = ledgerOfBooks(books, realmId, [...log.events.values()]);
    expect(roundedSnapshot(log.ledger.snapshot())).toEqual(roundedSnapshot(reference.snapshot()));

    // The sweep was needed: dropped webhooks had left the log behind.
    const repaired = [...expectedEvents(books, realmId).keys()].filter((id) => !/:(updated|inventory_low):/.test(id) && !logBeforeSweep.has(id));
    expect(repaired.length).toBeGreaterThan(0);
    expect(sweep.events_appended).toBeGreaterThanOrEqual(repaired.length);

    // Bronze holds raw answers under their content hash, one copy each.
    for (const [key, object] of bronze.objects) expect(key).toBe(`bronze/qbo/${realmId}/${object.metadata.sha256}.json`);
    expect(bronze.objects.size).toBeGreaterThan(0);
    void deadLettered; // messages that failed 5 times were repaired by the sweep like lost ones
  });
});

