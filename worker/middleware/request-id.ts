import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { createLogger } from "../logger.ts";

/** A caller's id is kept when it is a sane token; otherwise one is generated. */
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Sets `X-Request-ID` on every response (the incoming one when acceptable, else a new one) and
 * gives the handler a logger that stamps it on every line.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header("x-request-id");
    const id = incoming && ACCEPTABLE.test(incoming) ? incoming : `req_${crypto.randomUUID()}`;
    c.set("requestId", id);
    const logger = createLogger({ request_id: id });
    c.set("logger", logger);
    const started = Date.now();
    await next();
    c.header("X-Request-ID", id);
    logger.info("request", {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
      status: c.res.status,
      duration_ms: Date.now() - started,
    });
  };
}
