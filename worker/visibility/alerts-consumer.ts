/**
 * The alerts queue consumer. Each batch (up to 100 alert items collected for up to 0.1 s)
 * becomes one message per burst (src/visibility/alerts.ts), delivered to the Slack incoming webhook
 * when SLACK_WEBHOOK_URL is set and recorded in `visibility_alerts` either way (with no webhook,
 * that table is the local sink). Delivery records `alerted_at` for the announced conflicts
 * (`visibility_alerted`): the end of their time to detect. A refused or failed delivery retries the batch with backoff (honouring
 * Slack's Retry-After); after the last retry the dead-letter consumer records it as dead.
 */
import { groupAlerts, type AlertItem, type AlertMessage } from "../../src/visibility/alerts.ts";
import { stableId } from "../../src/ids.ts";
import type { Bindings } from "../env.ts";
import { createLogger, errorFields } from "../logger.ts";
import { chunks } from "./mirror.ts";

export class AlertDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
    this.name = "AlertDeliveryError";
  }
}

/** One id per message content, so a retried batch does not post a message twice. */
export function alertIdOf(message: AlertMessage): string {
  return stableId("visibility-alert", ...message.conflict_ids, ...message.escalations.map((e) => `${e.conflict_id}@${e.level}`));
}

/** Posts one Block Kit message to a Slack incoming webhook. */
export async function postToSlack(webhookUrl: string, message: AlertMessage, fetcher: typeof fetch = fetch): Promise<void> {
  let response: Response;
  try {
    response = await fetcher(webhookUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(message.message) });
  } catch (error) {
    throw new AlertDeliveryError(`Slack webhook unreachable: ${(error as Error).message}`, null);
  }
  if (response.ok) return;
  const retryAfter = Number(response.headers.get("retry-after"));
  const text = (await response.text().catch(() => "")).slice(0, 200);
  throw new AlertDeliveryError(`Slack webhook answered ${response.status}${text ? `: ${text}` : ""}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null);
}

export async function deliverAlerts(env: Bindings, items: readonly AlertItem[], attempts: number, fetcher: typeof fetch = fetch): Promise<{ delivered: number; skipped: number }> {
  const messages = groupAlerts(items, { gap_ms: 60_000, dashboard_url: env.VISIBILITY_DASHBOARD_URL ?? null });
  let delivered = 0;
  let skipped = 0;
  for (const message of messages) {
    const alertId = alertIdOf(message);
    const webhook = env.SLACK_WEBHOOK_URL;
    if (webhook) {
      // A retried batch must not post a message twice.
      const already = await env.DB.prepare("SELECT 1 AS x FROM visibility_alerts WHERE alert_id = ?").bind(alertId).first();
      if (already) {
        skipped++;
        continue;
      }
      await postToSlack(webhook, message, fetcher);
    }
    const sentAt = new Date().toISOString();
    const statements: D1PreparedStatement[] = [
      env.DB.prepare(
        `INSERT OR IGNORE INTO visibility_alerts (alert_id, created_at, destination, status, attempts, conflict_count, escalation_count, conflict_ids_json, message_json, error)
         VALUES (?, ?, ?, 'sent', ?, ?, ?, ?, ?, NULL)`,
      ).bind(alertId, sentAt, webhook ? "slack" : "local", attempts, message.conflict_ids.length, message.escalations.length, JSON.stringify(message.conflict_ids), JSON.stringify(message.message)),
      ...chunks(message.conflict_ids, 50).map((ids) =>
        env.DB.prepare(`INSERT OR IGNORE INTO visibility_alerted (conflict_id, alerted_at) VALUES ${ids.map(() => "(?, ?)").join(", ")}`).bind(
          ...ids.flatMap((id) => [id, sentAt]),
        ),
      ),
    ];
    const [inserted] = await env.DB.batch(statements);
    // Without a webhook the local sink's insert is the delivery; a repeat of a recorded message is skipped.
    if (!webhook && inserted?.meta.changes === 0) skipped++;
    else delivered++;
  }
  return { delivered, skipped };
}

export async function handleAlertBatch(batch: MessageBatch<AlertItem>, env: Bindings): Promise<void> {
  const attempts = Math.max(...batch.messages.map((m) => m.attempts));
  try {
    const result = await deliverAlerts(env, batch.messages.map((m) => m.body), attempts);
    createLogger({ queue: batch.queue }).debug("visibility_alerts_delivered", { items: batch.messages.length, ...result });
    batch.ackAll();
  } catch (error) {
    const retryAfter = error instanceof AlertDeliveryError ? error.retryAfterSeconds : null;
    createLogger({ queue: batch.queue }).warn("visibility_alerts_retry", { items: batch.messages.length, attempt: attempts, ...errorFields(error) });
    batch.retryAll({ delaySeconds: Math.min(300, retryAfter ?? 2 ** attempts) });
  }
}

/** Alerts that failed every retry: recorded as dead so the page and the API show them. */
export async function handleDeadAlerts(batch: MessageBatch<AlertItem>, env: Bindings): Promise<void> {
  const messages = groupAlerts(batch.messages.map((m) => m.body), { gap_ms: 60_000, dashboard_url: env.VISIBILITY_DASHBOARD_URL ?? null });
  const now = new Date().toISOString();
  await env.DB.batch(
    messages.map((message) =>
      env.DB.prepare(
        `INSERT OR IGNORE INTO visibility_alerts (alert_id, created_at, destination, status, attempts, conflict_count, escalation_count, conflict_ids_json, message_json, error)
         VALUES (?, ?, ?, 'dead', ?, ?, ?, ?, ?, ?)`,
      ).bind(
        alertIdOf(message),
        now,
        env.SLACK_WEBHOOK_URL ? "slack" : "local",
        Math.max(...batch.messages.map((m) => m.attempts)),
        message.conflict_ids.length,
        message.escalations.length,
        JSON.stringify(message.conflict_ids),
        JSON.stringify(message.message),
        "delivery failed on every retry; see the logs",
      ),
    ),
  );
  createLogger({ queue: batch.queue }).error("visibility_alerts_dead_lettered", { items: batch.messages.length, messages: messages.length });
  batch.ackAll();
}
