import { createExecutionContext, createMessageBatch, createScheduledController, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../worker/index.ts";
import type { ScanMessage } from "../worker/scan/store.ts";
import { refundSpikeEvents } from "./fixtures.ts";
import { adminToken, authed, ndjson } from "./helpers.ts";

type Run = { run_id: string; company_id: string; status: string; trigger: string; error: string | null };

async function runs(trigger: string): Promise<Run[]> {
  const { results } = await env.DB.prepare("SELECT run_id, company_id, status, trigger, error FROM scan_runs WHERE trigger = ? ORDER BY company_id").bind(trigger).all<Run>();
  return results;
}

describe("cron", () => {
  it("enqueues one daily scan per company, and the queue runs them", async () => {
    const token = await adminToken();
    for (const company of ["north", "south"]) {
      const response = await authed(`/v1/ingest/upload?company=${company}`, token, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: ndjson(refundSpikeEvents(company)) });
      expect(response.status).toBe(201);
    }
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 3 * * *", scheduledTime: Date.now() }), env as never, ctx);
    await waitOnExecutionContext(ctx);
    expect((await runs("cron")).map((r) => r.company_id)).toEqual(["north", "south"]);

    for (let i = 0; i < 100 && (await runs("cron")).some((r) => r.status !== "completed"); i++) await new Promise((r) => setTimeout(r, 200));
    expect((await runs("cron")).map((r) => r.status)).toEqual(["completed", "completed"]);
  });
});

describe("dead-letter queue", () => {
  it("marks a run that exhausted its retries as failed", async () => {
    const message: ScanMessage = { run_id: "run_dead", company_id: "ghost", request_id: "req_dead" };
    await env.DB.prepare("INSERT INTO scan_runs (run_id, company_id, status, trigger, requested_at, attempts) VALUES (?, ?, 'queued', 'api', ?, 3)")
      .bind(message.run_id, message.company_id, new Date().toISOString())
      .run();
    const batch = createMessageBatch<ScanMessage>("bre-scan-dlq", [{ id: "m1", timestamp: new Date(), attempts: 1, body: message }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as never, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual(["m1"]);
    const run = await env.DB.prepare("SELECT status, error FROM scan_runs WHERE run_id = ?").bind("run_dead").first<{ status: string; error: string }>();
    expect(run).toEqual({ status: "failed", error: expect.stringMatching(/failed on every retry/) });
    const status = (await (await authed("/v1/scan/status/run_dead", await adminToken())).json()) as { status: string };
    expect(status.status).toBe("failed");
  });

  it("asks the queue to retry a scan that throws", async () => {
    const message = { run_id: "run_broken", company_id: "x", request_id: "req" } as ScanMessage;
    await env.DB.prepare("INSERT INTO scan_runs (run_id, company_id, status, trigger, requested_at) VALUES (?, ?, 'queued', 'api', ?)").bind("run_broken", "x", new Date().toISOString()).run();
    // as_of that is not a day makes the scan's day range throw inside the consumer
    const batch = createMessageBatch<ScanMessage>("bre-scan", [{ id: "m2", timestamp: new Date(), attempts: 1, body: { ...message, as_of: "not-a-day" } }]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env as never, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["m2"]);
    const run = await env.DB.prepare("SELECT status, error FROM scan_runs WHERE run_id = ?").bind("run_broken").first<{ status: string; error: string }>();
    expect(run?.status).toBe("queued");
    expect(run?.error).toMatch(/^retrying after:/);
  });
});
