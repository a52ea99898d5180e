import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.ts";
import { FetchDouble, json } from "../../../test/fetch-double.ts";
import { qboFixtureJson, qboFixtureText } from "../../../test/node/qbo-fixtures.ts";
import { QboClient } from "./client.ts";
import type { QboEntity } from "./entities.ts";
import { MemoryBronze, MemoryEventLog, MemorySyncStore } from "./memory-store.ts";
import { backfill, bronzeKey, cdcSweep, isNewerVersion, type SyncDeps, syncChanges } from "./sync.ts";
import { type EntityChange, parseWebhookBody } from "./webhooks.ts";

const REALM = "1269959970";

/** The CDC fixture (XML recorded by quickbooks-ruby) as the JSON body QBO would send. */
const cdcBody = JSON.stringify(qboFixtureJson("quickbooks-ruby/cdc.bill-invoice-with-deleted.xml"));
const cdcEntities = (() => {
  const map = new Map<string, QboEntity>();
  const groups = (JSON.parse(cdcBody) as { CDCResponse: { QueryResponse: Record<string, unknown>[] }[] }).CDCResponse[0]!.QueryResponse;
  for (const group of groups) {
    for (const [type, list] of Object.entries(group)) {
      if (Array.isArray(list)) for (const e of list as QboEntity[]) if (e.status !== "Deleted") map.set(`${type.toLowerCase()}/${e.Id}`, e);
    }
  }
  return map;
})();

/**
 * Serves reads of the CDC fixture's entities (610 for anything else) and the CDC answer itself;
 * `books` may be changed between calls (a void, a deletion).
 */
function qboDouble(books: Map<string, QboEntity> = cdcEntities) {
  return new FetchDouble((r) => {
    const path = r.url.pathname.replace(`/v3/company/${REALM}/`, "");
    if (path === "cdc") return json(200, cdcBody);
    const entity = books.get(path);
    if (entity) {
      const type = path.split("/")[0]!;
      const name = { invoice: "Invoice", payment: "Payment", bill: "Bill", billpayment: "BillPayment" }[type]!;
      return json(200, JSON.stringify({ [name]: entity, time: "2016-04-13T07:52:34.949-07:00" }));
    }
    return json(400, { Fault: { Error: [{ Message: "Object Not Found", Detail: "Object Not Found", code: "610" }], type: "ValidationFault" } });
  });
}

function setup(f: FetchDouble = qboDouble()) {
  const clock = new FakeClock(Date.parse("2016-04-14T00:00:00Z"));
  const client = new QboClient({
    realmId: REALM,
    apiBase: "https://qbo.test",
    fetch: f.fetch,
    tokens: { accessToken: async () => "t", refreshAfterRejection: async () => "t2" },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    timeoutMs: 0,
  });
  const store = new MemorySyncStore();
  const bronze = new MemoryBronze();
  const log = new MemoryEventLog();
  const deps: SyncDeps = { realmId: REALM, client, store, bronze, log, now: clock.now };
  return { f, clock, store, bronze, log, deps };
}

const change = (entityName: string, entityId: string, operation: EntityChange["operation"], lastUpdated: string): EntityChange =>
  parseWebhookBody(JSON.stringify({ eventNotifications: [{ realmId: REALM, dataChangeEvent: { entities: [{ name: entityName, id: entityId, operation, lastUpdated }] } }] }))[0]!;

