/**
 * Intuit OAuth 2.0 (authorization-code flow) on `fetch`: the authorize URL, the code exchange,
 * refresh, revoke, and when a token needs refreshing. Written on fetch rather than with
 * `intuit-oauth` (docs/decisions.md, "QuickBooks connector"): its endpoints are process-wide
 * static properties, its clock is `Date.now()`, and it needs Node built-ins.
 *
 * Protocol (Intuit's OAuth 2.0 documentation, and intuit-oauth 4.2.5's requests): the token
 * endpoint takes a form body with HTTP Basic client authentication and answers
 * `{access_token, refresh_token, token_type:"bearer", expires_in:3600, x_refresh_token_expires_in}`;
 * the revoke endpoint takes JSON `{"token": …}` with the same authentication.
 */
import { bytesToBase64, utf8 } from "./encoding.ts";
import { QboError } from "./errors.ts";

export const QBO_ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting";

export type QboEnvironment = "sandbox" | "production";

export interface QboEndpoints {
  environment: QboEnvironment;
  /** API origin, without `/v3`. */
  apiBase: string;
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl: string;
}

const INTUIT_ENDPOINTS = {
  authorizeUrl: "https://appcenter.intuit.com/connect/oauth2",
  tokenUrl: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
  revokeUrl: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
};
const API_BASES: Record<QboEnvironment, string> = {
  sandbox: "https://sandbox-quickbooks.api.intuit.com",
  production: "https://quickbooks.api.intuit.com",
};

/** The QuickBooks settings the environment may carry (`.dev.vars` locally, secrets in production). */
export interface QboSettings {
  QBO_ENVIRONMENT?: string;
  QBO_API_BASE?: string;
  QBO_AUTHORIZE_URL?: string;
  QBO_TOKEN_URL?: string;
  QBO_REVOKE_URL?: string;
}

/**
 * Endpoints for the configured environment (`sandbox` unless `QBO_ENVIRONMENT=production`), each
 * overridable to point at any Intuit-compatible server (the local emulator, a test double).
 */
export function qboEndpoints(settings: QboSettings): QboEndpoints {
  const env = (settings.QBO_ENVIRONMENT ?? "sandbox").trim() || "sandbox";
  if (env !== "sandbox" && env !== "production") {
    throw new QboConfigError(`QBO_ENVIRONMENT must be "sandbox" or "production", got "${env}"`);
  }
  const url = (name: keyof QboSettings, fallback: string) => {
    const value = settings[name]?.trim() || fallback;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new QboConfigError(`${name} must be an absolute URL, got "${value}"`);
    }
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new QboConfigError(`${name} must be an http(s) URL, got "${value}"`);
    return value.replace(/\/+$/, "");
  };
  return {
    environment: env,
    apiBase: url("QBO_API_BASE", API_BASES[env]),
    authorizeUrl: url("QBO_AUTHORIZE_URL", INTUIT_ENDPOINTS.authorizeUrl),
    tokenUrl: url("QBO_TOKEN_URL", INTUIT_ENDPOINTS.tokenUrl),
    revokeUrl: url("QBO_REVOKE_URL", INTUIT_ENDPOINTS.revokeUrl),
  };
}

export class QboConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QboConfigError";
  }
}

/** The page the admin is sent to, to approve access to a QuickBooks company. */
export function authorizeUrl(options: {
  endpoints: QboEndpoints;
  clientId: string;
  redirectUri: string;
  state: string;
  scopes?: readonly string[];
}): string {
  const params = new URLSearchParams({
    client_id: options.clientId,
    response_type: "code",
    scope: (options.scopes ?? [QBO_ACCOUNTING_SCOPE]).join(" "),
    redirect_uri: options.redirectUri,
    state: options.state,
  });
  return `${options.endpoints.authorizeUrl}?${params.toString().replace(/\+/g, "%20")}`;
}

/** Tokens of one connection, with absolute expiry times. */
export interface TokenSet {
  access_token: string;
  refresh_token: string;
  token_type: string;
  /** ISO time the access token stops working (1 hour after issue at Intuit). */
  access_expires_at: string;
  /** ISO time the refresh token stops working (about 100 days, rolling). */
  refresh_expires_at: string;
  /** ISO time these tokens were obtained. */
  obtained_at: string;
}

export interface OAuthClientOptions {
  endpoints: QboEndpoints;
  clientId: string;
  clientSecret: string;
  fetch: typeof fetch;
  now: () => number;
}

/** The authorization code from the callback → tokens. */
export function exchangeCode(options: OAuthClientOptions & { code: string; redirectUri: string }): Promise<TokenSet> {
  return tokenRequest(options, { grant_type: "authorization_code", code: options.code, redirect_uri: options.redirectUri }, "exchange the authorization code");
}

