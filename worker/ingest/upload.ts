/**
 * Upload ingestion, streamed end to end so a batch of any size is never held in memory:
 *
 * 1. the body streams into R2 under a temporary key while its SHA-256 and size are measured
 *    (over the limit → 413, nothing kept);
 * 2. JSON arrays and CSV are checked for syntax first (a broken document → 400, nothing kept);
 *    NDJSON lines are independent, so a bad line is only that record's rejection;
 * 3. the raw body is kept in bronze under its content address (`bronze/uploads/<company>/<sha256>`);
 * 4. records stream back out of R2, are validated one by one, and valid ones are appended to the
 *    company's CompanyLog in batches (idempotent by event_id, 100 parameters per statement there);
 * 5. the job and its data-quality report are recorded in D1.
 */
import { drizzle } from "drizzle-orm/d1";
import { decodeUtf8, MalformedBodyError, readRecords, type RecordFormat } from "../../src/connectors/files/records.ts";
import { type CanonicalEvent, type Rejection, validateEvent } from "../../src/events/canonical.ts";
import { type DataQualityReport, QualityAccumulator } from "../../src/events/quality.ts";
import { companies, ingestJobs, qualityReports } from "../db/schema.ts";
import type { Bindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyLog } from "../http.ts";
import type { Logger } from "../logger.ts";

/** Events per CompanyLog append call. */
const APPEND_BATCH = 1_000;
/** Rejections listed in the response and the job record; the count covers them all. */
export const MAX_LISTED_REJECTIONS = 1_000;

export interface UploadRequest {
  companyId: string;
  body: ReadableStream<Uint8Array>;
  contentLength: number | null;
  format: RecordFormat;
  maxBytes: number;
  requestId: string;
  logger: Logger;
  /** Source name recorded on the batch (defaults to "upload"). */
  source: string;
}

export interface UploadResult {
  job_id: string;
  batch_id: string;
  company_id: string;
  status: "completed";
  format: RecordFormat;
  bytes: number;
  sha256: string;
  bronze_key: string;
  records: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejections: Rejection[];
  rejections_truncated: boolean;
  quality: DataQualityReport;
  started_at: string;
  finished_at: string;
}

export async function ingestUpload(env: Bindings, request: UploadRequest): Promise<UploadResult> {
  const startedAt = new Date().toISOString();
  const jobId = `job_${crypto.randomUUID()}`;
  const batchId = `batch_${crypto.randomUUID()}`;
  const log = request.logger.child({ job_id: jobId, company_id: request.companyId });
  if (request.contentLength !== null && request.contentLength > request.maxBytes) {
    throw tooLarge(request.maxBytes);
  }

  const tempKey = `tmp/uploads/${jobId}`;
  const { sha256, bytes } = await streamToR2(env.BRONZE, tempKey, request.body, request.contentLength, request.maxBytes);
  try {
    if (bytes === 0) throw new ApiError(400, "EMPTY_BODY", "The upload body is empty; send canonical events as NDJSON, a JSON array or CSV");
    if (request.format !== "ndjson") await checkSyntax(env.BRONZE, tempKey, request.format);
  } catch (error) {
    await env.BRONZE.delete(tempKey);
    if (error instanceof MalformedBodyError) {
      throw new ApiError(400, "MALFORMED_BODY", `The ${request.format.toUpperCase()} body is malformed: ${error.message}`);
    }
    throw error;
  }

  const bronzeKey = `bronze/uploads/${request.companyId}/${sha256}.${request.format}`;
  await moveTo(env.BRONZE, tempKey, bronzeKey, { company_id: request.companyId, job_id: jobId, request_id: request.requestId });

  const stub = companyLog(env, request.companyId);
  const ingestedAt = new Date().toISOString();
  const quality = new QualityAccumulator();
  const rejections: Rejection[] = [];
  let rejected = 0;
  let records = 0;
  let accepted = 0;
  let duplicates = 0;
  let batch: CanonicalEvent[] = [];
  let appendMs = 0;
  const phaseStarted = Date.now();
  // One append in flight while the next batch is parsed and validated.
  let inFlight: Promise<void> | null = null;
  let appendFailure: unknown = null;
  const flush = async () => {
    if (inFlight) await inFlight;
    inFlight = null;
    if (appendFailure) throw appendFailure;
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    const appendStarted = Date.now();
    inFlight = stub.append(sending).then(
      (result) => {
        accepted += result.accepted;
        duplicates += result.duplicates;
        appendMs += Date.now() - appendStarted;
      },
      (error: unknown) => {
        appendFailure = error;
      },
    );
  };
  const reject = (rejection: Rejection, eventType?: string) => {
    rejected++;
    quality.reject(rejection, eventType);
    if (rejections.length < MAX_LISTED_REJECTIONS) rejections.push(rejection);
  };

  const object = await env.BRONZE.get(bronzeKey);
  if (!object) throw new Error(`bronze object ${bronzeKey} vanished during ingestion`);
  for await (const item of readRecords(decodeUtf8(object.body), request.format)) {
    records++;
    if ("error" in item) {
      reject({ index: item.index, field: "(record)", reason: item.error });
      continue;
    }
    const result = validateEvent(item.record, ingestedAt);
    if (!result.ok) {
      const type = (item.record as { event_type?: unknown } | null)?.event_type;
      reject({ index: item.index, ...result.rejection }, typeof type === "string" ? type : undefined);
      continue;
    }
    quality.add(result.event);
    batch.push(result.event);
    if (batch.length >= APPEND_BATCH) await flush();
  }
  await flush();
  await flush(); // waits for the last append

  if (accepted === 0 && duplicates === 0) {
    // Nothing usable: answer with the envelope and keep nothing, not even the raw copy.
    await deleteIfUnreferenced(env, bronzeKey);
    throw new ApiError(
      422,
      "NO_VALID_EVENTS",
      records === 0 ? "The upload contains no records" : `None of the ${records} records is a valid canonical event`,
      { records, rejected, rejections, rejections_truncated: rejected > rejections.length },
    );
  }

  const report = quality.report(batchId, request.source);
  const finishedAt = new Date().toISOString();
  const db = drizzle(env.DB);
  await db.batch([
    db.insert(companies).values({ companyId: request.companyId, createdAt: finishedAt }).onConflictDoNothing(),
    db.insert(ingestJobs).values({
      jobId,
      batchId,
      companyId: request.companyId,
      kind: "upload",
      status: "completed",
      format: request.format,
      bytes,
      sha256,
      bronzeKey,
      records,
      accepted,
      duplicates,
      rejected,
      rejectionsJson: JSON.stringify(rejections),
      rejectionsTruncated: rejected > rejections.length,
      requestId: request.requestId,
      startedAt,
      finishedAt,
    }),
    db.insert(qualityReports).values({
      batchId,
      jobId,
      companyId: request.companyId,
      source: request.source,
      overall: report.overall_quality_score,
      reportJson: JSON.stringify(report),
      createdAt: finishedAt,
    }),
  ]);
  log.info("upload_ingested", { records, accepted, duplicates, rejected, bytes, ingest_ms: Date.now() - phaseStarted, append_ms: appendMs, total_ms: Date.now() - Date.parse(startedAt) });
  return {
    job_id: jobId,
    batch_id: batchId,
    company_id: request.companyId,
    status: "completed",
    format: request.format,
    bytes,
    sha256,
    bronze_key: bronzeKey,
    records,
    accepted,
    duplicates,
    rejected,
    rejections,
    rejections_truncated: rejected > rejections.length,
    quality: report,
    started_at: startedAt,
    finished_at: finishedAt,
  };
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, "PAYLOAD_TOO_LARGE", `The upload is larger than the limit of ${maxBytes} bytes; split it into several uploads`);
}

