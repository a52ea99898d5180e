/**
 * Connecting QuickBooks (OAuth 2.0 authorization code):
 *   POST /v1/connect/quickbooks?company=<id>   (admin) → {authorize_url, expires_at}
 *   GET  /v1/connect/quickbooks/callback        (Intuit redirects the browser here)
 *   POST /v1/connect/quickbooks/disconnect?company=<id>  (admin) revokes and forgets the tokens
 *   GET  /v1/connect/status[?company=<id>]      (admin) connection health
 *
 * The `state` is signed, expires in 10 minutes and is single use (its nonce is consumed in D1).
 * Tokens go straight into the realm's Durable Object, encrypted; they never reach D1 or logs.
 */
import { Hono } from "hono";
import { QBO_ENTITY_TYPES } from "../../src/connectors/qbo/entities.ts";
import { authorizeUrl, exchangeCode, QboConfigError, QboOAuthError, refreshTokenExpired } from "../../src/connectors/qbo/oauth.ts";
import { OAUTH_STATE_TTL_MS, OAuthStateError, signOAuthState, verifyOAuthState } from "../../src/connectors/qbo/oauth-state.ts";
import type { RealmStatus } from "../../durable-objects/qbo-realm.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf } from "../http.ts";
import { requireAdmin } from "../middleware/auth.ts";
import { connectionsOfCompany, consumeOauthState, pruneOauthStates, saveOauthState, updateConnection, upsertConnection } from "../qbo/connections.ts";
import { type QboConfig, qboConfig } from "../qbo/config.ts";
import { realmStub } from "../qbo/consumer.ts";
import type { QboMessage } from "../qbo/messages.ts";

function config(env: AppEnv["Bindings"]): QboConfig {
  try {
    return qboConfig(env);
  } catch (error) {
    if (error instanceof QboConfigError) throw new ApiError(503, "QBO_NOT_CONFIGURED", error.message);
    throw error;
  }
}

