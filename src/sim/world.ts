/**
 * The cast of a simulated business: its catalogue, vendors and initial customers, drawn from a
 * seed. The world does not depend on the scenario, so the same seed gives the same company in a
 * control run and in an incident run.
 */
import type { Random } from "../rng.ts";
import type { BusinessProfile } from "./profile.ts";
import { sampleStandardNormal } from "./sampling/normal.ts";
import { cumulativeWeights, pickWeighted } from "./sampling/weighted-index.ts";

export interface Product {
  index: number;
  id: string;
  sku: string;
  name: string;
  /** Retail unit price (wholesale accounts pay {@link WHOLESALE_PRICE_FACTOR} of it). */
  price: number;
  unitCost: number;
  supplier: number;
  /** Relative demand weight. */
  popularity: number;
  /** Units per case: purchase orders are rounded up to whole cases. */
  casePack: number;
}

export type VendorKind = "supplier" | "carrier" | "service";

/** How an order reaches its customer: a parcel carrier (a vendor that bills weekly) or the business's own vans. */
export interface Route {
  index: number;
  /** The carrier's vendor id, or `FLEET` for the own vans. */
  id: string;
  name: string;
  /** Nominal transit in shipping days, and its jitter (mean extra days). */
  transitDays: number;
  transitJitter: number;
  /** Cost per shipment (retail, wholesale), billed by the carrier; the vans cost fuel and leases instead. */
  shippingCost: [number, number];
  vendor: number | null;
}
export type BillCadence =
  | { kind: "monthly"; dayOfMonth: number }
  | { kind: "weekly"; weekday: number }
  | { kind: "biweekly"; weekday: number; phase: number };

export interface Vendor {
  index: number;
  id: string;
  name: string;
  kind: VendorKind;
  /** Net payment terms of its bills (days). */
  termsDays: number;
  /** Supplier: nominal lead time in bank days, and probability a shipment arrives on time. */
  leadTimeDays: number;
  /** Supplier: weekdays of its standing-order review (0 = Sunday) and days of demand held as safety stock (fresh goods: frequent and thin). */
  reviewDays: number[];
  safetyDays: number;
  reliability: number;
  /** Carrier: nominal transit in shipping days, and its day-to-day jitter (mean extra days). */
  transitDays: number;
  transitJitter: number;
  /** Carrier: cost per shipment (retail, wholesale). */
  shippingCost: [number, number];
  /** Service vendor: what it bills, how often, and what the amount follows. */
  category: string;
  cadence?: BillCadence;
  baseAmount: number;
  scalesWith?: "orders" | "capacity" | "retail_revenue" | "agents";
  /** How the business pays it: cards are charged the day the bill arrives. */
  paymentMethod: "Check" | "ACH" | "CreditCard";
}

export type Segment = "retail" | "wholesale";
export type PayerType = "card" | "key_account" | "prompt" | "typical" | "slow";

export interface Customer {
  index: number;
  id: string;
  name: string;
  email: string;
  segment: Segment;
  payer: PayerType;
  /** Days from invoice to due date (net terms); 0 for cards and key accounts. */
  termsDays: number;
  /** Key accounts: the day of the month their statement falls due (invoices of a month are due on it the next month). */
  statementDay: number;
  /** Orders per day at weekly mean. */
  orderRate: number;
  /** Delivery route (index into `World.routes`) used for this customer's orders. */
  carrier: number;
  /** Sensitivity to bad experiences (multiplies their effect on churn). */
  sensitivity: number;
  createdDay: number;
  /** Timestamp the account was opened (for customer_since); may predate the data. */
  since: string;
  /** Dynamic state. */
  active: boolean;
  churnedDay: number;
  /** Accumulated recent bad experience, decaying; drives the churn hazard. */
  frustration: number;
  /** Last day a ticket of theirs took more than a day to resolve. */
  lastSlowSupport: number;
  /** Which experience added most to frustration (for the churn reason). */
  worstExperience: string;
  worstExperienceWeight: number;
}

