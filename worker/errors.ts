/**
 * One error path: handlers throw ApiError (or anything else), and `onError` turns every error into
 * the envelope `{"error":{"code","message","request_id","timestamp"}}` with a fitting status.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./env.ts";
import { errorFields } from "./logger.ts";

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ErrorEnvelope {
  error: { code: string; message: string; request_id: string; timestamp: string; details?: unknown };
}

export function envelope(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, message: string, details?: unknown) {
  const body: ErrorEnvelope = {
    error: {
      code,
      message,
      request_id: c.get("requestId") ?? "unknown",
      timestamp: new Date().toISOString(),
      ...(details === undefined ? {} : { details }),
    },
  };
  return c.json(body, status);
}

export function onError(error: Error, c: Context<AppEnv>) {
  if (error instanceof ApiError) {
    c.get("logger")?.info("request_rejected", { status: error.status, code: error.code, message: error.message });
    return envelope(c, error.status, error.code, error.message, error.details);
  }
  // Hono's own HTTPException (e.g. from a body limit) carries a status.
  const status = (error as { status?: number }).status;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return envelope(c, status as ContentfulStatusCode, "BAD_REQUEST", error.message || "Bad request");
  }
  c.get("logger")?.error("unhandled_error", errorFields(error));
  return envelope(c, 500, "INTERNAL_ERROR", "Something went wrong on our side; the request id identifies it in the logs.");
}

export function notFound(c: Context<AppEnv>) {
  return envelope(c, 404, "NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`);
}
