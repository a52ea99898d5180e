/**
 * The eight incident types (spec, Component E): which metrics trigger them, in which direction,
 * at which threshold, what evidence they cite, and how severe they are.
 *
 * Severity scale on the strongest trigger's |z| (the spec's intervals (3,4), (4,6), > 6, > 8):
 * LOW below 4, MEDIUM from 4 to 6, HIGH above 6 up to 8, CRITICAL above 8.
 * Type rules on top of the scale:
 * - REFUND_SPIKE: CRITICAL needs z > 8 AND refunds in the window above 10 % of the trailing 30
 *   days' revenue; otherwise it stops at HIGH.
 * - SUPPORT_LOAD_SURGE: one level up when avg_resolution_time is also anomalous (z > 3).
 * - CHURN_ACCELERATION: one level up when the 14-day churn rate itself exceeds 5 %; one more when
 *   top-revenue customers are among the churned ({@link evidenceUpgrade}).
 * - LIQUIDITY_CRUNCH_RISK: CRITICAL when both triggers fire on the same day.
 * - SUPPLIER_DEPENDENCY_FAILURE: one level up when one vendor causes at least half of the delays.
 * - CUSTOMER_SATISFACTION_REGRESSION: the larger of the z class and the decline in points from
 *   the baseline (≥ 0.3 MEDIUM, ≥ 0.6 HIGH, ≥ 1.0 CRITICAL on the 1–5 scale).
 *
 * Counts that must move with the triggers ({@link CountCheck}): refunds and 1–2 star reviews in
 * the week, and for supplier delays one supplier's own cluster (every supplier a day late after a
 * holiday is not a supplier failing). Refund spikes, satisfaction regressions and supplier failures
 * also fire on one product's (one supplier's) cluster over one or two weeks with their trigger
 * merely above its usual level ({@link Concentration}); margin compression is held back when it is
 * more stock at unchanged unit costs, opens short of its threshold on dearer units, is raised
 * early or opened by a week of units 10 % dearer ({@link UnitCostCheck}), and is held back when
 * customers paying later explain its fall ({@link SalesBasisCheck}); the balance overdue more than
 * a week opens a liquidity incident by itself ({@link StateOpener}). Days after a holiday:
 * detect.ts, `holidayShadow`.
 */
import type { EventType } from "../events/canonical.ts";
import type { EvidenceEvent } from "../evidence.ts";
import type { MetricName } from "../metrics/gold.ts";
import { AR_AGED_KEY, LOW_REVIEWS_KEY, PRODUCT_LOW_REVIEWS_PREFIX, PRODUCT_REFUNDS_PREFIX, VENDOR_DELAYS_PREFIX } from "../metrics/ledger.ts";
import type { IncidentType, Severity } from "../scan-contract.ts";
import type { PointScore } from "./layer1.ts";

export interface Trigger {
  metric: MetricName;
  /** `up`: fires on z > threshold; `down`: fires on z < −threshold. */
  direction: "up" | "down";
  /** |modified z| needed to fire. */
  zThreshold: number;
  /** An absolute rule that also fires without a z-score (the review trend's slope < −0.1). */
  absolute?: { below?: number; above?: number };
}

/**
 * A count the rule's firing days must also show: on a day a trigger passes its threshold, the
 * rule fires only if the number of `events` in the trailing `windowDays` is at least `minZ`
 * above its Poisson expectation (the mean daily count over the `baselineDays` before the window),
 * unless the trigger's |z| reaches `unlessZ`. An amount-weighted rate (refunds against revenue)
 * moves as much for one large refund as for a cluster of small ones; a spike is the cluster.
 */
export interface CountCheck {
  events: readonly EventType[];
  /** Daily aggregate columns counted instead of `n:<event>` (e.g. `n:review_low`, the 1–2 star reviews). */
  columns?: readonly string[];
  /**
   * Count per entity instead (the aggregate keys starting with this prefix): the check's z is the
   * most surprising entity's, Bonferroni-corrected ({@link Concentration}); a failure that is one
   * supplier's shows as that supplier's cluster.
   */
  byEntity?: string;
  /** The triggers the check holds back (default: all); a day another trigger fires on passes. */
  appliesTo?: readonly MetricName[];
  windowDays: number;
  baselineDays: number;
  minZ: number;
  unlessZ: number;
  /**
   * The triggers whose |z| at `unlessZ` passes the check (default: all). A trigger whose z
   * overstates its surprise (the slope of a smoothed series) must not buy its way past the count.
   */
  unlessOn?: readonly MetricName[];
}

