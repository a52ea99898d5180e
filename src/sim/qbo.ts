/**
 * The QuickBooks side of a simulated run: the company's books as the QuickBooks Online API v3
 * would return them at the end of the run (Customer, Item, Vendor, Invoice, Payment, Bill,
 * BillPayment, CreditMemo, RefundReceipt, PurchaseOrder), for seeding a sandbox or the local
 * emulator. Shapes follow the API's JSON (`Id`, `SyncToken`, `MetaData`, `…Ref {value,name}`,
 * `Line[]` with `DetailType`); ids are the simulator's readable ids, so the canonical events and
 * the books name the same entities.
 */
import type { BusinessSimulation } from "./engine.ts";

export type QboEntity = Record<string, unknown>;

export interface QboBooks {
  realmId: string;
  Customer: QboEntity[];
  Item: QboEntity[];
  Vendor: QboEntity[];
  Invoice: QboEntity[];
  Payment: QboEntity[];
  Bill: QboEntity[];
  BillPayment: QboEntity[];
  CreditMemo: QboEntity[];
  RefundReceipt: QboEntity[];
  PurchaseOrder: QboEntity[];
}

const USD = { value: "USD", name: "United States Dollar" };
const ref = (value: string, name?: string) => (name === undefined ? { value } : { value, name });

