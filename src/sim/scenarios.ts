/**
 * The scenario catalogue: the five golden scenarios of the spec (section 9), more incident
 * families, and controls with no incident. Each turns a seed into injections (magnitude, onset,
 * duration and the entities involved are drawn from it, unless overridden) and the labels the
 * mechanisms should make true.
 */
import type { Random } from "../rng.ts";
import type { IncidentType, Severity } from "../scan-contract.ts";
import type { SimCalendar } from "./calendar.ts";
import type { Injection } from "./injections.ts";
import type { DagMetric } from "./labels.ts";
import { type BusinessProfile, STANDARD_PROFILE } from "./profile.ts";
import type { World } from "./world.ts";

export const SCENARIO_NAMES = [
  "supplier_delay_cascade",
  "refund_spike",
  "order_surge_cascade",
  "support_failure_churn",
  "ar_aging_liquidity",
  "carrier_delays",
  "product_quality_regression",
  "vendor_cost_increase",
  "competitor_churn_wave",
  "support_staffing_cut",
  "control_weekly_seasonality",
  "control_steady_growth",
  "control_holiday_dip",
  "control_missing_fields",
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export type ScenarioFamily = "spec" | "extra" | "control";

/** Values a caller may pin instead of drawing them from the seed (golden scenarios pin the spec's). */
export interface ScenarioOverrides {
  onsetDay?: number;
  durationDays?: number;
  /** The scenario's main magnitude (its meaning is the scenario's: a delay in days, a multiplier, a rate). */
  magnitude?: number;
}

export interface PlannedIncident {
  id: string;
  type: IncidentType;
  onsetDay: number;
  durationDays: number;
  root: DagMetric;
  causedBy: string | null;
  lag: [number, number] | null;
  minSeverity: Severity | null;
  entities: Record<string, string[]>;
  /** The mechanism's consequence that marks this incident's real onset: a marker of injection `injection`. */
  effect: { injection: number; marker: string } | null;
}

export interface ScenarioPlan {
  /** Start day override (the holiday control moves its window around a holiday). */
  startDay?: string;
  injections: Injection[];
  incidents: PlannedIncident[];
  tolerated: IncidentType[];
  toleranceDays: number;
  notes: string[];
}

export interface ScenarioContext {
  seed: number;
  days: number;
  startDay: string;
  random: Random;
  world: World;
  calendar: SimCalendar;
  overrides: ScenarioOverrides;
}

export interface ScenarioDefinition {
  name: ScenarioName;
  family: ScenarioFamily;
  title: string;
  description: string;
  /** The business it runs on (default: the standard company). */
  profile?(random: Random): { profile: BusinessProfile; name: string };
  plan(ctx: ScenarioContext): ScenarioPlan;
}

/** Default recorded days of a scenario run, and the default first day (a Monday with no holiday for four months). */
export const SCENARIO_DEFAULT_DAYS = 120;
export const SCENARIO_DEFAULT_START = "2026-01-05";

const uniform = (r: Random, lo: number, hi: number) => lo + (hi - lo) * r();
const integer = (r: Random, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Onset drawn so that a 30-day baseline precedes it and the aftermath fits in the run. */
function onsetOf(ctx: ScenarioContext, after = 25): number {
  if (ctx.overrides.onsetDay !== undefined) return ctx.overrides.onsetDay;
  const lo = Math.min(45, Math.max(30, Math.floor(ctx.days * 0.35)));
  const hi = Math.max(lo, ctx.days - after);
  return integer(ctx.random, lo, Math.min(hi, Math.max(lo, Math.floor(ctx.days * 0.68))));
}

function durationOf(ctx: ScenarioContext, lo: number, hi: number): number {
  return ctx.overrides.durationDays ?? integer(ctx.random, lo, hi);
}

/** Suppliers sorted by the share of demand they carry. */
export function suppliersByShare(world: World): { id: string; share: number; index: number }[] {
  const share = new Map<number, number>();
  for (const p of world.products) share.set(p.supplier, (share.get(p.supplier) ?? 0) + p.popularity);
  const total = [...share.values()].reduce((a, b) => a + b, 0);
  return world.suppliers
    .map((index) => ({ id: world.vendors[index]!.id, share: (share.get(index) ?? 0) / total, index }))
    .sort((a, b) => b.share - a.share || a.id.localeCompare(b.id));
}

function shuffled<T>(r: Random, items: readonly T[]): T[] {
  return items
    .map((item) => ({ item, key: r() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);
}

function productsByPopularity(world: World) {
  return [...world.products].sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id));
}

function incident(
  id: string,
  type: IncidentType,
  onsetDay: number,
  durationDays: number,
  root: DagMetric,
  marker: string,
  extra: Partial<Pick<PlannedIncident, "causedBy" | "lag" | "minSeverity" | "entities">> = {},
): PlannedIncident {
  return {
    id,
    type,
    onsetDay,
    durationDays,
    root,
    causedBy: extra.causedBy ?? null,
    lag: extra.lag ?? null,
    minSeverity: extra.minSeverity ?? null,
    entities: extra.entities ?? {},
    effect: { injection: 0, marker },
  };
}


export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    name: "supplier_delay_cascade",
    family: "spec",
    title: "Supplier delay cascade",
    description:
      "A major supplier's shipments run late for about a week: its products run out, orders wait for stock, the fulfillment backlog grows and deliveries go late (spec golden scenario 1).",
    plan(ctx) {
      const r = ctx.random;
      // Suppliers of fresh or bulky goods deliver every few days with thin safety stock, so their delays reach the shelves fast.
      const fresh = suppliersByShare(ctx.world).filter((v) => ctx.world.vendors[v.index]!.reviewDays.length >= 2);
      const u = r();
      // Pinned runs (the golden scenario) use the spec's vendor, V-001; seeded runs mostly V-001, sometimes a smaller fresh supplier.
      const vendor = ctx.overrides.onsetDay !== undefined || u < 0.75 ? fresh.find((v) => v.id === "V-001")! : fresh[1 + Math.floor(r() * (fresh.length - 1))]!;
      const onset = onsetOf(ctx);
      const duration = durationOf(ctx, 5, 10);
      const delayDays = ctx.overrides.magnitude ?? integer(r, 4, 9);
      const supplier = incident("supplier", "SUPPLIER_DEPENDENCY_FAILURE", onset, duration, "supplier_delay_rate", "affected", { minSeverity: "MEDIUM", entities: { vendor_ids: [vendor.id] } });
      const fulfillment = incident("fulfillment", "FULFILLMENT_SLA_DEGRADATION", onset, duration + delayDays, "supplier_delay_rate", "stockout_waits", {
        causedBy: "supplier",
        lag: [2, 4],
        minSeverity: "MEDIUM",
        entities: { vendor_ids: [vendor.id] },
      });
      // A supplier carrying a fifth of demand or more empties enough shelves to degrade fulfillment; a smaller one may not.
      const major = vendor.share >= 0.2;
      return {
        injections: [{ kind: "supplier_delay", vendorIds: [vendor.id], delayDays, onsetDay: onset, durationDays: duration }],
        incidents: major ? [supplier, fulfillment] : [supplier],
        tolerated: ["SUPPORT_LOAD_SURGE", "CUSTOMER_SATISFACTION_REGRESSION", "CHURN_ACCELERATION", "REFUND_SPIKE", ...(major ? [] : (["FULFILLMENT_SLA_DEGRADATION"] as const))],
        toleranceDays: 21,
        notes: [
          `${vendor.id} carries ${(vendor.share * 100).toFixed(0)} % of demand; its shipments due in the window arrive about ${delayDays} days late.`,
          ...(major ? [] : ["A minor supplier: fulfillment degradation is possible but not expected."]),
        ],
      };
    },
  },
  {
    name: "refund_spike",
    family: "spec",
    title: "Refund spike",
    description:
      "A defective batch of a best-selling product ships for a few days; customers ask for refunds a day or two after delivery, a cluster of refunds several times the normal rate (spec golden scenario 2).",
    plan(ctx) {
      const r = ctx.random;
      const popular = productsByPopularity(ctx.world);
      const count = ctx.overrides.magnitude !== undefined ? 2 : integer(r, 1, 2);
      const products = ctx.overrides.magnitude !== undefined ? popular.slice(0, count) : shuffled(r, popular.slice(0, 4)).slice(0, count);
      const onset = onsetOf(ctx);
      const duration = durationOf(ctx, 4, 7);
      const defectRate = ctx.overrides.magnitude ?? uniform(r, 0.3, 0.6);
      const ids = products.map((p) => p.id);
      return {
        // The batch ships three days before the refunds start: transit, then the customer's claim.
        injections: [{ kind: "defect_batch", productIds: ids, defectRate, onsetDay: onset - 3, durationDays: duration }],
        incidents: [incident("refunds", "REFUND_SPIKE", onset, duration, "refund_rate", "defect_refunds", { minSeverity: "HIGH", entities: { product_ids: ids } })],
        tolerated: ["MARGIN_COMPRESSION", "CUSTOMER_SATISFACTION_REGRESSION", "SUPPORT_LOAD_SURGE", "LIQUIDITY_CRUNCH_RISK"],
        toleranceDays: 14,
        notes: [`Order lines of ${ids.join(", ")} shipped in the window are defective with probability ${defectRate.toFixed(2)}.`],
      };
    },
  },
  {
    name: "order_surge_cascade",
    family: "spec",
    title: "Order volume surge cascade",
    description:
      "A campaign triples orders for three days while warehouse capacity stays as planned: the backlog jumps, orders ship late, and customers asking where their order is swamp support (spec golden scenario 3).",
    plan(ctx) {
      const r = ctx.random;
      const onset = onsetOf(ctx);
      const duration = durationOf(ctx, 2, 4);
      const multiplier = ctx.overrides.magnitude ?? uniform(r, 2.5, 3.5);
      return {
        injections: [
          { kind: "demand_surge", multiplier, extraCustomersPerDay: 6 * STANDARD_PROFILE.scale, capacityFreezeDays: 21, onsetDay: onset, durationDays: duration },
        ],
        incidents: [
          incident("fulfillment", "FULFILLMENT_SLA_DEGRADATION", onset, duration + 7, "order_volume", "capacity_waits"),
          incident("support", "SUPPORT_LOAD_SURGE", onset, duration + 10, "order_volume", "order_tickets", { causedBy: "fulfillment", lag: [3, 5] }),
        ],
        tolerated: ["CUSTOMER_SATISFACTION_REGRESSION", "CHURN_ACCELERATION", "REFUND_SPIKE"],
        toleranceDays: 21,
        notes: [`Order intent × ${multiplier.toFixed(2)} for ${duration} days; warehouse planning frozen for 21 days.`],
      };
    },
  },
  {
    name: "support_failure_churn",
    family: "spec",
    title: "Churn acceleration from support failure",
    description:
      "Half the support team is out for two weeks: the ticket backlog grows every day, resolution time more than doubles, and customers left waiting start to leave a week or so later (spec golden scenario 4).",
    plan(ctx) {
      const r = ctx.random;
      const onset = onsetOf(ctx, 35);
      const duration = ctx.overrides.durationDays ?? 14;
      const multiplier = ctx.overrides.magnitude ?? uniform(r, 0.3, 0.4);
      return {
        injections: [{ kind: "support_capacity", multiplier, onsetDay: onset, durationDays: duration }],
        incidents: [
          incident("support", "SUPPORT_LOAD_SURGE", onset, duration, "ticket_backlog", "waiting_customers"),
          incident("churn", "CHURN_ACCELERATION", onset, duration + 14, "ticket_backlog", "slow_support_churn", { causedBy: "support", lag: [7, 10] }),
        ],
        tolerated: ["CUSTOMER_SATISFACTION_REGRESSION"],
        toleranceDays: 21,
        notes: [`Support capacity × ${multiplier.toFixed(2)} for ${duration} days; the RCA chain should read ticket_backlog → avg_resolution_time → churn_proxy.`],
      };
    },
  },
  {
    name: "ar_aging_liquidity",
    family: "spec",
    title: "Liquidity crunch from AR aging",
    description:
      "Several key accounts, billed on statement terms, miss their statement-day payment run: about twenty invoices go overdue on the same day and stay unpaid for weeks (spec golden scenario 5).",
    plan(ctx) {
      const r = ctx.random;
      // The statement date: the 15th of a month, late enough for a 30-day baseline.
      const wanted = onsetOf(ctx, 35);
      let due = wanted;
      while (ctx.calendar.dayOfMonth(due) !== 15) due++;
      if (ctx.overrides.onsetDay !== undefined) due = ctx.overrides.onsetDay - 1;
      const keyAccounts = ctx.world.customers.filter((c) => c.payer === "key_account" && c.statementDay === 15).sort((a, b) => b.orderRate - a.orderRate || a.id.localeCompare(b.id));
      const target = ctx.overrides.magnitude ?? integer(r, 16, 26);
      const chosen: string[] = [];
      let expected = 0;
      // Chosen until their expected invoices reach 1.4 × the target: some accounts churn or order less before the statement day.
      for (const c of keyAccounts) {
        if (expected >= 1.4 * target) break;
        if (r() < 0.35) continue;
        chosen.push(c.id);
        expected += c.orderRate * 30;
      }
      const postpone = ctx.overrides.durationDays ?? integer(r, 25, 40);
      return {
        injections: [{ kind: "payment_freeze", customerIds: chosen, postponeDays: postpone, onsetDay: due - 4, durationDays: 6 }],
        incidents: [incident("ar", "LIQUIDITY_CRUNCH_RISK", due + 1, postpone, "ar_aging_amount", "affected", { entities: { customer_ids: chosen } })],
        tolerated: [],
        toleranceDays: 7,
        notes: [`${chosen.length} key accounts (about ${Math.round(expected / 1.4)} invoices due on ${ctx.calendar.day(due)}) pay ${postpone} days late.`],
      };
    },
  },
  {
    name: "carrier_delays",
    family: "extra",
    title: "Carrier delays",
    description: "One outbound carrier slows down (a hub backlog): parcels take days longer, deliveries go late although the warehouse ships on time.",
    plan(ctx) {
      const r = ctx.random;
      const carriers = ctx.world.routes.filter((route) => route.vendor !== null);
      const carrier = carriers[integer(r, 0, carriers.length - 1)]!;
      const onset = onsetOf(ctx);
      const duration = durationOf(ctx, 6, 12);
      const extraDays = ctx.overrides.magnitude ?? integer(r, 2, 4);
      return {
        injections: [{ kind: "carrier_delay", carrierId: carrier.id, extraDays, onsetDay: onset, durationDays: duration }],
        incidents: [incident("late", "FULFILLMENT_SLA_DEGRADATION", onset, duration + extraDays, "delivery_delay_rate", "late_deliveries", { entities: { vendor_ids: [carrier.id] } })],
        tolerated: ["SUPPORT_LOAD_SURGE", "CUSTOMER_SATISFACTION_REGRESSION", "CHURN_ACCELERATION", "REFUND_SPIKE"],
        toleranceDays: 21,
        notes: [`${carrier.name} (${carrier.id}) parcels shipped in the window take ${extraDays} more shipping days.`],
      };
    },
  },
  {
    name: "product_quality_regression",
    family: "extra",
    title: "Product quality regression",
    description: "A supplier changes a component: one popular product starts failing for weeks, bringing refunds, defect tickets and one-star reviews.",
    plan(ctx) {
      const r = ctx.random;
      const product = productsByPopularity(ctx.world)[integer(r, 0, 4)]!;
      const onset = onsetOf(ctx, 30);
      const duration = durationOf(ctx, 20, 40);
      const defectRate = ctx.overrides.magnitude ?? uniform(r, 0.25, 0.5);
      return {
        injections: [{ kind: "defect_batch", productIds: [product.id], defectRate, onsetDay: onset - 3, durationDays: duration }],
        incidents: [
          incident("refunds", "REFUND_SPIKE", onset, duration, "refund_rate", "defect_refunds", { entities: { product_ids: [product.id] } }),
          incident("reviews", "CUSTOMER_SATISFACTION_REGRESSION", onset, duration, "review_score_avg", "defect_bad_reviews", { entities: { product_ids: [product.id] } }),
        ],
        tolerated: ["SUPPORT_LOAD_SURGE", "MARGIN_COMPRESSION", "CHURN_ACCELERATION", "LIQUIDITY_CRUNCH_RISK"],
        toleranceDays: 21,
        notes: [`${product.id} (${product.name}) is defective with probability ${defectRate.toFixed(2)} per order line.`],
      };
    },
  },
  {
    name: "vendor_cost_increase",
    family: "extra",
    title: "Vendor cost increase",
    description: "The largest suppliers raise their prices (a new tariff); bills for inventory grow while selling prices stay put, squeezing the margin.",
    plan(ctx) {
      const r = ctx.random;
      const suppliers = suppliersByShare(ctx.world);
      const count = integer(r, 2, 4);
      const chosen = suppliers.slice(0, count);
      const onset = onsetOf(ctx, 30);
      const multiplier = ctx.overrides.magnitude ?? uniform(r, 1.3, 1.6);
      const duration = ctx.overrides.durationDays ?? ctx.days - onset;
      return {
        injections: [{ kind: "vendor_cost", vendorIds: chosen.map((s) => s.id), multiplier, onsetDay: onset, durationDays: duration }],
        incidents: [incident("margin", "MARGIN_COMPRESSION", onset, duration, "daily_expenses", "costlier_bills", { entities: { vendor_ids: chosen.map((s) => s.id) } })],
        tolerated: ["LIQUIDITY_CRUNCH_RISK"],
        toleranceDays: 14,
        notes: [
          `Purchase orders to ${chosen.map((s) => s.id).join(", ")} (${(chosen.reduce((s, c) => s + c.share, 0) * 100).toFixed(0)} % of demand) cost × ${multiplier.toFixed(2)}; bills follow on receipt, a lead time later.`,
        ],
      };
    },
  },
  {
    name: "competitor_churn_wave",
    family: "extra",
    title: "Competitor churn wave",
    description: "A competitor opens with aggressive prices: customers of one segment leave at several times the usual rate and fewer new ones sign up.",
    plan(ctx) {
      const r = ctx.random;
      const segments = ["retail", "wholesale", "all"] as const;
      const segment = segments[integer(r, 0, 2)]!;
      const onset = onsetOf(ctx, 30);
      const duration = durationOf(ctx, 10, 21);
      const extra = ctx.overrides.magnitude ?? uniform(r, 0.06, 0.12) * (segment === "all" ? 1 : 1.6);
      return {
        injections: [{ kind: "churn_wave", segment, extraChurnPerMonth: extra, acquisitionMultiplier: uniform(r, 0.6, 0.85), onsetDay: onset, durationDays: duration }],
        incidents: [incident("churn", "CHURN_ACCELERATION", onset, duration, "churn_proxy", "competitor_churn")],
        tolerated: ["MARGIN_COMPRESSION", "LIQUIDITY_CRUNCH_RISK"],
        toleranceDays: 21,
        notes: [`Extra churn hazard of ${(extra * 100).toFixed(1)} %/month for ${segment} customers.`],
      };
    },
  },
  {
    name: "support_staffing_cut",
    family: "extra",
    title: "Support staffing cut",
    description: "A hiring freeze and two resignations leave support short-handed for weeks: the queue grows and tickets wait longer.",
    plan(ctx) {
      const r = ctx.random;
      const onset = onsetOf(ctx, 30);
      const duration = durationOf(ctx, 21, 40);
      const multiplier = ctx.overrides.magnitude ?? uniform(r, 0.5, 0.65);
      return {
        injections: [{ kind: "support_capacity", multiplier, onsetDay: onset, durationDays: Math.min(duration, ctx.days - onset) }],
        incidents: [incident("support", "SUPPORT_LOAD_SURGE", onset, Math.min(duration, ctx.days - onset), "ticket_backlog", "waiting_customers")],
        tolerated: ["CHURN_ACCELERATION", "CUSTOMER_SATISFACTION_REGRESSION"],
        toleranceDays: 21,
        notes: [`Support capacity × ${multiplier.toFixed(2)}.`],
      };
    },
  },
  {
    name: "control_weekly_seasonality",
    family: "control",
    title: "Control: strong weekly seasonality",
    description: "Wholesale accounts order almost only on weekdays and consumers mostly at weekends; nothing goes wrong.",
    profile: () => ({
      profile: { ...STANDARD_PROFILE, wholesaleWeekly: [0.05, 1.65, 1.5, 1.4, 1.3, 1.2, 0.15], retailWeekly: [1.45, 0.75, 0.7, 0.75, 0.9, 1.1, 1.6] },
      name: "standard+strong-weekly",
    }),
    plan() {
      return {
        injections: [],
        incidents: [],
        tolerated: [],
        toleranceDays: 0,
        notes: ["No injection: the weekly pattern is part of normal business."],
      };
    },
  },
  {
    name: "control_steady_growth",
    family: "control",
    title: "Control: steady growth",
    description: "Acquisition runs well ahead of churn: the customer base and orders grow steadily, and the business hires and restocks as it grows.",
    profile: (r) => ({
      profile: { ...STANDARD_PROFILE, newCustomersPerDay: STANDARD_PROFILE.newCustomersPerDay * uniform(r, 2.2, 3), acquisitionGrowthPerMonth: uniform(r, 0.06, 0.12) },
      name: "standard+growth",
    }),
    plan() {
      return {
        injections: [],
        incidents: [],
        tolerated: [],
        toleranceDays: 0,
        notes: ["No injection: growth is gradual and capacity planning follows it."],
      };
    },
  },
  {
    name: "control_holiday_dip",
    family: "control",
    title: "Control: a holiday dip",
    description: "The window contains a public holiday on which the warehouse, carriers and support close and orders dip; promises skip the holiday.",
    plan(ctx) {
      const r = ctx.random;
      const options = [
        ["2025-05-26", "Memorial Day"],
        ["2025-07-04", "Independence Day"],
        ["2025-09-01", "Labor Day"],
        ["2025-11-27", "Thanksgiving"],
      ] as const;
      const [holiday, name] = options[integer(r, 0, options.length - 1)]!;
      const position = ctx.overrides.onsetDay ?? integer(r, Math.floor(ctx.days * 0.45), Math.floor(ctx.days * 0.7));
      const start = new Date(Date.parse(`${holiday}T00:00:00Z`) - position * 86_400_000).toISOString().slice(0, 10);
      return {
        startDay: start,
        injections: [],
        incidents: [],
        tolerated: [],
        toleranceDays: 0,
        notes: [`${name} (${holiday}) falls on day ${position}.`],
      };
    },
  },
  {
    name: "control_missing_fields",
    family: "control",
    title: "Control: missing fields",
    description: "An integration update starts dropping fields on some records; the data gets worse but the business does not. The events must be flagged, not read as incidents.",
    plan(ctx) {
      const r = ctx.random;
      const onset = onsetOf(ctx, 20);
      const candidates = [
        { event_type: "order_late", field: "days_late" },
        { event_type: "support_ticket_closed", field: "resolution_time_hours" },
        { event_type: "review_submitted", field: "score" },
        { event_type: "invoice_paid", field: "days_to_pay" },
        { event_type: "shipment_delayed", field: "days_delayed" },
        { event_type: "invoice_issued", field: "due_date" },
      ] as const;
      const fields = candidates
        .map((c) => ({ ...c, keep: r() }))
        .sort((a, b) => a.keep - b.keep)
        .slice(0, integer(r, 2, 4))
        .map(({ event_type, field }) => ({ event_type, field, share: Math.round(uniform(r, 0.1, 0.35) * 100) / 100 }));
      return {
        injections: [{ kind: "missing_fields", fields: [...fields], onsetDay: onset, durationDays: ctx.days - onset }],
        incidents: [],
        tolerated: [],
        toleranceDays: 0,
        notes: [`From day ${onset}: ${fields.map((f) => `${f.event_type}.${f.field} missing on ${Math.round(f.share * 100)} %`).join("; ")}.`],
      };
    },
  },
];

/** The business a scenario runs on, drawn from its own stream so that it does not shift the plan's draws. */
export function scenarioProfile(definition: ScenarioDefinition, random: Random): { profile: BusinessProfile; name: string } {
  return definition.profile ? definition.profile(random) : { profile: STANDARD_PROFILE, name: "standard" };
}

export const SCENARIOS_BY_NAME: ReadonlyMap<string, ScenarioDefinition> = new Map(SCENARIOS.map((s) => [s.name, s]));
