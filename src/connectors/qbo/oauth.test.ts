import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.ts";
import { FetchDouble, json } from "../../../test/fetch-double.ts";
import {
  accessTokenNeedsRefresh,
  authorizeUrl,
  exchangeCode,
  QboConfigError,
  qboEndpoints,
  QboOAuthError,
  refreshTokenExpired,
  refreshTokens,
  revokeToken,
} from "./oauth.ts";

const sandbox = qboEndpoints({});

describe("qboEndpoints", () => {
  it("defaults to Intuit's sandbox, switches to production, and takes overrides", () => {
    expect(sandbox).toEqual({
      environment: "sandbox",
      apiBase: "https://sandbox-quickbooks.api.intuit.com",
      authorizeUrl: "https://appcenter.intuit.com/connect/oauth2",
      tokenUrl: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
      revokeUrl: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
    });
    expect(qboEndpoints({ QBO_ENVIRONMENT: "production" }).apiBase).toBe("https://quickbooks.api.intuit.com");
    const local = qboEndpoints({
      QBO_API_BASE: "http://127.0.0.1:8790/",
      QBO_AUTHORIZE_URL: "http://127.0.0.1:8790/connect/oauth2",
      QBO_TOKEN_URL: "http://127.0.0.1:8790/oauth2/v1/tokens/bearer",
      QBO_REVOKE_URL: "http://127.0.0.1:8790/v2/oauth2/tokens/revoke",
    });
    expect(local).toMatchObject({ environment: "sandbox", apiBase: "http://127.0.0.1:8790", tokenUrl: "http://127.0.0.1:8790/oauth2/v1/tokens/bearer" });
  });

  it("names the setting that is wrong", () => {
    expect(() => qboEndpoints({ QBO_ENVIRONMENT: "prod" })).toThrow(new QboConfigError('QBO_ENVIRONMENT must be "sandbox" or "production", got "prod"'));
    expect(() => qboEndpoints({ QBO_TOKEN_URL: "localhost:8790" })).toThrow(/QBO_TOKEN_URL must be an http\(s\) URL/);
    expect(() => qboEndpoints({ QBO_API_BASE: "not a url" })).toThrow('QBO_API_BASE must be an absolute URL, got "not a url"');
  });
});

describe("authorizeUrl", () => {
  it("asks for the accounting scope with the state and redirect URI, spaces encoded as %20", () => {
    expect(authorizeUrl({ endpoints: sandbox, clientId: "ABc123", redirectUri: "http://localhost:8787/v1/connect/quickbooks/callback", state: "s.t" })).toBe(
      "https://appcenter.intuit.com/connect/oauth2?client_id=ABc123&response_type=code&scope=com.intuit.quickbooks.accounting" +
        "&redirect_uri=http%3A%2F%2Flocalhost%3A8787%2Fv1%2Fconnect%2Fquickbooks%2Fcallback&state=s.t",
    );
    const url = new URL(authorizeUrl({ endpoints: sandbox, clientId: "c", redirectUri: "https://x/cb", state: "s", scopes: ["com.intuit.quickbooks.accounting", "openid"] }));
    expect(url.searchParams.get("scope")).toBe("com.intuit.quickbooks.accounting openid");
  });
});

const intuitTokens = {
  token_type: "bearer",
  access_token: "eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..access",
  refresh_token: "AB11728000000refresh",
  expires_in: 3600,
  x_refresh_token_expires_in: 8726400,
};

