import type { Bindings } from "../env.ts";
import { createRun, type ScanMessage, type ScanTrigger } from "./store.ts";

/** Records a queued run and sends it to the scan queue. */
export async function enqueueScan(
  env: Bindings,
  companyId: string,
  trigger: ScanTrigger,
  requestId: string,
  asOf?: string,
): Promise<ScanMessage> {
  const message: ScanMessage = { run_id: `run_${crypto.randomUUID()}`, company_id: companyId, request_id: requestId, ...(asOf ? { as_of: asOf } : {}) };
  await createRun(env.DB, message, trigger, new Date().toISOString());
  await env.SCAN_QUEUE.send(message);
  return message;
}

/** Cron: one daily scan per known company, sent in batches of 100 (the queue's batch limit). */
export async function enqueueDailyScans(env: Bindings, requestId: string): Promise<number> {
  const rows = await env.DB.prepare("SELECT company_id FROM companies ORDER BY company_id").all<{ company_id: string }>();
  const messages: ScanMessage[] = [];
  const now = new Date().toISOString();
  for (const { company_id } of rows.results) {
    const message: ScanMessage = { run_id: `run_${crypto.randomUUID()}`, company_id, request_id: requestId };
    await createRun(env.DB, message, "cron", now);
    messages.push(message);
  }
  for (let i = 0; i < messages.length; i += 100) {
    await env.SCAN_QUEUE.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  }
  return messages.length;
}
