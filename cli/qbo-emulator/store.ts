/**
 * The emulated QuickBooks company: its entities in QBO's JSON shapes, every version ever written
 * (so tests can say what the connector should have seen), deletions, and a change feed that the
 * webhook sender listens to. Writes follow QBO's rules: `Id` and `SyncToken` are strings,
 * `SyncToken` goes up by one per change, `MetaData.LastUpdatedTime` is the write time, deletes
 * leave a stub `{status:"Deleted", Id, MetaData}` that CDC reports, and voids zero the amounts.
 *
 * Web APIs only (no node:*), so the Workers-runtime tests can run it in-process too.
 */
import { isoUtc, numberField, objectField, type QboEntity, type QboEntityType, QBO_ENTITY_TYPES } from "../../src/connectors/qbo/entities.ts";
import type { WebhookOperation } from "../../src/connectors/qbo/webhooks.ts";

export interface StoreChange {
  type: QboEntityType;
  id: string;
  operation: WebhookOperation;
  /** `MetaData.LastUpdatedTime` of the change, as QBO writes it. */
  lastUpdated: string;
}

export interface VersionRecord extends StoreChange {
  /** The entity after the change (the stub for deletions). */
  entity: QboEntity;
}

/** Transaction types share one Id sequence in QBO; name lists have their own. */
const NAME_LISTS: ReadonlySet<QboEntityType> = new Set(["Customer", "Vendor", "Item"]);

export class EmulatorStore {
  readonly realmId: string;
  readonly companyName: string;
  readonly homeCurrency: string;
  private readonly entities = new Map<QboEntityType, Map<string, QboEntity>>();
  private readonly deleted = new Map<QboEntityType, Map<string, QboEntity>>();
  /** `Type:Id` of voided transactions. */
  private readonly voided = new Set<string>();
  /** Every version written, in order. */
  readonly history: VersionRecord[] = [];
  private readonly listeners: ((change: StoreChange) => void)[] = [];
  private nextTxnId = 100;
  private readonly nextNameId = new Map<QboEntityType, number>();

  constructor(
    options: { realmId: string; companyName: string; homeCurrency?: string },
    /** The emulator's clock (epoch ms): stamps MetaData times of live writes. */
    readonly now: () => number,
    /** Offset of the company's time zone in minutes (QBO writes local times with their offset). */
    readonly utcOffsetMinutes = -480,
  ) {
    this.realmId = options.realmId;
    this.companyName = options.companyName;
    this.homeCurrency = options.homeCurrency ?? "USD";
    for (const type of QBO_ENTITY_TYPES) {
      this.entities.set(type, new Map());
      this.deleted.set(type, new Map());
    }
  }

  onChange(listener: (change: StoreChange) => void): void {
    this.listeners.push(listener);
  }

  /** Creates an entity; `at` backdates it (history seeding), otherwise it happens now. */
  create(type: QboEntityType, body: Record<string, unknown>, at?: number): QboEntity {
    const id = this.allocateId(type);
    const time = this.timestamp(at);
    const entity: QboEntity = {
      ...body,
      domain: "QBO",
      sparse: false,
      Id: id,
      SyncToken: "0",
      MetaData: { CreateTime: time, LastUpdatedTime: time },
    };
    this.entities.get(type)!.set(id, entity);
    this.record(type, entity, "Create");
    return entity;
  }

  /**
   * Writes an entity of the company's history as it stands (its own Id, SyncToken and CreateTime),
   * as one version. Its LastUpdatedTime is kept unless it is after `latest` (epoch ms): history
   * happened before the emulator started, so live changes are always newer.
   */
  seed(type: QboEntityType, entity: QboEntity, latest: number): QboEntity {
    if (this.get(type, entity.Id) || this.isDeleted(type, entity.Id)) throw new StoreError(6240, `${type} ${entity.Id} already exists`);
    const meta = objectField(entity.MetaData) ?? {};
    const created = this.parseTime(meta.CreateTime) ?? latest;
    const updated = Math.min(this.parseTime(meta.LastUpdatedTime) ?? created, latest);
    const seeded: QboEntity = {
      ...entity,
      domain: "QBO",
      sparse: false,
      SyncToken: String(entity.SyncToken ?? "0"),
      MetaData: { CreateTime: this.timestamp(created), LastUpdatedTime: this.timestamp(updated) },
    };
    this.entities.get(type)!.set(entity.Id, seeded);
    this.record(type, seeded, "Create");
    return seeded;
  }

