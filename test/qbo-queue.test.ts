/** The QuickBooks queue and cron inside workerd: the daily sweep trigger, retries, the dead-letter queue. */
import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../worker/index.ts";
import type { QboMessage } from "../worker/qbo/messages.ts";
import { QBO_SWEEP_CRON } from "../worker/qbo/sweep.ts";

async function seed(realm: string, status: "connected" | "disconnected") {
  const now = new Date().toISOString();
  await env.DB.prepare("INSERT INTO qbo_connections (realm_id, company_id, status, environment, connected_at, updated_at) VALUES (?, ?, ?, 'sandbox', ?, ?)")
    .bind(realm, `co-${realm}`, status, now, now)
    .run();
}

async function row(realm: string) {
  return env.DB.prepare("SELECT status, backfill_status, last_error FROM qbo_connections WHERE realm_id = ?").bind(realm).first<{ status: string; backfill_status: string; last_error: string | null }>();
}

describe("QuickBooks cron and queue", () => {
  it("the 02:30 cron enqueues one sweep per connected realm (and none for disconnected ones)", async () => {
    await seed("111", "connected");
    await seed("222", "disconnected");
    const sent: unknown[] = [];
    const queue = { send: async (b: unknown) => void sent.push(b), sendBatch: async (bs: { body: unknown }[]) => void sent.push(...bs.map((b) => b.body)) };
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: QBO_SWEEP_CRON, scheduledTime: Date.now() }), { ...env, QBO_QUEUE: queue } as never, ctx);
    await waitOnExecutionContext(ctx);
    expect(sent).toEqual([{ kind: "sweep", realm_id: "111", request_id: expect.stringMatching(/^cron_/) }]);
  });

  it("marks a realm with no tokens as needing a reconnect instead of retrying forever", async () => {
    await seed("333", "connected");
    const message: QboMessage = { kind: "sweep", realm_id: "333", request_id: "req" };
    const batch = createMessageBatch<QboMessage>("bre-qbo", [{ id: "m1", timestamp: new Date(), attempts: 1, body: message }]);
    const ctx = createExecutionContext();
    await worker.queue(batch as never, env as never, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m1"]);
    expect(await row("333")).toMatchObject({ status: "stale", last_error: expect.stringMatching(/not connected/) });
  });

  it("records a backfill page that failed every retry, so the status says how to restart it", async () => {
    await seed("444", "connected");
    const message: QboMessage = { kind: "backfill", realm_id: "444", request_id: "req", type: "Invoice", start: 2001 };
    const batch = createMessageBatch<QboMessage>("bre-qbo-dlq", [{ id: "m2", timestamp: new Date(), attempts: 6, body: message }]);
    const ctx = createExecutionContext();
    await worker.queue(batch as never, env as never, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(["m2"]);
    expect(await row("444")).toMatchObject({ backfill_status: "failed", last_error: expect.stringMatching(/stopped at Invoice \(page at 2001\).*mode=backfill/) });
  });
});