/** The books at the end of the run (balances, statuses and quantities as of the last day). */
export function qboBooks(sim: BusinessSimulation, realmId: string, lastDay: number): QboBooks {
  const cal = sim.calendar;
  const date = (t: number) => cal.day(t);
  const stamp = (t: number, hour = 12) => new Date(cal.ms(t) + hour * 3_600_000).toISOString();
  const meta = (created: string, updated: string) => ({ CreateTime: created, LastUpdatedTime: updated });
  const done = (t: number) => Number.isFinite(t) && t <= lastDay;
  const { world, records } = sim;

  const books: QboBooks = {
    realmId,
    Customer: [],
    Item: [],
    Vendor: [],
    Invoice: [],
    Payment: [],
    Bill: [],
    BillPayment: [],
    CreditMemo: [],
    RefundReceipt: [],
    PurchaseOrder: [],
  };

  const balance = new Map<string, number>();
  for (const inv of records.invoices) {
    if (!done(inv.paidDay)) balance.set(inv.customer.id, (balance.get(inv.customer.id) ?? 0) + inv.amount);
  }
  // A customer who stops ordering stays on file unchanged: churn is observed by the CRM
  // (`customer_churned`), not written into the books, so every QuickBooks fact of the event stream
  // is in the books and the books imply no fact the stream lacks.
  for (const c of world.customers) {
    if (c.createdDay > lastDay || (c.createdDay < 0 && c.churnedDay < 0)) continue;
    const created = c.since.length === 10 ? `${c.since}T12:00:00.000Z` : c.since;
    books.Customer.push({
      Id: c.id,
      SyncToken: "0",
      DisplayName: c.name,
      ...(c.segment === "wholesale" ? { CompanyName: c.name } : { GivenName: c.name.split(" ")[0], FamilyName: c.name.split(" ").slice(1).join(" ") }),
      PrimaryEmailAddr: { Address: c.email },
      Balance: round2(balance.get(c.id) ?? 0),
      Active: true,
      SalesTermRef: ref(c.payer === "card" ? "1" : c.payer === "key_account" ? "5" : c.termsDays === 15 ? "2" : "3"),
      MetaData: meta(created, created),
    });
  }
  for (const p of world.products) {
    books.Item.push({
      Id: p.id,
      SyncToken: "0",
      Name: p.name,
      Sku: p.sku,
      Type: "Inventory",
      TrackQtyOnHand: true,
      UnitPrice: p.price,
      PurchaseCost: p.unitCost,
      PrefVendorRef: ref(world.vendors[p.supplier]!.id, world.vendors[p.supplier]!.name),
      IncomeAccountRef: ref("79", "Sales of Product Income"),
      ExpenseAccountRef: ref("80", "Cost of Goods Sold"),
      AssetAccountRef: ref("81", "Inventory Asset"),
      MetaData: meta(stamp(0, 0), stamp(lastDay, 20)),
    });
  }
  for (const v of world.vendors) {
    books.Vendor.push({
      Id: v.id,
      SyncToken: "0",
      DisplayName: v.name,
      CompanyName: v.name,
      TermRef: ref(String(v.termsDays)),
      Vendor1099: false,
      MetaData: meta(stamp(0, 0), stamp(0, 0)),
    });
  }
  for (const inv of records.invoices) {
    const paid = done(inv.paidDay);
    books.Invoice.push({
      Id: inv.id,
      SyncToken: paid ? "1" : "0",
      DocNumber: inv.docNumber,
      TxnDate: date(inv.issuedDay),
      DueDate: date(inv.dueDay),
      CurrencyRef: USD,
      CustomerRef: ref(inv.customer.id, inv.customer.name),
      SalesTermRef: ref(inv.terms),
      Line: [
        ...inv.lines.map((l, k) => ({
          Id: String(k + 1),
          LineNum: k + 1,
          Amount: l.amount,
          DetailType: "SalesItemLineDetail",
          SalesItemLineDetail: { ItemRef: ref(l.product.id, l.product.name), Qty: l.qty, UnitPrice: l.unitPrice },
        })),
        { Amount: inv.amount, DetailType: "SubTotalLineDetail", SubTotalLineDetail: {} },
      ],
      TotalAmt: inv.amount,
      Balance: paid ? 0 : inv.amount,
      LinkedTxn: paid ? [{ TxnId: inv.paymentId, TxnType: "Payment" }] : [],
      ...(inv.order ? { PrivateNote: `Order ${inv.order.id}` } : {}),
      MetaData: meta(stamp(inv.issuedDay), stamp(paid ? inv.paidDay : inv.issuedDay)),
    });
    if (paid) {
      books.Payment.push({
        Id: inv.paymentId,
        SyncToken: "0",
        TxnDate: date(inv.paidDay),
        CurrencyRef: USD,
        CustomerRef: ref(inv.customer.id, inv.customer.name),
        PaymentMethodRef: ref(inv.paymentMethod, inv.paymentMethod),
        TotalAmt: inv.amount,
        UnappliedAmt: 0,
        Line: [{ Amount: inv.amount, LinkedTxn: [{ TxnId: inv.id, TxnType: "Invoice" }] }],
        MetaData: meta(stamp(inv.paidDay), stamp(inv.paidDay)),
      });
    }
  }
  for (const bill of records.bills) {
    const paid = done(bill.paidDay);
    books.Bill.push({
      Id: bill.id,
      SyncToken: paid ? "1" : "0",
      TxnDate: date(bill.postedDay),
      DueDate: date(bill.dueDay),
      CurrencyRef: USD,
      VendorRef: ref(bill.vendor.id, bill.vendor.name),
      APAccountRef: ref("33", "Accounts Payable (A/P)"),
      Line: bill.po
        ? bill.po.lines.map((l, k) => ({
            Id: String(k + 1),
            Amount: l.amount,
            DetailType: "ItemBasedExpenseLineDetail",
            ItemBasedExpenseLineDetail: { ItemRef: ref(l.product.id, l.product.name), Qty: l.qty, UnitPrice: l.unitCost },
          }))
        : [{ Id: "1", Amount: bill.amount, DetailType: "AccountBasedExpenseLineDetail", AccountBasedExpenseLineDetail: { AccountRef: ref(bill.category, bill.category) } }],
      TotalAmt: bill.amount,
      Balance: paid ? 0 : bill.amount,
      LinkedTxn: [
        ...(paid ? [{ TxnId: bill.paymentId, TxnType: "BillPaymentCheck" }] : []),
        ...(bill.po ? [{ TxnId: bill.po.id, TxnType: "PurchaseOrder" }] : []),
      ],
      MetaData: meta(stamp(bill.postedDay), stamp(paid ? bill.paidDay : bill.postedDay)),
    });
    if (paid) {
      books.BillPayment.push({
        Id: bill.paymentId,
        SyncToken: "0",
        TxnDate: date(bill.paidDay),
        CurrencyRef: USD,
        VendorRef: ref(bill.vendor.id, bill.vendor.name),
        PayType: bill.vendor.paymentMethod === "CreditCard" ? "CreditCard" : "Check",
        TotalAmt: bill.amount,
        Line: [{ Amount: bill.amount, LinkedTxn: [{ TxnId: bill.id, TxnType: "Bill" }] }],
        MetaData: meta(stamp(bill.paidDay), stamp(bill.paidDay)),
      });
    }
  }
  for (const po of records.purchaseOrders) {
    const received = po.arrivalDay <= lastDay;
    books.PurchaseOrder.push({
      Id: po.id,
      SyncToken: received ? "1" : "0",
      TxnDate: date(po.placedDay),
      DueDate: date(po.expectedDay),
      CurrencyRef: USD,
      VendorRef: ref(po.vendor.id, po.vendor.name),
      POStatus: received ? "Closed" : "Open",
      Line: po.lines.map((l, k) => ({
        Id: String(k + 1),
        Amount: l.amount,
        DetailType: "ItemBasedExpenseLineDetail",
        ItemBasedExpenseLineDetail: { ItemRef: ref(l.product.id, l.product.name), Qty: l.qty, UnitPrice: l.unitCost },
      })),
      TotalAmt: po.amount,
      MetaData: meta(stamp(po.placedDay), stamp(received ? po.arrivalDay : po.placedDay)),
    });
  }
  for (const refund of records.refunds) {
    const lines =
      refund.lines.length > 0
        ? refund.lines.map((l, k) => ({
            Id: String(k + 1),
            Amount: l.amount,
            DetailType: "SalesItemLineDetail",
            SalesItemLineDetail: { ItemRef: ref(l.product.id, l.product.name), Qty: l.qty },
          }))
        : [{ Id: "1", Amount: refund.amount, DetailType: "SalesItemLineDetail", SalesItemLineDetail: { ItemRef: ref("SHIPPING", "Shipping & delivery credit"), Qty: 1 } }];
    const common = {
      Id: refund.id,
      SyncToken: "0",
      TxnDate: date(refund.day),
      CurrencyRef: USD,
      CustomerRef: ref(refund.customer.id, refund.customer.name),
      Line: lines,
      TotalAmt: refund.amount,
      CustomerMemo: { value: refund.reason },
      PrivateNote: `Order ${refund.order.id}`,
      MetaData: meta(stamp(refund.day), stamp(refund.day)),
    };
    if (refund.kind === "refund_receipt") books.RefundReceipt.push({ ...common, PaymentMethodRef: ref("Credit Card", "Credit Card"), Balance: 0 });
    else books.CreditMemo.push({ ...common, RemainingCredit: refund.amount, Balance: refund.amount });
  }
  return books;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

