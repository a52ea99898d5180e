import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/fake-clock.ts";
import { QboClient } from "../../src/connectors/qbo/client.ts";
import { QBO_ENTITY_TYPES } from "../../src/connectors/qbo/entities.ts";
import { QboValidationError } from "../../src/connectors/qbo/errors.ts";
import { linkedKey, linkedNeeds, mapQboEntity } from "../../src/connectors/qbo/mapping.ts";
import { authorizeUrl, exchangeCode, qboEndpoints, QboOAuthError, refreshTokens, revokeToken } from "../../src/connectors/qbo/oauth.ts";
import { parseWebhookBody, verifyIntuitSignature } from "../../src/connectors/qbo/webhooks.ts";
import { validateEvent } from "../../src/events/canonical.ts";
import { createEmulator, EMULATOR_DEFAULTS, emulatorUrls } from "./index.ts";
import { parseFaults } from "./faults.ts";
import { parseQuery } from "./emulator.ts";

const BASE = "http://qbo.emulator";
const endpoints = qboEndpoints(emulatorUrls(BASE));
const REDIRECT = "http://localhost:8787/v1/connect/quickbooks/callback";

function setup(extra: Partial<Parameters<typeof createEmulator>[0]> = {}) {
  // The day after the demo's six months (they end on 2026-10-31).
  const clock = new FakeClock(Date.parse("2026-11-01T18:00:00Z"));
  const received: { headers: Headers; body: string }[] = [];
  const emulator = createEmulator({
    now: clock.now,
    sleep: clock.sleep,
    webhookUrl: "http://worker.test/v1/webhooks/qbo",
    fetch: async (input, init) => {
      const request = new Request(input as string, init);
      received.push({ headers: request.headers, body: await request.text() });
      return new Response(null, { status: 200 });
    },
    ...extra,
  });
  const oauth = { endpoints, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret, fetch: emulator.fetch, now: clock.now };
  return { clock, emulator, received, oauth };
}

/** Runs the authorization-code flow the way a browser would: authorize page → Connect → callback. */
async function connect(emulator: ReturnType<typeof createEmulator>, oauth: ReturnType<typeof setup>["oauth"]) {
  const page = await emulator.fetch(authorizeUrl({ endpoints, clientId: EMULATOR_DEFAULTS.clientId, redirectUri: REDIRECT, state: "st-1" }));
  expect(page.status).toBe(200);
  const approve = /href="([^"]+)"/.exec((await page.text()).replace(/&amp;/g, "&"))![1]!;
  const redirect = await emulator.fetch(`${BASE}${approve}`);
  expect(redirect.status).toBe(302);
  const callback = new URL(redirect.headers.get("location")!);
  expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
  expect(callback.searchParams.get("state")).toBe("st-1");
  const tokens = await exchangeCode({ ...oauth, code: callback.searchParams.get("code")!, redirectUri: REDIRECT });
  return { tokens, realmId: callback.searchParams.get("realmId")! };
}

function clientFor(emulator: ReturnType<typeof createEmulator>, clock: FakeClock, accessToken: string, maxAttempts = 2) {
  return new QboClient({
    realmId: emulator.store.realmId,
    apiBase: BASE,
    fetch: emulator.fetch,
    tokens: { accessToken: async () => accessToken, refreshAfterRejection: async () => accessToken },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    timeoutMs: 0,
    maxAttempts,
  });
}

