/**
 * The emulator's company: a small business that invoices customers, gets paid (mostly late),
 * posts and pays bills, refunds now and then, places purchase orders and keeps two stocked items.
 * Names, items, accounts and payload shapes are taken from the recorded QBO fixtures
 * (shared/fixtures/qbo). Deterministic for a seed: the same seed writes the same books.
 *
 * `CompanyActivity` is the seam where the simulated demo business (src/sim) plugs in: anything
 * that can write a day of business into the store will do.
 */
import { addDays } from "../../src/time.ts";
import { type Random, seededRandom } from "../../src/rng.ts";
import { currencyName, type EmulatorStore, round2 } from "./store.ts";

export interface CompanyActivity {
  /** Writes one business day (`YYYY-MM-DD`); `at` stamps the writes (omit for "now"). */
  day(day: string, at?: number): void;
}

const CUSTOMERS = [
  "Amy's Bird Sanctuary",
  "Dukes Basketball Camp",
  "Sunset Bakery",
  "Acme Enterprises",
  "Geeta Kalapatapu",
  "Cathy's Consulting Company",
  "Adam's Candy Shop",
  "Vanessa Feitosa",
  "Jack Moe",
  "Rondonuwu Fruit and Vegi",
  "Kookies by Kathy",
  "Travis Waldron",
];
const ITEMS: { name: string; price: number; stocked?: { onHand: number; reorderPoint: number } }[] = [
  { name: "Services", price: 100 },
  { name: "Design", price: 75 },
  { name: "Installation", price: 50 },
  { name: "Rock Fountain", price: 275, stocked: { onHand: 12, reorderPoint: 4 } },
  { name: "Pump", price: 22.5, stocked: { onHand: 40, reorderPoint: 10 } },
  { name: "Deck Lumber", price: 23 },
];
const VENDORS = ["Norton Lumber and Building Materials", "Brosnahan Insurance Agency", "Bob's Burger Joint", "Nolan Hardware and Supplies", "Great Statewide Bank"];
const EXPENSE_ACCOUNTS = [
  { value: "7", name: "Advertising" },
  { value: "11", name: "Insurance" },
  { value: "24", name: "Utilities" },
  { value: "17", name: "Job Expenses" },
];
const PAYMENT_METHODS = [
  { value: "1", name: "Cash" },
  { value: "2", name: "Check" },
  { value: "3", name: "Visa" },
  { value: "4", name: "MasterCard" },
];

/** Seeds the store with reference data and `historyDays` of business ending the day before `todayDay`, then returns the live activity. */
export function demoCompany(store: EmulatorStore, options: { seed?: number | string; todayDay: string; historyDays?: number }): CompanyActivity {
  const random = seededRandom(options.seed ?? "qbo-emulator");
  const company = new SmallBusiness(store, random);
  const history = options.historyDays ?? 60;
  const first = addDays(options.todayDay, -history);
  company.reference(Date.parse(`${first}T08:00:00Z`));
  for (let d = 0; d < history; d++) {
    const day = addDays(first, d);
    company.day(day, Date.parse(`${day}T20:00:00Z`));
  }
  return company;
}

class SmallBusiness implements CompanyActivity {
  private readonly customers: string[] = [];
  private readonly vendors: string[] = [];
  private readonly items: { id: string; price: number; stocked: boolean }[] = [];
  /** Invoice id → the day it will be paid (absent: never, within the run). */
  private readonly payDay = new Map<string, string>();
  private readonly billPayDay = new Map<string, string>();

  constructor(
    private readonly store: EmulatorStore,
    private readonly random: Random,
  ) {}