/**
 * A refresh token → new tokens. Intuit may rotate the refresh token: the answer's one must
 * replace the stored one at once (the old one stops working within 24 hours).
 */
export function refreshTokens(options: OAuthClientOptions & { refreshToken: string }): Promise<TokenSet> {
  return tokenRequest(options, { grant_type: "refresh_token", refresh_token: options.refreshToken }, "refresh the access token");
}

/** Revokes a token (the refresh token revokes the whole grant). Revoking an unknown token is not an error. */
export async function revokeToken(options: OAuthClientOptions & { token: string }): Promise<void> {
  const response = await send(options, options.endpoints.revokeUrl, {
    method: "POST",
    headers: { ...basicAuth(options), Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify({ token: options.token }),
  }, "revoke the token");
  if (response.ok || response.status === 400) return; // 400: already revoked or expired
  throw new QboOAuthError(`QuickBooks could not revoke the token: HTTP ${response.status}`, response.status, await safeText(response));
}

/** Refresh this long before the access token expires, so a request never carries a dying token. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/** Whether the access token expires within `marginMs` of `nowMs`. */
export function accessTokenNeedsRefresh(tokens: Pick<TokenSet, "access_expires_at">, nowMs: number, marginMs = REFRESH_MARGIN_MS): boolean {
  return Date.parse(tokens.access_expires_at) - marginMs <= nowMs;
}

/** Whether the refresh token has expired: the admin must connect again. */
export function refreshTokenExpired(tokens: Pick<TokenSet, "refresh_expires_at">, nowMs: number): boolean {
  return Date.parse(tokens.refresh_expires_at) <= nowMs;
}

/** Token endpoint errors (`invalid_grant` means the grant is gone: connect again). */
export class QboOAuthError extends QboError {
  readonly oauthError?: string;
  constructor(message: string, status: number, body: string, cause?: unknown) {
    super("QBO_REFRESH_FAILED", message, { status, cause });
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      if (typeof parsed.error === "string") this.oauthError = parsed.error;
    } catch {
      // not JSON: keep the status only
    }
  }

  /** The grant is no longer valid; retrying will not help. */
  get needsReconnect(): boolean {
    return this.oauthError === "invalid_grant" || this.oauthError === "invalid_client";
  }

  override get retryable(): boolean {
    return !this.needsReconnect && (this.status === 0 || this.status === 429 || this.status >= 500);
  }
}

async function tokenRequest(options: OAuthClientOptions, form: Record<string, string>, what: string): Promise<TokenSet> {
  const response = await send(options, options.endpoints.tokenUrl, {
    method: "POST",
    headers: { ...basicAuth(options), Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
  }, what);
  const text = await safeText(response);
  if (!response.ok) {
    let detail = "";
    try {
      const parsed = JSON.parse(text) as { error?: string; error_description?: string };
      detail = [parsed.error, parsed.error_description].filter(Boolean).join(": ");
    } catch {
      detail = text.slice(0, 200);
    }
    throw new QboOAuthError(`QuickBooks could not ${what}: HTTP ${response.status}${detail ? ` (${detail})` : ""}`, response.status, text);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new QboOAuthError(`QuickBooks could not ${what}: the answer is not JSON`, response.status, text, error);
  }
  const now = options.now();
  const need = (field: string) => {
    const value = body[field];
    if (typeof value !== "string" || value === "") throw new QboOAuthError(`QuickBooks could not ${what}: the answer has no ${field}`, response.status, "");
    return value;
  };
  const seconds = (field: string, fallback: number) => {
    const value = Number(body[field]);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return {
    access_token: need("access_token"),
    refresh_token: need("refresh_token"),
    token_type: typeof body.token_type === "string" ? body.token_type : "bearer",
    access_expires_at: new Date(now + seconds("expires_in", 3600) * 1000).toISOString(),
    refresh_expires_at: new Date(now + seconds("x_refresh_token_expires_in", 8_726_400) * 1000).toISOString(),
    obtained_at: new Date(now).toISOString(),
  };
}

async function send(options: OAuthClientOptions, url: string, init: RequestInit, what: string): Promise<Response> {
  try {
    return await options.fetch(url, init);
  } catch (error) {
    throw new QboOAuthError(`QuickBooks could not ${what}: no answer from ${new URL(url).host} (${(error as Error).message})`, 0, "", error);
  }
}

function basicAuth(options: { clientId: string; clientSecret: string }): { Authorization: string } {
  if (!options.clientId || !options.clientSecret) throw new QboConfigError("QBO_CLIENT_ID and QBO_CLIENT_SECRET are required to talk to Intuit's OAuth server");
  return { Authorization: `Basic ${bytesToBase64(utf8.encode(`${options.clientId}:${options.clientSecret}`))}` };
}

async function safeText(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return "";
  }
}
