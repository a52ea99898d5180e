/**
 * The QuickBooks Online (API v3) objects the connector reads, and small readers for the JSON
 * shapes Intuit returns (README of shared/fixtures/qbo, "Shapes that matter for a connector").
 * Readers are tolerant of the XML-derived shape too (amounts as strings), because the same entity
 * can reach us through either.
 */

/** The 11 QBO objects of the spec (Component A, "minimum set"), in the order a backfill reads them. */
export const QBO_ENTITY_TYPES = [
  "Customer",
  "Vendor",
  "Item",
  "Estimate",
  "Invoice",
  "Payment",
  "CreditMemo",
  "RefundReceipt",
  "Bill",
  "BillPayment",
  "PurchaseOrder",
] as const;
export type QboEntityType = (typeof QBO_ENTITY_TYPES)[number];

const BY_LOWERCASE = new Map<string, QboEntityType>(QBO_ENTITY_TYPES.map((t) => [t.toLowerCase(), t]));

/** `"invoice"`, `"Invoice"` or `"INVOICE"` → `"Invoice"`; undefined when it is not one of the 11. */
export function qboEntityType(name: string): QboEntityType | undefined {
  return BY_LOWERCASE.get(name.toLowerCase());
}

/** A QBO entity as parsed from JSON: a plain object with at least `Id`. */
export type QboEntity = Record<string, unknown> & { Id: string };

export function isQboEntity(value: unknown): value is QboEntity {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { Id?: unknown }).Id === "string" &&
    (value as { Id: string }).Id.length > 0
  );
}

/** CDC and delete answers carry stubs `{status:"Deleted", Id, MetaData:{LastUpdatedTime}}`. */
export function isDeletedStub(entity: QboEntity): boolean {
  return entity.status === "Deleted";
}

/** `SyncToken` as a number (it is a decimal string in JSON); -1 when absent (deleted stubs). */
export function syncTokenOf(entity: QboEntity): number {
  const raw = entity.SyncToken;
  const n = typeof raw === "string" ? Number(raw) : typeof raw === "number" ? raw : Number.NaN;
  return Number.isInteger(n) && n >= 0 ? n : -1;
}

/** `MetaData.LastUpdatedTime` as an ISO UTC timestamp, or undefined. */
export function lastUpdatedOf(entity: QboEntity): string | undefined {
  return isoUtc(objectField(entity.MetaData)?.LastUpdatedTime);
}

/** `MetaData.CreateTime` as an ISO UTC timestamp, or undefined. */
export function createdOf(entity: QboEntity): string | undefined {
  return isoUtc(objectField(entity.MetaData)?.CreateTime);
}

/**
 * A QBO timestamp (`2020-09-29T05:58:07-07:00`, `2015-10-05T14:42:19-0700`, `…000Z`) in UTC
 * ISO form, or undefined when it is not a timestamp.
 */
export function isoUtc(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  // `-0700` (no colon) is not accepted by every parser; normalise it first.
  const normalised = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(normalised)) return undefined;
  const millis = Date.parse(/[zZ]|[+-]\d{2}:\d{2}$/.test(normalised) ? normalised : `${normalised}Z`);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

/**
 * A QBO business date (`TxnDate`, `DueDate`: `YYYY-MM-DD`, the company's own calendar day) as
 * midnight UTC of the same day: a sale dated 3 February belongs to 3 February in every report,
 * whatever the company's time zone.
 */
export function businessDate(value: unknown): string | undefined {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const millis = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(millis) || new Date(millis).toISOString().slice(0, 10) !== value) return undefined;
  return `${value}T00:00:00.000Z`;
}

/** A money or quantity field: JSON numbers, or decimal strings from XML. */
export function numberField(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

/** A reference `{value, name}` → its id (`value`). */
export function refId(value: unknown): string | undefined {
  const ref = objectField(value);
  const id = ref?.value;
  if (typeof id === "string" && id.length > 0) return id;
  if (typeof id === "number") return String(id);
  return undefined;
}

/** A reference `{value, name}` → its display name, falling back to its id. */
export function refName(value: unknown): string | undefined {
  const ref = objectField(value);
  return typeof ref?.name === "string" && ref.name.length > 0 ? ref.name : refId(value);
}

export function objectField(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A field that holds a list; XML-derived shapes may hold a single object instead. */
export function listField(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter((v): v is Record<string, unknown> => objectField(v) !== undefined);
  const single = objectField(value);
  return single ? [single] : [];
}

export function stringField(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** Ids of the transactions of one type in a `LinkedTxn` list (`TxnType` compared case-insensitively). */
export function linkedTxnIds(value: unknown, txnType: string): string[] {
  const ids: string[] = [];
  for (const link of listField(value)) {
    const type = stringField(link.TxnType);
    const id = typeof link.TxnId === "number" ? String(link.TxnId) : stringField(link.TxnId);
    if (id && type && type.toLowerCase() === txnType.toLowerCase() && !ids.includes(id)) ids.push(id);
  }
  return ids;
}
