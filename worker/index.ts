/**
 * The Worker's entry: HTTP (the Hono app), queue consumers and the cron trigger.
 */
import { app } from "./app.ts";
import type { Bindings } from "./env.ts";
import { createLogger, errorFields, setLogLevel } from "./logger.ts";
import { handleDeadQbo, handleQboBatch } from "./qbo/consumer.ts";
import { enqueueSweeps, QBO_SWEEP_CRON } from "./qbo/sweep.ts";
import type { QboMessage } from "./qbo/messages.ts";
import { handleDeadScans, handleScanBatch } from "./scan/consumer.ts";
import { enqueueDailyScans } from "./scan/enqueue.ts";
import type { ScanMessage } from "./scan/store.ts";
import type { AlertItem } from "../src/visibility/alerts.ts";
import { handleAlertBatch, handleDeadAlerts } from "./visibility/alerts-consumer.ts";
import { runVisibilityDaily, VISIBILITY_CRON } from "./visibility/daily.ts";

export { CompanyLog } from "../durable-objects/company-log.ts";
export { ConflictShard } from "../durable-objects/conflict-shard.ts";
export { QboRealm } from "../durable-objects/qbo-realm.ts";

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
      case "bre-visibility-alerts":
        return handleAlertBatch(batch as MessageBatch<AlertItem>, env);
      case "bre-visibility-alerts-dlq":
        return handleDeadAlerts(batch as MessageBatch<AlertItem>, env);
      case "bre-qbo":
        return handleQboBatch(batch as unknown as MessageBatch<QboMessage>, env);
      case "bre-qbo-dlq":
        return handleDeadQbo(batch as unknown as MessageBatch<QboMessage>, env);
      default:
        createLogger().error("unknown_queue", { queue: batch.queue });
        batch.retryAll();
    }
  },

  async scheduled(controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const requestId = `cron_${crypto.randomUUID()}`;
    const log = createLogger({ request_id: requestId, cron: controller.cron });
    if (controller.cron === VISIBILITY_CRON) {
      ctx.waitUntil(
        runVisibilityDaily(env, new Date(controller.scheduledTime))
          .then((result) => log.info("visibility_daily_done", { ...result }))
          .catch((error) => log.error("visibility_daily_failed", errorFields(error))),
      );
      return;
    }
    if (controller.cron === QBO_SWEEP_CRON) {
      ctx.waitUntil(
        enqueueSweeps(env, requestId)
          .then((count) => log.info("qbo_sweeps_enqueued", { realms: count }))
          .catch((error) => log.error("qbo_sweeps_failed", errorFields(error))),
      );
      return;
    }
    ctx.waitUntil(
      enqueueDailyScans(env, requestId)
        .then((count) => log.info("daily_scans_enqueued", { companies: count }))
        .catch((error) => log.error("daily_scans_failed", errorFields(error))),
    );
  },
} satisfies ExportedHandler<Bindings, ScanMessage | AlertItem>;
