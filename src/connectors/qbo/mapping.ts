/**
 * QBO entity JSON → canonical events: the spec's table (Component C, "QBO → Canonical Event
 * Mapping") for its 11 objects.
 *
 * | QBO object     | when                                  | canonical event          |
 * |----------------|---------------------------------------|--------------------------|
 * | Invoice        | seen (any version)                    | invoice_issued           |
 * | Invoice        | Balance 0, TotalAmt > 0, not voided   | invoice_paid             |
 * | Payment        | seen                                  | payment_received         |
 * | Bill           | seen                                  | expense_posted           |
 * | BillPayment    | seen                                  | expense_paid             |
 * | CreditMemo     | seen                                  | credit_memo_issued       |
 * | RefundReceipt  | seen                                  | refund_issued            |
 * | Customer       | seen                                  | customer_created         |
 * | Customer       | SyncToken > 0                         | customer_updated         |
 * | PurchaseOrder  | seen                                  | purchase_order_placed    |
 * | Item           | tracked and QtyOnHand ≤ ReorderPoint  | inventory_low            |
 * | Vendor, Estimate | (reference data: bronze only)       | —                        |
 *
 * `invoice_overdue` is not emitted: the engine derives it from issued/paid events (DESIGN.md).
 *
 * Event ids are deterministic, so replaying a webhook, a CDC sweep or a backfill over the same
 * data appends nothing new: facts that happen once per entity (issued, paid, received, …) are
 * keyed by realm + type + Id + fact; facts that happen per version (customer_updated,
 * inventory_low) also carry the SyncToken. The log is append-only, so an event keeps the body of
 * the first version observed; later versions are kept in bronze.
 */
import type { CanonicalEventInput, EntityType, EventType, RelatedEntityIds } from "../../events/canonical.ts";
import type { Retraction } from "../../events/retraction.ts";
import { daysBetween } from "../../time.ts";
import {
  businessDate,
  createdOf,
  isDeletedStub,
  lastUpdatedOf,
  linkedTxnIds,
  listField,
  numberField,
  objectField,
  type QboEntity,
  type QboEntityType,
  refId,
  refName,
  stringField,
  syncTokenOf,
} from "./entities.ts";

export const QBO_SOURCE = "qbo";

export interface MapContext {
  realmId: string;
  /** The company's home currency, used when an entity carries no `CurrencyRef` (multicurrency off). */
  homeCurrency?: string;
  /** The previously stored version of the same entity, to name a customer's changed fields. */
  previous?: QboEntity;
  /** Entities linked to this one, keyed `Type:Id` (see {@link linkedNeeds}): the payments that closed an invoice. */
  linked?: ReadonlyMap<string, QboEntity>;
}

/** The source no longer stands behind this entity's earlier events. */
export interface QboRemoval {
  entity_type: QboEntityType;
  entity_id: string;
  kind: "deleted" | "voided";
  /** When QBO recorded the removal (UTC ISO), when known. */
  at?: string;
}

/**
 * The retraction of a removed entity: it names the entity as its events do (`qbo`,
 * `Invoice:65`), so every one of them stops counting.
 */
export function retractionOf(removal: QboRemoval): Retraction {
  return {
    source: QBO_SOURCE,
    source_entity_id: `${removal.entity_type}:${removal.entity_id}`,
    reason: removal.kind,
    ...(removal.at ? { at: removal.at } : {}),
  };
}

export interface QboMapping {
  events: CanonicalEventInput[];
  removal?: QboRemoval;
}

/** Canonical entity type of each QBO object. */
export const CANONICAL_ENTITY_TYPE: Record<QboEntityType, EntityType> = {
  Customer: "customer",
  Vendor: "vendor",
  Item: "product",
  Estimate: "order",
  Invoice: "invoice",
  Payment: "payment",
  CreditMemo: "invoice",
  RefundReceipt: "payment",
  Bill: "expense",
  BillPayment: "payment",
  PurchaseOrder: "order",
};

/** The deterministic id of one fact about one QBO entity. */
export function qboEventId(realmId: string, entityType: QboEntityType, entityId: string, fact: string, syncToken?: number): string {
  return `qbo:${realmId}:${entityType}:${entityId}:${fact}${syncToken === undefined ? "" : `:${syncToken}`}`;
}

/** `Type:Id` key of {@link MapContext.linked}. */
export function linkedKey(entityType: QboEntityType, id: string): string {
  return `${entityType}:${id}`;
}

/**
 * Entities the mapping of `entity` needs to read first: a paid invoice's payments (their
 * `TxnDate` is the day it was paid, their method the payment method).
 */
export function linkedNeeds(entityType: QboEntityType, entity: QboEntity): { entityType: QboEntityType; id: string }[] {
  if (entityType !== "Invoice" || isDeletedStub(entity) || !isPaidInvoice(entity)) return [];
  return linkedTxnIds(entity.LinkedTxn, "Payment").map((id) => ({ entityType: "Payment" as const, id }));
}

