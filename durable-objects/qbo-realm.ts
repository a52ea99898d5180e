/**
 * QboRealm: one per QuickBooks company (realm). It owns everything that must be serialized per
 * realm: the tokens (sealed with AES-GCM at rest), their refresh (single flight, so two requests
 * never race to rotate the refresh token), Intuit's rate limits (500 requests/min, 10 in flight)
 * and the versions of entities already in the log. All QuickBooks API traffic for the realm goes
 * through here; the sync logic itself is the pure pipeline in src/connectors/qbo/sync.ts.
 */
import { DurableObject } from "cloudflare:workers";
import { QboClient } from "../src/connectors/qbo/client.ts";
import { QBO_ENTITY_TYPES, type QboEntity, type QboEntityType } from "../src/connectors/qbo/entities.ts";
import { QboError } from "../src/connectors/qbo/errors.ts";
import { accessTokenNeedsRefresh, QboOAuthError, refreshTokens, revokeToken, type TokenSet } from "../src/connectors/qbo/oauth.ts";
import { RealmRateLimiter } from "../src/connectors/qbo/rate-limiter.ts";
import {
  backfillPage,
  type BronzeRecord,
  cdcSweep,
  emptyReport,
  type EntityVersion,
  mergeReports,
  type QboSyncStore,
  type SyncDeps,
  type SyncReport,
  syncChanges,
} from "../src/connectors/qbo/sync.ts";
import { importTokenKey, openJson, sealJson, type TokenKey } from "../src/connectors/qbo/token-crypto.ts";
import { RefreshingTokenSource } from "../src/connectors/qbo/token-source.ts";
import type { EntityChange } from "../src/connectors/qbo/webhooks.ts";
import type { CanonicalEvent } from "../src/events/canonical.ts";
import type { Retraction } from "../src/events/retraction.ts";
import type { Bindings } from "../worker/env.ts";
import { qboConfig } from "../worker/qbo/config.ts";
import init from "../migrations/qbo-realm/0001_init.sql";
import { applyMigrations, type DoMigration } from "./migrate.ts";

const MIGRATIONS: readonly DoMigration[] = [{ version: 1, sql: init }];
const MAX_PARAMS = 100;
/** CDC looks back 30 days; past 29 the sweep reads with paged queries instead. */
const CDC_SAFE_LOOKBACK_MS = 29 * 86_400_000;
/** Each sweep starts a little before the previous one's start: clocks differ, replays are free. */
const SWEEP_OVERLAP_MS = 5 * 60_000;

/**
 * What a sync call returns across RPC: errors do not keep their class or fields over RPC, so
 * the caller gets the code, whether retrying helps, and how long QuickBooks asked to wait.
 */
export type RealmResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: string; message: string; retryable: boolean; needsReconnect: boolean; retryAfterMs?: number } };

export interface RealmStatus {
  connected: boolean;
  realm_id: string | null;
  company_id: string | null;
  connected_at: string | null;
  access_expires_at: string | null;
  refresh_expires_at: string | null;
  access_token_fresh: boolean;
  last_refresh_at: string | null;
  refreshes: number;
  sweep_cursor: string | null;
  entities_tracked: number;
  rate: { in_flight: number; in_window: number; per_minute: number; concurrent: number };
}

