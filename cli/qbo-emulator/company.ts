/**
 * The emulator's company: the simulated demo business (src/sim), the same wholesaler whose six
 * months `npm start` uploads to the `demo` company. Its books at the end of those months are the
 * emulator's history; each "advance" simulates the business's next day and writes what changed in
 * the books (new customers, invoices, payments that close invoices, bills and their payments,
 * purchase orders and their receipt, credit memos, refunds) as QuickBooks writes, which the
 * emulator announces by webhook and CDC.
 *
 * Times: business dates (`TxnDate`, `DueDate`, a customer's `CreateTime`) follow the simulated
 * calendar, so the connector dates every fact as the simulator does; `LastUpdatedTime` is when the
 * emulator wrote the change (history: at most the emulator's start), which is what CDC, webhooks
 * and the connector's version checks key on.
 *
 * Bookkeeping done through the API wins over the simulation: an entity voided or deleted there is
 * not written again, and a payment the simulation makes of voided or deleted invoices or bills only
 * is not recorded.
 */
import type { QboEntity, QboEntityType } from "../../src/connectors/qbo/entities.ts";
import { linkedTxnIds, listField } from "../../src/connectors/qbo/entities.ts";
import type { DayOutput, QboBooks } from "../../src/sim/index.ts";
import { addDays } from "../../src/time.ts";
import type { EmulatorStore } from "./store.ts";

/** A company whose business goes on day by day. */
export interface CompanyActivity {
  /** The business day the next {@link advanceDay} writes (`YYYY-MM-DD`). */
  readonly nextDay: string;
  /** Writes the next business day into the store (stamped now) and returns it with its events. */
  advanceDay(): DayOutput;
}

/** What the simulation offers: the books as of its last day, and the next day on demand. */
export interface SimulatedBusiness {
  readonly lastDay: string;
  books(): QboBooks;
  next(): DayOutput;
}

/** Book types in the order a day is written: names first, then documents, then what pays them. */
const WRITE_ORDER: readonly (keyof QboBooks & QboEntityType)[] = [
  "Customer",
  "Vendor",
  "Item",
  "PurchaseOrder",
  "Invoice",
  "CreditMemo",
  "RefundReceipt",
  "Bill",
  "Payment",
  "BillPayment",
];

/** Seeds the store with the business's books (its history) and returns its live activity. */
export function simulatedCompany(store: EmulatorStore, business: SimulatedBusiness, startedAt: number): CompanyActivity {
  return new SimulatedCompany(store, business, startedAt);
}

class SimulatedCompany implements CompanyActivity {
  /** `Type:Id` → the entity as the books last said (without MetaData, SyncToken and derived fields). */
  private written = new Map<string, string>();

  constructor(
    private readonly store: EmulatorStore,
    private readonly business: SimulatedBusiness,
    startedAt: number,
  ) {
    const books = business.books();
    for (const type of WRITE_ORDER) {
      for (const entity of books[type] as QboEntity[]) {
        store.seed(type, entity, startedAt);
        this.written.set(`${type}:${entity.Id}`, comparable(type, entity));
      }
    }
  }

  get nextDay(): string {
    return addDays(this.business.lastDay, 1);
  }

  advanceDay(): DayOutput {
    const day = this.business.next();
    const books = this.business.books();
    const updates: [QboEntityType, QboEntity][] = [];
    const next = new Map<string, string>();
    for (const type of WRITE_ORDER) {
      for (const entity of books[type] as QboEntity[]) {
        const key = `${type}:${entity.Id}`;
        const now = comparable(type, entity);
        next.set(key, now);
        const before = this.written.get(key);
        if (before === undefined) {
          if (!this.paysOnlyRemoved(type, entity)) this.store.createAs(type, entity);
        } else if (before !== now) {
          updates.push([type, entity]);
        } else if (type === "Customer") {
          this.store.refresh(type, entity.Id, { Balance: entity.Balance });
        }
      }
    }
    // Changes after creations: a payment exists before the invoice it closes says so.
    for (const [type, entity] of updates) {
      if (this.store.isRemoved(type, entity.Id) || !this.store.get(type, entity.Id)) continue;
      const { Id: _id, SyncToken: _token, MetaData: _meta, ...patch } = entity;
      this.store.update(type, entity.Id, patch);
    }
    this.written = next;
    return day;
  }

  /** A payment whose every linked invoice or bill was voided or deleted through the API is not recorded. */
  private paysOnlyRemoved(type: QboEntityType, entity: QboEntity): boolean {
    const target = type === "Payment" ? "Invoice" : type === "BillPayment" ? "Bill" : undefined;
    if (!target) return false;
    const ids = listField(entity.Line).flatMap((line) => linkedTxnIds(line.LinkedTxn, target));
    return ids.length > 0 && ids.every((id) => this.store.isRemoved(target, id));
  }
}

/** An entity's content that a write would change (a customer's Balance is derived, kept current in place). */
function comparable(type: QboEntityType, entity: QboEntity): string {
  const { MetaData: _meta, SyncToken: _token, ...rest } = entity;
  if (type === "Customer") delete rest.Balance;
  return JSON.stringify(rest);
}