  /**
   * Creates an entity that carries its own Id and CreateTime (a business day of a simulated
   * company, entered now): SyncToken 0, LastUpdatedTime now.
   */
  createAs(type: QboEntityType, entity: QboEntity): QboEntity {
    if (this.get(type, entity.Id) || this.isDeleted(type, entity.Id)) throw new StoreError(6240, `${type} ${entity.Id} already exists`);
    const now = this.timestamp();
    const created = this.parseTime(objectField(entity.MetaData)?.CreateTime);
    const body: QboEntity = {
      ...entity,
      domain: "QBO",
      sparse: false,
      SyncToken: "0",
      MetaData: { CreateTime: created === undefined ? now : this.timestamp(created), LastUpdatedTime: now },
    };
    this.entities.get(type)!.set(entity.Id, body);
    this.record(type, body, "Create");
    return body;
  }

  /**
   * Keeps a derived field current (a customer's Balance follows their invoices) without writing a
   * version: no SyncToken change, no webhook, invisible to CDC.
   */
  refresh(type: QboEntityType, id: string, patch: Record<string, unknown>): void {
    const current = this.get(type, id);
    if (current) this.entities.get(type)!.set(id, { ...current, ...patch });
  }

  /** Whether an entity was deleted or voided. */
  isRemoved(type: QboEntityType, id: string): boolean {
    return this.isDeleted(type, id) || this.voided.has(`${type}:${id}`);
  }

  /**
   * Changes an entity the way a sparse update does (only the given fields), bumping SyncToken.
   * Throws when the entity does not exist or `expectedSyncToken` is stale (QBO's Fault 5010).
   */
  update(type: QboEntityType, id: string, patch: Record<string, unknown>, at?: number, expectedSyncToken?: string): QboEntity {
    return this.write(type, id, patch, at, expectedSyncToken, "Update");
  }

  private write(type: QboEntityType, id: string, patch: Record<string, unknown>, at: number | undefined, expectedSyncToken: string | undefined, operation: WebhookOperation): QboEntity {
    const current = this.get(type, id);
    if (!current) throw new StoreError(610, `${type} ${id} does not exist`);
    if (expectedSyncToken !== undefined && expectedSyncToken !== current.SyncToken) {
      throw new StoreError(5010, `Stale Object Error: You and ${type} ${id} were working on this at the same time`);
    }
    const meta = current.MetaData as { CreateTime: string };
    const updated: QboEntity = {
      ...current,
      ...patch,
      Id: id,
      SyncToken: String(Number(current.SyncToken) + 1),
      MetaData: { CreateTime: meta.CreateTime, LastUpdatedTime: this.timestamp(at) },
    };
    this.entities.get(type)!.set(id, updated);
    this.record(type, updated, operation);
    return updated;
  }

  /** Deletes a transaction: it disappears from reads and queries; CDC reports a stub. */
  remove(type: QboEntityType, id: string, at?: number): QboEntity {
    if (!this.get(type, id)) throw new StoreError(610, `${type} ${id} does not exist`);
    this.entities.get(type)!.delete(id);
    const stub: QboEntity = { domain: "QBO", status: "Deleted", Id: id, MetaData: { LastUpdatedTime: this.timestamp(at) } };
    this.deleted.get(type)!.set(id, stub);
    this.record(type, stub, "Delete");
    return stub;
  }

  /** Voids a transaction: amounts and balance go to 0 and the private note says "Voided". */
  void(type: QboEntityType, id: string, at?: number): QboEntity {
    const current = this.get(type, id);
    if (!current) throw new StoreError(610, `${type} ${id} does not exist`);
    const lines = Array.isArray(current.Line) ? (current.Line as Record<string, unknown>[]).map((l) => ({ ...l, Amount: 0 })) : current.Line;
    this.voided.add(`${type}:${id}`);
    // QBO announces a void as its own operation.
    return this.write(type, id, { TotalAmt: 0, Balance: 0, Line: lines, PrivateNote: "Voided" }, at, undefined, "Void");
  }

  get(type: QboEntityType, id: string): QboEntity | undefined {
    return this.entities.get(type)!.get(id);
  }

