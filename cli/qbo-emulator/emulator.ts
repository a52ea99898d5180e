/**
 * A local QuickBooks Online: Intuit's OAuth 2.0 endpoints (authorize page, token, revoke) and the
 * Accounting API v3 (entity read and write, query, CDC) over one emulated company, answering in
 * the payload shapes recorded from the real sandbox, with injectable faults. It is a fetch-style
 * handler (`Request → Response`) on Web APIs only: the CLI serves it over node:http, tests call it
 * in-process as the connector's `fetch`.
 *
 * Endpoints (the connector's QBO_* overrides point here):
 *   GET  /connect/oauth2                       authorize page (or straight redirect with autoApprove)
 *   POST /oauth2/v1/tokens/bearer              authorization_code and refresh_token grants
 *   POST /v2/oauth2/tokens/revoke              revoke a grant
 *   GET  /v3/company/<realm>/<entity>/<id>     read
 *   POST /v3/company/<realm>/<entity>          create, sparse update, ?operation=delete|void
 *   GET  /v3/company/<realm>/query?query=      SELECT … [WHERE] [ORDERBY] [STARTPOSITION] [MAXRESULTS], COUNT(*)
 *   GET  /v3/company/<realm>/cdc?entities=&changedSince=
 *   /__emulator/status|faults|advance|expire-tokens|webhooks/flush|webhook-url   controls
 */
import { isoUtc, numberField, objectField, type QboEntity, qboEntityType, type QboEntityType } from "../../src/connectors/qbo/entities.ts";
import type { Random } from "../../src/rng.ts";
import type { CompanyActivity } from "./company.ts";
import type { FaultInjector, FaultPlan } from "./faults.ts";
import { type EmulatorStore, round2, StoreError } from "./store.ts";
import type { WebhookSender } from "./webhook-sender.ts";

export interface EmulatorOptions {
  store: EmulatorStore;
  activity?: CompanyActivity;
  faults: FaultInjector;
  webhooks: WebhookSender;
  clientId: string;
  clientSecret: string;
  /** Skip the consent page: /connect/oauth2 redirects back with a code at once. */
  autoApprove?: boolean;
  /** Lifetime of access tokens (Intuit: 3600 s). */
  accessTokenTtlSeconds?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: Random;
}

interface Grant {
  id: string;
  refreshToken: string;
  refreshExpiresAt: number;
  revoked: boolean;
}

export interface ApiLogEntry {
  method: string;
  path: string;
  status: number;
  fault?: string;
}

const CDC_LOOKBACK_MS = 30 * 86_400_000;
const REFRESH_TTL_SECONDS = 8_726_400;

export class QboEmulator {
  readonly store: EmulatorStore;
  readonly faults: FaultInjector;
  readonly webhooks: WebhookSender;
  readonly log: ApiLogEntry[] = [];
  private readonly o: EmulatorOptions;
  private readonly codes = new Map<string, { redirectUri: string; expiresAt: number; used: boolean }>();
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, { grantId: string; expiresAt: number }>();

  constructor(options: EmulatorOptions) {
    this.o = options;
    this.store = options.store;
    this.faults = options.faults;
    this.webhooks = options.webhooks;
    this.store.onChange((change) => this.webhooks.enqueue(change));
  }

  /** The handler: every route of the emulator. */
  fetch = async (input: Request | string | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request && init === undefined ? input : new Request(input, init);
    const url = new URL(request.url);
    try {
      if (url.pathname.startsWith("/v3/company/")) return await this.api(request, url);
      if (url.pathname === "/connect/oauth2") return this.authorize(url, false);
      if (url.pathname === "/connect/oauth2/approve") return this.authorize(url, true);
      if (url.pathname === "/oauth2/v1/tokens/bearer" && request.method === "POST") return await this.token(request);
      if (url.pathname === "/v2/oauth2/tokens/revoke" && request.method === "POST") return await this.revoke(request);
      if (url.pathname.startsWith("/__emulator/")) return await this.control(request, url);
      if (url.pathname === "/") return html(200, `<h1>QuickBooks emulator</h1><p>Company <b>${escapeHtml(this.store.companyName)}</b>, realm <code>${this.store.realmId}</code>.</p><p>Status: <a href="/__emulator/status">/__emulator/status</a></p>`);
      return jsonResponse(404, { error: "not_found", path: url.pathname });
    } catch (error) {
      return jsonResponse(500, { error: "emulator_error", message: (error as Error).message });
    }
  };

