import { describe, expect, it } from "vitest";
import { sign } from "hono/jwt";
import { ADMIN_SECRET, adminToken, authed, call, envelopeOf } from "./helpers.ts";

describe("request ids and the error envelope", () => {
  it("keeps an incoming X-Request-ID and generates one otherwise", async () => {
    const kept = await call("/v1/health", { headers: { "x-request-id": "trace-abc.123" } });
    expect(kept.headers.get("x-request-id")).toBe("trace-abc.123");
    const generated = await call("/v1/health");
    expect(generated.headers.get("x-request-id")).toMatch(/^req_[0-9a-f-]{36}$/);
    const hostile = await call("/v1/health", { headers: { "x-request-id": "<script>" } });
    expect(hostile.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("answers an unknown route with a 404 envelope", async () => {
    const response = await call("/v1/nope");
    expect(response.status).toBe(404);
    const { error } = await envelopeOf(response);
    expect(error.code).toBe("NOT_FOUND");
    expect(error.message).toContain("/v1/nope");
    expect(Date.parse(error.timestamp)).not.toBeNaN();
  });

  it("answers malformed JSON with a 400 envelope", async () => {
    const response = await call("/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: "{secret:" });
    expect(response.status).toBe(400);
    expect((await envelopeOf(response)).error.code).toBe("MALFORMED_JSON");
  });

  it("answers a wrong content type with 415", async () => {
    const response = await call("/v1/auth/token", { method: "POST", headers: { "content-type": "text/plain" }, body: "secret" });
    expect(response.status).toBe(415);
    expect((await envelopeOf(response)).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("names the missing field", async () => {
    const response = await call("/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(response.status).toBe(422);
    const { error } = await envelopeOf(response);
    expect(error.message).toContain("'secret'");
  });
});

describe("admin auth", () => {
  it("issues an HS256 token with an expiry for the right secret only", async () => {
    const wrong = await call("/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ secret: "guess" }) });
    expect(wrong.status).toBe(401);
    expect((await envelopeOf(wrong)).error.code).toBe("INVALID_SECRET");
    const right = await call("/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ secret: ADMIN_SECRET }) });
    expect(right.status).toBe(200);
    const grant = (await right.json()) as { token: string; expires_at: string };
    const header = JSON.parse(atob(grant.token.split(".")[0]!));
    expect(header.alg).toBe("HS256");
    const ttl = Date.parse(grant.expires_at) - Date.now();
    expect(ttl).toBeGreaterThan(3500_000);
    expect(ttl).toBeLessThanOrEqual(3600_000);
  });

  it("rejects missing, forged and expired tokens on admin routes with 401", async () => {
    const missing = await call("/v1/incidents");
    expect(missing.status).toBe(401);
    expect((await envelopeOf(missing)).error.code).toBe("AUTH_REQUIRED");

    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: "admin", role: "admin", iss: "bre-workspace", aud: "bre-admin", iat: now, nbf: now, exp: now + 600 };
    const forged = await authed("/v1/incidents", await sign(claims, "not-the-secret", "HS256"));
    expect(forged.status).toBe(401);
    expect((await envelopeOf(forged)).error.code).toBe("TOKEN_INVALID");

    const expired = await authed("/v1/incidents", await sign({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }, ADMIN_SECRET, "HS256"));
    expect(expired.status).toBe(401);
    expect((await envelopeOf(expired)).error.code).toBe("TOKEN_EXPIRED");

    const valid = await authed("/v1/incidents", await adminToken());
    expect(valid.status).toBe(200);
  });

  it("refuses the development login when a real secret is configured", async () => {
    const response = await call("/v1/auth/dev-token", { method: "POST" });
    expect(response.status).toBe(403);
  });
});

describe("health and config", () => {
  it("checks each binding", async () => {
    const response = await call("/v1/health");
    const body = (await response.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(Object.keys(body.checks).sort()).toEqual(["assets", "company_log", "d1", "r2_bronze", "r2_exports", "scan_queue"]);
    for (const name of ["d1", "r2_bronze", "r2_exports", "company_log", "scan_queue"]) expect(body.checks[name]!.ok).toBe(true);
  });

  it("reports versions, thresholds and limits without secrets", async () => {
    const response = await call("/v1/config");
    const text = await response.text();
    expect(text).not.toContain(ADMIN_SECRET);
    const config = JSON.parse(text);
    expect(config.schema_versions.canonical).toBe("canonical_v1");
    expect(config.detection.baselineDays).toBe(30);
    expect(config.detection.holidayShadow).toEqual({ businessDays: 3, unlessZ: 5 });
    // Each rule says what a firing day must also show: the supplier rule, one supplier's cluster.
    const supplier = config.incident_rules.find((r: { type: string }) => r.type === "SUPPLIER_DEPENDENCY_FAILURE");
    expect(supplier.checks.count).toMatchObject({ byEntity: "v:shipment_delayed:", appliesTo: ["supplier_delay_rate"], minZ: 2 });
    expect(config.incident_rules.find((r: { type: string }) => r.type === "LIQUIDITY_CRUNCH_RISK").checks.opener.key).toBe("state:ar_aged_amount");
    expect(config.metrics).toHaveLength(27);
    expect(config.limits.max_upload_bytes).toBe(2_000_000);
  });
});