describe("QuickBooks emulator: OAuth", () => {
  it("runs the authorization-code flow: consent page, code, tokens for the company's realm", async () => {
    const { emulator, oauth, clock } = setup();
    const { tokens, realmId } = await connect(emulator, oauth);
    expect(realmId).toBe(EMULATOR_DEFAULTS.realmId);
    expect(Date.parse(tokens.access_expires_at) - clock.t).toBe(3_600_000);
    const invoice = await clientFor(emulator, clock, tokens.access_token).read("Invoice", emulator.store.list("Invoice")[0]!.Id);
    expect(invoice.entity.TotalAmt).toBeGreaterThan(0);
  });

  it("uses each code once and checks the redirect URI", async () => {
    const { emulator, oauth } = setup({ autoApprove: true });
    const redirect = await emulator.fetch(authorizeUrl({ endpoints, clientId: EMULATOR_DEFAULTS.clientId, redirectUri: REDIRECT, state: "s" }));
    const code = new URL(redirect.headers.get("location")!).searchParams.get("code")!;
    await expect(exchangeCode({ ...oauth, code, redirectUri: "http://evil.example/cb" })).rejects.toThrow(/invalid_grant/);
    await exchangeCode({ ...oauth, code, redirectUri: REDIRECT });
    await expect(exchangeCode({ ...oauth, code, redirectUri: REDIRECT })).rejects.toThrow(/invalid_grant/);
    await expect(exchangeCode({ ...oauth, clientSecret: "wrong", code, redirectUri: REDIRECT })).rejects.toThrow(/HTTP 401/);
  });

  it("rotates the refresh token: the old one stops working, so two racing refreshes cannot both win", async () => {
    const { emulator, oauth } = setup();
    const { tokens } = await connect(emulator, oauth);
    const next = await refreshTokens({ ...oauth, refreshToken: tokens.refresh_token });
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    const stale = (await refreshTokens({ ...oauth, refreshToken: tokens.refresh_token }).catch((e: unknown) => e)) as QboOAuthError;
    expect(stale.needsReconnect).toBe(true);
  });

  it("revokes the grant: its tokens stop working", async () => {
    const { emulator, oauth, clock } = setup();
    const { tokens } = await connect(emulator, oauth);
    await revokeToken({ ...oauth, token: tokens.refresh_token });
    await expect(clientFor(emulator, clock, tokens.access_token).read("Customer", emulator.store.list("Customer")[0]!.Id)).rejects.toMatchObject({ code: "QBO_AUTHENTICATION" });
    await expect(refreshTokens({ ...oauth, refreshToken: tokens.refresh_token })).rejects.toThrow(/invalid_grant/);
  });
});