  /** Makes every access token expire now (the "401 expiry" fault). */
  expireAccessTokens(): void {
    for (const token of this.accessTokens.values()) token.expiresAt = this.o.now() - 1;
  }

  /**
   * Writes `days` more business days of the company, stamped now, and sends the webhooks.
   */
  async advance(days = 1): Promise<{ changes: number; day: string; events: number }> {
    const activity = this.o.activity;
    if (!activity) throw new Error("advance: this emulator has no company activity");
    if (!Number.isInteger(days) || days < 1 || days > 366) throw new RangeError(`advance: days must be an integer from 1 to 366, got ${days}`);
    const before = this.store.history.length;
    let last = "";
    let events = 0;
    for (let i = 0; i < days; i++) {
      const day = activity.advanceDay();
      last = day.day;
      events += day.events.length;
    }
    await this.webhooks.flush();
    return { changes: this.store.history.length - before, day: last, events };
  }

  // ---- OAuth -------------------------------------------------------------------------------

  private authorize(url: URL, approved: boolean): Response {
    const p = url.searchParams;
    const problem =
      p.get("client_id") !== this.o.clientId
        ? `unknown client_id "${p.get("client_id") ?? ""}"`
        : p.get("response_type") !== "code"
          ? "response_type must be code"
          : !p.get("redirect_uri")
            ? "redirect_uri is required"
            : !(p.get("scope") ?? "").split(" ").includes("com.intuit.quickbooks.accounting")
              ? "scope must include com.intuit.quickbooks.accounting"
              : !p.get("state")
                ? "state is required"
                : undefined;
    if (problem) return html(400, `<h1>Cannot connect</h1><p>${escapeHtml(problem)}</p>`);
    if (!approved && !this.o.autoApprove) {
      const approve = `/connect/oauth2/approve?${p.toString()}`;
      return html(
        200,
        `<h1>Connect to QuickBooks (local emulator)</h1><p>The app <code>${escapeHtml(this.o.clientId)}</code> asks for access to the accounting data of <b>${escapeHtml(this.store.companyName)}</b> (realm ${this.store.realmId}).</p><p><a id="approve" href="${escapeHtml(approve)}">Connect</a></p>`,
      );
    }
    const code = this.token32("AB11");
    this.codes.set(code, { redirectUri: p.get("redirect_uri")!, expiresAt: this.o.now() + 600_000, used: false });
    const target = new URL(p.get("redirect_uri")!);
    target.searchParams.set("code", code);
    target.searchParams.set("state", p.get("state")!);
    target.searchParams.set("realmId", this.store.realmId);
    return new Response(null, { status: 302, headers: { location: target.toString() } });
  }

