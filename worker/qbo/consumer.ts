/**
 * The `bre-qbo` queue consumer: hands each message to the realm's Durable Object (which reads
 * QuickBooks, keeps bronze and appends to the company's log) and records how the connection is
 * doing. Retryable failures (throttling, outages) are retried with the delay QuickBooks asked
 * for; a connection that needs re-authorizing is marked stale and its messages dropped (the
 * sweep after reconnecting catches up). Messages that fail every retry land on the DLQ.
 */
import type { RealmResult } from "../../durable-objects/qbo-realm.ts";
import { QBO_ENTITY_TYPES } from "../../src/connectors/qbo/entities.ts";
import type { SyncReport } from "../../src/connectors/qbo/sync.ts";
import type { Bindings } from "../env.ts";
import { createLogger, errorFields } from "../logger.ts";
import { markBackfilled, updateConnection } from "./connections.ts";
import type { QboMessage } from "./messages.ts";

export function realmStub(env: Bindings, realmId: string) {
  return env.QBO_REALM.get(env.QBO_REALM.idFromName(realmId));
}

/** A failed realm call, with what the realm said about retrying. */
export class RealmCallError extends Error {
  constructor(readonly detail: Extract<RealmResult<unknown>, { ok: false }>["error"]) {
    super(detail.message);
    this.name = "RealmCallError";
  }
}

function unwrap<T>(result: RealmResult<T>): T {
  if (!result.ok) throw new RealmCallError(result.error);
  return result.value;
}

export async function runQboMessage(env: Bindings, message: QboMessage): Promise<SyncReport> {
  const stub = realmStub(env, message.realm_id);
  const now = new Date().toISOString();
  switch (message.kind) {
    case "changes": {
      const report = unwrap((await stub.syncChanges(message.changes)) as RealmResult<SyncReport>);
      await updateConnection(env.DB, message.realm_id, { lastSyncAt: now, lastError: null });
      return report;
    }
    case "sweep": {
      const report = unwrap((await stub.sweep(message.since)) as RealmResult<SyncReport>);
      await updateConnection(env.DB, message.realm_id, { lastSyncAt: now, lastSweepAt: now, lastError: null });
      return report;
    }
    case "backfill": {
      const { report, next } = unwrap((await stub.backfillPage(message.type, message.start)) as RealmResult<{ report: SyncReport; next?: number }>);
      const index = QBO_ENTITY_TYPES.indexOf(message.type);
      if (next !== undefined) {
        await env.QBO_QUEUE.send({ ...message, start: next } satisfies QboMessage);
        await updateConnection(env.DB, message.realm_id, { backfillStatus: "running", lastSyncAt: now });
      } else {
        await markBackfilled(env.DB, message.realm_id, message.type, QBO_ENTITY_TYPES);
        const following = QBO_ENTITY_TYPES[index + 1];
        if (following) await env.QBO_QUEUE.send({ ...message, type: following, start: 1 } satisfies QboMessage);
        await updateConnection(env.DB, message.realm_id, { lastSyncAt: now });
      }
      return report;
    }
  }
}

export async function handleQboBatch(batch: MessageBatch<QboMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body;
    const log = createLogger({ request_id: body.request_id, realm_id: body.realm_id, kind: body.kind });
    try {
      const report = await runQboMessage(env, body);
      log.info("qbo_synced", {
        seen: report.entities_seen,
        processed: report.entities_processed,
        skipped: report.entities_skipped,
        appended: report.events_appended,
        duplicates: report.events_duplicate,
        rejected: report.events_rejected,
        removals: report.removals.length,
        retracted_entities: report.entities_retracted,
        retracted_events: report.events_retracted,
      });
      for (const r of report.rejections.slice(0, 10)) log.warn("qbo_event_rejected", { entity: r.entity, field: r.field, reason: r.reason });
      message.ack();
    } catch (error) {
      const detail = error instanceof RealmCallError ? error.detail : undefined;
      const needsReconnect = detail?.needsReconnect ?? false;
      const at = new Date().toISOString();
      if (needsReconnect) {
        log.error("qbo_needs_reconnect", errorFields(error));
        await updateConnection(env.DB, body.realm_id, { status: "stale", lastError: (error as Error).message, lastErrorAt: at }).catch(() => undefined);
        message.ack();
        continue;
      }
      log.warn("qbo_sync_failed", { attempt: message.attempts, ...errorFields(error) });
      await updateConnection(env.DB, body.realm_id, { lastError: (error as Error).message, lastErrorAt: at }).catch(() => undefined);
      const asked = detail?.retryAfterMs;
      const delaySeconds = Math.min(900, Math.max(1, asked ? Math.ceil(asked / 1000) : 2 ** message.attempts * 5));
      message.retry({ delaySeconds });
    }
  }
}

/** Work that failed every retry: noted on the connection; the next sweep repairs what it missed. */
export async function handleDeadQbo(batch: MessageBatch<QboMessage>, env: Bindings): Promise<void> {
  for (const message of batch.messages) {
    const body = message.body;
    createLogger({ request_id: body.request_id, realm_id: body.realm_id, kind: body.kind }).error("qbo_dead_lettered", {});
    await updateConnection(env.DB, body.realm_id, {
      lastError:
        body.kind === "backfill"
          ? `the backfill stopped at ${body.type} (page at ${body.start}); restart it with POST /v1/ingest/qbo?mode=backfill`
          : `a ${body.kind} message failed on every retry; the next CDC sweep will repair it`,
      lastErrorAt: new Date().toISOString(),
      ...(body.kind === "backfill" ? { backfillStatus: "failed" as const } : {}),
    }).catch(() => undefined);
    message.ack();
  }
}
