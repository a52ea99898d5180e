/**
 * QuickBooks webhooks: the `intuit-signature` check and the two payload formats (legacy
 * `eventNotifications` and CloudEvents 1.0), reduced to one list of entity changes.
 *
 * A notification says only *what* changed (type, id, operation, time); the entity itself is read
 * from the API afterwards. Notifications may be lost, repeated or reordered, so nothing here
 * decides what the data is: {@link coalesceChanges} only reduces a batch to one read per entity.
 */
import { base64ToBytes, bytesToBase64, utf8 as encoder } from "./encoding.ts";
import { isoUtc, qboEntityType, type QboEntityType } from "./entities.ts";

/**
 * `base64(HMAC-SHA256(key = UTF-8 verifier token, message = raw body bytes))`, the value of the
 * `intuit-signature` header (Intuit's SDKs; vectors in shared/fixtures/qbo/webhook-signature-vectors.json).
 * @example await intuitSignature('{"stuff":"5"}', "verify_me") // "nfPLN16u3vMvv08ghDs+dOkLuirEVDy5wAeG/lmM2OA="
 */
export async function intuitSignature(body: Uint8Array | string, verifierToken: string): Promise<string> {
  return bytesToBase64(await hmacSha256(encoder.encode(verifierToken), typeof body === "string" ? encoder.encode(body) : body));
}

/**
 * Whether `signatureHeader` is the signature of `body` (the raw bytes exactly as received, before
 * any JSON parsing). The comparison takes the same time wherever the first difference is.
 */
export async function verifyIntuitSignature(
  body: Uint8Array | string,
  signatureHeader: string | null | undefined,
  verifierToken: string,
): Promise<boolean> {
  if (!verifierToken) throw new Error("verifyIntuitSignature: the verifier token is empty");
  if (!signatureHeader) return false;
  const given = base64ToBytes(signatureHeader.trim());
  if (!given) return false;
  const expected = await hmacSha256(encoder.encode(verifierToken), typeof body === "string" ? encoder.encode(body) : body);
  return timingSafeEqual(given, expected);
}

async function hmacSha256(key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, message));
}

/**
 * Byte equality whose running time depends only on the length of `expected`: every byte pair is
 * XORed into one accumulator, with no early exit.
 * @example timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])) // false
 */
export function timingSafeEqual(given: Uint8Array, expected: Uint8Array): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given[i] ?? 0) ^ expected[i]!;
  return diff === 0;
}

/** What QBO says happened to an entity. */
export type WebhookOperation = "Create" | "Update" | "Delete" | "Merge" | "Void" | "Emailed";
const OPERATIONS: readonly WebhookOperation[] = ["Create", "Update", "Delete", "Merge", "Void", "Emailed"];

/** CloudEvents `type` verbs (`qbo.invoice.voided.v1`) → the legacy operation names. */
const CLOUD_EVENT_VERBS: Record<string, WebhookOperation> = {
  created: "Create",
  updated: "Update",
  deleted: "Delete",
  merged: "Merge",
  voided: "Void",
  emailed: "Emailed",
};

/** One changed entity, whichever format announced it. */
export interface EntityChange {
  realmId: string;
  /** The entity name as sent (`Invoice`, `class`, …). */
  entityName: string;
  /** One of the 11 objects the connector reads, or undefined for others (they are ignored). */
  entityType: QboEntityType | undefined;
  entityId: string;
  operation: WebhookOperation;
  /** When QBO changed it (UTC ISO), when the notification says. */
  lastUpdated?: string;
  /** For `Merge`: the id that was merged away. */
  deletedId?: string;
  format: "legacy" | "cloudevents";
  /** The CloudEvent `id`, for tracing. */
  notificationId?: string;
}

export class WebhookPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookPayloadError";
  }
}

/**
 * Parses a webhook body in either format. Throws {@link WebhookPayloadError} naming the field
 * when the body is not a QBO notification; an entity of an unknown operation is an error too,
 * so nothing is silently dropped.
 */
export function parseWebhookBody(text: string): EntityChange[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new WebhookPayloadError("body: is not JSON");
  }
  if (Array.isArray(body)) return body.map((event, i) => parseCloudEvent(event, i));
  if (isRecord(body) && body.specversion !== undefined) return [parseCloudEvent(body, 0)];
  if (isRecord(body) && Array.isArray(body.eventNotifications)) return parseLegacy(body.eventNotifications);
  throw new WebhookPayloadError("body: is neither an eventNotifications object nor a CloudEvents array");
}