describe("syncChanges (webhook work)", () => {
  it("reads each changed entity, keeps the raw answer in bronze, and appends its events", async () => {
    const { f, bronze, log, deps } = setup();
    const report = await syncChanges(deps, [
      change("Invoice", "103", "Update", "2016-04-13T14:34:40Z"),
      change("Payment", "147", "Create", "2016-04-13T14:34:40Z"),
    ]);
    expect(f.requests.map((r) => r.url.pathname)).toEqual([`/v3/company/${REALM}/invoice/103`, `/v3/company/${REALM}/payment/147`]);
    expect([...log.events.keys()].sort()).toEqual([
      `qbo:${REALM}:Invoice:103:issued`,
      `qbo:${REALM}:Invoice:103:paid`,
      `qbo:${REALM}:Payment:147:received`,
    ]);
    // The paid day came from the payment read in the same batch: 50 days after 2016-02-23.
    expect(log.events.get(`qbo:${REALM}:Invoice:103:paid`)!.attributes.days_to_pay).toBe(50);
    expect(report).toMatchObject({ entities_processed: 2, events_appended: 3, events_duplicate: 0, bronze_objects: 2 });
    // Bronze holds the bodies exactly as QBO sent them, under their SHA-256.
    const raw = [...bronze.objects.values()].find((o) => o.metadata.entity_ids === "103")!;
    expect(raw.body).toBe(JSON.stringify({ Invoice: cdcEntities.get("invoice/103"), time: "2016-04-13T07:52:34.949-07:00" }));
    expect(raw.key).toBe(bronzeKey(REALM, raw.metadata.sha256!));
    expect(raw.metadata).toMatchObject({ source: "webhook", entity_type: "Invoice", operation: "Update", schema_version: "bronze_v1", api_version: "minorversion=75" });
  });

  it("is harmless when a notification comes again or late: nothing new is appended", async () => {
    const { f, log, deps } = setup();
    await syncChanges(deps, [change("Invoice", "103", "Update", "2016-04-13T14:34:40Z")]);
    const appendsBefore = log.appendCalls;
    // The same notification again: read, recognised as the same SyncToken, skipped.
    const again = await syncChanges(deps, [change("Invoice", "103", "Update", "2016-04-13T14:34:40Z")]);
    expect(again).toMatchObject({ entities_skipped: 1, entities_processed: 0, events_appended: 0 });
    // An older notification arriving late is skipped without even a read.
    const reads = f.requests.length;
    const late = await syncChanges(deps, [change("Invoice", "103", "Create", "2016-02-23T21:41:59Z")]);
    expect(late.entities_skipped).toBe(1);
    expect(f.requests.length).toBe(reads);
    expect(log.appendCalls).toBe(appendsBefore);
    expect(log.events.size).toBe(3); // issued, paid, and the payment read to date it
  });

  it("records a deletion without reading, and ignores later notifications for that entity", async () => {
    const { f, log, store, deps } = setup();
    const report = await syncChanges(deps, [change("Invoice", "65", "Delete", "2016-04-13T14:34:31Z")]);
    expect(f.requests).toHaveLength(0);
    expect(report.removals).toEqual([{ entity_type: "Invoice", entity_id: "65", kind: "deleted", at: "2016-04-13T14:34:31.000Z" }]);
    expect((await store.versions(REALM, ["Invoice:65"])).get("Invoice:65")).toMatchObject({ deleted: true });
    expect((await syncChanges(deps, [change("Invoice", "65", "Update", "2016-04-13T14:35:00Z")])).entities_skipped).toBe(1);
    expect(log.events.size).toBe(0);
  });

  it("treats an entity that no longer exists (Fault 610 on read) as deleted", async () => {
    const { deps } = setup();
    const report = await syncChanges(deps, [change("Invoice", "999", "Update", "2016-04-13T14:34:31Z")]);
    expect(report.removals).toMatchObject([{ entity_id: "999", kind: "deleted" }]);
  });

  it("drops notifications for other realms and for entities it does not read", async () => {
    const { f, deps } = setup();
    const other = { ...change("Invoice", "103", "Update", "2016-04-13T14:34:40Z"), realmId: "42" };
    const klass = { ...change("Invoice", "1", "Create", "2016-04-13T14:34:40Z"), entityName: "Class", entityType: undefined };
    expect(await syncChanges(deps, [other, klass])).toMatchObject({ entities_seen: 0, entities_skipped: 0 });
    expect(f.requests).toHaveLength(0);
  });

  it("repairs itself after a crash between append and bookkeeping: running again appends nothing twice", async () => {
    const { log, deps } = setup();
    let failures = 1;
    const failingStore = {
      ...deps.store,
      versions: deps.store.versions.bind(deps.store),
      previous: deps.store.previous.bind(deps.store),
      saveVersions: async (...args: Parameters<typeof deps.store.saveVersions>) => {
        if (failures-- > 0) throw new Error("D1 unavailable");
        return deps.store.saveVersions(...args);
      },
    };
    const changes = [change("Invoice", "103", "Update", "2016-04-13T14:34:40Z")];
    await expect(syncChanges({ ...deps, store: failingStore }, changes)).rejects.toThrow("D1 unavailable");
    expect(log.events.size).toBe(3);
    const retry = await syncChanges({ ...deps, store: failingStore }, changes);
    expect(retry).toMatchObject({ events_appended: 0, events_duplicate: 3 });
    expect(log.events.size).toBe(3);
  });
});

