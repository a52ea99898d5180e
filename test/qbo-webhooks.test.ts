/**
 * `POST /v1/webhooks/qbo` inside workerd: signature, both formats, unknown realms, bad bodies.
 * (Delivery through the queue to the log, with duplicates and faults, is in qbo-e2e.test.ts.)
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cloudEventsWebhookBody, intuitSignature, legacyWebhookBody } from "../src/connectors/qbo/webhooks.ts";
import { call, envelopeOf } from "./helpers.ts";

const TOKEN = "test-verifier-token";
const REALM = "4620816365000000042";

async function post(body: string, signature?: string) {
  return call("/v1/webhooks/qbo", {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature === undefined ? {} : { "intuit-signature": signature }) },
    body,
  });
}

async function connectionRow(realm: string) {
  return env.DB.prepare("SELECT status, last_webhook_at, last_error FROM qbo_connections WHERE realm_id = ?").bind(realm).first<{ status: string; last_webhook_at: string | null; last_error: string | null }>();
}

async function seedConnection(realm: string, company: string) {
  const now = new Date().toISOString();
  await env.DB.prepare(
    "INSERT INTO qbo_connections (realm_id, company_id, status, environment, connected_at, updated_at) VALUES (?, ?, 'connected', 'sandbox', ?, ?)",
  )
    .bind(realm, company, now, now)
    .run();
}

const notification = legacyWebhookBody(REALM, [{ name: "Invoice", id: "130", operation: "Create", lastUpdated: "2026-03-02T10:00:00.000Z" }]);

describe("POST /v1/webhooks/qbo", () => {
  it("answers 401 to a bad or missing signature and stores nothing", async () => {
    await seedConnection(REALM, "hooks-co");
    const forged = await intuitSignature(notification, "not-the-verifier-token");
    for (const signature of [forged, undefined, "", "%%%"]) {
      const response = await post(notification, signature);
      expect(response.status).toBe(401);
      expect((await envelopeOf(response)).error.code).toBe("INVALID_SIGNATURE");
    }
    // Signed correctly but altered after signing: also rejected.
    const signed = await intuitSignature(notification, TOKEN);
    expect((await post(notification.replace("130", "131"), signed)).status).toBe(401);

    await new Promise((r) => setTimeout(r, 1_500)); // anything enqueued would have been consumed by now
    expect(await connectionRow(REALM)).toMatchObject({ status: "connected", last_webhook_at: null, last_error: null });
    expect((await env.BRONZE.list({ prefix: "bronze/qbo/" })).objects).toEqual([]);
    const log = env.COMPANY_LOG.get(env.COMPANY_LOG.idFromName("hooks-co"));
    expect((await log.stats()).events).toBe(0);
  });

  it("accepts a signed notification in either format and answers at once", async () => {
    const legacy = await post(notification, await intuitSignature(notification, TOKEN));
    expect(legacy.status).toBe(200);
    expect(await legacy.json()).toEqual({ received: 1, enqueued: 1, dropped: 0 });
    expect(legacy.headers.get("x-request-id")).toBeTruthy();
    const cloud = cloudEventsWebhookBody(REALM, [{ name: "Customer", id: "7", operation: "Update", lastUpdated: "2026-03-02T10:00:00.000Z", eventId: "e-1" }]);
    const response = await post(cloud, await intuitSignature(cloud, TOKEN));
    expect(await response.json()).toEqual({ received: 1, enqueued: 1, dropped: 0 });
    expect((await connectionRow(REALM))!.last_webhook_at).not.toBeNull();
  });

  it("logs and drops notifications for a realm nobody connected", async () => {
    const body = legacyWebhookBody("999000111", [{ name: "Invoice", id: "1", operation: "Update", lastUpdated: "2026-03-02T10:00:00.000Z" }]);
    const response = await post(body, await intuitSignature(body, TOKEN));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 1, enqueued: 0, dropped: 1 });
    expect(await connectionRow("999000111")).toBeNull();
  });

  it("answers 400 to a signed body that is not a QuickBooks notification", async () => {
    const body = '{"hello":"world"}';
    const response = await post(body, await intuitSignature(body, TOKEN));
    expect(response.status).toBe(400);
    expect((await envelopeOf(response)).error.code).toBe("MALFORMED_NOTIFICATION");
  });
});