export const connect = new Hono<AppEnv>()
  .post("/quickbooks", requireAdmin(), async (c) => {
    const companyId = companyOf(c);
    const cfg = config(c.env);
    const now = Date.now();
    const nonce = crypto.randomUUID();
    const exp = now + OAUTH_STATE_TTL_MS;
    await pruneOauthStates(c.env.DB, now);
    await saveOauthState(c.env.DB, nonce, companyId, new Date(exp).toISOString());
    const state = await signOAuthState({ company: companyId, nonce, exp }, cfg.tokenKey);
    return c.json({
      company_id: companyId,
      authorize_url: authorizeUrl({ endpoints: cfg.endpoints, clientId: cfg.clientId, redirectUri: cfg.redirectUri, state }),
      expires_at: new Date(exp).toISOString(),
      environment: cfg.endpoints.environment,
    });
  })
  .get("/quickbooks/callback", async (c) => {
    const cfg = config(c.env);
    const q = c.req.query();
    if (q.error) throw new ApiError(400, "QBO_AUTHORIZATION_DENIED", `QuickBooks did not grant access: ${q.error}${q.error_description ? ` (${q.error_description})` : ""}`);
    for (const name of ["code", "state", "realmId"] as const) {
      if (!q[name]) throw new ApiError(400, "QBO_CALLBACK_INVALID", `The callback is missing '${name}'; start again from POST /v1/connect/quickbooks`);
    }
    if (!/^\d{1,32}$/.test(q.realmId!)) throw new ApiError(400, "QBO_CALLBACK_INVALID", "'realmId' is not a QuickBooks company id");
    let state;
    try {
      state = await verifyOAuthState(q.state!, cfg.tokenKey, Date.now());
    } catch (error) {
      if (error instanceof OAuthStateError) throw new ApiError(400, "QBO_STATE_INVALID", `${error.message}; start again from POST /v1/connect/quickbooks`);
      throw error;
    }
    if (!(await consumeOauthState(c.env.DB, state.nonce, new Date().toISOString()))) {
      throw new ApiError(400, "QBO_STATE_INVALID", "state: already used; start again from POST /v1/connect/quickbooks");
    }
    let tokens;
    try {
      tokens = await exchangeCode({ ...cfg, fetch: (i, init) => fetch(i, init), now: () => Date.now(), code: q.code!, redirectUri: cfg.redirectUri });
    } catch (error) {
      if (error instanceof QboOAuthError) throw new ApiError(502, "QBO_TOKEN_EXCHANGE_FAILED", error.message);
      throw error;
    }
    const realmId = q.realmId!;
    await realmStub(c.env, realmId).saveConnection({ realmId, companyId: state.company, tokens });
    await upsertConnection(c.env.DB, { realmId, companyId: state.company, environment: cfg.endpoints.environment, now: new Date().toISOString() });
    const requestId = c.get("requestId");
    await c.env.QBO_QUEUE.send({ kind: "backfill", realm_id: realmId, request_id: requestId, type: QBO_ENTITY_TYPES[0], start: 1 } satisfies QboMessage);
    c.get("logger").info("qbo_connected", { realm_id: realmId, company_id: state.company });
    if ((c.req.header("accept") ?? "").includes("application/json")) {
      return c.json({ status: "connected", realm_id: realmId, company_id: state.company, backfill: "queued" });
    }
    return c.redirect(`/setup?company=${encodeURIComponent(state.company)}&qbo=connected`, 303);
  })
  .post("/quickbooks/disconnect", requireAdmin(), async (c) => {
    const companyId = companyOf(c);
    const connections = (await connectionsOfCompany(c.env.DB, companyId)).filter((r) => r.status !== "disconnected");
    if (connections.length === 0) throw new ApiError(404, "QBO_NOT_CONNECTED", `Company ${companyId} has no QuickBooks connection`);
    const results = [];
    for (const connection of connections) {
      const result = await realmStub(c.env, connection.realmId).disconnect();
      await updateConnection(c.env.DB, connection.realmId, { status: "disconnected" });
      results.push({ realm_id: connection.realmId, revoked: result.revoked, ...(result.error ? { revoke_error: result.error } : {}) });
    }
    return c.json({ company_id: companyId, disconnected: results });
  })
  .get("/status", requireAdmin(), async (c) => {
    const companyId = c.req.query("company") ? companyOf(c) : undefined;
    const rows = await connectionsOfCompany(c.env.DB, companyId);
    const now = Date.now();
    const connections = [];
    for (const row of rows) {
      const realm = (await realmStub(c.env, row.realmId).status()) as RealmStatus;
      const refreshSoon = realm.refresh_expires_at !== null && Date.parse(realm.refresh_expires_at) - now < 7 * 86_400_000;
      const health =
        row.status !== "connected" || !realm.connected
          ? row.status === "disconnected"
            ? "disconnected"
            : "needs_reconnect"
          : realm.refresh_expires_at && refreshTokenExpired({ refresh_expires_at: realm.refresh_expires_at }, now)
            ? "needs_reconnect"
            : row.lastError || row.backfillStatus === "failed" || refreshSoon
              ? "degraded"
              : "healthy";
      connections.push({
        realm_id: row.realmId,
        company_id: row.companyId,
        status: row.status,
        health,
        environment: row.environment,
        connected_at: row.connectedAt,
        last_webhook_at: row.lastWebhookAt,
        last_sync_at: row.lastSyncAt,
        last_sweep_at: row.lastSweepAt,
        backfill: { status: row.backfillStatus, done: row.backfillDone ? row.backfillDone.split(",") : [] },
        tokens: { access_expires_at: realm.access_expires_at, refresh_expires_at: realm.refresh_expires_at, last_refresh_at: realm.last_refresh_at, refreshes: realm.refreshes },
        sweep_cursor: realm.sweep_cursor,
        entities_tracked: realm.entities_tracked,
        rate: realm.rate,
        last_error: row.lastError,
        last_error_at: row.lastErrorAt,
      });
    }
    let configured = true;
    let configProblem: string | undefined;
    try {
      qboConfig(c.env);
    } catch (error) {
      configured = false;
      configProblem = (error as Error).message;
    }
    return c.json({ configured, ...(configProblem ? { config_problem: configProblem } : {}), connections });
  });
