import { Hono } from "hono";
import { drizzle } from "drizzle-orm/d1";
import { and, eq } from "drizzle-orm";
import { formatFrom } from "../../src/connectors/files/records.ts";
import { ingestJobs, qualityReports } from "../db/schema.ts";
import { type AppEnv, numberVar } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf } from "../http.ts";
import { ingestUpload } from "../ingest/upload.ts";

export const ingest = new Hono<AppEnv>()
  /**
   * Canonical events as NDJSON (application/x-ndjson), a JSON array (application/json) or CSV
   * (text/csv), for `?company=<id>` (default demo).
   */
  .post("/upload", async (c) => {
    const companyId = companyOf(c);
    const contentType = c.req.header("content-type") ?? "";
    const format = formatFrom(contentType);
    if (!format) {
      throw new ApiError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `Upload canonical events as application/x-ndjson, application/json (an array) or text/csv (got ${contentType || "no Content-Type"})`,
      );
    }
    const body = c.req.raw.body;
    if (!body) throw new ApiError(400, "EMPTY_BODY", "The upload body is empty; send canonical events as NDJSON, a JSON array or CSV");
    const lengthHeader = c.req.header("content-length");
    const source = c.req.query("source") ?? "upload";
    if (!/^[a-z0-9_.-]{1,64}$/i.test(source)) throw new ApiError(422, "VALIDATION_FAILED", "Query parameter 'source' must be 1–64 letters, digits, '.', '_' or '-'");
    const result = await ingestUpload(c.env, {
      companyId,
      body,
      contentLength: lengthHeader ? Number(lengthHeader) : null,
      format,
      maxBytes: numberVar(c.env.MAX_UPLOAD_BYTES, 104_857_600),
      requestId: c.get("requestId"),
      logger: c.get("logger"),
      source,
    });
    return c.json(result, 201);
  })
  .get("/status/:jobId", async (c) => {
    const jobId = c.req.param("jobId");
    const job = await drizzle(c.env.DB).select().from(ingestJobs).where(eq(ingestJobs.jobId, jobId)).get();
    if (!job) throw new ApiError(404, "JOB_NOT_FOUND", `No ingestion job with id ${jobId}`);
    return c.json({
      job_id: job.jobId,
      batch_id: job.batchId,
      company_id: job.companyId,
      kind: job.kind,
      status: job.status,
      format: job.format,
      bytes: job.bytes,
      sha256: job.sha256,
      bronze_key: job.bronzeKey,
      records: job.records,
      accepted: job.accepted,
      duplicates: job.duplicates,
      rejected: job.rejected,
      rejections: JSON.parse(job.rejectionsJson) as unknown[],
      rejections_truncated: job.rejectionsTruncated,
      error: job.error,
      started_at: job.startedAt,
      finished_at: job.finishedAt,
    });
  })
  .get("/quality/:batchId", async (c) => {
    const batchId = c.req.param("batchId");
    const row = await drizzle(c.env.DB).select().from(qualityReports).where(and(eq(qualityReports.batchId, batchId))).get();
    if (!row) throw new ApiError(404, "BATCH_NOT_FOUND", `No data-quality report for batch ${batchId}`);
    return c.json(JSON.parse(row.reportJson) as unknown);
  });