  private async token(request: Request): Promise<Response> {
    if (!this.clientAuthenticated(request)) return jsonResponse(401, { error: "invalid_client" });
    const form = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
    const now = this.o.now();
    if (form.get("grant_type") === "authorization_code") {
      const code = this.codes.get(form.get("code") ?? "");
      if (!code || code.used || code.expiresAt < now) return jsonResponse(400, { error: "invalid_grant", error_description: "the authorization code is unknown, used or expired" });
      if (code.redirectUri !== form.get("redirect_uri")) return jsonResponse(400, { error: "invalid_grant", error_description: "redirect_uri does not match the authorize request" });
      code.used = true;
      const grant: Grant = { id: this.token32("grant"), refreshToken: this.token32("RT1"), refreshExpiresAt: now + REFRESH_TTL_SECONDS * 1000, revoked: false };
      this.grants.set(grant.id, grant);
      return jsonResponse(200, this.issue(grant));
    }
    if (form.get("grant_type") === "refresh_token") {
      const grant = [...this.grants.values()].find((g) => g.refreshToken === form.get("refresh_token"));
      if (!grant || grant.revoked || grant.refreshExpiresAt < now) return jsonResponse(400, { error: "invalid_grant" });
      // Rotation: the old refresh token stops working at once (stricter than Intuit's 24 hours,
      // so two refreshes racing with the same token are caught).
      grant.refreshToken = this.token32("RT1");
      grant.refreshExpiresAt = now + REFRESH_TTL_SECONDS * 1000;
      return jsonResponse(200, this.issue(grant));
    }
    return jsonResponse(400, { error: "unsupported_grant_type" });
  }

  private async revoke(request: Request): Promise<Response> {
    if (!this.clientAuthenticated(request)) return jsonResponse(401, { error: "invalid_client" });
    let token = "";
    try {
      token = String((JSON.parse(await request.text()) as { token?: unknown }).token ?? "");
    } catch {
      return jsonResponse(400, { error: "invalid_request" });
    }
    const byRefresh = [...this.grants.values()].find((g) => g.refreshToken === token);
    const byAccess = this.accessTokens.get(token);
    const grant = byRefresh ?? (byAccess ? this.grants.get(byAccess.grantId) : undefined);
    if (!grant) return jsonResponse(400, { error: "invalid_token" });
    grant.revoked = true;
    for (const [t, info] of this.accessTokens) if (info.grantId === grant.id) this.accessTokens.delete(t);
    return new Response(null, { status: 200 });
  }

  private issue(grant: Grant): Record<string, unknown> {
    const ttl = this.o.accessTokenTtlSeconds ?? 3600;
    const access = this.token32("eyJ");
    this.accessTokens.set(access, { grantId: grant.id, expiresAt: this.o.now() + ttl * 1000 });
    return {
      token_type: "bearer",
      access_token: access,
      refresh_token: grant.refreshToken,
      expires_in: ttl,
      x_refresh_token_expires_in: Math.round((grant.refreshExpiresAt - this.o.now()) / 1000),
    };
  }

  private clientAuthenticated(request: Request): boolean {
    const header = request.headers.get("authorization") ?? "";
    if (!header.startsWith("Basic ")) return false;
    try {
      return atob(header.slice(6)) === `${this.o.clientId}:${this.o.clientSecret}`;
    } catch {
      return false;
    }
  }

  // ---- Accounting API ----------------------------------------------------------------------

  private async api(request: Request, url: URL): Promise<Response> {
    const answer = await this.apiInner(request, url);
    answer.response.headers.set("intuit_tid", `1-emu-${this.log.length + 1}`);
    this.log.push({ method: request.method, path: `${url.pathname}${url.search}`, status: answer.response.status, ...(answer.fault ? { fault: answer.fault } : {}) });
    return answer.response;
  }