function parseLegacy(notifications: unknown[]): EntityChange[] {
  const changes: EntityChange[] = [];
  notifications.forEach((notification, n) => {
    const at = `eventNotifications[${n}]`;
    if (!isRecord(notification)) throw new WebhookPayloadError(`${at}: must be an object`);
    const realmId = requiredString(notification.realmId, `${at}.realmId`);
    const dataChange = notification.dataChangeEvent;
    if (!isRecord(dataChange) || !Array.isArray(dataChange.entities)) {
      throw new WebhookPayloadError(`${at}.dataChangeEvent.entities: must be a list`);
    }
    dataChange.entities.forEach((entity, e) => {
      const where = `${at}.dataChangeEvent.entities[${e}]`;
      if (!isRecord(entity)) throw new WebhookPayloadError(`${where}: must be an object`);
      const name = requiredString(entity.name, `${where}.name`);
      const operation = requiredString(entity.operation, `${where}.operation`);
      if (!OPERATIONS.includes(operation as WebhookOperation)) {
        throw new WebhookPayloadError(`${where}.operation: "${operation}" is not one of ${OPERATIONS.join(", ")}`);
      }
      changes.push(
        withoutUndefined({
          realmId,
          entityName: name,
          entityType: qboEntityType(name),
          entityId: requiredString(entity.id, `${where}.id`),
          operation: operation as WebhookOperation,
          lastUpdated: isoUtc(entity.lastUpdated),
          deletedId: typeof entity.deletedId === "string" ? entity.deletedId : undefined,
          format: "legacy" as const,
        }),
      );
    });
  });
  return changes;
}

function parseCloudEvent(event: unknown, index: number): EntityChange {
  const at = `[${index}]`;
  if (!isRecord(event)) throw new WebhookPayloadError(`${at}: must be an object`);
  if (event.specversion !== "1.0") throw new WebhookPayloadError(`${at}.specversion: must be "1.0"`);
  const type = requiredString(event.type, `${at}.type`);
  const match = /^qbo\.([a-z0-9_]+)\.([a-z]+)\.v\d+$/i.exec(type);
  if (!match) throw new WebhookPayloadError(`${at}.type: "${type}" is not qbo.<entity>.<verb>.v<n>`);
  const operation = CLOUD_EVENT_VERBS[match[2]!.toLowerCase()];
  if (!operation) throw new WebhookPayloadError(`${at}.type: verb "${match[2]}" is not one of ${Object.keys(CLOUD_EVENT_VERBS).join(", ")}`);
  const data = isRecord(event.data) ? event.data : {};
  return withoutUndefined({
    realmId: requiredString(event.intuitaccountid, `${at}.intuitaccountid`),
    entityName: match[1]!,
    entityType: qboEntityType(match[1]!),
    entityId: requiredString(event.intuitentityid, `${at}.intuitentityid`),
    operation,
    lastUpdated: isoUtc(event.time),
    deletedId: typeof data.deletedId === "string" ? data.deletedId : undefined,
    format: "cloudevents" as const,
    notificationId: typeof event.id === "string" ? event.id : undefined,
  });
}

/**
 * One entry per (realm, entity type, id): the one with the latest `lastUpdated`, a deletion
 * winning a tie. The result does not depend on the order of the input, so repeated and reordered
 * notifications reduce to the same reads. Entities the connector does not read are dropped.
 */
export function coalesceChanges(changes: readonly EntityChange[]): EntityChange[] {
  const latest = new Map<string, EntityChange>();
  for (const change of changes) {
    if (!change.entityType) continue;
    const key = `${change.realmId}|${change.entityType}|${change.entityId}`;
    const current = latest.get(key);
    if (!current || laterChange(change, current)) latest.set(key, change);
  }
  return [...latest.values()].sort((a, b) =>
    `${a.realmId}|${a.entityType}|${a.entityId}`.localeCompare(`${b.realmId}|${b.entityType}|${b.entityId}`),
  );
}

function laterChange(a: EntityChange, b: EntityChange): boolean {
  const ta = a.lastUpdated ?? "";
  const tb = b.lastUpdated ?? "";
  if (ta !== tb) return ta > tb;
  const rank = (c: EntityChange) => (c.operation === "Delete" ? 2 : c.operation === "Create" ? 0 : 1);
  if (rank(a) !== rank(b)) return rank(a) > rank(b);
  return (a.notificationId ?? "") > (b.notificationId ?? "");
}

/** A legacy-format body announcing `changes` (used by the local emulator). */
export function legacyWebhookBody(
  realmId: string,
  changes: readonly { name: string; id: string; operation: WebhookOperation; lastUpdated: string }[],
): string {
  return JSON.stringify({ eventNotifications: [{ realmId, dataChangeEvent: { entities: changes } }] });
}

/** A CloudEvents-format body announcing `changes`; `ids` are the events' ids (the caller's randomness). */
export function cloudEventsWebhookBody(
  realmId: string,
  changes: readonly { name: string; id: string; operation: WebhookOperation; lastUpdated: string; eventId: string }[],
): string {
  const verbs = Object.fromEntries(Object.entries(CLOUD_EVENT_VERBS).map(([verb, op]) => [op, verb]));
  return JSON.stringify(
    changes.map((c) => ({
      specversion: "1.0",
      id: c.eventId,
      source: "intuit.local-emulator",
      type: `qbo.${c.name.toLowerCase()}.${verbs[c.operation]}.v1`,
      datacontenttype: "application/json",
      time: c.lastUpdated,
      intuitentityid: c.id,
      intuitaccountid: realmId,
      data: {},
    })),
  );
}

function requiredString(value: unknown, field: string): string {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string" || value.trim() === "") throw new WebhookPayloadError(`${field}: is required`);
  if (value.length > 128) throw new WebhookPayloadError(`${field}: must be at most 128 characters`);
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
