import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.ts";
import { FetchDouble, json } from "../../../test/fetch-double.ts";
import { qboFixtureText } from "../../../test/node/qbo-fixtures.ts";
import { QboClient, type TokenSource } from "./client.ts";
import {
  QboAuthenticationError,
  QboError,
  QboNetworkError,
  QboNotFoundError,
  QboServerError,
  QboThrottleError,
  QboValidationError,
} from "./errors.ts";
import { RealmRateLimiter } from "./rate-limiter.ts";

const REALM = "4620816365000000001";
const API = "https://sandbox-quickbooks.api.intuit.com";

class Tokens implements TokenSource {
  current = "token-1";
  refreshes: string[] = [];
  accessToken = async () => this.current;
  refreshAfterRejection = async (rejected: string) => {
    this.refreshes.push(rejected);
    this.current = `token-${this.refreshes.length + 1}`;
    return this.current;
  };
}

function setup(fetchDouble: FetchDouble, extra: Partial<ConstructorParameters<typeof QboClient>[0]> = {}) {
  const clock = new FakeClock();
  const tokens = new Tokens();
  const client = new QboClient({
    realmId: REALM,
    apiBase: API,
    fetch: fetchDouble.fetch,
    tokens,
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    timeoutMs: 0,
    ...extra,
  });
  return { clock, tokens, client };
}

const invoiceRaw = qboFixtureText("qbo_api/invoice.read.response.json");
const fault401 = qboFixtureText("qbo_api/fault.401.authentication-lowercase.response.json");