  private async apiInner(request: Request, url: URL): Promise<{ response: Response; fault?: string }> {
    const [, , , realm, ...rest] = url.pathname.split("/");
    const bearer = /^Bearer (.+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const access = bearer ? this.accessTokens.get(bearer) : undefined;
    const grant = access ? this.grants.get(access.grantId) : undefined;
    if (!access || !grant || grant.revoked || access.expiresAt <= this.o.now()) {
      return { response: authenticationFault(bearer ? "Token expired" : "Token missing", this.o.now()) };
    }
    if (realm !== this.store.realmId) return { response: fault(403, "AuthorizationFault", "003100", "ApplicationAuthorizationFailed", `realm ${realm} is not connected to this token`, this.envelopeTime()) };
    const injected = this.faults.nextApiFault();
    if (injected === "429") {
      return {
        fault: "429",
        response: fault(429, "SERVICE", "3001", "message=ThrottleExceeded; errorCode=003001; statusCode=429", "The request limit was reached.  Try again later", this.envelopeTime(), {
          "Retry-After": String(this.faults.plan.retryAfterSeconds),
        }),
      };
    }
    if (injected === "500") return { fault: "500", response: fault(500, "SystemFault", "10000", "An application error has occurred while processing your request", "System Failure Error: emulated outage", this.envelopeTime()) };
    if (injected === "401") {
      this.expireAccessTokens();
      return { fault: "401", response: authenticationFault("Token expired", this.o.now()) };
    }
    if (injected === "slow") await this.o.sleep(this.faults.plan.slowMs);

    const [resource, id] = rest;
    if (request.method === "GET" && resource === "query") return { response: this.query(url.searchParams.get("query") ?? ""), fault: injected };
    if (request.method === "GET" && resource === "cdc") return { response: this.cdc(url), fault: injected };
    const type = qboEntityType(resource ?? "");
    if (!type) return { response: validationFault(400, "500", "Unsupported Operation", `Operation Could not find resource for relative : ${url.pathname} is not supported.`, this.envelopeTime()) };
    try {
      if (request.method === "GET" && id) {
        const entity = this.store.get(type, id);
        if (!entity) return { response: validationFault(400, "610", "Object Not Found", "Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.", this.envelopeTime()) };
        return { response: jsonResponse(200, { [type]: entity, time: this.envelopeTime() }), fault: injected };
      }
      if (request.method === "POST" && !id) return { response: await this.write(type, request, url), fault: injected };
    } catch (error) {
      if (error instanceof StoreError) return { response: validationFault(400, String(error.faultCode), error.faultCode === 5010 ? "Stale Object Error" : "Object Not Found", error.message, this.envelopeTime()) };
      throw error;
    }
    return { response: validationFault(400, "500", "Unsupported Operation", `Operation ${request.method} ${url.pathname} is not supported.`, this.envelopeTime()) };
  }

  private async write(type: QboEntityType, request: Request, url: URL): Promise<Response> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(await request.text()) as Record<string, unknown>;
    } catch {
      return validationFault(400, "2010", "Request has invalid or unsupported property", "the body is not JSON", this.envelopeTime());
    }
    const operation = url.searchParams.get("operation");
    const id = typeof body.Id === "string" ? body.Id : undefined;
    if (operation === "delete" && id) {
      const stub = this.store.remove(type, id);
      return jsonResponse(200, { [type]: { domain: "QBO", status: "Deleted", Id: stub.Id }, time: this.envelopeTime() });
    }
    if (operation === "void" && id) return jsonResponse(200, { [type]: this.store.void(type, id), time: this.envelopeTime() });
    if (id) {
      const { Id: _id, SyncToken, sparse: _sparse, MetaData: _meta, ...patch } = body;
      return jsonResponse(200, { [type]: this.store.update(type, id, patch, undefined, String(SyncToken ?? "")), time: this.envelopeTime() });
    }
    if (type === "Payment") {
      const invoiceIds = paymentInvoiceIds(body);
      if (invoiceIds.length > 0) {
        const payment = this.store.receivePayment({
          customerId: String(objectField(body.CustomerRef)?.value ?? ""),
          invoiceIds,
          txnDate: String(body.TxnDate ?? new Date(this.o.now()).toISOString().slice(0, 10)),
          method: (objectField(body.PaymentMethodRef) as { value: string; name: string } | undefined) ?? { value: "2", name: "Check" },
        });
        return jsonResponse(200, { Payment: payment, time: this.envelopeTime() });
      }
    }
    const created = this.store.create(type, { ...body, ...(body.Balance === undefined && numberField(body.TotalAmt) !== undefined && ["Invoice", "Bill"].includes(type) ? { Balance: round2(numberField(body.TotalAmt)!) } : {}) });
    return jsonResponse(200, { [type]: created, time: this.envelopeTime() });
  }

  private query(statement: string): Response {
    let parsed: ParsedQuery;
    try {
      parsed = parseQuery(statement);
    } catch (error) {
      return validationFault(400, "4001", "Invalid query", `QueryParserError: ${(error as Error).message}`, this.envelopeTime());
    }
    const type = qboEntityType(parsed.entity);
    if (!type) return validationFault(400, "4001", "Invalid query", `QueryValidationError: invalid context declaration: ${parsed.entity}`, this.envelopeTime());
    let rows = this.store.list(type).filter((e) => parsed.where.every((c) => matches(e, c)));
    if (parsed.count) return jsonResponse(200, { QueryResponse: { totalCount: rows.length }, time: this.envelopeTime() });
    if (parsed.orderBy) {
      const { field, desc } = parsed.orderBy;
      rows = [...rows].sort((a, b) => compareValues(fieldValue(a, field), fieldValue(b, field)) * (desc ? -1 : 1));
    }
    const page = rows.slice(parsed.start - 1, parsed.start - 1 + parsed.max);
    if (page.length === 0) return jsonResponse(200, { QueryResponse: {}, time: this.envelopeTime() });
    return jsonResponse(200, { QueryResponse: { [type]: page, startPosition: parsed.start, maxResults: page.length }, time: this.envelopeTime() });
  }

  private cdc(url: URL): Response {
    const names = (url.searchParams.get("entities") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
    const since = Date.parse(url.searchParams.get("changedSince") ?? "");
    if (names.length === 0 || Number.isNaN(since)) return validationFault(400, "2020", "Required param missing, need to supply the required value for the API", "Required parameter entities and changedSince are missing in the request", this.envelopeTime());
    if (this.o.now() - since > CDC_LOOKBACK_MS) return validationFault(400, "6000", "A business validation error has occurred while processing your request", "Business Validation Error: changedSince must be within the last 30 days", this.envelopeTime());
    const groups = names.map((name) => {
      const type = qboEntityType(name);
      if (!type) return {};
      const changed = this.store.changedSince(type, since).slice(0, 1000);
      return changed.length === 0 ? {} : { [type]: changed, startPosition: 1, maxResults: changed.length, totalCount: changed.length };
    });
    return jsonResponse(200, { CDCResponse: [{ QueryResponse: groups }], time: this.envelopeTime() });
  }

  // ---- controls ----------------------------------------------------------------------------

  private async control(request: Request, url: URL): Promise<Response> {
    const action = url.pathname.slice("/__emulator/".length);
    const body = request.method === "POST" ? ((await request.json().catch(() => ({}))) as Record<string, unknown>) : {};
    switch (action) {
      case "status":
        return jsonResponse(200, this.status());
      case "faults":
        if (request.method === "POST") this.faults.set(body as Partial<FaultPlan>);
        return jsonResponse(200, { faults: this.faults.plan, injected: this.faults.injected });
      case "advance":
        try {
          return jsonResponse(200, await this.advance(Number(body.days ?? 1)));
        } catch (error) {
          return jsonResponse(400, { error: "cannot_advance", message: (error as Error).message });
        }
      case "expire-tokens":
        this.expireAccessTokens();
        return jsonResponse(200, { expired: this.accessTokens.size });
      case "webhooks/flush":
        return jsonResponse(200, { deliveries: await this.webhooks.flush() });
      default:
        return jsonResponse(404, { error: "unknown control", known: ["status", "faults", "advance", "expire-tokens", "webhooks/flush"] });
    }
  }

  status(): Record<string, unknown> {
    return {
      realm_id: this.store.realmId,
      company: this.store.companyName,
      entities: this.store.counts(),
      versions_written: this.store.history.length,
      next_business_day: this.o.activity?.nextDay ?? null,
      grants: [...this.grants.values()].filter((g) => !g.revoked).length,
      api_requests: this.log.length,
      faults: this.faults.plan,
      injected: this.faults.injected,
      webhooks: { deliveries: this.webhooks.deliveries.length, dropped: this.webhooks.dropped.length, pending: this.webhooks.pendingCount },
    };
  }

  private token32(prefix: string): string {
    let hex = "";
    for (let i = 0; i < 32; i++) hex += Math.floor(this.o.random() * 16).toString(16);
    return `${prefix}${hex}`;
  }

  private envelopeTime(): string {
    const stamp = this.store.timestamp(this.o.now());
    const ms = String(this.o.now() % 1000).padStart(3, "0");
    return `${stamp.slice(0, 19)}.${ms}${stamp.slice(19)}`;
  }
}