/** Maps one QBO entity (as read from the API, a CDC page or a query page) to canonical events. */
export function mapQboEntity(entityType: QboEntityType, entity: QboEntity, ctx: MapContext): QboMapping {
  if (isDeletedStub(entity)) {
    return { events: [], removal: { entity_type: entityType, entity_id: entity.Id, kind: "deleted", at: lastUpdatedOf(entity) } };
  }
  const m = new EntityMapper(entityType, entity, ctx);
  switch (entityType) {
    case "Invoice":
      return m.invoice();
    case "Payment":
      return m.single("payment_received", "received", m.paymentRelated(), {
        payment_method: refName(entity.PaymentMethodRef),
        applied_to_invoices: m.appliedTo("Invoice"),
        unapplied_amount: numberField(entity.UnappliedAmt),
      });
    case "Bill":
      if (m.isVoided()) return m.voided();
      return m.single("expense_posted", "posted", { ...m.vendorRelated(), ...m.productRelated() }, {
        due_date: businessDate(entity.DueDate),
        category: expenseCategory(entity),
        line_items: expenseLines(entity),
      });
    case "BillPayment":
      return m.single(
        "expense_paid",
        "paid",
        { ...m.vendorRelated(), ...nonEmptyList("bill_ids", m.linkedFromLines("Bill")) },
        { payment_method: stringField(entity.PayType), applied_to_bills: m.appliedTo("Bill") },
      );
    case "CreditMemo":
      return m.single("credit_memo_issued", "issued", m.salesRelated(), {
        line_items: salesLines(entity),
        reason: memoText(entity.CustomerMemo) ?? stringField(entity.PrivateNote),
        remaining_credit: numberField(entity.RemainingCredit),
      });
    case "RefundReceipt":
      return m.single("refund_issued", "issued", m.salesRelated(), {
        line_items: salesLines(entity),
        amount: numberField(entity.TotalAmt),
        refund_method: refName(entity.PaymentMethodRef) ?? stringField(entity.PaymentType),
        reason: memoText(entity.CustomerMemo) ?? stringField(entity.PrivateNote),
      });
    case "PurchaseOrder":
      return m.single("purchase_order_placed", "placed", { ...m.vendorRelated(), ...m.productRelated() }, {
        line_items: expenseLines(entity),
        expected_date: businessDate(entity.DueDate) ?? businessDate(entity.ShipDate),
        status: stringField(entity.POStatus),
      });
    case "Customer":
      return m.customer();
    case "Item":
      return m.item();
    case "Vendor":
    case "Estimate":
      return { events: [] };
  }
}

class EntityMapper {
  private readonly flags: string[] = [];

  constructor(
    private readonly entityType: QboEntityType,
    private readonly entity: QboEntity,
    private readonly ctx: MapContext,
  ) {}

  invoice(): QboMapping {
    const e = this.entity;
    if (this.isVoided()) return this.voided();
    const related = this.salesRelated();
    const issued = this.event("invoice_issued", "issued", this.txnTime(), related, {
      due_date: businessDate(e.DueDate),
      total: numberField(e.TotalAmt),
      line_items: salesLines(e),
      customer_id: refId(e.CustomerRef),
      doc_number: stringField(e.DocNumber),
    });
    if (!isPaidInvoice(e)) return { events: [issued] };

    const issuedDay = stringField(e.TxnDate) ?? createdOf(e)?.slice(0, 10);
    const payments = linkedTxnIds(e.LinkedTxn, "Payment")
      .map((id) => this.ctx.linked?.get(linkedKey("Payment", id)))
      .filter((p): p is QboEntity => p !== undefined && businessDate(p.TxnDate) !== undefined);
    // The payment that brought the balance to zero is the latest one applied.
    const closing = payments.sort((a, b) => String(a.TxnDate).localeCompare(String(b.TxnDate)) || a.Id.localeCompare(b.Id)).at(-1);
    let paidDay = closing ? String(closing.TxnDate) : undefined;
    const flags: string[] = [];
    if (!paidDay) {
      // Without the payment itself, the company-local day QBO recorded the zero balance is the best estimate.
      paidDay = localDayOf(objectField(e.MetaData)?.LastUpdatedTime);
      flags.push("estimated:paid_date");
    }
    const paidTime = paidDay ? businessDate(paidDay) : undefined;
    const paid = this.event(
      "invoice_paid",
      "paid",
      paidTime ?? this.txnTime(),
      related,
      {
        paid_date: paidTime,
        days_to_pay: paidDay && issuedDay ? daysBetween(issuedDay, paidDay) : undefined,
        original_due_date: businessDate(e.DueDate),
        payment_method: closing ? refName(closing.PaymentMethodRef) : undefined,
        payment_ids: payments.length > 0 ? payments.map((p) => p.Id) : undefined,
      },
      flags,
    );
    return { events: [issued, paid] };
  }