describe("QboClient.read", () => {
  it("reads an entity with minorversion and a bearer token, and returns the raw text untouched", async () => {
    const f = new FetchDouble().answer(json(200, invoiceRaw, { "Intuit-Tid": "1-abc" }));
    const { client } = setup(f);
    const result = await client.read("Invoice", "266");
    expect(f.requests[0]!.url.toString()).toBe(`${API}/v3/company/${REALM}/invoice/266?minorversion=75`);
    expect(f.requests[0]!.headers.get("Authorization")).toBe("Bearer token-1");
    expect(f.requests[0]!.headers.get("Accept")).toBe("application/json");
    expect(result.raw).toBe(invoiceRaw);
    expect(result.entity.Id).toBe("266");
    expect(result.intuitTid).toBe("1-abc");
    expect(result.time).toBe("2020-09-29T06:02:34.562-07:00");
  });

  it("on 401 refreshes once and retries with the new token", async () => {
    const f = new FetchDouble().answer(json(401, fault401), json(200, invoiceRaw));
    const { client, tokens } = setup(f);
    await client.read("Invoice", "266");
    expect(tokens.refreshes).toEqual(["token-1"]);
    expect(f.requests.map((r) => r.headers.get("Authorization"))).toEqual(["Bearer token-1", "Bearer token-2"]);
  });

  it("gives up with QboAuthenticationError when the refreshed token is rejected too (one refresh only)", async () => {
    const f = new FetchDouble().answer(json(401, fault401), json(401, fault401), json(200, invoiceRaw));
    const { client, tokens } = setup(f);
    const error = await client.read("Invoice", "266").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QboAuthenticationError);
    expect((error as QboError).code).toBe("QBO_AUTHENTICATION");
    expect((error as QboError).errors[0]).toMatchObject({ code: "3200", message: "message=AuthenticationFailed; errorCode=003200; statusCode=401" });
    expect(tokens.refreshes).toHaveLength(1);
    expect(f.requests).toHaveLength(2);
  });

  it("waits as long as Retry-After says on 429, then succeeds", async () => {
    const throttle = qboFixtureText("quickbooks-ruby/fault.429.throttle-exceeded.xml");
    const f = new FetchDouble().answer(new Response(throttle, { status: 429, headers: { "Retry-After": "3" } }), json(200, invoiceRaw));
    const { client, clock } = setup(f);
    await client.read("Invoice", "266");
    expect(clock.slept).toEqual([3_000]);
  });

  it("backs off exponentially with jitter on 5xx without Retry-After (random 0.5: 0.5 s, 1 s, 2 s)", async () => {
    const systemFault = qboFixtureText("quickbooks-ruby/fault.system-fault.xml");
    const f = new FetchDouble().answer(
      new Response(systemFault, { status: 500 }),
      new Response("upstream", { status: 502 }),
      new Response("", { status: 503 }),
      json(200, invoiceRaw),
    );
    const { client, clock } = setup(f);
    await client.read("Invoice", "266");
    expect(clock.slept).toEqual([500, 1_000, 2_000]);
  });

  it("stops after maxAttempts and throws the typed fault (429 → QboThrottleError code 3001)", async () => {
    const throttle = qboFixtureText("quickbooks-ruby/fault.429.throttle-exceeded.xml");
    const f = new FetchDouble(() => new Response(throttle, { status: 429, headers: { "Retry-After": "1" } }));
    const { client } = setup(f, { maxAttempts: 3 });
    const error = (await client.read("Invoice", "266").catch((e: unknown) => e)) as QboError;
    expect(error).toBeInstanceOf(QboThrottleError);
    expect(error.retryable).toBe(true);
    expect(error.errors[0]).toMatchObject({ code: "3001", detail: "The request limit was reached.  Try again later" });
    expect(f.requests).toHaveLength(3);
  });

  it("hands a Retry-After longer than it will wait back to the caller instead of sleeping", async () => {
    const f = new FetchDouble().answer(new Response("", { status: 503, headers: { "Retry-After": "600" } }));
    const { client, clock } = setup(f, { maxRetryWaitMs: 60_000 });
    const error = (await client.read("Invoice", "266").catch((e: unknown) => e)) as QboError;
    expect(error).toBeInstanceOf(QboServerError);
    expect(error.retryAfterMs).toBe(600_000);
    expect(clock.slept).toEqual([]);
  });

  it("does not retry a validation fault, and names it (invalid query fixture)", async () => {
    const f = new FetchDouble().answer(json(400, qboFixtureText("qbo_api/fault.400.validation.invalid-query.response.json"), { "Intuit-Tid": "1-5f73" }));
    const { client } = setup(f);
    const error = (await client.query("SELECT * FROM Custmoer STARTPOSITION 1 MAXRESULTS 10").catch((e: unknown) => e)) as QboError;
    expect(error).toBeInstanceOf(QboValidationError);
    expect(error.message).toBe(
      "QuickBooks query Custmoer at 1 failed: Invalid query: QueryValidationError: invalid context declaration: Custmoer (code 4001) [intuit_tid 1-5f73]",
    );
    expect(f.requests).toHaveLength(1);
  });

  it("turns Fault 610 into QboNotFoundError (a deleted entity)", async () => {
    // Intuit's documented answer to reading a deleted object (no recorded fixture has it).
    const body = { Fault: { Error: [{ Message: "Object Not Found", Detail: "Object Not Found : Something you're trying to use has been made inactive.", code: "610" }], type: "ValidationFault" } };
    const f = new FetchDouble().answer(json(400, body));
    const { client } = setup(f);
    await expect(client.read("Invoice", "65")).rejects.toBeInstanceOf(QboNotFoundError);
  });

  it("treats a Fault inside a 200 answer as the error it is", async () => {
    const f = new FetchDouble().answer(json(200, qboFixtureText("quickbooks-ruby/fault.validation.duplicate-name.lowercase-alt.json")));
    const { client } = setup(f);
    await expect(client.read("Customer", "1")).rejects.toMatchObject({ code: "QBO_VALIDATION", errors: [{ code: "6240" }] });
  });

  it("retries when there is no answer at all, then reports QboNetworkError", async () => {
    const f = new FetchDouble().answer(new TypeError("fetch failed"), json(200, invoiceRaw));
    const { client } = setup(f);
    await client.read("Invoice", "266");
    const g = new FetchDouble(() => new TypeError("connection reset"));
    const { client: failing } = setup(g, { maxAttempts: 2 });
    const error = await failing.read("Invoice", "266").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QboNetworkError);
    expect((error as Error).message).toContain("no answer (connection reset)");
  });

  it("sends every request through the realm's limiter (10 in flight at most)", async () => {
    let inFlight = 0;
    let peak = 0;
    const f = new FetchDouble(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return json(200, invoiceRaw);
    });
    const clock = new FakeClock();
    const limiter = new RealmRateLimiter({ now: clock.now, sleep: clock.sleep });
    const { client } = setup(f, { limiter });
    await Promise.all(Array.from({ length: 30 }, () => client.read("Invoice", "266")));
    expect(peak).toBe(10);
    expect(limiter.usage()).toEqual({ inFlight: 0, inWindow: 30 });
  });
});