/** Wholesale accounts pay this share of the retail price. */
export const WHOLESALE_PRICE_FACTOR = 0.68;

interface CategorySpec {
  supplier: string;
  leadTime: number;
  products: [string, number][]; // name, retail price
  casePack: number;
  /** Weekdays the business reviews this supplier's stock and orders (standing orders), and days of demand kept as safety stock. */
  reviewDays: number[];
  safetyDays: number;
}

const CATEGORIES: CategorySpec[] = [
  { supplier: "Cascade Roasting Co.", leadTime: 1, casePack: 12, reviewDays: [1, 2, 3, 4, 5], safetyDays: 0.5, products: [["House Espresso Beans 1 kg", 34], ["Breakfast Blend Beans 1 kg", 29], ["Decaf Swiss Water Beans 1 kg", 36], ["Cold Brew Coarse Grind 1 kg", 31], ["Dark French Roast 1 kg", 30], ["Seasonal Single Origin 500 g", 24]] },
  { supplier: "Ridgeline Coffee Importers", leadTime: 8, casePack: 12, reviewDays: [2], safetyDays: 7, products: [["Ethiopia Yirgacheffe 1 kg", 42], ["Colombia Huila 1 kg", 38], ["Guatemala Antigua 1 kg", 39], ["Sumatra Mandheling 1 kg", 41]] },
  { supplier: "Blue Mesa Tea Traders", leadTime: 6, casePack: 24, reviewDays: [3], safetyDays: 7, products: [["Earl Grey Loose Leaf 500 g", 22], ["Sencha Green Tea 500 g", 26], ["Chai Masala Blend 500 g", 21], ["Chamomile Flowers 250 g", 15]] },
  { supplier: "Copperline Ceramics", leadTime: 9, casePack: 24, reviewDays: [4], safetyDays: 7, products: [["Stoneware Mug 12 oz", 14], ["Cappuccino Cup & Saucer", 18], ["Espresso Demitasse Set (4)", 32]] },
  { supplier: "Northfield Paper Goods", leadTime: 3, casePack: 50, reviewDays: [2, 5], safetyDays: 2, products: [["Compostable Cups 12 oz (50)", 11], ["Cup Lids 12 oz (100)", 9], ["Paper Filters #4 (200)", 7], ["Kraft Takeaway Bags (100)", 12]] },
  { supplier: "Summit Brewing Equipment", leadTime: 7, casePack: 4, reviewDays: [1], safetyDays: 7, products: [["Burr Grinder Pro", 189], ["Pour-Over Kettle", 64], ["French Press 1 L", 39]] },
  { supplier: "Harbor Glassworks", leadTime: 6, casePack: 12, reviewDays: [2], safetyDays: 7, products: [["Glass Carafe 1 L", 28], ["Double-Wall Glass 8 oz", 16]] },
  { supplier: "Valley Oat & Almond", leadTime: 2, casePack: 12, reviewDays: [1, 4], safetyDays: 1.5, products: [["Barista Oat Milk 1 L (6)", 19], ["Almond Milk 1 L (6)", 18], ["Soy Milk 1 L (6)", 16]] },
  { supplier: "Pinecrest Syrups", leadTime: 5, casePack: 12, reviewDays: [3], safetyDays: 7, products: [["Vanilla Syrup 750 ml", 13], ["Caramel Syrup 750 ml", 13], ["Hazelnut Syrup 750 ml", 13]] },
  { supplier: "Atlas Kitchenware", leadTime: 8, casePack: 6, reviewDays: [4], safetyDays: 7, products: [["Milk Pitcher 20 oz", 17], ["Tamper 58 mm", 29], ["Knock Box", 35]] },
  { supplier: "Meridian Filters", leadTime: 5, casePack: 20, reviewDays: [5], safetyDays: 7, products: [["Water Filter Cartridge", 45], ["Descaler 1 L", 14]] },
  { supplier: "Oakhurst Chocolate", leadTime: 4, casePack: 12, reviewDays: [1], safetyDays: 7, products: [["Drinking Chocolate 1 kg", 27], ["Cocoa Nibs 500 g", 19], ["Chocolate Sauce 2 L", 23]] },
];