/** Streams the body into R2 while hashing and counting it; aborts past the size limit. */
async function streamToR2(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array>,
  contentLength: number | null,
  maxBytes: number,
): Promise<{ sha256: string; bytes: number }> {
  const digest = new crypto.DigestStream("SHA-256");
  const digestWriter = digest.getWriter();
  let bytes = 0;
  let overLimit = false;
  const measured = body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      async transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) {
          overLimit = true;
          throw tooLarge(maxBytes);
        }
        await digestWriter.write(chunk);
        controller.enqueue(chunk);
      },
    }),
  );
  try {
    // R2 needs a known length for a streamed body.
    if (contentLength !== null) {
      await bucket.put(key, measured.pipeThrough(new FixedLengthStream(contentLength)));
    } else {
      await bucket.put(key, await new Response(measured).arrayBuffer());
    }
  } catch (error) {
    await bucket.delete(key);
    if (overLimit) throw tooLarge(maxBytes);
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, "BODY_READ_FAILED", `The upload body could not be read completely (${(error as Error).message}); check Content-Length`);
  }
  await digestWriter.close();
  const hash = [...new Uint8Array(await digest.digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return { sha256: hash, bytes };
}

async function checkSyntax(bucket: R2Bucket, key: string, format: RecordFormat): Promise<void> {
  const object = await bucket.get(key);
  if (!object) throw new Error(`temporary upload ${key} vanished`);
  for await (const _ of readRecords(decodeUtf8(object.body), format)) {
    // reading is the check: a syntax error throws MalformedBodyError
  }
}

/** Keeps one copy per content: the temporary object becomes the content-addressed one. */
async function moveTo(bucket: R2Bucket, from: string, to: string, metadata: Record<string, string>): Promise<void> {
  const existing = await bucket.head(to);
  if (!existing) {
    const source = await bucket.get(from);
    if (!source) throw new Error(`temporary upload ${from} vanished`);
    await bucket.put(to, source.body.pipeThrough(new FixedLengthStream(source.size)), { customMetadata: metadata });
  }
  await bucket.delete(from);
}

/** A fully rejected upload leaves no raw copy behind unless an earlier job uses the same content. */
async function deleteIfUnreferenced(env: Bindings, bronzeKey: string): Promise<void> {
  const used = await env.DB.prepare("SELECT 1 FROM ingest_jobs WHERE bronze_key = ? LIMIT 1").bind(bronzeKey).first();
  if (!used) await env.BRONZE.delete(bronzeKey);
}