  customer(): QboMapping {
    const e = this.entity;
    const email = stringField(objectField(e.PrimaryEmailAddr)?.Address);
    const version = syncTokenOf(e);
    const created = this.event("customer_created", "created", createdOf(e) ?? lastUpdatedOf(e), {}, {
      display_name: stringField(e.DisplayName),
      email,
      // The balance at creation; a later version's balance belongs to customer_updated.
      balance: version === 0 ? numberField(e.Balance) : undefined,
    });
    created.amount = null;
    const events = [created];
    if (version > 0) {
      const updated = this.event(
        "customer_updated",
        "updated",
        lastUpdatedOf(e),
        {},
        {
          changed_fields: this.ctx.previous ? changedFields(this.ctx.previous, e) : undefined,
          new_balance: numberField(e.Balance),
          active: typeof e.Active === "boolean" ? e.Active : undefined,
        },
        [],
        version,
      );
      updated.amount = null;
      events.push(updated);
    }
    return { events };
  }

  item(): QboMapping {
    const e = this.entity;
    const onHand = numberField(e.QtyOnHand);
    const reorderPoint = numberField(e.ReorderPoint);
    if (e.TrackQtyOnHand !== true || onHand === undefined || reorderPoint === undefined || onHand > reorderPoint) {
      return { events: [] };
    }
    const low = this.event(
      "inventory_low",
      "inventory_low",
      lastUpdatedOf(e),
      {},
      { quantity_on_hand: onHand, reorder_point: reorderPoint, name: stringField(e.Name), sku: stringField(e.Sku) },
      [],
      syncTokenOf(e),
    );
    low.amount = null;
    low.currency = null;
    return { events: [low] };
  }

  single(eventType: EventType, fact: string, related: RelatedEntityIds, attributes: Record<string, unknown>): QboMapping {
    return { events: [this.event(eventType, fact, this.txnTime(), related, attributes)] };
  }

  /** QBO voids by zeroing the amounts and writing "Voided" in the private note. */
  isVoided(): boolean {
    const e = this.entity;
    return numberField(e.TotalAmt) === 0 && /^voided\b/i.test(stringField(e.PrivateNote) ?? "");
  }

  voided(): QboMapping {
    return { events: [], removal: { entity_type: this.entityType, entity_id: this.entity.Id, kind: "voided", at: lastUpdatedOf(this.entity) } };
  }

  salesRelated(): RelatedEntityIds {
    return { ...optional("customer_id", refId(this.entity.CustomerRef)), ...this.productRelated() };
  }

  paymentRelated(): RelatedEntityIds {
    return { ...optional("customer_id", refId(this.entity.CustomerRef)), ...nonEmptyList("invoice_ids", this.linkedFromLines("Invoice")) };
  }

  vendorRelated(): RelatedEntityIds {
    return optional("vendor_id", refId(this.entity.VendorRef));
  }

  productRelated(): RelatedEntityIds {
    const ids: string[] = [];
    for (const line of flattenLines(this.entity.Line)) {
      const detail = objectField(line.SalesItemLineDetail) ?? objectField(line.ItemBasedExpenseLineDetail);
      const item = refId(detail?.ItemRef);
      if (item && !ids.includes(item)) ids.push(item);
    }
    return nonEmptyList("product_ids", ids);
  }

