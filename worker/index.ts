/**
 * The Worker's entry: HTTP (the Hono app), queue consumers and the cron trigger.
 */
import { app } from "./app.ts";
import type { Bindings } from "./env.ts";
import { createLogger, errorFields, setLogLevel } from "./logger.ts";
import { handleDeadScans, handleScanBatch } from "./scan/consumer.ts";
import { enqueueDailyScans } from "./scan/enqueue.ts";
import type { ScanMessage } from "./scan/store.ts";

export { CompanyLog } from "../durable-objects/company-log.ts";

export default {
  fetch(request, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    return app.fetch(request, env, ctx);
  },

  async queue(batch, env, _ctx) {
    setLogLevel(env.LOG_LEVEL);
    switch (batch.queue) {
      case "bre-scan":
        return handleScanBatch(batch as MessageBatch<ScanMessage>, env);
      case "bre-scan-dlq":
        return handleDeadScans(batch as MessageBatch<ScanMessage>, env);
      default:
        createLogger().error("unknown_queue", { queue: batch.queue });
        batch.retryAll();
    }
  },

  async scheduled(controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const requestId = `cron_${crypto.randomUUID()}`;
    const log = createLogger({ request_id: requestId, cron: controller.cron });
    ctx.waitUntil(
      enqueueDailyScans(env, requestId)
        .then((count) => log.info("daily_scans_enqueued", { companies: count }))
        .catch((error) => log.error("daily_scans_failed", errorFields(error))),
    );
  },
} satisfies ExportedHandler<Bindings, ScanMessage>;