export class QboRealm extends DurableObject<Bindings> {
  private readonly sql: SqlStorage;
  private readonly limiter = new RealmRateLimiter({ now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
  private tokenSource: RefreshingTokenSource | undefined;
  private key: Promise<TokenKey> | undefined;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, MIGRATIONS));
  }

  /** Stores the tokens of a completed authorization (sealed) and binds the realm to a company. */
  async saveConnection(input: { realmId: string; companyId: string; tokens: TokenSet }): Promise<void> {
    const now = new Date().toISOString();
    const sealed = await this.seal(input.tokens, input.realmId);
    const existing = this.connectionRow();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT INTO connection (id, realm_id, company_id, sealed_tokens, connected_at, updated_at) VALUES (1, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET realm_id = excluded.realm_id, company_id = excluded.company_id, sealed_tokens = excluded.sealed_tokens, updated_at = excluded.updated_at`,
        input.realmId,
        input.companyId,
        sealed,
        now,
        now,
      );
      // A new company for this realm starts from scratch; a reconnect keeps what the log holds.
      if (existing && existing.company_id !== input.companyId) {
        this.sql.exec("DELETE FROM entity_versions");
        this.sql.exec("DELETE FROM state");
      }
      if (!this.stateValue("sweep_cursor")) this.setState("sweep_cursor", new Date(Date.now() - SWEEP_OVERLAP_MS).toISOString());
    });
    this.tokenSource = undefined;
  }

  /** Revokes the grant at Intuit (best effort) and forgets the tokens. */
  async disconnect(): Promise<{ revoked: boolean; error?: string }> {
    const row = this.connectionRow();
    if (!row?.sealed_tokens) return { revoked: false, error: "not connected" };
    let result: { revoked: boolean; error?: string } = { revoked: true };
    try {
      const tokens = await this.open(row.sealed_tokens, row.realm_id);
      const config = qboConfig(this.env);
      await revokeToken({ ...config, fetch: (i, init) => fetch(i, init), now: () => Date.now(), token: tokens.refresh_token });
    } catch (error) {
      result = { revoked: false, error: (error as Error).message };
    }
    this.sql.exec("UPDATE connection SET sealed_tokens = NULL, updated_at = ? WHERE id = 1", new Date().toISOString());
    this.tokenSource = undefined;
    return result;
  }

  async status(): Promise<RealmStatus> {
    const row = this.connectionRow();
    let tokens: TokenSet | undefined;
    if (row?.sealed_tokens) tokens = await this.open(row.sealed_tokens, row.realm_id).catch(() => undefined);
    const usage = this.limiter.usage();
    return {
      connected: Boolean(tokens),
      realm_id: row?.realm_id ?? null,
      company_id: row?.company_id ?? null,
      connected_at: row?.connected_at ?? null,
      access_expires_at: tokens?.access_expires_at ?? null,
      refresh_expires_at: tokens?.refresh_expires_at ?? null,
      access_token_fresh: tokens ? !accessTokenNeedsRefresh(tokens, Date.now()) : false,
      last_refresh_at: row?.last_refresh_at ?? null,
      refreshes: row?.refreshes ?? 0,
      sweep_cursor: this.stateValue("sweep_cursor") ?? null,
      entities_tracked: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entity_versions").one().n,
      rate: { in_flight: usage.inFlight, in_window: usage.inWindow, per_minute: this.limiter.perWindow, concurrent: this.limiter.concurrent },
    };
  }

  /** Webhook work: read what changed and append its events. */
  async syncChanges(changes: EntityChange[]): Promise<RealmResult<SyncReport>> {
    return guarded(async () => syncChanges(await this.deps(), changes));
  }

  /**
   * The CDC sweep from the stored cursor (or `since`): catches whatever webhooks missed. Past
   * CDC's 30 days it reads every type with paged queries on LastUpdatedTime instead.
   */
  async sweep(since?: string): Promise<RealmResult<SyncReport & { since: string; mode: "cdc" | "query" }>> {
    return guarded(() => this.sweepInner(since));
  }

  private async sweepInner(since?: string): Promise<SyncReport & { since: string; mode: "cdc" | "query" }> {
    const deps = await this.deps();
    const startedAt = Date.now();
    const from = since ?? this.stateValue("sweep_cursor") ?? new Date(startedAt - 86_400_000).toISOString();
    let report: SyncReport;
    let mode: "cdc" | "query" = "cdc";
    if (startedAt - Date.parse(from) <= CDC_SAFE_LOOKBACK_MS) {
      report = await cdcSweep(deps, from);
    } else {
      mode = "query";
      report = emptyReport();
      const where = `Metadata.LastUpdatedTime >= '${new Date(Date.parse(from)).toISOString()}'`;
      for (const type of QBO_ENTITY_TYPES) {
        for (let start: number | undefined = 1; start !== undefined; ) {
          const page: { report: SyncReport; next?: number } = await backfillPage(deps, type, start, { where });
          report = mergeReports(report, page.report);
          start = page.next;
        }
      }
    }
    this.setState("sweep_cursor", new Date(startedAt - SWEEP_OVERLAP_MS).toISOString());
    return { ...report, since: from, mode };
  }

  /** One page of the initial backfill. */
  async backfillPage(type: QboEntityType, start: number): Promise<RealmResult<{ report: SyncReport; next?: number }>> {
    return guarded(async () => backfillPage(await this.deps(), type, start));
  }

  // ---- wiring -------------------------------------------------------------------------------

  private async deps(): Promise<SyncDeps> {
    const row = this.connectionRow();
    if (!row?.sealed_tokens) throw new QboError("QBO_NOT_CONNECTED", "QuickBooks is not connected for this realm: connect it again");
    const config = qboConfig(this.env);
    const fetcher: typeof fetch = (input, init) => fetch(input, init);
    this.tokenSource ??= new RefreshingTokenSource({
      vault: {
        load: async () => {
          const current = this.connectionRow();
          return current?.sealed_tokens ? this.open(current.sealed_tokens, current.realm_id) : undefined;
        },
        save: async (tokens) => {
          const sealed = await this.seal(tokens, row.realm_id);
          const now = new Date().toISOString();
          this.sql.exec("UPDATE connection SET sealed_tokens = ?, updated_at = ?, last_refresh_at = ?, refreshes = refreshes + 1 WHERE id = 1", sealed, now, now);
        },
      },
      refresh: (refreshToken) => refreshTokens({ ...config, fetch: fetcher, now: () => Date.now(), refreshToken }),
      now: () => Date.now(),
    });
    const client = new QboClient({
      realmId: row.realm_id,
      apiBase: config.endpoints.apiBase,
      fetch: fetcher,
      tokens: this.tokenSource,
      limiter: this.limiter,
      minorVersion: config.minorVersion,
      now: () => Date.now(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      random: Math.random,
    });
    const companyLog = this.env.COMPANY_LOG.get(this.env.COMPANY_LOG.idFromName(row.company_id));
    return {
      realmId: row.realm_id,
      client,
      store: new SqlVersionStore(this.sql),
      bronze: {
        put: async (record: BronzeRecord) => {
          await this.env.BRONZE.put(record.key, record.body, { httpMetadata: { contentType: "application/json" }, customMetadata: { ...record.metadata, company_id: row.company_id } });
        },
      },
      log: {
        append: (events: CanonicalEvent[]) => companyLog.append(events),
        retract: (retractions: Retraction[]) => companyLog.retract(retractions),
      },
      now: () => Date.now(),
    };
  }

  private connectionRow(): { realm_id: string; company_id: string; sealed_tokens: string | null; connected_at: string; last_refresh_at: string | null; refreshes: number } | undefined {
    return this.sql
      .exec<{ realm_id: string; company_id: string; sealed_tokens: string | null; connected_at: string; last_refresh_at: string | null; refreshes: number }>(
        "SELECT realm_id, company_id, sealed_tokens, connected_at, last_refresh_at, refreshes FROM connection WHERE id = 1",
      )
      .toArray()[0];
  }

  private stateValue(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM state WHERE key = ?", key).toArray()[0]?.value;
  }

  private setState(key: string, value: string): void {
    this.sql.exec("INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }

  private tokenKey(): Promise<TokenKey> {
    this.key ??= importTokenKey(qboConfig(this.env).tokenKey);
    return this.key;
  }

  private async seal(tokens: TokenSet, realmId: string): Promise<string> {
    return sealJson(tokens, await this.tokenKey(), crypto.getRandomValues(new Uint8Array(12)), `qbo-tokens:${realmId}`);
  }

  private async open(sealed: string, realmId: string): Promise<TokenSet> {
    return openJson<TokenSet>(sealed, await this.tokenKey(), `qbo-tokens:${realmId}`);
  }
}

async function guarded<T>(work: () => Promise<T>): Promise<RealmResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const e = error as Partial<QboError> & Error;
    const code = typeof e.code === "string" ? e.code : "INTERNAL";
    const needsReconnect = code === "QBO_NOT_CONNECTED" || (error instanceof QboOAuthError && error.needsReconnect);
    return {
      ok: false,
      error: {
        code,
        message: e.message,
        retryable: !needsReconnect && (error instanceof QboError ? error.retryable || code === "QBO_REFRESH_FAILED" : true),
        needsReconnect,
        ...(typeof e.retryAfterMs === "number" ? { retryAfterMs: e.retryAfterMs } : {}),
      },
    };
  }
}

/** The sync pipeline's version store over the object's SQLite. */
class SqlVersionStore implements QboSyncStore {
  constructor(private readonly sql: SqlStorage) {}

  async versions(_realmId: string, keys: readonly string[]): Promise<Map<string, EntityVersion>> {
    const out = new Map<string, EntityVersion>();
    for (let i = 0; i < keys.length; i += MAX_PARAMS) {
      const chunk = keys.slice(i, i + MAX_PARAMS);
      const rows = this.sql.exec<{ key: string; sync_token: number; last_updated: string | null; deleted: number }>(
        `SELECT key, sync_token, last_updated, deleted FROM entity_versions WHERE key IN (${chunk.map(() => "?").join(",")})`,
        ...chunk,
      );
      for (const row of rows) out.set(row.key, { syncToken: row.sync_token, ...(row.last_updated ? { lastUpdated: row.last_updated } : {}), deleted: row.deleted === 1 });
    }
    return out;
  }

  async saveVersions(_realmId: string, entries: readonly { key: string; version: EntityVersion; body?: QboEntity }[]): Promise<void> {
    const now = new Date().toISOString();
    for (const entry of entries) {
      this.sql.exec(
        `INSERT INTO entity_versions (key, sync_token, last_updated, deleted, body, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (key) DO UPDATE SET sync_token = excluded.sync_token, last_updated = excluded.last_updated, deleted = excluded.deleted,
           body = COALESCE(excluded.body, entity_versions.body), updated_at = excluded.updated_at`,
        entry.key,
        entry.version.syncToken,
        entry.version.lastUpdated ?? null,
        entry.version.deleted ? 1 : 0,
        entry.body ? JSON.stringify(entry.body) : null,
        now,
      );
    }
  }

  async previous(_realmId: string, key: string): Promise<QboEntity | undefined> {
    const row = this.sql.exec<{ body: string | null }>("SELECT body FROM entity_versions WHERE key = ?", key).toArray()[0];
    return row?.body ? (JSON.parse(row.body) as QboEntity) : undefined;
  }
}