// ---- query language ----------------------------------------------------------------------------

interface Condition {
  field: string;
  op: "=" | "<" | ">" | "<=" | ">=" | "!=" | "IN" | "LIKE";
  values: string[];
}

export interface ParsedQuery {
  count: boolean;
  entity: string;
  where: Condition[];
  orderBy?: { field: string; desc: boolean };
  start: number;
  max: number;
}

/** QBO's query language, the subset connectors use. Throws naming what it cannot read. */
export function parseQuery(statement: string): ParsedQuery {
  const text = statement.trim();
  const head = /^select\s+(\*|count\(\*\))\s+from\s+(\w+)\s*/i.exec(text);
  if (!head) throw new Error(`expected SELECT * FROM <Entity> or SELECT COUNT(*) FROM <Entity>, got "${text.slice(0, 60)}"`);
  let rest = text.slice(head[0].length);
  const where: Condition[] = [];
  if (/^where\s/i.test(rest)) {
    rest = rest.replace(/^where\s+/i, "");
    for (;;) {
      const cond = /^([\w.]+)\s*(<=|>=|!=|=|<|>|\bin\b|\blike\b)\s*(\((?:\s*'(?:[^'\\]|\\.)*'\s*,?)+\)|'(?:[^'\\]|\\.)*'|true|false|-?\d+(?:\.\d+)?)\s*/i.exec(rest);
      if (!cond) throw new Error(`cannot read the condition at "${rest.slice(0, 40)}"`);
      const op = cond[2]!.toUpperCase() as Condition["op"];
      const raw = cond[3]!;
      const values = raw.startsWith("(") ? [...raw.matchAll(/'((?:[^'\\]|\\.)*)'/g)].map((m) => unquote(m[1]!)) : [raw.startsWith("'") ? unquote(raw.slice(1, -1)) : raw];
      where.push({ field: cond[1]!, op, values });
      rest = rest.slice(cond[0].length);
      if (/^and\s/i.test(rest)) rest = rest.replace(/^and\s+/i, "");
      else break;
    }
  }
  let orderBy: ParsedQuery["orderBy"];
  const order = /^orderby\s+([\w.]+)(?:\s+(asc|desc))?\s*/i.exec(rest);
  if (order) {
    orderBy = { field: order[1]!, desc: (order[2] ?? "").toLowerCase() === "desc" };
    rest = rest.slice(order[0].length);
  }
  let start = 1;
  let max = 100;
  const startMatch = /^startposition\s+(\d+)\s*/i.exec(rest);
  if (startMatch) {
    start = Number(startMatch[1]);
    rest = rest.slice(startMatch[0].length);
  }
  const maxMatch = /^maxresults\s+(\d+)\s*/i.exec(rest);
  if (maxMatch) {
    max = Number(maxMatch[1]);
    rest = rest.slice(maxMatch[0].length);
  }
  if (rest.trim() !== "") throw new Error(`unexpected "${rest.trim().slice(0, 40)}"`);
  if (start < 1) throw new Error("STARTPOSITION starts at 1");
  if (max < 1 || max > 1000) throw new Error("MAXRESULTS must be between 1 and 1000");
  return { count: head[1]!.toLowerCase() !== "*", entity: head[2]!, where, orderBy, start, max };
}

function unquote(value: string): string {
  return value.replace(/\\(.)/g, "$1");
}

function fieldValue(entity: QboEntity, field: string): unknown {
  const path = field.split(".");
  let value: unknown = entity;
  for (const part of path) {
    const obj = objectField(value);
    if (!obj) return undefined;
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    value = key === undefined ? undefined : obj[key];
  }
  const ref = objectField(value);
  return ref && "value" in ref ? ref.value : value;
}

function matches(entity: QboEntity, condition: Condition): boolean {
  const value = fieldValue(entity, condition.field);
  const isTime = /time$/i.test(condition.field);
  const cmp = (target: string) => (isTime ? compareValues(Date.parse(isoUtc(value) ?? ""), Date.parse(isoUtc(target) ?? target)) : compareValues(value, target));
  switch (condition.op) {
    case "=":
      return cmp(condition.values[0]!) === 0;
    case "!=":
      return cmp(condition.values[0]!) !== 0;
    case "<":
      return cmp(condition.values[0]!) < 0;
    case ">":
      return cmp(condition.values[0]!) > 0;
    case "<=":
      return cmp(condition.values[0]!) <= 0;
    case ">=":
      return cmp(condition.values[0]!) >= 0;
    case "IN":
      return condition.values.some((v) => cmp(v) === 0);
    case "LIKE": {
      const pattern = new RegExp(`^${condition.values[0]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*")}$`, "i");
      return typeof value === "string" && pattern.test(value);
    }
  }
}

function compareValues(a: unknown, b: unknown): number {
  const na = typeof a === "number" ? a : typeof a === "string" && /^-?\d+(\.\d+)?$/.test(a) ? Number(a) : Number.NaN;
  const nb = typeof b === "number" ? b : typeof b === "string" && /^-?\d+(\.\d+)?$/.test(b) ? Number(b) : Number.NaN;
  if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  const sa = String(a ?? "");
  const sb = String(b ?? "");
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function paymentInvoiceIds(body: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const line of Array.isArray(body.Line) ? body.Line : []) {
    for (const link of Array.isArray((line as { LinkedTxn?: unknown }).LinkedTxn) ? (line as { LinkedTxn: { TxnId?: unknown; TxnType?: unknown }[] }).LinkedTxn : []) {
      if (link.TxnType === "Invoice" && typeof link.TxnId === "string") ids.push(link.TxnId);
    }
  }
  return ids;
}

// ---- answers -------------------------------------------------------------------------------------

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json;charset=utf-8", ...headers } });
}