  reference(at: number): void {
    const currency = { value: this.store.homeCurrency, name: currencyName(this.store.homeCurrency) };
    for (const name of CUSTOMERS) this.customers.push(this.newCustomer(name, at));
    for (const name of VENDORS) {
      this.vendors.push(this.store.create("Vendor", { DisplayName: name, PrintOnCheckName: name, Active: true, Balance: 0, CurrencyRef: currency, Vendor1099: false }, at).Id);
    }
    for (const item of ITEMS) {
      const body: Record<string, unknown> = {
        Name: item.name,
        Active: true,
        Taxable: false,
        UnitPrice: item.price,
        Type: item.stocked ? "Inventory" : "Service",
        IncomeAccountRef: { value: "1", name: "Sales" },
        PurchaseCost: round2(item.price * 0.55),
        TrackQtyOnHand: Boolean(item.stocked),
      };
      if (item.stocked) Object.assign(body, { QtyOnHand: item.stocked.onHand, ReorderPoint: item.stocked.reorderPoint, InvStartDate: "2025-01-01" });
      this.items.push({ id: this.store.create("Item", body, at).Id, price: item.price, stocked: Boolean(item.stocked) });
    }
  }

  day(day: string, at?: number): void {
    const r = this.random;
    // New invoices: 1–4 a weekday, fewer at weekends.
    const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
    const invoices = weekend ? (r() < 0.5 ? 1 : 0) : 1 + Math.floor(r() * 4);
    for (let i = 0; i < invoices; i++) this.invoice(day, at);
    // Payments due today.
    for (const [invoiceId, payDay] of [...this.payDay]) {
      if (payDay > day) continue;
      this.payDay.delete(invoiceId);
      const invoice = this.store.get("Invoice", invoiceId);
      if (!invoice || (invoice.Balance as number) === 0) continue;
      const customerId = (invoice.CustomerRef as { value: string }).value;
      this.store.receivePayment({ customerId, invoiceIds: [invoiceId], txnDate: day, method: PAYMENT_METHODS[Math.floor(r() * PAYMENT_METHODS.length)]!, at });
    }
    if (!weekend && r() < 0.8) this.bill(day, at);
    for (const [billId, payDay] of [...this.billPayDay]) {
      if (payDay > day) continue;
      this.billPayDay.delete(billId);
      const bill = this.store.get("Bill", billId);
      if (!bill || (bill.Balance as number) === 0) continue;
      this.store.payBills({ vendorId: (bill.VendorRef as { value: string }).value, billIds: [billId], txnDate: day, payType: r() < 0.6 ? "Check" : "CreditCard", at });
    }
    if (r() < 0.15) this.refund(day, at, r() < 0.5 ? "RefundReceipt" : "CreditMemo");
    if (r() < 0.2) this.estimate(day, at);
    if (r() < 0.15) {
      const id = this.customers[Math.floor(r() * this.customers.length)]!;
      const customer = this.store.get("Customer", id)!;
      this.store.update("Customer", id, { PrimaryEmailAddr: { Address: `${String(customer.DisplayName).toLowerCase().replace(/[^a-z]+/g, ".")}${Math.floor(r() * 90 + 10)}@example.com` } }, at);
    }
    if (r() < 0.05) this.customers.push(this.newCustomer(`Walk-in ${day}`, at));
    // Now and then an unpaid invoice entered by mistake is voided, or a stale estimate deleted.
    if (r() < 0.05) {
      const open = this.store.list("Invoice").filter((i) => (i.Balance as number) > 0 && i.TxnDate === day);
      const victim = open[Math.floor(r() * open.length)];
      if (victim) {
        this.payDay.delete(victim.Id);
        this.store.void("Invoice", victim.Id, at);
      }
    }
    if (r() < 0.05) {
      const estimates = this.store.list("Estimate");
      const stale = estimates[Math.floor(r() * estimates.length)];
      if (stale) this.store.remove("Estimate", stale.Id, at);
    }
    this.restock(day, at);
  }