/**
 * A cluster on one entity: on a day the rule's triggers are beyond `atZ` their way (short of
 * their threshold; with `atZ` 0, merely beyond their baseline), the rule also fires when one
 * product's count (the aggregate keys starting with `prefix`) over the trailing `windowDays` (or
 * `longWindowDays`) is improbable against that product's own mean over the `baselineDays` before:
 * Poisson, with one pseudo-event of prior in the baseline so a product with none before is not
 * infinitely surprising, and Bonferroni-corrected for the number of products known by that day
 * and the windows tried; `minZ` is the z of the corrected tail. A defective product makes its own
 * refunds and one-star reviews long before it moves the business-wide rate, which dozens of other
 * products hold steady. The same cluster also passes the rule's count check.
 */
export interface Concentration {
  prefix: string;
  /** What an entity is and what is counted, for the incident's note ("product", "refunds and credit memos"). */
  entity: string;
  label: string;
  windowDays: number;
  /** A second, longer window also tried (the correction then counts two tests per product). */
  longWindowDays?: number;
  baselineDays: number;
  minZ: number;
  atZ: number;
}

/**
 * A state aggregate (`key`, a running total such as the overdue balance still unpaid a week on)
 * scored as `metric` is (Layer 1: same baseline, seasonality and floors) that opens the rule's
 * incident by itself at z ≥ `minZ` on two days in a row, away from the rule's own incidents. The
 * incident is reported on `metric`, with the aggregate as a supporting metric.
 */
export interface StateOpener {
  key: string;
  /** Its name as a supporting metric, and in words for the incident's note. */
  name: string;
  description: string;
  metric: MetricName;
  minZ: number;
}

/**
 * What bills' item lines say about unit costs (detect.ts `unitCosts`): a margin fall made of more
 * units bought at unchanged unit costs is held back; dearer units open an incident short of the
 * threshold, and a week of much dearer units raises the incident it runs into early.
 */
export interface UnitCostCheck {
  windowDays: number;
  baselineDays: number;
  /** The rise in unit costs (a share, 0.05 = 5 %) below which the costs count as unchanged. */
  minRise: number;
  /** Units at least this much dearer (0.1 = 10 %) open the rule's incident once a trigger is `atZ` out its way. */
  openAtRise?: number;
  atZ?: number;
  /**
   * Units at least `rise` dearer over the last `windowDays`, on two days in a row, with the extra
   * they cost at least `minShareOfRevenue` of the same days' revenue (a price rise worth a margin
   * point, not one small bill), raise the margin incident they run into from then on, before its
   * 30-day trigger has passed its checks, and open one when they run into none (the 30-day margin
   * may take weeks to move).
   */
  raisesEarly?: { windowDays: number; rise: number; minShareOfRevenue: number };
}

/**
 * A margin read on revenue as it is paid also falls when customers pay later. Per day, the fall of
 * the `windowDays` margin below its median over the `baselineDays` before is set against the fall
 * of the same margin with revenue counted as invoiced (`sum:sales`); when less than
 * `maxShare` of the fall is left, the day is held back: payments arrived later, costs did not rise.
 */
export interface SalesBasisCheck {
  windowDays: number;
  baselineDays: number;
  maxShare: number;
}

export interface IncidentRule {
  type: IncidentType;
  triggers: readonly Trigger[];
  /** A count that must move with the triggers (checked only when the scan passes its daily aggregates). */
  countCheck?: CountCheck;
  /** A per-entity cluster (one product's, one supplier's) that lets the rule fire below its threshold (checked only with daily aggregates). */
  concentration?: Concentration;
  /** A state aggregate that opens the rule's incidents by itself (checked only with daily aggregates). */
  opener?: StateOpener;
  /** Holds back days whose expense rise is more units at unchanged unit costs (checked only with daily aggregates). */
  unitCosts?: UnitCostCheck;
  /** Holds back days whose margin fall is customers paying later (checked only with daily aggregates). */
  salesBasis?: SalesBasisCheck;
  /** Event types whose events in the window are the incident's evidence. */
  evidence: readonly EventType[];
  /** Metrics checked for corroboration (reported as supporting metrics). */
  supporting: readonly MetricName[];
}