function html(status: number, body: string): Response {
  return new Response(`<!doctype html><meta charset="utf-8"><title>QuickBooks emulator</title><body style="font-family:sans-serif;max-width:40em;margin:3em auto">${body}</body>`, {
    status,
    headers: { "content-type": "text/html;charset=utf-8" },
  });
}

function fault(status: number, type: string, code: string, message: string, detail: string, time: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { Fault: { Error: [{ Message: message, Detail: detail, code }], type }, time }, headers);
}

function validationFault(status: number, code: string, message: string, detail: string, time: string): Response {
  return fault(status, "ValidationFault", code, message, detail, time);
}

/** The lowercase envelope QBO really sends with a 401 (fixture fault.401.authentication-lowercase). */
function authenticationFault(detail: string, nowMs: number): Response {
  return jsonResponse(
    401,
    {
      warnings: null,
      intuitObject: null,
      fault: { error: [{ message: "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail, code: "3200", element: null }], type: "AUTHENTICATION" },
      report: null,
      queryResponse: null,
      batchItemResponse: [],
      attachableResponse: [],
      syncErrorResponse: null,
      requestId: null,
      time: nowMs,
      status: null,
      cdcresponse: [],
    },
    { "www-authenticate": 'Bearer realm="Intuit", error="invalid_token"' },
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
