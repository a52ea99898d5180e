/**
 * The QuickBooks Online Accounting API (v3) over an injected `fetch`: entity read, `query` with
 * paging, `cdc`, all with `minorversion`. Failures become typed errors (errors.ts):
 * a 401 triggers one token refresh and one retry; 429 and 5xx are retried with backoff that
 * honours `Retry-After`; every request goes through the realm's rate limiter.
 *
 * Each answer comes back with its raw text, so bronze can keep it exactly as received.
 */
import { isQboEntity, type QboEntity, type QboEntityType } from "./entities.ts";
import { faultToError, type QboError, QboNetworkError, QboProtocolError, readFault } from "./errors.ts";
import type { RealmRateLimiter } from "./rate-limiter.ts";
import { retryDelayMs } from "./retry-delay.ts";

/** Intuit retired minor versions 1–74 in 2025; 75 is the oldest accepted. */
export const DEFAULT_MINOR_VERSION = 75;
/** The most rows one query page may ask for. */
export const MAX_QUERY_PAGE = 1000;
/** CDC looks back at most 30 days. */
export const CDC_MAX_LOOKBACK_MS = 30 * 86_400_000;
/** CDC returns at most this many objects per entity type; a full group means there may be more. */
export const CDC_MAX_PER_TYPE = 1000;

/** Where access tokens come from; the realm's Durable Object implements it over its stored tokens. */
export interface TokenSource {
  /** A valid access token (refreshed first when close to expiry). */
  accessToken(): Promise<string>;
  /** The API rejected `rejected`: refresh (unless someone already did) and return the new token. */
  refreshAfterRejection(rejected: string): Promise<string>;
}

export interface QboClientOptions {
  realmId: string;
  /** `https://quickbooks.api.intuit.com`, the sandbox, or an emulator (no trailing `/v3`). */
  apiBase: string;
  fetch: typeof fetch;
  tokens: TokenSource;
  limiter?: RealmRateLimiter;
  minorVersion?: number;
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
  /** The longest wait between attempts; a longer `Retry-After` is thrown to the caller (default 60 s). */
  maxRetryWaitMs?: number;
  /** Abort a request that has not answered after this long (default 30 s; 0 = never). */
  timeoutMs?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Called once per HTTP attempt (for logs and tests). */
  onAttempt?: (info: { what: string; attempt: number; status: number; intuitTid?: string; waitMs?: number }) => void;
}

export interface ReadResult {
  entity: QboEntity;
  raw: string;
  intuitTid?: string;
  /** The envelope's `time` (server time of the answer). */
  time?: string;
}

export interface QueryPage {
  entityType: string;
  rows: QboEntity[];
  startPosition: number;
  raw: string;
  intuitTid?: string;
}

export interface CdcResult {
  /** Changed (and deleted, as stubs) entities by type; types with no change are absent. */
  changes: Map<QboEntityType, QboEntity[]>;
  /** Types whose group came back full (1000): read them with a query instead, there may be more. */
  truncated: QboEntityType[];
  raw: string;
  time?: string;
  intuitTid?: string;
}

export class QboClient {
  readonly realmId: string;
  readonly minorVersion: number;
  private readonly o: QboClientOptions;
  private readonly base: string;

  constructor(options: QboClientOptions) {
    if (!/^[\w-]{1,64}$/.test(options.realmId)) throw new RangeError(`QboClient: realmId "${options.realmId}" is not a QuickBooks company id`);
    this.o = options;
    this.realmId = options.realmId;
    this.minorVersion = options.minorVersion ?? DEFAULT_MINOR_VERSION;
    this.base = `${options.apiBase.replace(/\/+$/, "")}/v3/company/${encodeURIComponent(options.realmId)}`;
  }

  /** Reads one entity. A deleted or unknown id throws `QboNotFoundError` (Fault 610). */
  async read(entityType: QboEntityType, id: string): Promise<ReadResult> {
    const what = `read ${entityType} ${id}`;
    const { body, raw, intuitTid } = await this.get(`/${entityType.toLowerCase()}/${encodeURIComponent(id)}`, {}, what);
    const entity = body[entityType];
    if (!isQboEntity(entity)) throw new QboProtocolError("QBO_PROTOCOL", `QuickBooks ${what}: the answer has no ${entityType} object`, { status: 200, intuitTid });
    return { entity, raw, intuitTid, time: typeof body.time === "string" ? body.time : undefined };
  }

  /** Runs one query (a single page); the statement must carry its own STARTPOSITION/MAXRESULTS. */
  async query(statement: string): Promise<QueryPage> {
    const entityType = /\bfrom\s+(\w+)/i.exec(statement)?.[1];
    if (!entityType) throw new RangeError(`QboClient.query: no FROM <Entity> in "${statement}"`);
    const start = Number(/\bstartposition\s+(\d+)/i.exec(statement)?.[1] ?? 1);
    const what = `query ${entityType} at ${start}`;
    const { body, raw, intuitTid } = await this.get("/query", { query: statement }, what);
    const response = body.QueryResponse;
    if (typeof response !== "object" || response === null || Array.isArray(response)) {
      throw new QboProtocolError("QBO_PROTOCOL", `QuickBooks ${what}: the answer has no QueryResponse`, { status: 200, intuitTid });
    }
    // A page past the end is `{"QueryResponse":{}}`.
    const list = (response as Record<string, unknown>)[entityType];
    const rows = Array.isArray(list) ? list.filter(isQboEntity) : [];
    return { entityType, rows, startPosition: start, raw, intuitTid };
  }

