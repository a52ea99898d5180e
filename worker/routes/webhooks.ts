/**
 * `POST /v1/webhooks/qbo`: QuickBooks change notifications. Authenticated by the
 * `intuit-signature` header (base64 HMAC-SHA256 of the raw body with the verifier token, compared
 * in constant time): a bad signature gets 401 and nothing is stored. Both payload formats are
 * accepted. The work is only enqueued, so the answer comes in milliseconds (Intuit wants it
 * within 3 s); notifications for realms nobody connected are logged and dropped.
 */
import { Hono } from "hono";
import { parseWebhookBody, verifyIntuitSignature, WebhookPayloadError } from "../../src/connectors/qbo/webhooks.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { connectionsByRealm, noteWebhook } from "../qbo/connections.ts";
import { CHANGES_PER_MESSAGE, type QboMessage } from "../qbo/messages.ts";

/** Intuit's notification bodies are small; anything this large is not one. */
const MAX_WEBHOOK_BYTES = 1_000_000;

export const webhooks = new Hono<AppEnv>().post("/qbo", async (c) => {
  const log = c.get("logger");
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > MAX_WEBHOOK_BYTES) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `A QuickBooks notification is never larger than ${MAX_WEBHOOK_BYTES} bytes`);
  const raw = new Uint8Array(await c.req.arrayBuffer());
  if (raw.byteLength > MAX_WEBHOOK_BYTES) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `A QuickBooks notification is never larger than ${MAX_WEBHOOK_BYTES} bytes`);
  const token = c.env.QBO_WEBHOOK_VERIFIER_TOKEN;
  if (!token) throw new ApiError(500, "MISCONFIGURED", "QBO_WEBHOOK_VERIFIER_TOKEN is not set");
  if (!(await verifyIntuitSignature(raw, c.req.header("intuit-signature"), token))) {
    log.warn("qbo_webhook_bad_signature", { bytes: raw.byteLength, has_header: c.req.header("intuit-signature") !== undefined });
    throw new ApiError(401, "INVALID_SIGNATURE", "The intuit-signature header does not match the body (check the webhook verifier token)");
  }
  let changes;
  try {
    changes = parseWebhookBody(new TextDecoder().decode(raw));
  } catch (error) {
    if (error instanceof WebhookPayloadError) throw new ApiError(400, "MALFORMED_NOTIFICATION", `Not a QuickBooks notification: ${error.message}`);
    throw error;
  }
  const realms = [...new Set(changes.map((ch) => ch.realmId))];
  const known = await connectionsByRealm(c.env.DB, realms);
  const messages: QboMessage[] = [];
  let dropped = 0;
  for (const realm of realms) {
    const connection = known.get(realm);
    const forRealm = changes.filter((ch) => ch.realmId === realm && ch.entityType !== undefined);
    if (!connection || connection.status === "disconnected") {
      dropped += changes.filter((ch) => ch.realmId === realm).length;
      log.warn("qbo_webhook_unknown_realm", { realm_id: realm, changes: changes.filter((ch) => ch.realmId === realm).length });
      continue;
    }
    for (let i = 0; i < forRealm.length; i += CHANGES_PER_MESSAGE) {
      messages.push({ kind: "changes", realm_id: realm, changes: forRealm.slice(i, i + CHANGES_PER_MESSAGE), request_id: c.get("requestId") });
    }
  }
  for (let i = 0; i < messages.length; i += 100) await c.env.QBO_QUEUE.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  const accepted = realms.filter((r) => known.has(r) && known.get(r)!.status !== "disconnected");
  await noteWebhook(c.env.DB, accepted, new Date().toISOString()).catch((error: Error) => log.warn("qbo_webhook_note_failed", { error: error.message }));
  log.info("qbo_webhook_received", { changes: changes.length, messages: messages.length, dropped });
  return c.json({ received: changes.length, enqueued: messages.reduce((n, m) => n + (m.kind === "changes" ? m.changes.length : 0), 0), dropped });
});