describe("QboClient.query and queryAll", () => {
  it("pages through all 26 vendors of the recorded sandbox, 5 at a time, and stops at the short page", async () => {
    const pages: Record<string, string> = {
      "1": "query.vendor-page-start1-max5.response.json",
      "6": "query.vendor-page-start6-max5.response.json",
      "11": "query.vendor-page-start11-max5.response.json",
      "16": "query.vendor-page-start16-max5.response.json",
      "21": "query.vendor-page-start21-max5.response.json",
      "26": "query.vendor-page-start26-max5-last.response.json",
    };
    const f = new FetchDouble((r) => {
      const start = /STARTPOSITION (\d+)/.exec(r.url.searchParams.get("query")!)![1]!;
      return json(200, qboFixtureText(`qbo_api/${pages[start]}`));
    });
    const { client } = setup(f);
    const ids: string[] = [];
    for await (const page of client.queryAll("Vendor", { pageSize: 5 })) ids.push(...page.rows.map((v) => v.Id));
    expect(f.requests.map((r) => r.url.searchParams.get("query"))).toEqual(
      [1, 6, 11, 16, 21, 26].map((s) => `SELECT * FROM Vendor ORDERBY Id STARTPOSITION ${s} MAXRESULTS 5`),
    );
    expect(f.requests[0]!.url.searchParams.get("minorversion")).toBe("75");
    expect(ids).toHaveLength(26); // 5 full pages + 1
    expect(new Set(ids).size).toBe(26);
  });

  it("stops on an empty page past the end ({QueryResponse:{}})", async () => {
    const f = new FetchDouble().answer(
      json(200, qboFixtureText("qbo_api/query.customer-in-page-start5-max2.response.json")),
      json(200, qboFixtureText("qbo_api/query.customer-in-page-start7-empty.response.json")),
    );
    const { client } = setup(f);
    const pages = [];
    for await (const page of client.queryAll("Customer", { pageSize: 2, where: "Id IN ('1','2')" })) pages.push(page.rows.length);
    expect(pages).toEqual([2, 0]);
    expect(f.requests[1]!.url.searchParams.get("query")).toBe("SELECT * FROM Customer WHERE Id IN ('1','2') ORDERBY Id STARTPOSITION 3 MAXRESULTS 2");
  });

  it("refuses a page size above 1000", async () => {
    const { client } = setup(new FetchDouble());
    await expect(client.queryAll("Invoice", { pageSize: 1001 }).next()).rejects.toThrow("pageSize must be an integer from 1 to 1000, got 1001");
  });
});

describe("QboClient.cdc", () => {
  it("reads a CDC answer into changes by entity type", async () => {
    const f = new FetchDouble().answer(json(200, qboFixtureText("qbo_api/cdc.estimate.response.json")));
    const { client, clock } = setup(f);
    const since = new Date(clock.t - 2 * 86_400_000).toISOString();
    const result = await client.cdc(["Estimate", "Invoice"], since);
    expect(f.requests[0]!.url.pathname).toBe(`/v3/company/${REALM}/cdc`);
    expect(f.requests[0]!.url.searchParams.get("entities")).toBe("Estimate,Invoice");
    expect(f.requests[0]!.url.searchParams.get("changedSince")).toBe(since);
    expect(result.changes.get("Estimate")!.map((e) => e.Id)).toEqual(["48", "46", "41", "100"]);
    expect(result.changes.has("Invoice")).toBe(false);
    expect(result.truncated).toEqual([]);
  });

  it("refuses a changedSince more than 30 days back, before any request", async () => {
    const f = new FetchDouble();
    const { client, clock } = setup(f);
    await expect(client.cdc(["Invoice"], new Date(clock.t - 31 * 86_400_000).toISOString())).rejects.toThrow(/more than 30 days ago/);
    expect(f.requests).toHaveLength(0);
  });
});