/** Relative size of each supplier (share of the catalogue's demand it carries). */
const SUPPLIER_SIZE = [8, 2.2, 2, 1.2, 2.4, 0.9, 0.8, 1.8, 1.4, 0.7, 0.8, 0.9];

const CARRIERS: { name: string; transit: number; jitter: number; cost: [number, number] }[] = [
  { name: "Parcelline Express", transit: 2, jitter: 0.45, cost: [7.5, 14] },
  { name: "SwiftRoute Logistics", transit: 2, jitter: 0.5, cost: [6.2, 12] },
  { name: "Northstar Freight", transit: 3, jitter: 0.55, cost: [9, 22] },
];

type ServiceSpec = [name: string, category: string, cadence: BillCadence, amount: number, scalesWith?: Vendor["scalesWith"], method?: Vendor["paymentMethod"], terms?: number];

const SERVICES: ServiceSpec[] = [
  ["Dockside Properties LLC", "Rent", { kind: "monthly", dayOfMonth: 1 }, 4500, undefined, "ACH", 5],
  ["Bay Electric", "Utilities", { kind: "monthly", dayOfMonth: 8 }, 880, "capacity", "ACH", 14],
  ["City Water & Sewer", "Utilities", { kind: "monthly", dayOfMonth: 12 }, 170, undefined, "Check", 20],
  ["Metro Gas", "Utilities", { kind: "monthly", dayOfMonth: 10 }, 240, undefined, "ACH", 14],
  ["Granite Mutual Insurance", "Insurance", { kind: "monthly", dayOfMonth: 15 }, 780, undefined, "ACH", 10],
  ["Ledgerly CPA", "Professional Fees", { kind: "monthly", dayOfMonth: 5 }, 1200, undefined, "Check", 30],
  ["PayCircle Payroll Services", "Payroll Fees", { kind: "monthly", dayOfMonth: 2 }, 160, "agents", "CreditCard", 0],
  ["Brightway Staffing", "Contract Labor", { kind: "weekly", weekday: 5 }, 1350, "capacity", "ACH", 15],
  ["BoxCraft Packaging", "Packaging", { kind: "biweekly", weekday: 3, phase: 0 }, 650, "orders", "Check", 30],
  ["Signal Ads", "Advertising", { kind: "weekly", weekday: 1 }, 650, undefined, "CreditCard", 0],
  ["Peakview SEO", "Advertising", { kind: "monthly", dayOfMonth: 20 }, 500, undefined, "CreditCard", 0],
  ["Shopfront Commerce", "Software", { kind: "monthly", dayOfMonth: 3 }, 299, undefined, "CreditCard", 0],
  ["Helpdeskly", "Software", { kind: "monthly", dayOfMonth: 7 }, 95, "agents", "CreditCard", 0],
  ["Stockwise Inventory", "Software", { kind: "monthly", dayOfMonth: 11 }, 249, undefined, "CreditCard", 0],
  ["MailPost", "Software", { kind: "monthly", dayOfMonth: 14 }, 120, undefined, "CreditCard", 0],
  ["Cloudbooks Online", "Software", { kind: "monthly", dayOfMonth: 18 }, 90, undefined, "CreditCard", 0],
  ["Routely Shipping Software", "Software", { kind: "monthly", dayOfMonth: 22 }, 60, undefined, "CreditCard", 0],
  ["Telwave Communications", "Telephone", { kind: "monthly", dayOfMonth: 9 }, 210, undefined, "ACH", 15],
  ["Fibernet Internet", "Internet", { kind: "monthly", dayOfMonth: 16 }, 140, undefined, "ACH", 15],
  ["ProFix Facilities", "Repairs & Maintenance", { kind: "monthly", dayOfMonth: 24 }, 420, undefined, "Check", 30],
  ["Sparkle Janitorial", "Cleaning", { kind: "biweekly", weekday: 4, phase: 1 }, 320, undefined, "Check", 15],
  ["GreenBin Waste", "Waste Removal", { kind: "monthly", dayOfMonth: 4 }, 160, undefined, "ACH", 20],
  ["Sentinel Alarm", "Security", { kind: "monthly", dayOfMonth: 6 }, 75, undefined, "CreditCard", 0],
  ["Harper & Cole LLP", "Legal Fees", { kind: "monthly", dayOfMonth: 27 }, 450, undefined, "Check", 30],
  ["Forklift Leasing Co.", "Equipment Lease", { kind: "monthly", dayOfMonth: 1 }, 650, undefined, "ACH", 10],
  ["Fleetline Vehicle Leasing", "Vehicle Lease", { kind: "monthly", dayOfMonth: 13 }, 820, undefined, "ACH", 10],
  ["RoadFuel Cards", "Fuel", { kind: "weekly", weekday: 2 }, 180, "orders", "CreditCard", 0],
  ["DeskDepot", "Office Supplies", { kind: "biweekly", weekday: 2, phase: 1 }, 140, undefined, "CreditCard", 0],
  ["Workwear Direct", "Uniforms", { kind: "monthly", dayOfMonth: 19 }, 110, undefined, "CreditCard", 0],
  ["Shield Pest Control", "Pest Control", { kind: "monthly", dayOfMonth: 21 }, 95, undefined, "Check", 15],
  ["Brewtech Service", "Equipment Service", { kind: "monthly", dayOfMonth: 25 }, 210, undefined, "Check", 30],
  ["Lensworks Studio", "Marketing", { kind: "monthly", dayOfMonth: 17 }, 350, undefined, "Check", 15],
  ["First Harbor Bank", "Bank Fees", { kind: "monthly", dayOfMonth: 28 }, 60, undefined, "ACH", 0],
  ["PayStream Processing", "Merchant Fees", { kind: "weekly", weekday: 1 }, 0.029, "retail_revenue", "ACH", 0],
  ["Northwind Trade Shows", "Events", { kind: "monthly", dayOfMonth: 26 }, 350, undefined, "Check", 30],
];