export const INCIDENT_RULES: readonly IncidentRule[] = [
  {
    type: "REFUND_SPIKE",
    triggers: [{ metric: "refund_rate", direction: "up", zThreshold: 3 }],
    countCheck: { events: ["refund_issued", "credit_memo_issued"], windowDays: 7, baselineDays: 30, minZ: 3, unlessZ: 8 },
    concentration: { prefix: PRODUCT_REFUNDS_PREFIX, entity: "product", label: "refunds and credit memos", windowDays: 7, longWindowDays: 14, baselineDays: 30, minZ: 3, atZ: 0 },
    evidence: ["refund_issued", "credit_memo_issued"],
    supporting: ["daily_refunds", "daily_revenue"],
  },
  {
    type: "FULFILLMENT_SLA_DEGRADATION",
    triggers: [
      { metric: "delivery_delay_rate", direction: "up", zThreshold: 3 },
      { metric: "fulfillment_backlog", direction: "up", zThreshold: 3 },
    ],
    evidence: ["order_late", "order_placed"],
    supporting: ["avg_delivery_delay_days", "order_volume"],
  },
  {
    type: "SUPPORT_LOAD_SURGE",
    triggers: [
      { metric: "ticket_volume", direction: "up", zThreshold: 3 },
      { metric: "ticket_backlog", direction: "up", zThreshold: 3 },
    ],
    evidence: ["support_ticket_opened"],
    supporting: ["avg_resolution_time"],
  },
  {
    type: "CHURN_ACCELERATION",
    triggers: [{ metric: "churn_proxy", direction: "up", zThreshold: 2.5 }],
    evidence: ["customer_churned"],
    supporting: ["customer_concentration"],
  },
  {
    type: "MARGIN_COMPRESSION",
    triggers: [
      { metric: "margin_proxy", direction: "down", zThreshold: 3 },
      { metric: "expense_ratio", direction: "up", zThreshold: 3 },
    ],
    unitCosts: { windowDays: 30, baselineDays: 90, minRise: 0.05, openAtRise: 0.1, atZ: 2, raisesEarly: { windowDays: 7, rise: 0.1, minShareOfRevenue: 0.01 } },
    salesBasis: { windowDays: 30, baselineDays: 30, maxShare: 0.25 },
    evidence: ["expense_posted", "refund_issued"],
    supporting: ["daily_expenses", "refund_rate"],
  },
  {
    type: "LIQUIDITY_CRUNCH_RISK",
    triggers: [
      { metric: "net_cash_proxy", direction: "down", zThreshold: 3 },
      { metric: "ar_aging_amount", direction: "up", zThreshold: 3 },
    ],
    // Accounts that stopped paying: the balance still overdue a week on, without a weekend's or a payment run's slip.
    opener: { key: AR_AGED_KEY, name: "ar_aged_amount", description: "The balance overdue for more than a week", metric: "ar_aging_amount", minZ: 5 },
    evidence: ["invoice_overdue", "invoice_issued", "expense_posted"],
    supporting: ["ar_overdue_count", "dso_proxy"],
  },
  {
    type: "SUPPLIER_DEPENDENCY_FAILURE",
    triggers: [
      { metric: "supplier_delay_rate", direction: "up", zThreshold: 3 },
      { metric: "supplier_delay_severity", direction: "up", zThreshold: 3 },
    ],
    // The delays must be one supplier's (its own cluster); how late one shipment is needs no count.
    countCheck: { events: ["shipment_delayed"], byEntity: VENDOR_DELAYS_PREFIX, appliesTo: ["supplier_delay_rate"], windowDays: 7, baselineDays: 30, minZ: 2, unlessZ: 8 },
    concentration: { prefix: VENDOR_DELAYS_PREFIX, entity: "supplier", label: "delayed shipments", windowDays: 7, longWindowDays: 14, baselineDays: 30, minZ: 3, atZ: 0 },
    evidence: ["shipment_delayed", "purchase_order_placed"],
    supporting: [],
  },
  {
    type: "CUSTOMER_SATISFACTION_REGRESSION",
    triggers: [
      { metric: "review_score_avg", direction: "down", zThreshold: 2.5 },
      // The spec's slope rule, and a slope far below its own trailing normal (z < −4: the 14-day
      // slope of a 7-day mean is smooth, so its baseline understates its noise).
      { metric: "review_score_trend", direction: "down", zThreshold: 4, absolute: { below: -0.1 } },
    ],
    // A lower average needs more low reviews: a few 1-star reviews among few reviews move a 7-day mean as much as a real regression does.
    // The slope's z (its baseline understates its noise) does not pass it: a 0.4-point dip read z −11.7 there.
    countCheck: { events: ["review_submitted"], columns: [LOW_REVIEWS_KEY], windowDays: 7, baselineDays: 30, minZ: 2, unlessZ: 8, unlessOn: ["review_score_avg"] },
    concentration: { prefix: PRODUCT_LOW_REVIEWS_PREFIX, entity: "product", label: "1–2 star reviews", windowDays: 7, longWindowDays: 14, baselineDays: 30, minZ: 3, atZ: 0 },
    evidence: ["review_submitted"],
    supporting: [],
  },
];

export const RULES_BY_TYPE: ReadonlyMap<IncidentType, IncidentRule> = new Map(INCIDENT_RULES.map((r) => [r.type, r]));

const ORDER: readonly Severity[] = ["LOW", "MEDIUM", "HIGH", "CRITICAL"];

/**
 * The spec's scale on |z|: LOW below 4, MEDIUM from 4 to 6, HIGH above 6 up to 8, CRITICAL above 8.
 * @example severityForZ(4) // "MEDIUM" (4 is MEDIUM's lower edge); severityForZ(8) // "HIGH"
 */