describe("removals retract the entity's contribution", () => {
  const revenue = (log: MemoryEventLog) => [...log.ledger.daily].filter(([k]) => k.endsWith("|sum:revenue")).reduce((s, [, v]) => s + v, 0);

  it("a voided invoice (webhook Void, read back voided) stops counting in revenue; its events stay in the log", async () => {
    const books = new Map(cdcEntities);
    const { log, deps } = setup(qboDouble(books));
    await syncChanges(deps, [change("Invoice", "103", "Update", "2016-04-13T14:34:40Z")]);
    const invoice = books.get("invoice/103")!;
    expect(revenue(log)).toBe(invoice.TotalAmt);
    // The bookkeeper voids it: QBO zeroes the amounts, notes "Voided" and bumps the SyncToken.
    books.set("invoice/103", { ...invoice, TotalAmt: 0, Balance: 0, PrivateNote: "Voided", SyncToken: String(Number(invoice.SyncToken) + 1) });
    const report = await syncChanges(deps, [change("Invoice", "103", "Void", "2016-04-14T09:00:00Z")]);
    expect(report).toMatchObject({ entities_processed: 1, events_appended: 0, entities_retracted: 1, events_retracted: 2 });
    expect(report.removals).toMatchObject([{ entity_type: "Invoice", entity_id: "103", kind: "voided" }]);
    expect(revenue(log)).toBe(0);
    expect(log.ledger.states.get("invoice:103")).toMatchObject({ retracted: true });
    expect(log.events.has(`qbo:${REALM}:Invoice:103:paid`)).toBe(true); // append-only: kept, no longer counted
    // The payment that closed it is not revenue on its own (it was applied to the invoice).
    expect(log.events.has(`qbo:${REALM}:Payment:147:received`)).toBe(true);
    // The void notified again, and the sweep seeing the same version: nothing more is taken back.
    const again = await syncChanges(deps, [change("Invoice", "103", "Void", "2016-04-14T09:00:00Z")]);
    expect(again).toMatchObject({ entities_skipped: 1, entities_retracted: 0 });
    expect(revenue(log)).toBe(0);
  });

  it("a deleted bill payment (webhook Delete) stops counting; a deletion before any event keeps later events from counting", async () => {
    const { log, deps } = setup();
    await cdcSweep(deps, "2016-04-12T00:00:00Z");
    const paidBefore = log.ledger.snapshot().daily.filter((r) => r.key === "n:expense_paid").reduce((s, r) => s + r.value, 0);
    expect(paidBefore).toBe(2);
    const report = await syncChanges(deps, [change("BillPayment", "148", "Delete", "2016-04-14T09:00:00Z")]);
    expect(report).toMatchObject({ entities_retracted: 1, events_retracted: 1 });
    expect(log.ledger.snapshot().daily.filter((r) => r.key === "n:expense_paid").reduce((s, r) => s + r.value, 0)).toBe(1);
    // Invoice 65 was deleted (CDC) before the log ever held an event of it: if its events come
    // later (an old upload, a replay), they are kept but never count.
    expect(log.isRetracted("qbo", "Invoice:65")).toBe(true);
  });
});

