/** The Slack sender and the alerts queue: Block Kit delivery, retries with backoff, no double posts, the dead-letter queue. */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../worker/index.ts";
import type { AlertItem } from "../src/visibility/alerts.ts";
import { conflictFixture } from "../src/visibility/test-fixtures.ts";
import { AlertDeliveryError, deliverAlerts, postToSlack } from "../worker/visibility/alerts-consumer.ts";
import type { Bindings } from "../worker/env.ts";

function item(id: string): AlertItem {
  const c = conflictFixture({ conflict_id: id, detected_at: new Date().toISOString() });
  return { kind: "conflict", at: c.detected_at, conflict: c };
}

function recordingFetch(status = 200, headers: Record<string, string> = {}) {
  const calls: { url: string; body: unknown }[] = [];
  const fetcher = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: JSON.parse(String(init?.body)) });
    return new Response(status === 200 ? "ok" : "rate_limited", { status, headers });
  }) as typeof fetch;
  return { calls, fetcher };
}

const withSlack = { ...env, SLACK_WEBHOOK_URL: "https://hooks.slack.test/services/T/B/X" } as unknown as Bindings;

describe("Slack delivery", () => {
  it("posts one Block Kit message per batch and records it, once even when the batch is retried", async () => {
    const { calls, fetcher } = recordingFetch();
    const items = ["s-1", "s-2", "s-3"].map(item);
    expect(await deliverAlerts(withSlack, items, 1, fetcher)).toEqual({ delivered: 1, skipped: 0 });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe("https://hooks.slack.test/services/T/B/X");
    expect(calls[0]!.body).toMatchObject({ text: "Visibility layer: 3 new conflicts", blocks: expect.arrayContaining([expect.objectContaining({ type: "header" })]) });
    expect(await deliverAlerts(withSlack, items, 2, fetcher)).toEqual({ delivered: 0, skipped: 1 });
    expect(calls).toHaveLength(1);
    const row = await env.DB.prepare("SELECT destination, status, conflict_count FROM visibility_alerts WHERE conflict_ids_json LIKE '%s-1%'").first();
    expect(row).toEqual({ destination: "slack", status: "sent", conflict_count: 3 });
  });

  it("turns Slack's 429 into a retry after the time Slack asks for", async () => {
    const { fetcher } = recordingFetch(429, { "retry-after": "7" });
    const error = await postToSlack("https://hooks.slack.test/x", { message: { text: "t", blocks: [] }, conflict_ids: [], escalations: [], window: { from: "", to: "" } }, fetcher).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).retryAfterSeconds).toBe(7);
    expect((error as Error).message).toBe("Slack webhook answered 429: rate_limited");
  });

  it("asks the queue to retry a batch it could not deliver", async () => {
    const unreachable = { ...env, SLACK_WEBHOOK_URL: "http://127.0.0.1:9/unreachable" };
    const batch = createMessageBatch<AlertItem>("bre-visibility-alerts", [{ id: "a1", timestamp: new Date(), attempts: 3, body: item("r-1") }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, unreachable as never, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryBatch.retry).toBe(true);
    expect(result.explicitAcks).toEqual([]);
  });

  it("records alerts that failed every retry as dead", async () => {
    const batch = createMessageBatch<AlertItem>("bre-visibility-alerts-dlq", [
      { id: "d1", timestamp: new Date(), attempts: 6, body: item("dead-1") },
      { id: "d2", timestamp: new Date(), attempts: 6, body: item("dead-2") },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as never, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    const row = await env.DB.prepare("SELECT status, conflict_count, error FROM visibility_alerts WHERE conflict_ids_json LIKE '%dead-1%'").first();
    expect(row).toEqual({ status: "dead", conflict_count: 2, error: "delivery failed on every retry; see the logs" });
  });
});