export function severityForZ(absZ: number): Severity {
  if (absZ > 8) return "CRITICAL";
  if (absZ > 6) return "HIGH";
  if (absZ >= 4) return "MEDIUM";
  return "LOW";
}

export function upgrade(severity: Severity, levels = 1): Severity {
  return ORDER[Math.min(ORDER.length - 1, ORDER.indexOf(severity) + levels)]!;
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}

export interface FiredTrigger {
  metric: MetricName;
  value: number | null;
  baseline: number | null;
  z: number | null;
}

/** What a day's severity may read besides the fired triggers. */
export interface SeverityContext {
  /** Scores of every metric (values and baselines included). */
  scores: ReadonlyMap<MetricName, readonly PointScore[]>;
  /** Day being classified and the first day of its incident window. */
  day: number;
  windowStart: number;
}

/** Severity of one firing day of a rule. */
export function ruleSeverity(rule: IncidentRule, fired: readonly FiredTrigger[], context: SeverityContext): Severity {
  const { scores, day } = context;
  const absZ = Math.max(...fired.map((f) => (f.z === null ? 0 : Math.abs(f.z))));
  let severity = severityForZ(absZ);
  const valueOf = (metric: MetricName, i: number) => scores.get(metric)?.[i]?.value ?? null;
  switch (rule.type) {
    case "REFUND_SPIKE": {
      if (severity !== "CRITICAL") break;
      let refunds = 0;
      for (let i = context.windowStart; i <= day; i++) refunds += valueOf("daily_refunds", i) ?? 0;
      let revenue = 0;
      for (let i = Math.max(0, day - 29); i <= day; i++) revenue += valueOf("daily_revenue", i) ?? 0;
      if (!(refunds > 0.1 * revenue)) severity = "HIGH";
      break;
    }
    case "SUPPORT_LOAD_SURGE": {
      const resolution = scores.get("avg_resolution_time")?.[day]?.z ?? null;
      if (resolution !== null && resolution > 3) severity = upgrade(severity);
      break;
    }
    case "CHURN_ACCELERATION": {
      if ((valueOf("churn_proxy", day) ?? 0) > 0.05) severity = upgrade(severity);
      break;
    }
    case "LIQUIDITY_CRUNCH_RISK":
      if (fired.length >= 2) severity = "CRITICAL";
      break;
    case "CUSTOMER_SATISFACTION_REGRESSION": {
      const point = scores.get("review_score_avg")?.[day];
      if (point && point.value !== null && point.baseline !== null) severity = maxSeverity(severity, severityForDecline(point.baseline - point.value));
      break;
    }
    default:
      break;
  }
  return severity;
}

/** Review-score decline in points (1–5 scale) → class: ≥ 1.0 CRITICAL, ≥ 0.6 HIGH, ≥ 0.3 MEDIUM. */
export function severityForDecline(points: number): Severity {
  if (points >= 1) return "CRITICAL";
  if (points >= 0.6) return "HIGH";
  if (points >= 0.3) return "MEDIUM";
  return "LOW";
}

/**
 * Upgrades that need the incident's evidence: a supplier failure concentrated on one vendor
 * (≥ 3 delayed shipments, ≥ 50 % from one vendor), a churn wave that takes top customers (a
 * churned customer among the top 10 % by trailing revenue).
 */
export function evidenceUpgrade(
  type: IncidentType,
  severity: Severity,
  evidence: readonly EvidenceEvent[],
  topCustomers: ReadonlySet<string>,
): { severity: Severity; reason: string | null } {
  if (type === "SUPPLIER_DEPENDENCY_FAILURE") {
    const byVendor = new Map<string, number>();
    let delayed = 0;
    for (const e of evidence) {
      if (e.event_type !== "shipment_delayed") continue;
      delayed++;
      const vendor = e.related_entity_ids.vendor_id ?? (e.entity_type === "vendor" ? e.entity_id : undefined);
      if (vendor) byVendor.set(vendor, (byVendor.get(vendor) ?? 0) + 1);
    }
    const [vendor, count] = [...byVendor].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? ["", 0];
    if (delayed >= 3 && count / delayed >= 0.5) {
      return { severity: upgrade(severity), reason: `${Math.round((100 * count) / delayed)}% of delayed shipments come from ${vendor}` };
    }
  }
  if (type === "CHURN_ACCELERATION") {
    const lost = new Set<string>();
    for (const e of evidence) {
      const customer = e.entity_type === "customer" ? e.entity_id : e.related_entity_ids.customer_id;
      if (customer && topCustomers.has(customer)) lost.add(customer);
    }
    if (lost.size > 0) return { severity: upgrade(severity), reason: `top customers churned: ${[...lost].sort().slice(0, 5).join(", ")}` };
  }
  return { severity, reason: null };
}
