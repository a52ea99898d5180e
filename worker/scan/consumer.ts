/**
 * The scan queue consumer: reads the company's ledger aggregates from its CompanyLog, runs the
 * pure scan (src/scan.ts) and stores the results. A failure is retried by the queue; after the
 * last retry the message lands on the dead-letter queue, whose consumer marks the run failed.
 */
import { runScan } from "../../src/scan.ts";
import type { Bindings } from "../env.ts";
import { companyLog } from "../http.ts";
import { createLogger, errorFields } from "../logger.ts";
import { failRun, markRunning, noteRetry, type ScanMessage, storeScan } from "./store.ts";

export async function runScanMessage(env: Bindings, message: ScanMessage): Promise<void> {
  const log = createLogger({ request_id: message.request_id, run_id: message.run_id, company_id: message.company_id });
  await markRunning(env.DB, message.run_id, new Date().toISOString());
  const started = Date.now();
  const stub = companyLog(env, message.company_id);
  const ledger = await stub.snapshot();
  const output = await runScan({
    companyId: message.company_id,
    runId: message.run_id,
    ledger,
    evidence: { events: (query) => stub.evidence(query) },
    asOf: message.as_of,
    clock: () => new Date(),
  });
  await storeScan(env.DB, message.company_id, output, new Date().toISOString());
  log.info("scan_completed", {
    incidents: output.result.incidents.length,
    days: output.days.length,
    events: output.result.manifest.events_processed,
    duration_ms: Date.now() - started,
  });
}

export async function handleScanBatch(batch: MessageBatch<ScanMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    try {
      await runScanMessage(env, message.body);
      message.ack();
    } catch (error) {
      createLogger({ run_id: message.body.run_id, request_id: message.body.request_id }).error("scan_failed", {
        attempt: message.attempts,
        ...errorFields(error),
      });
      await noteRetry(env.DB, message.body.run_id, (error as Error).message).catch(() => undefined);
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}

/** Runs that exhausted their retries. */
export async function handleDeadScans(batch: MessageBatch<ScanMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    await failRun(env.DB, message.body.run_id, "the scan failed on every retry; see the logs for this run id", new Date().toISOString());
    createLogger({ run_id: message.body.run_id, request_id: message.body.request_id }).error("scan_dead_lettered", {});
    message.ack();
  }
}
