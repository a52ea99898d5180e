/** Messages on the `bre-qbo` queue: webhook work, CDC sweeps, backfill pages. */
import type { QboEntityType } from "../../src/connectors/qbo/entities.ts";
import type { EntityChange } from "../../src/connectors/qbo/webhooks.ts";

export type QboMessage =
  | { kind: "changes"; realm_id: string; changes: EntityChange[]; request_id: string }
  | { kind: "sweep"; realm_id: string; request_id: string; since?: string }
  | { kind: "backfill"; realm_id: string; request_id: string; type: QboEntityType; start: number };

/** Changes per message: a notification body can name many entities; messages stay far below 128 KB. */
export const CHANGES_PER_MESSAGE = 100;