  private newCustomer(name: string, at?: number): string {
    return this.store.create(
      "Customer",
      {
        Taxable: true,
        Job: false,
        BillWithParent: false,
        Balance: 0,
        BalanceWithJobs: 0,
        CurrencyRef: { value: this.store.homeCurrency, name: currencyName(this.store.homeCurrency) },
        PreferredDeliveryMethod: "Print",
        FullyQualifiedName: name,
        DisplayName: name,
        PrintOnCheckName: name,
        Active: true,
        PrimaryEmailAddr: { Address: `${name.toLowerCase().replace(/[^a-z]+/g, ".")}@example.com` },
      },
      at,
    ).Id;
  }

  private invoice(day: string, at?: number): void {
    const r = this.random;
    const customerId = this.customers[Math.floor(r() * this.customers.length)]!;
    const lines = this.salesLines(1 + Math.floor(r() * 3));
    const total = round2(lines.reduce((s, l) => s + (l.Amount as number), 0));
    const invoice = this.store.create(
      "Invoice",
      {
        AllowIPNPayment: false,
        AllowOnlinePayment: false,
        DocNumber: String(1000 + this.store.history.length),
        TxnDate: day,
        CurrencyRef: { value: this.store.homeCurrency, name: currencyName(this.store.homeCurrency) },
        LinkedTxn: [],
        Line: [...lines, { Amount: total, DetailType: "SubTotalLineDetail", SubTotalLineDetail: {} }],
        TxnTaxDetail: { TotalTax: 0 },
        CustomerRef: { value: customerId, name: this.store.get("Customer", customerId)?.DisplayName },
        SalesTermRef: { value: "3" },
        DueDate: addDays(day, 30),
        TotalAmt: total,
        ApplyTaxAfterDiscount: false,
        PrintStatus: "NeedToPrint",
        EmailStatus: "NotSet",
        Balance: total,
      },
      at,
    );
    // Most customers pay between 10 and 45 days later; one in ten does not pay within the run.
    if (r() < 0.9) this.payDay.set(invoice.Id, addDays(day, 10 + Math.floor(r() * 36)));
    for (const line of lines) {
      const detail = line.SalesItemLineDetail as { ItemRef: { value: string }; Qty: number };
      const item = this.items.find((i) => i.id === detail.ItemRef.value);
      if (item?.stocked) {
        const current = this.store.get("Item", item.id)!;
        this.store.update("Item", item.id, { QtyOnHand: Math.max(0, (current.QtyOnHand as number) - detail.Qty) }, at);
      }
    }
  }

  private salesLines(count: number): Record<string, unknown>[] {
    const r = this.random;
    return Array.from({ length: count }, (_, i) => {
      const item = this.items[Math.floor(r() * this.items.length)]!;
      const qty = 1 + Math.floor(r() * (item.stocked ? 3 : 8));
      return {
        Id: String(i + 1),
        LineNum: i + 1,
        Amount: round2(qty * item.price),
        DetailType: "SalesItemLineDetail",
        SalesItemLineDetail: { ItemRef: { value: item.id, name: this.store.get("Item", item.id)?.Name }, UnitPrice: item.price, Qty: qty, TaxCodeRef: { value: "NON" } },
      };
    });
  }

  private bill(day: string, at?: number): void {
    const r = this.random;
    const vendorId = this.vendors[Math.floor(r() * this.vendors.length)]!;
    const account = EXPENSE_ACCOUNTS[Math.floor(r() * EXPENSE_ACCOUNTS.length)]!;
    const amount = round2(80 + r() * 600);
    const bill = this.store.create(
      "Bill",
      {
        VendorRef: { value: vendorId, name: this.store.get("Vendor", vendorId)?.DisplayName },
        APAccountRef: { value: "33", name: "Accounts Payable (A/P)" },
        TxnDate: day,
        CurrencyRef: { value: this.store.homeCurrency, name: currencyName(this.store.homeCurrency) },
        LinkedTxn: [],
        Line: [{ Id: "1", Amount: amount, DetailType: "AccountBasedExpenseLineDetail", AccountBasedExpenseLineDetail: { AccountRef: account, BillableStatus: "NotBillable", TaxCodeRef: { value: "NON" } } }],
        DueDate: addDays(day, 15),
        TotalAmt: amount,
        Balance: amount,
      },
      at,
    );
    this.billPayDay.set(bill.Id, addDays(day, 7 + Math.floor(r() * 19)));
  }

