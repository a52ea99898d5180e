import { describe, expect, it } from "vitest";
import { qboFixtureEntity, qboFixtureJson } from "../../../test/node/qbo-fixtures.ts";
import { validateEvent } from "../../events/canonical.ts";
import { MemoryLedger } from "../../metrics/ledger.ts";
import type { QboEntity, QboEntityType } from "./entities.ts";
import { linkedKey, linkedNeeds, mapQboEntity, qboEventId } from "./mapping.ts";

const REALM = "9130350000000001";
const INGESTED = "2026-01-10T12:00:00.000Z";
const ctx = { realmId: REALM };

/** The CDC answer recorded by quickbooks-ruby: 2 bills, 2 bill payments, a paid invoice, a deleted invoice, a payment. */
function cdcEntities(): Map<QboEntityType, QboEntity[]> {
  const json = qboFixtureJson("quickbooks-ruby/cdc.bill-invoice-with-deleted.xml") as {
    CDCResponse: { QueryResponse: Record<string, unknown>[] }[];
  };
  const byType = new Map<QboEntityType, QboEntity[]>();
  for (const group of json.CDCResponse[0]!.QueryResponse) {
    for (const [key, value] of Object.entries(group)) {
      if (Array.isArray(value)) byType.set(key as QboEntityType, value as QboEntity[]);
    }
  }
  return byType;
}

function accepted(events: ReturnType<typeof mapQboEntity>["events"]) {
  return events.map((e) => {
    const v = validateEvent(e, INGESTED);
    if (!v.ok) throw new Error(`rejected ${e.event_id}: ${v.rejection.field} ${v.rejection.reason}`);
    return v.event;
  });
}

