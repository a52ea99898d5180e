/** Request helpers shared by routes: JSON bodies, query parameters, the company a call is about. */
import type { Context } from "hono";
import type { z } from "zod";
import type { AppendResult, EventPage, EventPageQuery, LogStats, RetractResult } from "../durable-objects/company-log.ts";
import type { CanonicalEvent } from "../src/events/canonical.ts";
import type { Retraction } from "../src/events/retraction.ts";
import type { EvidenceEvent, EvidenceQuery } from "../src/evidence.ts";
import type { LedgerSnapshot } from "../src/metrics/ledger.ts";
import type { AppEnv } from "./env.ts";
import { ApiError } from "./errors.ts";

/** JSON bodies of ordinary API calls are small; uploads have their own streaming path. */
const MAX_JSON_BODY = 256 * 1024;

/**
 * Reads and validates a JSON body: 415 for another content type, 413 when too large, 400 for
 * malformed JSON, 422 naming the first invalid field. An empty body counts as `{}`.
 */
export async function readJson<S extends z.ZodType>(c: Context<AppEnv>, schema: S): Promise<z.output<S>> {
  const type = c.req.header("content-type") ?? "";
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > MAX_JSON_BODY) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The JSON body is larger than ${MAX_JSON_BODY} bytes`);
  const text = await c.req.text();
  if (text.length > MAX_JSON_BODY) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `The JSON body is larger than ${MAX_JSON_BODY} bytes`);
  let value: unknown = {};
  if (text.trim() !== "") {
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
      throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `Send the body as application/json (got ${type || "no Content-Type"})`);
    }
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ApiError(400, "MALFORMED_JSON", `The body is not valid JSON: ${(error as Error).message}`);
    }
  }
  return validate(schema, value, "body");
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, where: "body" | "query"): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : where;
    throw new ApiError(422, "VALIDATION_FAILED", `${where === "query" ? "Query parameter" : "Field"} '${field}' ${issue.message}`, {
      field,
      reason: issue.message,
    });
  }
  return parsed.data;
}

const COMPANY_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const DEFAULT_COMPANY = "demo";

/** `?company=<id>`, default `demo`. */
export function companyOf(c: Context<AppEnv>): string {
  const company = c.req.query("company") ?? DEFAULT_COMPANY;
  if (!COMPANY_ID.test(company)) {
    throw new ApiError(422, "VALIDATION_FAILED", "Query parameter 'company' must be 1–64 letters, digits, '-' or '_', starting with a letter or digit", {
      field: "company",
      reason: "invalid company id",
    });
  }
  return company;
}

/** The CompanyLog's RPC surface as callers see it (every call is async across the boundary). */
export interface CompanyLogClient {
  append(events: CanonicalEvent[]): Promise<AppendResult>;
  retract(retractions: Retraction[]): Promise<RetractResult>;
  snapshot(): Promise<LedgerSnapshot>;
  evidence(query: EvidenceQuery): Promise<EvidenceEvent[]>;
  listEvents(query: EventPageQuery): Promise<EventPage>;
  stats(): Promise<LogStats>;
}

export function companyLog(env: AppEnv["Bindings"], companyId: string): CompanyLogClient {
  // The generated RPC types cannot express `attributes: Record<string, unknown>`; the values
  // crossing the boundary are plain JSON, so the stub is typed by the interface above.
  return env.COMPANY_LOG.get(env.COMPANY_LOG.idFromName(companyId)) as unknown as CompanyLogClient;
}