  /**
   * Every row of an entity type, page by page (`STARTPOSITION` 1, 1+size, …, ordered by Id so
   * pages do not overlap). Stops at the first short page.
   */
  async *queryAll(entityType: QboEntityType, options: { where?: string; pageSize?: number } = {}): AsyncGenerator<QueryPage> {
    const size = options.pageSize ?? MAX_QUERY_PAGE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_QUERY_PAGE) {
      throw new RangeError(`QboClient.queryAll: pageSize must be an integer from 1 to ${MAX_QUERY_PAGE}, got ${size}`);
    }
    for (let start = 1; ; start += size) {
      const where = options.where ? ` WHERE ${options.where}` : "";
      const page = await this.query(`SELECT * FROM ${entityType}${where} ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${size}`);
      yield page;
      if (page.rows.length < size) return;
    }
  }

  /**
   * Entities of `entityTypes` changed since `changedSince` (at most 30 days back), deletions
   * included as stubs `{status:"Deleted", Id, MetaData}`.
   */
  async cdc(entityTypes: readonly QboEntityType[], changedSince: string): Promise<CdcResult> {
    if (entityTypes.length === 0) throw new RangeError("QboClient.cdc: name at least one entity type");
    const since = Date.parse(changedSince);
    if (Number.isNaN(since)) throw new RangeError(`QboClient.cdc: changedSince "${changedSince}" is not a timestamp`);
    if (this.o.now() - since > CDC_MAX_LOOKBACK_MS) {
      throw new RangeError(`QboClient.cdc: changedSince ${changedSince} is more than 30 days ago; read with queryAll instead`);
    }
    const what = `cdc ${entityTypes.join(",")} since ${changedSince}`;
    const { body, raw, intuitTid } = await this.get("/cdc", { entities: entityTypes.join(","), changedSince }, what);
    const changes = new Map<QboEntityType, QboEntity[]>();
    const groups = Array.isArray(body.CDCResponse) ? body.CDCResponse : [];
    for (const group of groups) {
      const responses = (group as { QueryResponse?: unknown }).QueryResponse;
      for (const response of Array.isArray(responses) ? responses : []) {
        if (typeof response !== "object" || response === null) continue;
        for (const [key, value] of Object.entries(response as Record<string, unknown>)) {
          const type = entityTypes.find((t) => t === key);
          if (!type || !Array.isArray(value)) continue;
          changes.set(type, [...(changes.get(type) ?? []), ...value.filter(isQboEntity)]);
        }
      }
    }
    const truncated = [...changes].filter(([, list]) => list.length >= CDC_MAX_PER_TYPE).map(([type]) => type);
    return { changes, truncated, raw, time: typeof body.time === "string" ? body.time : undefined, intuitTid };
  }

  /** One GET with the retry policy; returns the parsed body and its raw text. */
  private async get(path: string, params: Record<string, string>, what: string): Promise<{ body: Record<string, unknown>; raw: string; intuitTid?: string }> {
    const query = new URLSearchParams({ ...params, minorversion: String(this.minorVersion) });
    const url = `${this.base}${path}?${query.toString().replace(/\+/g, "%20")}`;
    const maxAttempts = this.o.maxAttempts ?? 5;
    let token = await this.o.tokens.accessToken();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      let status = 0;
      let raw = "";
      let intuitTid: string | undefined;
      let retryAfter: string | null = null;
      let failure: QboError | undefined;
      const release = this.o.limiter ? await this.o.limiter.acquire() : undefined;
      try {
        const response = await this.o.fetch(url, {
          method: "GET",
          headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
          ...(this.o.timeoutMs !== 0 ? { signal: AbortSignal.timeout(this.o.timeoutMs ?? 30_000) } : {}),
        });
        status = response.status;
        intuitTid = response.headers.get("intuit_tid") ?? response.headers.get("Intuit-Tid") ?? undefined;
        retryAfter = response.headers.get("Retry-After");
        raw = await response.text();
      } catch (error) {
        failure = new QboNetworkError("QBO_NETWORK", `QuickBooks ${what}: no answer (${(error as Error).message})`, { cause: error });
      } finally {
        release?.();
      }
      if (status !== 0) {
        if (status >= 200 && status < 300) {
          const body = parseJson(raw);
          if (body && readFault(raw).errors.length === 0) {
            this.o.onAttempt?.({ what, attempt, status, intuitTid });
            return { body, raw, intuitTid };
          }
          failure = body ? faultToError(status, raw, what, intuitTid) : new QboProtocolError("QBO_PROTOCOL", `QuickBooks ${what}: the answer is not JSON`, { status, intuitTid });
        } else {
          failure = faultToError(status, raw, what, intuitTid);
        }
      }
      failure ??= new QboNetworkError("QBO_NETWORK", `QuickBooks ${what}: no answer`);

      if (status === 401 && !refreshed) {
        this.o.onAttempt?.({ what, attempt, status, intuitTid });
        refreshed = true;
        token = await this.o.tokens.refreshAfterRejection(token);
        continue;
      }
      if (!failure.retryable || attempt >= maxAttempts) {
        this.o.onAttempt?.({ what, attempt, status, intuitTid });
        throw failure;
      }
      const waitMs = retryDelayMs(attempt, retryAfter, this.o.now(), this.o.random);
      this.o.onAttempt?.({ what, attempt, status, intuitTid, waitMs });
      if (waitMs > (this.o.maxRetryWaitMs ?? 60_000)) {
        // Too long to wait inside one invocation: the caller (a queue) retries later.
        failure.retryAfterMs = waitMs;
        throw failure;
      }
      await this.o.sleep(waitMs);
    }
  }
}

function parseJson(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Quotes a value for a QBO query (`'O\'Brien'`). */
export function qboQuote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
