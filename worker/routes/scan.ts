import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf, readJson } from "../http.ts";
import { enqueueScan } from "../scan/enqueue.ts";
import { getRun } from "../scan/store.ts";

const scanRequest = z.object({
  as_of: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD")
    .optional(),
});

export const scan = new Hono<AppEnv>()
  /** Queues a Reliability Scan of `?company=<id>`; the work runs in the queue consumer. */
  .post("/", async (c) => {
    const companyId = companyOf(c);
    const { as_of } = await readJson(c, scanRequest);
    const message = await enqueueScan(c.env, companyId, "api", c.get("requestId"), as_of);
    return c.json(
      { run_id: message.run_id, company_id: companyId, status: "queued", status_url: `/v1/scan/status/${message.run_id}` },
      202,
    );
  })
  .get("/status/:runId", async (c) => {
    const run = await getRun(c.env.DB, c.req.param("runId"));
    if (!run) throw new ApiError(404, "RUN_NOT_FOUND", `No scan run with id ${c.req.param("runId")}`);
    return c.json({
      run_id: run.runId,
      company_id: run.companyId,
      status: run.status,
      trigger: run.trigger,
      as_of: run.asOf,
      requested_at: run.requestedAt,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      attempts: run.attempts,
      incident_count: run.incidentCount,
      error: run.error,
    });
  })
  .get("/manifest/:runId", async (c) => {
    const run = await getRun(c.env.DB, c.req.param("runId"));
    if (!run) throw new ApiError(404, "RUN_NOT_FOUND", `No scan run with id ${c.req.param("runId")}`);
    if (!run.manifestJson) {
      throw new ApiError(409, "RUN_NOT_COMPLETED", `Scan run ${run.runId} is ${run.status}; its manifest exists once it completes`);
    }
    return c.json(JSON.parse(run.manifestJson) as unknown);
  });