describe("token endpoint", () => {
  it("exchanges the code with Basic client authentication and a form body, and dates the expiries", async () => {
    const clock = new FakeClock(Date.parse("2026-01-15T12:00:00Z"));
    const f = new FetchDouble().answer(json(200, intuitTokens));
    const tokens = await exchangeCode({
      endpoints: sandbox,
      clientId: "client",
      clientSecret: "secret",
      fetch: f.fetch,
      now: clock.now,
      code: "AB11-code",
      redirectUri: "https://bre.example/v1/connect/quickbooks/callback",
    });
    const request = f.requests[0]!;
    expect(request.url.toString()).toBe(sandbox.tokenUrl);
    // base64("client:secret") = "Y2xpZW50OnNlY3JldA=="
    expect(request.headers.get("Authorization")).toBe("Basic Y2xpZW50OnNlY3JldA==");
    expect(request.headers.get("Content-Type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: "authorization_code",
      code: "AB11-code",
      redirect_uri: "https://bre.example/v1/connect/quickbooks/callback",
    });
    expect(tokens).toEqual({
      access_token: intuitTokens.access_token,
      refresh_token: intuitTokens.refresh_token,
      token_type: "bearer",
      access_expires_at: "2026-01-15T13:00:00.000Z", // + 3600 s
      refresh_expires_at: "2026-04-26T12:00:00.000Z", // + 8,726,400 s = 101 days: 16 left in Jan + 28 + 31 + 26 April
      obtained_at: "2026-01-15T12:00:00.000Z",
    });
  });

  it("refreshes with the stored refresh token and keeps the rotated one Intuit returns", async () => {
    const clock = new FakeClock();
    const f = new FetchDouble().answer(json(200, { ...intuitTokens, refresh_token: "rotated" }));
    const tokens = await refreshTokens({ endpoints: sandbox, clientId: "c", clientSecret: "s", fetch: f.fetch, now: clock.now, refreshToken: "old" });
    expect(Object.fromEntries(new URLSearchParams(f.requests[0]!.body))).toEqual({ grant_type: "refresh_token", refresh_token: "old" });
    expect(tokens.refresh_token).toBe("rotated");
  });

  it("reports invalid_grant as needing a new connection, and 5xx as retryable", async () => {
    const clock = new FakeClock();
    const base = { endpoints: sandbox, clientId: "c", clientSecret: "s", now: clock.now, refreshToken: "old" };
    const gone = (await refreshTokens({ ...base, fetch: new FetchDouble().answer(json(400, { error: "invalid_grant" })).fetch }).catch((e: unknown) => e)) as QboOAuthError;
    expect(gone).toBeInstanceOf(QboOAuthError);
    expect(gone.message).toBe("QuickBooks could not refresh the access token: HTTP 400 (invalid_grant)");
    expect(gone.needsReconnect).toBe(true);
    expect(gone.retryable).toBe(false);
    const down = (await refreshTokens({ ...base, fetch: new FetchDouble().answer(new Response("oops", { status: 503 })).fetch }).catch((e: unknown) => e)) as QboOAuthError;
    expect(down.retryable).toBe(true);
    const partial = refreshTokens({ ...base, fetch: new FetchDouble().answer(json(200, { access_token: "a" })).fetch });
    await expect(partial).rejects.toThrow("QuickBooks could not refresh the access token: the answer has no refresh_token");
  });

  it("revokes with a JSON body, and treats an already revoked token as done", async () => {
    const clock = new FakeClock();
    const f = new FetchDouble().answer(new Response("", { status: 200 }), json(400, { error: "invalid_token" }));
    const options = { endpoints: sandbox, clientId: "c", clientSecret: "s", fetch: f.fetch, now: clock.now, token: "AB11-refresh" };
    await revokeToken(options);
    await revokeToken(options);
    expect(f.requests[0]!.url.toString()).toBe(sandbox.revokeUrl);
    expect(f.requests[0]!.headers.get("Content-Type")).toBe("application/json");
    expect(JSON.parse(f.requests[0]!.body)).toEqual({ token: "AB11-refresh" });
  });

  it("refuses to call Intuit without client credentials", async () => {
    const clock = new FakeClock();
    const call = exchangeCode({ endpoints: sandbox, clientId: "", clientSecret: "", fetch: new FetchDouble().fetch, now: clock.now, code: "x", redirectUri: "https://x" });
    await expect(call).rejects.toThrow("QBO_CLIENT_ID and QBO_CLIENT_SECRET are required");
  });
});

describe("token expiry", () => {
  const tokens = { access_expires_at: "2026-01-15T13:00:00.000Z", refresh_expires_at: "2026-04-25T12:00:00.000Z" };
  it("refreshes from 5 minutes before the access token expires", () => {
    expect(accessTokenNeedsRefresh(tokens, Date.parse("2026-01-15T12:54:59.999Z"))).toBe(false);
    expect(accessTokenNeedsRefresh(tokens, Date.parse("2026-01-15T12:55:00.000Z"))).toBe(true);
  });
  it("knows when the refresh token is gone", () => {
    expect(refreshTokenExpired(tokens, Date.parse("2026-04-25T11:59:59Z"))).toBe(false);
    expect(refreshTokenExpired(tokens, Date.parse("2026-04-25T12:00:00Z"))).toBe(true);
  });
});