describe("QuickBooks emulator: Accounting API", () => {
  it("serves query pages, COUNT(*), and an empty page past the end, in QBO's envelope", async () => {
    const { emulator, oauth, clock } = setup();
    const { tokens } = await connect(emulator, oauth);
    const client = clientFor(emulator, clock, tokens.access_token);
    const total = emulator.store.list("Invoice").length;
    const ids: string[] = [];
    for await (const page of client.queryAll("Invoice", { pageSize: 40 })) ids.push(...page.rows.map((r) => r.Id));
    expect(ids).toEqual(emulator.store.list("Invoice").map((i) => i.Id));
    expect(ids.length).toBe(total);
    const count = await emulator.fetch(
      new Request(`${BASE}/v3/company/${EMULATOR_DEFAULTS.realmId}/query?query=${encodeURIComponent("SELECT COUNT(*) FROM Invoice")}`, { headers: { authorization: `Bearer ${tokens.access_token}` } }),
    );
    expect(((await count.json()) as { QueryResponse: { totalCount: number } }).QueryResponse.totalCount).toBe(total);
    const past = await client.query(`SELECT * FROM Invoice STARTPOSITION ${total + 1} MAXRESULTS 10`);
    expect(JSON.parse(past.raw).QueryResponse).toEqual({});
    await expect(client.query("SELECT * FROM Custmoer")).rejects.toBeInstanceOf(QboValidationError);
  });

  it("answers CDC with changes after changedSince, deletions as stubs, and refuses more than 30 days back", async () => {
    const { emulator, oauth, clock } = setup();
    const { tokens } = await connect(emulator, oauth);
    const client = clientFor(emulator, clock, tokens.access_token);
    const since = new Date(clock.t - 60_000).toISOString();
    const invoice = emulator.store.list("Invoice").find((i) => (i.Balance as number) > 0)!;
    emulator.store.void("Invoice", invoice.Id);
    const memo = emulator.store.list("CreditMemo")[0]!;
    emulator.store.remove("CreditMemo", memo.Id);
    const result = await client.cdc(QBO_ENTITY_TYPES, since);
    expect(result.changes.get("Invoice")!.map((i) => [i.Id, i.PrivateNote])).toEqual([[invoice.Id, "Voided"]]);
    expect(result.changes.get("CreditMemo")).toEqual([{ domain: "QBO", status: "Deleted", Id: memo.Id, MetaData: { LastUpdatedTime: emulator.store.timestamp() } }]);
    expect(result.changes.has("Customer")).toBe(false);
    const tooOld = await emulator.fetch(
      new Request(`${BASE}/v3/company/${EMULATOR_DEFAULTS.realmId}/cdc?entities=Invoice&changedSince=${new Date(clock.t - 31 * 86_400_000).toISOString()}`, {
        headers: { authorization: `Bearer ${tokens.access_token}` },
      }),
    );
    expect(tooOld.status).toBe(400);
  });

  it("writes like QBO: SyncToken goes up, a stale SyncToken is Fault 5010, a payment closes its invoice", async () => {
    const { emulator, oauth } = setup();
    const { tokens } = await connect(emulator, oauth);
    const post = (path: string, body: unknown) =>
      emulator.fetch(
        new Request(`${BASE}/v3/company/${EMULATOR_DEFAULTS.realmId}/${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${tokens.access_token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
      );
    const customer = emulator.store.list("Customer")[0]!;
    const updated = (await (await post("customer", { Id: customer.Id, SyncToken: customer.SyncToken, sparse: true, Notes: "VIP" })).json()) as { Customer: { SyncToken: string; Notes: string } };
    expect(updated.Customer).toMatchObject({ SyncToken: String(Number(customer.SyncToken) + 1), Notes: "VIP" });
    const stale = await post("customer", { Id: customer.Id, SyncToken: customer.SyncToken, sparse: true, Notes: "again" });
    expect(stale.status).toBe(400);
    expect(await stale.text()).toContain('"code":"5010"');
    const open = emulator.store.list("Invoice").find((i) => (i.Balance as number) > 0)!;
    const paid = (await (
      await post("payment", { TxnDate: "2026-03-02", CustomerRef: open.CustomerRef, Line: [{ Amount: open.Balance, LinkedTxn: [{ TxnId: open.Id, TxnType: "Invoice" }] }] })
    ).json()) as { Payment: { Id: string; TotalAmt: number } };
    expect(paid.Payment.TotalAmt).toBe(open.Balance);
    expect(emulator.store.get("Invoice", open.Id)).toMatchObject({ Balance: 0, LinkedTxn: [{ TxnId: paid.Payment.Id, TxnType: "Payment" }] });
  });

  it("writes books whose every entity maps to valid canonical events", () => {
    const { emulator } = setup();
    const linked = new Map(emulator.store.list("Payment").map((p) => [linkedKey("Payment", p.Id), p]));
    let events = 0;
    for (const type of QBO_ENTITY_TYPES) {
      for (const entity of emulator.store.list(type)) {
        expect(linkedNeeds(type, entity).every((n) => linked.has(linkedKey(n.entityType, n.id)))).toBe(true);
        for (const event of mapQboEntity(type, entity, { realmId: emulator.store.realmId, linked }).events) {
          const v = validateEvent(event, "2026-03-02T18:00:00.000Z");
          expect(v.ok ? [] : [v.rejection]).toEqual([]);
          expect(event.data_quality_flags).toEqual([]);
          events++;
        }
      }
    }
    // The spec's table, counted straight from the books.
    const s = emulator.store;
    const invoices = s.list("Invoice").filter((i) => i.PrivateNote !== "Voided");
    const expected =
      invoices.length +
      invoices.filter((i) => i.Balance === 0).length +
      s.list("Payment").length +
      s.list("Bill").length +
      s.list("BillPayment").length +
      s.list("CreditMemo").length +
      s.list("RefundReceipt").length +
      s.list("PurchaseOrder").length +
      s.list("Customer").reduce((n, c) => n + (c.SyncToken === "0" ? 1 : 2), 0) +
      s.list("Item").filter((i) => i.TrackQtyOnHand === true && (i.QtyOnHand as number) <= (i.ReorderPoint as number)).length;
    expect(events).toBe(expected);
  });
});

describe("QuickBooks emulator: faults", () => {
  it("injects scripted 429 (with Retry-After), 500 and 401, which the client rides out", async () => {
    const { emulator, oauth, clock } = setup({ faults: { retryAfterSeconds: 2, script: ["429", "500"] } });
    const { tokens } = await connect(emulator, oauth);
    await clientFor(emulator, clock, tokens.access_token, 3).read("Customer", emulator.store.list("Customer")[0]!.Id);
    expect(emulator.log.map((l) => l.status)).toEqual([429, 500, 200]);
    expect(clock.slept).toEqual([2_000, 1_000]); // Retry-After 2 s, then backoff 0.5 × 2 s
    expect(emulator.faults.injected).toMatchObject({ "429": 1, "500": 1 });
  });

  it("reads fault lists as the CLI takes them, and names what it cannot read", () => {
    expect(parseFaults("429=0.1,500=0.05,slow=0.2,slow-ms=1500,drop=0.3,dup=0.2,reorder,script=429|401")).toEqual({
      throttle: 0.1,
      error: 0.05,
      slow: 0.2,
      slowMs: 1500,
      retryAfterSeconds: 1,
      drop: 0.3,
      duplicate: 0.2,
      reorder: true,
      script: ["429", "401"],
    });
    expect(() => parseFaults("drop=2")).toThrow("--faults: drop must be a share between 0 and 1");
    expect(() => parseFaults("boom")).toThrow(/unknown fault "boom"/);
  });
});

describe("QuickBooks emulator: webhooks", () => {
  it("sends signed notifications, alternating legacy and CloudEvents bodies, for each change", async () => {
    const { emulator, received } = setup();
    const result = await emulator.advance(3);
    expect(result.changes).toBeGreaterThan(5);
    expect(received.length).toBeGreaterThan(1);
    const announced = new Set<string>();
    for (const [i, r] of received.entries()) {
      expect(await verifyIntuitSignature(r.body, r.headers.get("intuit-signature"), EMULATOR_DEFAULTS.verifierToken)).toBe(true);
      const changes = parseWebhookBody(r.body);
      expect(changes.every((c) => c.format === (i % 2 === 0 ? "legacy" : "cloudevents"))).toBe(true);
      for (const c of changes) announced.add(`${c.entityType}:${c.entityId}`);
    }
    const changed = new Set(emulator.store.history.slice(-result.changes).map((h) => `${h.type}:${h.id}`));
    expect(announced).toEqual(changed);
  });

  it("drops and duplicates notifications as asked, and says how many", async () => {
    const { emulator, received } = setup({ faults: { drop: 0.5, duplicate: 0.5 } });
    const { changes } = await emulator.advance(5);
    const sent = received.flatMap((r) => parseWebhookBody(r.body)).length;
    const { drop, duplicate } = emulator.faults.injected;
    expect(drop).toBeGreaterThan(0);
    expect(duplicate).toBeGreaterThan(0);
    expect(sent).toBe(changes - drop + duplicate);
  });
});

describe("parseQuery", () => {
  it("reads the statements connectors send", () => {
    expect(parseQuery("SELECT * FROM Invoice WHERE Metadata.LastUpdatedTime >= '2026-01-01T00:00:00Z' ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000")).toEqual({
      count: false,
      entity: "Invoice",
      where: [{ field: "Metadata.LastUpdatedTime", op: ">=", values: ["2026-01-01T00:00:00Z"] }],
      orderBy: { field: "Id", desc: false },
      start: 1001,
      max: 1000,
    });
    expect(parseQuery("select count(*) from Customer where Id IN ('1', '2') and Active = true")).toMatchObject({
      count: true,
      where: [
        { field: "Id", op: "IN", values: ["1", "2"] },
        { field: "Active", op: "=", values: ["true"] },
      ],
    });
    expect(parseQuery("SELECT * FROM Vendor WHERE DisplayName = 'Bob\\'s Burger Joint'").where[0]!.values).toEqual(["Bob's Burger Joint"]);
    expect(() => parseQuery("SELECT * FROM Invoice MAXRESULTS 1001")).toThrow("MAXRESULTS must be between 1 and 1000");
    expect(() => parseQuery("DELETE FROM Invoice")).toThrow(/expected SELECT/);
  });
});
