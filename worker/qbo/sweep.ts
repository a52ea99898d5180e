/** The daily CDC sweep: one message per connected realm, from cron. */
import type { Bindings } from "../env.ts";
import { activeRealms } from "./connections.ts";
import type { QboMessage } from "./messages.ts";

/** 02:30 UTC, before the 03:00 daily scans, so they see the repaired log. */
export const QBO_SWEEP_CRON = "30 2 * * *";

export async function enqueueSweeps(env: Bindings, requestId: string): Promise<number> {
  const realms = await activeRealms(env.DB);
  const messages: QboMessage[] = realms.map((realm_id) => ({ kind: "sweep", realm_id, request_id: requestId }));
  for (let i = 0; i < messages.length; i += 100) await env.QBO_QUEUE.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  return messages.length;
}