  private refund(day: string, at: number | undefined, type: "RefundReceipt" | "CreditMemo"): void {
    const r = this.random;
    const customerId = this.customers[Math.floor(r() * this.customers.length)]!;
    const lines = this.salesLines(1);
    const total = lines[0]!.Amount as number;
    const body: Record<string, unknown> = {
      DocNumber: `R${this.store.history.length}`,
      TxnDate: day,
      CurrencyRef: { value: this.store.homeCurrency, name: currencyName(this.store.homeCurrency) },
      Line: [...lines, { Amount: total, DetailType: "SubTotalLineDetail", SubTotalLineDetail: {} }],
      CustomerRef: { value: customerId, name: this.store.get("Customer", customerId)?.DisplayName },
      CustomerMemo: { value: r() < 0.5 ? "Damaged on arrival" : "Returned: not as described" },
      TotalAmt: total,
      PrintStatus: "NeedToPrint",
    };
    if (type === "RefundReceipt") Object.assign(body, { Balance: 0, PaymentMethodRef: PAYMENT_METHODS[1], DepositToAccountRef: { value: "35", name: "Checking" } });
    else Object.assign(body, { Balance: total, RemainingCredit: total });
    this.store.create(type, body, at);
  }

  private estimate(day: string, at?: number): void {
    const r = this.random;
    const customerId = this.customers[Math.floor(r() * this.customers.length)]!;
    const lines = this.salesLines(2);
    const total = round2(lines.reduce((s, l) => s + (l.Amount as number), 0));
    this.store.create(
      "Estimate",
      {
        TxnDate: day,
        TxnStatus: "Pending",
        CurrencyRef: { value: this.store.homeCurrency, name: currencyName(this.store.homeCurrency) },
        LinkedTxn: [],
        Line: [...lines, { Amount: total, DetailType: "SubTotalLineDetail", SubTotalLineDetail: {} }],
        CustomerRef: { value: customerId, name: this.store.get("Customer", customerId)?.DisplayName },
        ExpirationDate: addDays(day, 30),
        TotalAmt: total,
      },
      at,
    );
  }

  /** Stocked items at or below their reorder point get a purchase order, received the same day. */
  private restock(day: string, at?: number): void {
    for (const item of this.items.filter((i) => i.stocked)) {
      const current = this.store.get("Item", item.id)!;
      const onHand = current.QtyOnHand as number;
      const reorderPoint = current.ReorderPoint as number;
      if (onHand > reorderPoint) continue;
      const vendorId = this.vendors[0]!;
      const qty = reorderPoint * 3;
      const cost = round2(qty * (current.PurchaseCost as number));
      this.store.create(
        "PurchaseOrder",
        {
          VendorRef: { value: vendorId, name: this.store.get("Vendor", vendorId)?.DisplayName },
          APAccountRef: { value: "33", name: "Accounts Payable (A/P)" },
          TxnDate: day,
          DueDate: addDays(day, 7),
          POStatus: "Open",
          CurrencyRef: { value: this.store.homeCurrency, name: currencyName(this.store.homeCurrency) },
          Line: [{ Id: "1", Amount: cost, DetailType: "ItemBasedExpenseLineDetail", ItemBasedExpenseLineDetail: { ItemRef: { value: item.id, name: current.Name }, Qty: qty, UnitPrice: current.PurchaseCost } }],
          TotalAmt: cost,
        },
        at,
      );
      this.store.update("Item", item.id, { QtyOnHand: onHand + qty }, at);
    }
  }
}