  /** Ids of the transactions of one type that a payment's lines are applied to. */
  linkedFromLines(txnType: string): string[] {
    const ids: string[] = [];
    for (const line of listField(this.entity.Line)) {
      for (const id of linkedTxnIds(line.LinkedTxn, txnType)) if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  /** `[{<type>_id, amount}]` for each line of a payment applied to a transaction of that type. */
  appliedTo(txnType: string): { id: string; amount: number | undefined }[] | undefined {
    const out: { id: string; amount: number | undefined }[] = [];
    for (const line of listField(this.entity.Line)) {
      for (const id of linkedTxnIds(line.LinkedTxn, txnType)) out.push({ id, amount: numberField(line.Amount) });
    }
    return out.length > 0 ? out : undefined;
  }

  /** The business date of a transaction; its creation time when `TxnDate` is missing (flagged). */
  txnTime(): string | undefined {
    const date = businessDate(this.entity.TxnDate);
    if (date) return date;
    this.flags.push("missing:TxnDate");
    return createdOf(this.entity) ?? lastUpdatedOf(this.entity);
  }

  event(
    eventType: EventType,
    fact: string,
    eventTime: string | undefined,
    related: RelatedEntityIds,
    attributes: Record<string, unknown>,
    extraFlags: string[] = [],
    syncToken?: number,
  ): CanonicalEventInput & { amount: number | null; currency: string | null } {
    const e = this.entity;
    const attrs = withoutUndefined(attributes);
    const exchangeRate = numberField(e.ExchangeRate);
    if (exchangeRate !== undefined && exchangeRate !== 1) {
      attrs.exchange_rate = exchangeRate;
      const home = numberField(e.HomeTotalAmt);
      if (home !== undefined) attrs.home_amount = home;
    }
    return {
      event_id: qboEventId(this.ctx.realmId, this.entityType, e.Id, fact, syncToken),
      event_type: eventType,
      // An entity with no usable time at all is rejected by validation, naming event_time.
      event_time: eventTime as string,
      source: QBO_SOURCE,
      source_entity_id: `${this.entityType}:${e.Id}`,
      entity_type: CANONICAL_ENTITY_TYPE[this.entityType],
      entity_id: e.Id,
      related_entity_ids: related,
      amount: numberField(e.TotalAmt) ?? null,
      currency: this.currency(),
      attributes: attrs,
      data_quality_flags: [...new Set([...this.flags, ...extraFlags])].sort(),
    };
  }

  currency(): string {
    const code = refId(this.entity.CurrencyRef)?.toUpperCase();
    return code && /^[A-Z]{3}$/.test(code) ? code : (this.ctx.homeCurrency ?? "USD");
  }
}

/** Balance 0 on an invoice that was worth something: paid (voids are handled before). */
function isPaidInvoice(entity: QboEntity): boolean {
  const total = numberField(entity.TotalAmt);
  return numberField(entity.Balance) === 0 && total !== undefined && total > 0;
}

/** Lines with bundles (`GroupLineDetail`) opened up into their items. */
function flattenLines(value: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of listField(value)) {
    const group = objectField(line.GroupLineDetail);
    if (group) out.push(...flattenLines(group.Line));
    else out.push(line);
  }
  return out;
}

/** Item lines of a sales document (subtotal, discount and tax lines are not items). */
function salesLines(entity: QboEntity): { item_id?: string; qty?: number; unit_price?: number; amount?: number }[] | undefined {
  const lines = flattenLines(entity.Line)
    .filter((line) => line.DetailType === "SalesItemLineDetail")
    .map((line) => {
      const detail = objectField(line.SalesItemLineDetail);
      return withoutUndefined({
        item_id: refId(detail?.ItemRef),
        qty: numberField(detail?.Qty),
        unit_price: numberField(detail?.UnitPrice),
        amount: numberField(line.Amount),
      });
    });
  return lines.length > 0 ? lines : undefined;
}

/** Lines of a bill or purchase order: an expense account or an item each. */
function expenseLines(entity: QboEntity): Record<string, unknown>[] | undefined {
  const lines: Record<string, unknown>[] = [];
  for (const line of listField(entity.Line)) {
    const account = objectField(line.AccountBasedExpenseLineDetail);
    const item = objectField(line.ItemBasedExpenseLineDetail);
    if (account) lines.push(withoutUndefined({ account_id: refId(account.AccountRef), account: refName(account.AccountRef), amount: numberField(line.Amount) }));
    else if (item) lines.push(withoutUndefined({ item_id: refId(item.ItemRef), qty: numberField(item.Qty), amount: numberField(line.Amount) }));
  }
  return lines.length > 0 ? lines : undefined;
}

/** A bill's category: the expense account (or item) of its largest line. */
function expenseCategory(entity: QboEntity): string | undefined {
  let best: { name: string; amount: number } | undefined;
  for (const line of listField(entity.Line)) {
    const detail = objectField(line.AccountBasedExpenseLineDetail);
    const name = refName(detail?.AccountRef) ?? refName(objectField(line.ItemBasedExpenseLineDetail)?.ItemRef);
    const amount = numberField(line.Amount) ?? 0;
    if (name && (!best || amount > best.amount)) best = { name, amount };
  }
  return best?.name;
}

/** The calendar day a QBO timestamp names in the company's own offset (`2020-11-13T20:00:00-08:00` → `2020-11-13`). */
function localDayOf(value: unknown): string | undefined {
  return typeof value === "string" && businessDate(value.slice(0, 10)) ? value.slice(0, 10) : undefined;
}

function changedFields(before: QboEntity, after: QboEntity): string[] {
  const ignored = new Set(["SyncToken", "MetaData", "sparse", "domain"]);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !ignored.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

function memoText(value: unknown): string | undefined {
  return typeof value === "string" ? stringField(value) : stringField(objectField(value)?.value);
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, string>);
}

function nonEmptyList<K extends string>(key: K, values: string[]): Partial<Record<K, string[]>> {
  return values.length === 0 ? {} : ({ [key]: values } as Record<K, string[]>);
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