describe("mapQboEntity on real QBO payloads", () => {
  it("maps a new invoice (qbo_api invoice.read) to invoice_issued with its lines, customer and currency", () => {
    const invoice = qboFixtureEntity("qbo_api/invoice.read.response.json", "Invoice");
    const { events, removal } = mapQboEntity("Invoice", invoice, ctx);
    expect(removal).toBeUndefined();
    expect(events).toHaveLength(1); // Balance 100.00 of 100.00: not paid
    const [issued] = accepted(events);
    expect(issued).toMatchObject({
      event_id: `qbo:${REALM}:Invoice:266:issued`,
      event_type: "invoice_issued",
      event_time: "2020-09-29T00:00:00.000Z", // TxnDate, the company's calendar day
      source: "qbo",
      source_entity_id: "Invoice:266",
      entity_type: "invoice",
      entity_id: "266",
      amount: 100,
      currency: "USD",
      related_entity_ids: { customer_id: "1", product_ids: ["1"] },
      attributes: {
        due_date: "2020-10-29T00:00:00.000Z",
        total: 100,
        customer_id: "1",
        doc_number: "1043",
        // The SubTotalLineDetail line (also 100.00) is not an item line.
        line_items: [{ item_id: "1", amount: 100 }],
      },
    });
    expect(events[0]!.data_quality_flags).toEqual([]); // nothing the mapping had to guess
  });

  it("turns an invoice whose Balance is 0 into invoice_paid dated by the payment that closed it (CDC fixture)", () => {
    const cdc = cdcEntities();
    const invoice = cdc.get("Invoice")!.find((i) => i.Id === "103")!;
    const payment = cdc.get("Payment")!.find((p) => p.Id === "147")!;
    expect(linkedNeeds("Invoice", invoice)).toEqual([{ entityType: "Payment", id: "147" }]);
    const linked = new Map([[linkedKey("Payment", "147"), payment]]);
    const mapped = mapQboEntity("Invoice", invoice, { ...ctx, linked }).events;
    const [issued, paid] = accepted(mapped);
    expect(issued!.amount).toBe(629.1);
    expect(paid).toMatchObject({
      event_id: `qbo:${REALM}:Invoice:103:paid`,
      event_type: "invoice_paid",
      event_time: "2016-04-13T00:00:00.000Z",
      amount: 629.1,
      currency: "USD",
      related_entity_ids: { customer_id: "10", product_ids: ["5", "4", "11"] },
      attributes: {
        paid_date: "2016-04-13T00:00:00.000Z",
        // TxnDate 2016-02-23 → 2016-04-13: 6 days to 29 Feb (leap year) + 31 in March + 13 = 50.
        days_to_pay: 50,
        original_due_date: "2016-03-24T00:00:00.000Z",
        payment_ids: ["147"],
      },
    });
    expect(mapped[1]!.data_quality_flags).toEqual([]); // the paid day is known, not estimated
  });

  it("estimates the paid day from LastUpdatedTime (company-local day) when the payment cannot be read, and flags it", () => {
    const invoice = cdcEntities().get("Invoice")!.find((i) => i.Id === "103")!;
    const paid = accepted(mapQboEntity("Invoice", invoice, ctx).events)[1]!;
    // LastUpdatedTime 2016-04-13T07:34:40-07:00 → local day 2016-04-13, so the same 50 days.
    expect(paid.attributes).toMatchObject({ paid_date: "2016-04-13T00:00:00.000Z", days_to_pay: 50 });
    expect(paid.data_quality_flags).toContain("estimated:paid_date");
  });

  it("maps a Payment to payment_received linked to the invoices it pays", () => {
    const payment = qboFixtureEntity("quickbooks-ruby/payment.linked-to-invoice.xml", "Payment");
    const [received] = accepted(mapQboEntity("Payment", payment, ctx).events);
    expect(received).toMatchObject({
      event_id: `qbo:${REALM}:Payment:83:received`,
      event_type: "payment_received",
      event_time: "2016-09-16T00:00:00.000Z",
      entity_type: "payment",
      amount: 2400,
      currency: "USD",
      related_entity_ids: { customer_id: "3", invoice_ids: ["68"] },
      attributes: { applied_to_invoices: [{ id: "68", amount: 2400 }], unapplied_amount: 0 },
    });
    // An unapplied payment (payment.read: no lines) has no invoice_ids, so the ledger counts it as revenue.
    const unapplied = accepted(mapQboEntity("Payment", qboFixtureEntity("quickbooks-ruby/payment.read.xml", "Payment"), ctx).events)[0]!;
    expect(unapplied.related_entity_ids).toEqual({ customer_id: "25342" });
    expect(unapplied.amount).toBe(40);
  });

  it("maps Bill to expense_posted and BillPayment to expense_paid with bill_ids from LinkedTxn", () => {
    const cdc = cdcEntities();
    const bill = cdc.get("Bill")!.find((b) => b.Id === "126")!;
    const billPayment = cdc.get("BillPayment")!.find((b) => b.Id === "148")!;
    const [posted] = accepted(mapQboEntity("Bill", bill, ctx).events);
    expect(posted).toMatchObject({
      event_type: "expense_posted",
      entity_type: "expense",
      entity_id: "126",
      event_time: "2016-02-24T00:00:00.000Z",
      amount: 205,
      related_entity_ids: { vendor_id: "46", product_ids: ["11", "5"] },
      // Largest line: Rock Fountain 125.00 over Pump 80.00.
      attributes: { due_date: "2016-02-24T00:00:00.000Z", category: "Rock Fountain" },
    });
    const [paid] = accepted(mapQboEntity("BillPayment", billPayment, ctx).events);
    expect(paid).toMatchObject({
      event_id: `qbo:${REALM}:BillPayment:148:paid`,
      event_type: "expense_paid",
      event_time: "2016-04-13T00:00:00.000Z",
      amount: 205,
      related_entity_ids: { vendor_id: "46", bill_ids: ["126"] },
      attributes: { payment_method: "CreditCard", applied_to_bills: [{ id: "126", amount: 205 }] },
    });
    // The ledger closes the bill from expense_paid: 2016-02-24 → 2016-04-13 = 5 + 31 + 13 = 49 days payable.
    const ledger = new MemoryLedger();
    ledger.append([posted!, paid!]);
    expect(ledger.daily.get("2016-04-13|sum:days_payable")).toBe(49);
  });

  it("reads the expense category of account-based bills (fyle-qbo-api bill.json is a tax line only: no category)", () => {
    const bill = qboFixtureEntity("quickbooks-ruby/bill.create.response.xml", "Bill");
    const [posted] = accepted(mapQboEntity("Bill", bill, ctx).events);
    expect(posted!.attributes).toMatchObject({
      category: "Bank Loan", // 700.00 over Interest Expense 55.12
      line_items: [
        { account_id: "42", account: "Bank Loan", amount: 700 },
        { account_id: "77", account: "Interest Expense", amount: 55.12 },
      ],
    });
    expect(posted!.currency).toBe("USD"); // no CurrencyRef: the home currency
    const fyle = accepted(mapQboEntity("Bill", qboFixtureEntity("fyle-qbo-api/bill.json", "Bill"), ctx).events)[0]!;
    expect(fyle.attributes.category).toBeUndefined();
    expect(fyle.amount).toBe(103.55);
  });

  it("uses the company's home currency when CurrencyRef is absent, and keeps a foreign CurrencyRef", () => {
    const bill = qboFixtureEntity("quickbooks-ruby/bill.create.response.xml", "Bill");
    expect(mapQboEntity("Bill", bill, { ...ctx, homeCurrency: "CAD" }).events[0]!.currency).toBe("CAD");
    const memo = qboFixtureEntity("quickbooks-ruby/creditmemo.read.xml", "CreditMemo");
    const [issued] = accepted(mapQboEntity("CreditMemo", memo, { ...ctx, homeCurrency: "USD" }).events);
    expect(issued).toMatchObject({
      event_type: "credit_memo_issued",
      currency: "BRL",
      amount: 10,
      related_entity_ids: { customer_id: "2", product_ids: ["1"] },
      attributes: { remaining_credit: 10, line_items: [{ item_id: "1", qty: 1, unit_price: 10, amount: 10 }] },
    });
  });

  it("maps a RefundReceipt to refund_issued with the refund method", () => {
    const refund = qboFixtureEntity("quickbooks-ruby/refundreceipt.read.xml", "RefundReceipt");
    const [issued] = accepted(mapQboEntity("RefundReceipt", refund, ctx).events);
    expect(issued).toMatchObject({
      event_id: `qbo:${REALM}:RefundReceipt:927:issued`,
      event_type: "refund_issued",
      amount: 337.93,
      related_entity_ids: { customer_id: "64", product_ids: ["34"] },
      attributes: { refund_method: "Check", amount: 337.93, reason: "Customer sales form message defined in Preferences." },
    });
    const ledger = new MemoryLedger();
    ledger.append([issued!]);
    expect(ledger.daily.get("2014-04-24|sum:refunds")).toBe(337.93);
  });

  it("maps a Customer to customer_created, and a later version to customer_updated keyed by SyncToken", () => {
    const created = qboFixtureEntity("qbo_api/customer.create.response.json", "Customer");
    const first = accepted(mapQboEntity("Customer", created, ctx).events);
    expect(first.map((e) => e.event_type)).toEqual(["customer_created"]);
    expect(first[0]).toMatchObject({
      event_id: `qbo:${REALM}:Customer:70:created`,
      entity_type: "customer",
      event_time: "2020-09-29T12:58:16.000Z", // CreateTime 05:58:16-07:00
      amount: null,
      attributes: { display_name: "Doe5, Jane", balance: 0 },
    });

    // The sparse update (customer.update-sparse.request.json) set PrimaryPhone on customer 68:
    // its previous version is the response without that field, at SyncToken 0.
    const updated = qboFixtureEntity("qbo_api/customer.update-sparse.response.json", "Customer");
    const previous: QboEntity = { ...updated, SyncToken: "0" };
    delete previous.PrimaryPhone;
    const second = accepted(mapQboEntity("Customer", updated, { ...ctx, previous }).events);
    expect(second.map((e) => e.event_id)).toEqual([`qbo:${REALM}:Customer:68:created`, `qbo:${REALM}:Customer:68:updated:1`]);
    expect(second[1]!.attributes).toEqual({ changed_fields: ["PrimaryPhone"], new_balance: 0, active: true });
    expect(second[1]!.event_time).toBe("2020-09-29T13:00:07.000Z"); // LastUpdatedTime 06:00:07-07:00
    // Seen first at SyncToken 1, the created event carries no balance (that belongs to a later version).
    expect(second[0]!.attributes).toEqual({ display_name: "Jack Moe" });
  });

  it("maps an Item below its reorder point to inventory_low, and a service item to nothing", () => {
    const service = qboFixtureEntity("quickbooks-ruby/item.read.xml", "Item");
    expect(mapQboEntity("Item", service, ctx).events).toEqual([]);
    const stocked = { ...service, Type: "Inventory", TrackQtyOnHand: true, QtyOnHand: 3, ReorderPoint: 5, SyncToken: "4" };
    const [low] = accepted(mapQboEntity("Item", stocked, ctx).events);
    expect(low).toMatchObject({
      event_id: `qbo:${REALM}:Item:2:inventory_low:4`,
      event_type: "inventory_low",
      entity_type: "product",
      attributes: { quantity_on_hand: 3, reorder_point: 5, name: "Plush Baby Doll" },
    });
  });

  it("keeps Vendor and Estimate as reference data (no events) and maps a PurchaseOrder to purchase_order_placed", () => {
    expect(mapQboEntity("Vendor", qboFixtureEntity("quickbooks-ruby/vendor.xml", "Vendor"), ctx).events).toEqual([]);
    const estimate = (qboFixtureJson("qbo_api/cdc.estimate.response.json") as { CDCResponse: { QueryResponse: { Estimate: QboEntity[] }[] }[] })
      .CDCResponse[0]!.QueryResponse[0]!.Estimate[0]!;
    expect(mapQboEntity("Estimate", estimate, ctx).events).toEqual([]);
    // No PurchaseOrder body exists among the fixtures; this one follows the Bill's shape (VendorRef + expense lines).
    const po: QboEntity = {
      Id: "501",
      SyncToken: "0",
      MetaData: { CreateTime: "2016-03-01T09:00:00-08:00", LastUpdatedTime: "2016-03-01T09:00:00-08:00" },
      TxnDate: "2016-03-01",
      DueDate: "2016-03-15",
      POStatus: "Open",
      VendorRef: { value: "46", name: "Norton Lumber and Building Materials" },
      Line: [{ Amount: 80, DetailType: "ItemBasedExpenseLineDetail", ItemBasedExpenseLineDetail: { ItemRef: { value: "11" }, Qty: 8 } }],
      TotalAmt: 80,
    };
    const [placed] = accepted(mapQboEntity("PurchaseOrder", po, ctx).events);
    expect(placed).toMatchObject({
      event_type: "purchase_order_placed",
      entity_type: "order",
      related_entity_ids: { vendor_id: "46", product_ids: ["11"] },
      attributes: { expected_date: "2016-03-15T00:00:00.000Z", status: "Open", line_items: [{ item_id: "11", qty: 8, amount: 80 }] },
    });
  });

  it("reports deletions (CDC stub, delete answer) and voids as removals, with no events", () => {
    const deleted = cdcEntities().get("Invoice")!.find((i) => i.Id === "65")!;
    expect(mapQboEntity("Invoice", deleted, ctx)).toEqual({
      events: [],
      removal: { entity_type: "Invoice", entity_id: "65", kind: "deleted", at: "2016-04-13T14:34:31.000Z" },
    });
    const stub = qboFixtureEntity("qbo_api/invoice.delete.response.json", "Invoice");
    expect(mapQboEntity("Invoice", stub, ctx).removal).toMatchObject({ kind: "deleted", entity_id: "266" });
    const voided = qboFixtureEntity("qbo_api/invoice.void.response.json", "Invoice");
    expect(mapQboEntity("Invoice", voided, ctx)).toEqual({
      events: [],
      removal: { entity_type: "Invoice", entity_id: "264", kind: "voided", at: "2022-09-02T12:58:56.000Z" },
    });
    // The same invoice before the void was a plain unpaid invoice.
    const before = qboFixtureEntity("qbo_api/invoice.read-before-void.response.json", "Invoice");
    expect(mapQboEntity("Invoice", before, ctx).events.map((e) => e.event_type)).toEqual(["invoice_issued"]);
  });

  it("gives every replay of the same data the same event ids, so the log takes them once", () => {
    const cdc = cdcEntities();
    const all = () =>
      [...cdc].flatMap(([type, list]) => list.flatMap((entity) => accepted(mapQboEntity(type, entity, ctx).events)));
    const first = all();
    const ledger = new MemoryLedger();
    expect(ledger.append(first)).toEqual({ accepted: first.length, duplicates: 0 });
    expect(ledger.append(all())).toEqual({ accepted: 0, duplicates: first.length });
    expect(new Set(first.map((e) => e.event_id)).size).toBe(first.length);
    // Another realm's entity with the same Id is a different fact.
    expect(qboEventId("1", "Invoice", "103", "paid")).not.toBe(qboEventId("2", "Invoice", "103", "paid"));
  });

  it("opens bundles (GroupLineDetail) into their items and leaves discount and subtotal lines out", () => {
    const invoice = qboFixtureEntity("quickbooks-ruby/invoice.with-group-discount-tax-lines.xml", "Invoice");
    const [issued] = accepted(mapQboEntity("Invoice", invoice, ctx).events);
    // Lines 10.61 − discount 2.12 + tax 1.11 = TotalAmt 9.60, in CAD at exchange rate 1.
    expect(issued).toMatchObject({ amount: 9.6, currency: "CAD", related_entity_ids: { customer_id: "4", product_ids: ["25", "26"] } });
    expect(issued!.attributes.line_items).toEqual([
      { item_id: "25", qty: 15, unit_price: 0.5306667, amount: 7.96 },
      { item_id: "26", qty: 24, unit_price: 0.1104167, amount: 2.65 },
    ]);
    expect(issued!.attributes.exchange_rate).toBeUndefined();
  });

  it("records the exchange rate and home amount of a foreign-currency transaction", () => {
    const invoice = { ...qboFixtureEntity("qbo_api/invoice.read.response.json", "Invoice"), ExchangeRate: 1.25, HomeTotalAmt: 125 };
    const issued = mapQboEntity("Invoice", { ...invoice, CurrencyRef: { value: "EUR" } }, ctx).events[0]!;
    expect(issued).toMatchObject({ currency: "EUR", amount: 100, attributes: { exchange_rate: 1.25, home_amount: 125 } });
  });
});