describe("cdcSweep", () => {
  it("processes every change of the CDC answer, deletions included, with no extra reads", async () => {
    const { f, log, deps, bronze } = setup();
    const report = await cdcSweep(deps, "2016-04-12T00:00:00Z");
    expect(f.requests.map((r) => r.url.pathname)).toEqual([`/v3/company/${REALM}/cdc`]);
    expect(f.requests[0]!.url.searchParams.get("entities")).toBe(
      "Customer,Vendor,Item,Estimate,Invoice,Payment,CreditMemo,RefundReceipt,Bill,BillPayment,PurchaseOrder",
    );
    // Bills 126 and 19, bill payments 148 and 149, invoice 103 (issued + paid), payment 147.
    expect([...log.events.values()].map((e) => e.event_type).sort()).toEqual([
      "expense_paid",
      "expense_paid",
      "expense_posted",
      "expense_posted",
      "invoice_issued",
      "invoice_paid",
      "payment_received",
    ]);
    expect(report.removals).toEqual([{ entity_type: "Invoice", entity_id: "65", kind: "deleted", at: "2016-04-13T14:34:31.000Z" }]);
    expect(report).toMatchObject({ entities_seen: 7, entities_processed: 7, bronze_objects: 1 });
    expect([...bronze.objects.values()][0]!.body).toBe(cdcBody);
    // A second sweep over the same window changes nothing.
    const again = await cdcSweep(deps, "2016-04-12T00:00:00Z");
    expect(again).toMatchObject({ entities_processed: 0, entities_skipped: 7, events_appended: 0 });
    expect(bronze.objects.size).toBe(1); // same bytes, same key
  });
});

describe("backfill", () => {
  it("pages through each type and remembers every version, reference data included", async () => {
    const pages: Record<string, string> = {
      "1": "query.vendor-page-start1-max5.response.json",
      "6": "query.vendor-page-start6-max5.response.json",
      "11": "query.vendor-page-start11-max5.response.json",
      "16": "query.vendor-page-start16-max5.response.json",
      "21": "query.vendor-page-start21-max5.response.json",
      "26": "query.vendor-page-start26-max5-last.response.json",
    };
    const f = new FetchDouble((r) => json(200, qboFixtureText(`qbo_api/${pages[/STARTPOSITION (\d+)/.exec(r.url.searchParams.get("query")!)![1]!]}`)));
    const { store, bronze, log, deps } = setup(f);
    const report = await backfill(deps, ["Vendor"], 5);
    expect(report).toMatchObject({ entities_seen: 26, entities_processed: 26, events_appended: 0, bronze_objects: 6 });
    expect(store.entries.size).toBe(26);
    expect(bronze.objects.size).toBe(6);
    expect(log.events.size).toBe(0); // vendors are reference data
  });
});

describe("isNewerVersion", () => {
  it("orders by SyncToken, falls back to LastUpdatedTime, and treats deletion as final", () => {
    expect(isNewerVersion(undefined, { syncToken: 0, deleted: false })).toBe(true);
    expect(isNewerVersion({ syncToken: 2, deleted: false }, { syncToken: 3, deleted: false })).toBe(true);
    expect(isNewerVersion({ syncToken: 3, deleted: false }, { syncToken: 3, deleted: false })).toBe(false);
    expect(isNewerVersion({ syncToken: 3, deleted: false }, { syncToken: 1, deleted: false })).toBe(false);
    expect(isNewerVersion({ syncToken: 3, deleted: false }, { syncToken: -1, deleted: true })).toBe(true);
    expect(isNewerVersion({ syncToken: -1, deleted: true }, { syncToken: 9, deleted: false })).toBe(false);
    expect(isNewerVersion({ syncToken: -1, lastUpdated: "2026-01-01T00:00:00Z", deleted: false }, { syncToken: -1, lastUpdated: "2026-01-02T00:00:00Z", deleted: false })).toBe(true);
  });
});