const ADJECTIVES = ["Bluebird", "Maple", "Hilltop", "Copper", "Harbor", "Cedar", "Golden", "Willow", "Juniper", "Riverside", "Sunny", "Old Town", "North End", "Lantern", "Foxglove", "Granite", "Saffron", "Evergreen", "Union", "Magnolia", "Pioneer", "Orchard", "Lighthouse", "Marigold", "Sparrow", "Kestrel", "Hawthorn", "Birch", "Morning", "Corner"];
const NOUNS = ["Café", "Kitchen", "Bakery", "Coffee House", "Deli", "Bistro", "Roastery", "Tea Room", "Market", "Grocer", "Diner", "Espresso Bar", "Eatery", "Pantry", "Co-op"];
const GIVEN = ["Ana", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gabe", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mateo", "Nora", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Wes", "Ximena", "Yuki", "Zane", "Amara", "Leo", "Maya", "Noah"];
const FAMILY = ["Ruiz", "Chen", "Okafor", "Novak", "Patel", "Kim", "Larsen", "Haddad", "Moreau", "Silva", "Walsh", "Tanaka", "Nguyen", "Fischer", "Costa", "Ibrahim", "Kowalski", "Murphy", "Rossi", "Sato", "Adams", "Baker", "Hughes", "Lopez", "Meyer"];

export interface World {
  products: Product[];
  vendors: Vendor[];
  /** Indices into `vendors`. */
  suppliers: number[];
  carriers: number[];
  routes: Route[];
  services: number[];
  customers: Customer[];
  productCumulative: Float64Array;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

export function buildWorld(profile: BusinessProfile, random: Random, startMs: number): World {
  const vendors: Vendor[] = [];
  const addVendor = (v: Omit<Vendor, "index" | "id">): number => {
    const index = vendors.length;
    vendors.push({ ...v, index, id: `V-${String(index + 1).padStart(3, "0")}` });
    return index;
  };

  const supplierCount = Math.min(profile.suppliers, CATEGORIES.length);
  const suppliers: number[] = [];
  for (let s = 0; s < supplierCount; s++) {
    const spec = CATEGORIES[s]!;
    suppliers.push(
      addVendor({
        name: spec.supplier,
        kind: "supplier",
        termsDays: random() < 0.7 ? 30 : 15,
        leadTimeDays: spec.leadTime,
        reviewDays: spec.reviewDays,
        safetyDays: spec.safetyDays,
        // Supplier on-time rates of 84–94 % are typical; the local roaster that delivers daily is the exception.
        reliability: s === 0 ? 0.97 : 0.84 + 0.1 * random(),
        transitDays: 0,
        transitJitter: 0,
        shippingCost: [0, 0],
        category: "Inventory",
        baseAmount: 0,
        paymentMethod: random() < 0.6 ? "ACH" : "Check",
      }),
    );
  }
  const carriers = CARRIERS.map((c) =>
    addVendor({
      name: c.name,
      kind: "carrier",
      termsDays: 15,
      leadTimeDays: 0,
      reviewDays: [],
      safetyDays: 0,
      reliability: 1,
      transitDays: c.transit,
      transitJitter: c.jitter,
      shippingCost: c.cost,
      category: "Shipping & Delivery",
      cadence: { kind: "weekly", weekday: 1 },
      baseAmount: 0,
      paymentMethod: "ACH",
    }),
  );
  const services: number[] = [];
  for (let k = 0; k < Math.min(profile.serviceVendors, SERVICES.length); k++) {
    const [name, category, cadence, amount, scalesWith, method, terms] = SERVICES[k]!;
    services.push(
      addVendor({
        name,
        kind: "service",
        termsDays: terms ?? 30,
        leadTimeDays: 0,
        reviewDays: [],
        safetyDays: 0,
        reliability: 1,
        transitDays: 0,
        transitJitter: 0,
        shippingCost: [0, 0],
        category,
        cadence,
        baseAmount: amount,
        ...(scalesWith ? { scalesWith } : {}),
        paymentMethod: method ?? "Check",
      }),
    );
  }

  // Catalogue: each supplier's products, then popularity so that supplier sizes hold roughly.
  const products: Product[] = [];
  const perSupplier = new Map<number, number>();
  const supplierWeights = cumulativeWeights(SUPPLIER_SIZE.slice(0, supplierCount));
  // Every supplier gets at least its first product; the rest of the catalogue follows supplier size.
  const assignment: number[] = suppliers.map((_, s) => s);
  while (assignment.length < profile.products) assignment.push(pickWeighted(random, supplierWeights));
  for (const s of assignment) {
    const spec = CATEGORIES[s]!;
    const k = perSupplier.get(s) ?? 0;
    perSupplier.set(s, k + 1);
    const [baseName, basePrice] = spec.products[k % spec.products.length]!;
    const variant = Math.floor(k / spec.products.length);
    const name = variant === 0 ? baseName : `${baseName} — ${["Organic", "Bulk", "Reserve", "Limited", "Classic"][variant % 5]}${variant >= 5 ? ` ${variant}` : ""}`;
    const price = round2(basePrice * (variant === 0 ? 1 : 0.9 + 0.3 * random()));
    const index = products.length;
    products.push({
      index,
      id: `P-${String(index + 1).padStart(3, "0")}`,
      sku: `${spec.supplier.slice(0, 3).toUpperCase()}-${String(index + 1).padStart(4, "0")}`,
      name,
      price,
      unitCost: round2(price * WHOLESALE_PRICE_FACTOR * (0.46 + 0.1 * random())),
      supplier: suppliers[s]!,
      popularity: 0,
      casePack: spec.casePack,
    });
  }
  // Popularity: a supplier's share of demand ∝ its size, split unevenly among its products.
  const supplierShare = SUPPLIER_SIZE.slice(0, supplierCount);
  const shareTotal = supplierShare.reduce((a, b) => a + b, 0);
  for (let s = 0; s < supplierCount; s++) {
    const own = products.filter((p) => p.supplier === suppliers[s]);
    const raw = own.map((_, k) => 1 / (k + 1) ** 0.8 * Math.exp(0.25 * sampleStandardNormal(random)));
    const rawTotal = raw.reduce((a, b) => a + b, 0);
    own.forEach((p, k) => (p.popularity = (supplierShare[s]! / shareTotal) * (raw[k]! / rawTotal)));
  }

  const customers: Customer[] = [];
  for (let i = 0; i < profile.initialCustomers; i++) {
    const sinceDays = 30 + Math.floor(random() * 1000);
    customers.push(newCustomer(profile, random, customers.length, 0, new Date(startMs - sinceDays * 86_400_000).toISOString()));
  }

  return {
    products,
    vendors,
    suppliers,
    carriers,
    routes: [
      ...carriers.map((v, k): Route => {
        const vendor = vendors[v]!;
        return { index: k, id: vendor.id, name: vendor.name, transitDays: vendor.transitDays, transitJitter: vendor.transitJitter, shippingCost: vendor.shippingCost, vendor: v };
      }),
      { index: carriers.length, id: "FLEET", name: "Own delivery vans", transitDays: 1, transitJitter: 0.15, shippingCost: [0, 0], vendor: null },
    ],
    services,
    customers,
    productCumulative: cumulativeWeights(products.map((p) => p.popularity)),
  };
}

/** A new customer account with its segment, payment habits and ordering rate. */
export function newCustomer(profile: BusinessProfile, random: Random, index: number, createdDay: number, since: string): Customer {
  const wholesale = random() < profile.wholesaleShare;
  const id = `C-${String(index + 1).padStart(5, "0")}`;
  let name: string;
  let email: string;
  if (wholesale) {
    const a = ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]!;
    const n = NOUNS[Math.floor(random() * NOUNS.length)]!;
    name = `${a} ${n}`;
    email = `orders@${`${a}${n}`.toLowerCase().replace(/[^a-z]/g, "")}${index + 1}.example`;
  } else {
    const g = GIVEN[Math.floor(random() * GIVEN.length)]!;
    const f = FAMILY[Math.floor(random() * FAMILY.length)]!;
    name = `${g} ${f}`;
    email = `${g}.${f}${index + 1}@mail.example`.toLowerCase();
  }
  let payer: PayerType = "card";
  let termsDays = 0;
  let statementDay = 0;
  let orderRate = profile.retailOrdersPerWeek / 7;
  if (wholesale) {
    if (random() < profile.keyAccountShare) {
      payer = "key_account";
      // Locations of the same café chain share their head office's statement day; most chains settle on the 15th.
      const u = random();
      statementDay = u < 0.4 ? 15 : u < 0.55 ? 5 : u < 0.7 ? 10 : u < 0.85 ? 20 : 25;
      orderRate = (profile.wholesaleOrdersPerWeek * 2) / 7;
    } else {
      const u = random();
      payer = u < 0.55 ? "prompt" : u < 0.88 ? "typical" : "slow";
      termsDays = random() < 0.4 ? 15 : 30;
      orderRate = profile.wholesaleOrdersPerWeek / 7;
    }
  }
  // Heterogeneous habits: a log-normal multiplier with mean 1.
  orderRate *= Math.exp(0.5 * sampleStandardNormal(random) - 0.125);
  // Local cafés get next-day delivery by the company's vans; accounts further away go by freight; consumers by parcel.
  const carrier = wholesale ? (random() < 0.65 ? 3 : 2) : random() < 0.6 ? 0 : 1;
  return {
    index,
    id,
    name,
    email,
    segment: wholesale ? "wholesale" : "retail",
    payer,
    termsDays,
    statementDay,
    orderRate,
    carrier,
    sensitivity: Math.exp(0.4 * sampleStandardNormal(random) - 0.08),
    createdDay,
    since,
    active: true,
    churnedDay: Number.POSITIVE_INFINITY,
    frustration: 0,
    lastSlowSupport: Number.NEGATIVE_INFINITY,
    worstExperience: "",
    worstExperienceWeight: 0,
  };
}