  /** Live entities of a type, in Id order (numeric). */
  list(type: QboEntityType): QboEntity[] {
    return [...this.entities.get(type)!.values()].sort((a, b) => Number(a.Id) - Number(b.Id) || a.Id.localeCompare(b.Id));
  }

  /** Live entities and deletion stubs of a type changed after `sinceMs`. */
  changedSince(type: QboEntityType, sinceMs: number): QboEntity[] {
    const after = (e: QboEntity) => Date.parse(isoUtc((e.MetaData as { LastUpdatedTime: string }).LastUpdatedTime) ?? "") > sinceMs;
    return [...this.list(type).filter(after), ...[...this.deleted.get(type)!.values()].filter(after)];
  }

  isDeleted(type: QboEntityType, id: string): boolean {
    return this.deleted.get(type)!.has(id);
  }

  /** Counts of live entities by type. */
  counts(): Record<string, number> {
    return Object.fromEntries(QBO_ENTITY_TYPES.map((t) => [t, this.entities.get(t)!.size]));
  }

  /**
   * Records a customer payment applied to invoices (QBO does both in one write): the Payment is
   * created and each invoice's Balance drops by the amount applied, with its LinkedTxn updated.
   */
  receivePayment(options: { customerId: string; invoiceIds: string[]; txnDate: string; method: { value: string; name: string }; at?: number }): QboEntity {
    const lines: Record<string, unknown>[] = [];
    let total = 0;
    for (const invoiceId of options.invoiceIds) {
      const invoice = this.get("Invoice", invoiceId);
      if (!invoice) throw new StoreError(610, `Invoice ${invoiceId} does not exist`);
      const balance = numberField(invoice.Balance) ?? 0;
      total = round2(total + balance);
      lines.push({ Amount: balance, LinkedTxn: [{ TxnId: invoiceId, TxnType: "Invoice" }] });
    }
    const payment = this.create(
      "Payment",
      {
        TxnDate: options.txnDate,
        CurrencyRef: { value: this.homeCurrency, name: currencyName(this.homeCurrency) },
        Line: lines,
        CustomerRef: { value: options.customerId, name: this.get("Customer", options.customerId)?.DisplayName },
        DepositToAccountRef: { value: "35" },
        PaymentMethodRef: options.method,
        TotalAmt: total,
        UnappliedAmt: 0,
        ProcessPayment: false,
      },
      options.at,
    );
    for (const invoiceId of options.invoiceIds) {
      const invoice = this.get("Invoice", invoiceId)!;
      const links = [...((invoice.LinkedTxn as unknown[]) ?? []), { TxnId: payment.Id, TxnType: "Payment" }];
      this.update("Invoice", invoiceId, { Balance: 0, LinkedTxn: links }, options.at);
    }
    return payment;
  }

  /** `2026-01-15T04:00:00-08:00`: QBO's local time with its offset, no milliseconds. */
  timestamp(at?: number): string {
    const ms = at ?? this.now();
    const local = new Date(Math.floor(ms / 1000) * 1000 + this.utcOffsetMinutes * 60_000).toISOString().slice(0, 19);
    const sign = this.utcOffsetMinutes < 0 ? "-" : "+";
    const abs = Math.abs(this.utcOffsetMinutes);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  }

  private parseTime(value: unknown): number | undefined {
    const ms = typeof value === "string" ? Date.parse(isoUtc(value) ?? value) : Number.NaN;
    return Number.isNaN(ms) ? undefined : ms;
  }

  private allocateId(type: QboEntityType): string {
    if (NAME_LISTS.has(type)) {
      const next = (this.nextNameId.get(type) ?? 1);
      this.nextNameId.set(type, next + 1);
      return String(next);
    }
    return String(this.nextTxnId++);
  }

  private record(type: QboEntityType, entity: QboEntity, operation: WebhookOperation): void {
    const lastUpdated = (entity.MetaData as { LastUpdatedTime: string }).LastUpdatedTime;
    const change = { type, id: entity.Id, operation, lastUpdated };
    this.history.push({ ...change, entity: structuredClone(entity) });
    for (const listener of this.listeners) listener(change);
  }
}

export class StoreError extends Error {
  constructor(
    readonly faultCode: number,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function currencyName(code: string): string {
  return ({ USD: "United States Dollar", CAD: "Canadian Dollar", EUR: "Euro", GBP: "British Pound Sterling" } as Record<string, string>)[code] ?? code;
}
