/**
 * `POST /v1/ingest/qbo?company=<id>[&mode=sweep|backfill]` (admin): pull QuickBooks now. A sweep
 * reads everything changed since the last one (CDC); a backfill pages through every entity of
 * every type from the start. Both run on the queue; the answer says what was queued.
 */
import { Hono } from "hono";
import { QBO_ENTITY_TYPES } from "../../src/connectors/qbo/entities.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf } from "../http.ts";
import { connectionsOfCompany, updateConnection } from "../qbo/connections.ts";
import type { QboMessage } from "../qbo/messages.ts";

export const ingestQbo = new Hono<AppEnv>().post("/", async (c) => {
  const companyId = companyOf(c);
  const mode = c.req.query("mode") ?? "sweep";
  if (mode !== "sweep" && mode !== "backfill") throw new ApiError(422, "VALIDATION_FAILED", "Query parameter 'mode' must be sweep or backfill", { field: "mode", reason: "must be sweep or backfill" });
  const connections = (await connectionsOfCompany(c.env.DB, companyId)).filter((r) => r.status === "connected");
  if (connections.length === 0) throw new ApiError(404, "QBO_NOT_CONNECTED", `Company ${companyId} has no active QuickBooks connection; connect it with POST /v1/connect/quickbooks`);
  const requestId = c.get("requestId");
  for (const connection of connections) {
    const message: QboMessage =
      mode === "sweep"
        ? { kind: "sweep", realm_id: connection.realmId, request_id: requestId }
        : { kind: "backfill", realm_id: connection.realmId, request_id: requestId, type: QBO_ENTITY_TYPES[0], start: 1 };
    if (mode === "backfill") await updateConnection(c.env.DB, connection.realmId, { backfillStatus: "pending", backfillDone: "" });
    await c.env.QBO_QUEUE.send(message);
  }
  return c.json({ company_id: companyId, mode, queued: connections.map((r) => r.realmId), request_id: requestId }, 202);
});
