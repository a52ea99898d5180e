/**
 * The detection walk: every metric scored day by day against earlier days only (Layer 1), the
 * optional isolation forest (Layer 2) and change points (Layer 3), fused into incidents.
 *
 * - Incidents open on Layer 1: a rule fires on a day when one of its triggers passes its
 *   threshold; runs of firing days (allowing `mergeGapDays` quiet days) merge into one incident
 *   window. `detected_at` is the first firing day, when a daily scan on that day would have
 *   raised it.
 * - Layer 2 agrees when the forest of the trigger metric's domain flags a day within the window
 *   (± `corroborationDays`); Layer 3 when a trigger metric changes regime in the trigger's
 *   direction within the same span.
 * - Fusion (spec): L1 alone → MEDIUM; L1 with one more layer → HIGH; all three → VERY_HIGH.
 * - Fusion gate ({@link gateDay}): a moderate Layer 1 incident (peak |z| < 5) is raised only once
 *   every other enabled layer able to judge it agrees, and on the day that agreement is known;
 *   otherwise it stays a LOW confidence review flag. Strong incidents are raised on Layer 1.
 * - A rule may also need a count to move with its rate ({@link CountCheck}: refunds, 1–2 star reviews).
 * - A trigger metric's regime change with no Layer 1 incident of that type nearby becomes a LOW
 *   confidence incident flagged for review (`needsReview`), or, for the types in `openOnChange`
 *   (supplier delays), a raised incident; Layer 2 alone opens nothing, since a domain-wide
 *   isolation does not say which incident type it would be.
 */
import type { Domain, GoldMetrics, MetricDefinition, MetricName } from "../metrics/gold.ts";
import { GOLD_METRICS, METRICS_BY_NAME } from "../metrics/gold.ts";
import { ITEM_COST_PREFIX, ITEM_EXPENSES_KEY, ITEM_UNITS_PREFIX, SALES_KEY } from "../metrics/ledger.ts";
import type { DailyAggregates, MetricSeries } from "../metrics/series.ts";
import type { Confidence, DetectionMethod, IncidentType, Severity } from "../scan-contract.ts";
import { holidayShadow } from "../holidays.ts";
import { weekday } from "../time.ts";
import { type ChangeSignal, DEFAULT_CHANGEPOINT, type ChangepointOptions, changepointLayer } from "./changepoints.ts";
import { DEFAULT_ISOLATION_FOREST, DomainForest, type IsolationForestOptions } from "./isolation-forest.ts";
import { type PointScore, RELATIVE_SCALE_FLOOR, robustScores, UNIT_SCALE_FLOOR } from "./layer1.ts";
import { poissonLogUpperTail, poissonZ, zFromUpperTail } from "./exact-tail.ts";
import { median } from "./median.ts";
import { type Concentration, type CountCheck, type FiredTrigger, type SalesBasisCheck, type StateOpener, type UnitCostCheck, INCIDENT_RULES, type IncidentRule, maxSeverity, ruleSeverity, type Trigger } from "./rules.ts";

export type { FiredTrigger } from "./rules.ts";
export type { PointScore } from "./layer1.ts";

export interface DetectionConfig {
  /** Trailing days in the baseline (the day itself excluded). */
  baselineDays: number;
  /** Fewest non-missing baseline values needed to score a day (21: three of each weekday, so a weekly pattern can be known). */
  minBaselineValues: number;
  /** Trailing days from which a weekly profile is estimated (0: no seasonality handling). */
  seasonalityDays: number;
  /** Share of the sampling noise (Poisson, binomial) used as a floor of each z-score's scale. */
  samplingFloorFactor: number;
  /** Quiet days allowed inside one incident window before it closes. */
  mergeGapDays: number;
  /**
   * A day above the rule's threshold but below this |z| raises an incident only when the signal
   * was already rising (a trigger 2σ out the day before) or when another firing day follows
   * within `mergeGapDays + 1` days (the incident then starts on the first and is detected on the
   * second); at or above it, one day is enough. 0 raises on every firing day.
   */
  confirmBelowZ: number;
  /** Per-type override of the trigger thresholds. */
  zThresholds: Partial<Record<IncidentType, number>>;
  /** Detection layers to run (the ablation switches them off one by one). MAD always runs. */
  methods: readonly DetectionMethod[];
  isolationForest: IsolationForestOptions;
  changepoint: ChangepointOptions;
  /** Days either side of an incident window in which Layer 2 / Layer 3 count as agreeing. */
  corroborationDays: number;
  /** Whether regime changes without a Layer 1 incident are reported as LOW confidence incidents. */
  emitLowConfidence: boolean;
  /**
   * Fusion gate: a Layer 1 incident whose peak |z| stays below `belowZ` is raised only when the
   * other enabled layers that can judge it agree (`require: "all"`) or one of them does
   * (`"any"`); otherwise it is kept as a LOW confidence review flag. null: every Layer 1
   * incident is raised (the spec's fusion only grades confidence).
   */
  fusionGate: { belowZ: number; require: "any" | "all" } | null;
  /**
   * Incident types for which a regime change confirmed by every change-point method, with no
   * Layer 1 incident nearby, is raised (MEDIUM, or HIGH with the forest) instead of being a LOW
   * review flag: metrics whose incidents are persistent shifts too small for any single day's z.
   */
  openOnChange: readonly IncidentType[];
  /**
   * A moderate firing day (every trigger below `unlessZ`) on a closure day or in the
   * `businessDays` business days after one (src/holidays.ts) does not raise: a holiday leaves
   * backlogs, late payments and late shipments that clear by themselves. The incident is raised
   * on its first day past the shadow, or stays a review flag if it ends inside it. null: off.
   */
  holidayShadow: { businessDays: number; unlessZ: number } | null;
}

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  baselineDays: 30,
  minBaselineValues: 21,
  seasonalityDays: 56,
  samplingFloorFactor: 1,
  mergeGapDays: 1,
  confirmBelowZ: 5,
  zThresholds: {},
  methods: ["mad_zscore", "isolation_forest", "changepoint"],
  isolationForest: DEFAULT_ISOLATION_FOREST,
  changepoint: DEFAULT_CHANGEPOINT,
  corroborationDays: 2,
  emitLowConfidence: true,
  fusionGate: { belowZ: 5, require: "all" },
  openOnChange: ["SUPPLIER_DEPENDENCY_FAILURE"],
  holidayShadow: { businessDays: 3, unlessZ: 5 },
};

export type ScoreTable = Map<MetricName, PointScore[]>;

/** What the scorer may know about the days besides the metric values. */
export interface ScoringContext {
  days: readonly string[];
  /** For the metrics' sampling models (sample sizes per day). */
  aggregates?: DailyAggregates;
}

/**
 * Modified z-score of each day of one metric against its trailing baseline (`null` where it
 * cannot be scored). Without a context, no weekly adjustment and no sampling floor.
 */
export function madScores(metric: MetricName, series: MetricSeries, config: DetectionConfig, context?: ScoringContext): PointScore[] {
  const definition = METRICS_BY_NAME.get(metric);
  if (!definition) throw new Error(`madScores: unknown metric ${metric}`);
  const weekdays = context ? context.days.map(weekday) : new Array<number>(series.length).fill(0);
  return robustScores(
    definition,
    series,
    {
      weekdays,
      sampleSize: context?.aggregates ? definition.sampling?.size(context.aggregates) : undefined,
      sampleSd: context?.aggregates ? definition.sampling?.sd?.(context.aggregates) : undefined,
    },
    {
      baselineDays: config.baselineDays,
      minBaselineValues: config.minBaselineValues,
      seasonalityDays: context ? config.seasonalityDays : 0,
      samplingFloorFactor: config.samplingFloorFactor,
    },
  );
}

/** Scores every gold metric (the rules' triggers, the forest's vectors and the RCA read them). */
export function scoreMetrics(metrics: GoldMetrics, config: DetectionConfig, context?: ScoringContext): ScoreTable {
  const table: ScoreTable = new Map();
  for (const { name } of GOLD_METRICS) table.set(name, madScores(name, metrics[name], config, context));
  return table;
}

/** Layer 2 and Layer 3 signals, computed once per scan. */
export interface LayerSignals {
  /** The forest of each domain (anything answering `at(day)` will do, e.g. in tests). */
  isolation: Map<Domain, Pick<DomainForest, "at" | "modelsTrained">>;
  changes: Map<MetricName, ChangeSignal>;
}

export function computeLayers(scores: ScoreTable, dayCount: number, config: DetectionConfig): LayerSignals {
  const isolation: LayerSignals["isolation"] = new Map();
  const changes = new Map<MetricName, ChangeSignal>();
  if (config.methods.includes("isolation_forest")) {
    for (const domain of ["financial", "operational", "customer"] as const) {
      const columns = GOLD_METRICS.filter((m) => m.domain === domain).map((m) => scores.get(m.name) ?? []);
      isolation.set(domain, new DomainForest(domain, columns, dayCount, config.isolationForest));
    }
  }
  if (config.methods.includes("changepoint")) {
    for (const rule of INCIDENT_RULES) {
      for (const trigger of rule.triggers) {
        if (changes.has(trigger.metric) || trigger.absolute) continue; // a slope has no regimes of its own
        const definition = METRICS_BY_NAME.get(trigger.metric)!;
        const points = scores.get(trigger.metric) ?? [];
        const adjusted = points.map((p) => p.adjusted ?? p.value);
        changes.set(trigger.metric, changepointLayer(adjusted, scaleFloor(definition, adjusted), points.map((p) => p.scale ?? null), config.changepoint));
      }
    }
  }
  return { isolation, changes };
}

function scaleFloor(definition: MetricDefinition, values: readonly (number | null)[]): number {
  const present = values.filter((v): v is number => v !== null);
  const typical = present.length === 0 ? 0 : Math.abs(present.reduce((s, v) => s + v, 0) / present.length);
  return Math.max(UNIT_SCALE_FLOOR[definition.unit], RELATIVE_SCALE_FLOOR * typical);
}

/** How each layer took part in an incident, for its confidence and its explanation. */
export interface LayerEvidence {
  madZscore: boolean;
  isolationForest: { dayIndex: number; score: number; threshold: number } | null;
  changepoint: { metric: MetricName; dayIndex: number; method: string; changeIndex: number; before: number; after: number } | null;
}

/** One detected incident before evidence and analysis are attached. */
export interface DetectedIncident {
  type: IncidentType;
  rule: IncidentRule;
  detectedIndex: number;
  startIndex: number;
  endIndex: number;
  /**
   * Where the primary metric's own anomaly starts, when the window starts earlier on evidence that
   * raised the incident before the metric moved (dearer bills, a product's cluster); RCA traces the
   * metric's movement.
   */
  anomalyStartIndex?: number;
  /** The day and trigger with the largest |z| in the window. */
  peakIndex: number;
  primary: FiredTrigger;
  severity: Severity;
  methods: DetectionMethod[];
  confidence: Confidence;
  layers: LayerEvidence;
  /** LOW confidence: found by Layer 2/3 without Layer 1, for a person to review. */
  needsReview: boolean;
  /** Triggers that fired on some day of the window. */
  triggersFired: MetricName[];
  /** Why it was raised, when not by a trigger crossing its threshold (a product cluster, an aged balance). */
  notes?: string[];
  /** Series other than gold metrics that the incident rests on, reported with the supporting metrics. */
  extraSupporting?: { metric_name: string; value: number | null; baseline: number | null; zscore: number | null }[];
}

/** Which triggers of a rule fire on day i. */
export function firedTriggers(rule: IncidentRule, scores: ScoreTable, i: number, config: DetectionConfig): FiredTrigger[] {
  const fired: FiredTrigger[] = [];
  for (const trigger of rule.triggers) {
    const point = scores.get(trigger.metric)?.[i];
    if (!point || point.value === null) continue;
    const threshold = Number.isFinite(trigger.zThreshold) ? (config.zThresholds[rule.type] ?? trigger.zThreshold) : trigger.zThreshold;
    const z = point.z;
    const byZ = z !== null && (trigger.direction === "up" ? z > threshold : z < -threshold);
    const abs = trigger.absolute;
    const byAbsolute = abs !== undefined && ((abs.below !== undefined && point.value < abs.below) || (abs.above !== undefined && point.value > abs.above));
    if (byZ || byAbsolute) fired.push({ metric: trigger.metric, value: point.value, baseline: point.baseline, z });
  }
  return fired;
}

/**
 * Walks the days in order, merges firing days into incidents, and fuses the other layers'
 * agreement into each incident's confidence. Without `layers`, Layer 1 alone (MEDIUM).
 */
export function detectIncidents(scores: ScoreTable, dayCount: number, config: DetectionConfig, layers?: LayerSignals, context?: ScoringContext): DetectedIncident[] {
  const incidents: DetectedIncident[] = [];
  const shadow = config.holidayShadow && context ? holidayShadow(context.days, config.holidayShadow.businessDays) : null;
  for (const rule of INCIDENT_RULES) {
    const found = walkRule(rule, dayCount, (i) => firedTriggers(rule, scores, i, config), scores, config);
    const aggregates = context?.aggregates;
    const cluster = rule.concentration && aggregates ? concentrationZ(rule.concentration, aggregates) : null;
    const clustered = (i: number) => cluster !== null && (cluster.z[i] ?? 0) >= rule.concentration!.minZ;
    const costs = rule.unitCosts && aggregates ? unitCosts(rule.unitCosts, aggregates) : null;
    const lateCollections = rule.salesBasis && aggregates ? paidLater(rule.salesBasis, aggregates) : null;
    const explained = costs || lateCollections ? (i: number) => (costs?.volumeOnly[i] ?? false) || (lateCollections?.[i] ?? false) : null;
    const checked = aggregates ? corroboration(rule, scores, aggregates, clustered, explained, config) : null;
    const quiet = shadow ? (i: number) => !shadow.shadowed[i] || triggerReaches(rule, scores, i, config.holidayShadow!.unlessZ) : null;
    const passes = checked && quiet ? (i: number) => quiet(i) && checked(i) : (checked ?? quiet);
    // A week of much dearer units raises the incident it runs into from then, on its own evidence,
    // unless the incident was raised earlier by itself.
    const { openAtRise, atZ, raisesEarly } = rule.unitCosts ?? {};
    const dearerWeeks = costs && raisesEarly && aggregates && context ? dearerWeekSpans(rule, scores, aggregates, config, context) : [];
    const claimed = new Set<DetectedIncident>();
    for (const incident of found) {
      const raisedOn = passes ? firstPassing(incident, passes) : incident.detectedIndex;
      const earlier = dearerWeeks.find((week) => !claimed.has(week) && !awayFrom([incident], config.mergeGapDays)(week) && (raisedOn === null || week.detectedIndex < raisedOn));
      if (earlier) {
        claimed.add(earlier);
        const raised = reachBack({ ...incident, detectedIndex: earlier.detectedIndex, notes: earlier.notes }, earlier.startIndex);
        incidents.push(fuse(raised, layers, { ...config, fusionGate: null }, dayCount));
        continue;
      }
      if (raisedOn !== null) {
        incidents.push(fuse({ ...incident, detectedIndex: raisedOn }, layers, config, dayCount));
        continue;
      }
      // Held by the holiday alone (it would have passed its checks): say so.
      const held = shadow?.holiday[incident.detectedIndex] && (!checked || firstPassing(incident, checked) !== null) ? shadow.holiday[incident.detectedIndex] : null;
      const paidLaterOn = lateCollections ? firstPassing(incident, (i) => lateCollections[i]!) : null;
      const notes = held
        ? [`Held for review: it fired in the ${config.holidayShadow!.businessDays} business days after ${held}, when backlogs and late payments clear by themselves, and stayed below z ${config.holidayShadow!.unlessZ}.`]
        : paidLaterOn !== null
          ? [`Held for review: counted on sales as invoiced instead of payments received, the margin fell less than ${Math.round(rule.salesBasis!.maxShare * 100)} % as much on ${context!.days[paidLaterOn]}; it fell because customers paid later than usual, not because costs rose.`]
          : undefined;
      incidents.push({ ...fuse(incident, layers, config, dayCount), confidence: "LOW", needsReview: true, ...(notes ? { notes } : {}) });
    }
    // Opened on evidence of their own, away from the rule's incidents: a product cluster or dearer
    // units with the trigger short of its threshold, or the aged overdue balance.
    const opened: DetectedIncident[] = [];
    if (rule.opener && aggregates && context) opened.push(...openerIncidents(rule, found, scores, aggregates, config, context));
    if (cluster) {
      // The window reaches back over the days whose events make the cluster: they are its evidence.
      const byCluster = belowThresholdIncidents(rule, found, scores, config, dayCount, rule.concentration!.atZ, clustered, clusterNote(rule.concentration!, cluster, context!.days));
      opened.push(...byCluster.map((incident) => reachBack(incident, incident.detectedIndex - cluster.window[incident.detectedIndex]! + 1)));
    }
    // A week of much dearer units that no incident of the rule runs into opens one itself: the
    // 30-day margin falls weeks later, as that stock is sold.
    const dearerOpened = dearerWeeks.filter((week) => !claimed.has(week) && awayFrom(found, config.mergeGapDays)(week));
    opened.push(...dearerOpened);
    if (costs && openAtRise !== undefined && atZ !== undefined) {
      const dearer = (i: number) => (costs.index[i] ?? 0) >= 1 + openAtRise;
      opened.push(...belowThresholdIncidents(rule, [...found, ...dearerOpened], scores, config, dayCount, atZ, dearer, unitCostNote(rule.unitCosts!, costs.index, context!.days)));
    }
    // Their own evidence is their corroboration: no fusion gate on top.
    for (const incident of opened) incidents.push(fuse(incident, layers, { ...config, fusionGate: null }, dayCount));
    if (layers && config.emitLowConfidence) incidents.push(...lowConfidence(rule, found, scores, layers, config, dayCount));
  }
  return incidents.sort((a, b) => a.detectedIndex - b.detectedIndex || a.type.localeCompare(b.type));
}

/**
 * The incident with its window starting at `from` when that is earlier: the evidence that raised it
 * (a product's cluster, dearer bills) came before its metric moved. `anomalyStartIndex` keeps where
 * the metric's own anomaly starts, for RCA.
 */
function reachBack(incident: DetectedIncident, from: number): DetectedIncident {
  if (from >= incident.startIndex) return incident;
  return { ...incident, startIndex: Math.max(0, from), anomalyStartIndex: incident.anomalyStartIndex ?? incident.startIndex };
}

/** Whether one of the rule's triggers (of `among`, when given) reaches |z| ≥ `z` on day i (either way). */
function triggerReaches(rule: IncidentRule, scores: ScoreTable, i: number, z: number, among?: readonly MetricName[]): boolean {
  return rule.triggers.some((t) => (!among || among.includes(t.metric)) && Math.abs(scores.get(t.metric)?.[i]?.z ?? 0) >= z);
}

/** The first day from an incident's Layer 1 detection to the end of its window that passes, or null. */
function firstPassing(incident: DetectedIncident, passes: (i: number) => boolean): number | null {
  for (let i = incident.detectedIndex; i <= incident.endIndex; i++) if (passes(i)) return i;
  return null;
}

/**
 * What a rule's firing day must also show in the daily aggregates, or null when the rule asks
 * nothing: its count check passes (count z at least `minZ`, a product cluster, a trigger's |z|
 * at least `unlessZ`, a trigger the check does not apply to, or the count not scorable yet), and
 * its unit-cost check does not find the day explained by more units bought at unchanged costs.
 */
function corroboration(
  rule: IncidentRule,
  scores: ScoreTable,
  aggregates: DailyAggregates,
  clustered: (i: number) => boolean,
  explained: ((i: number) => boolean) | null,
  config: DetectionConfig,
): ((i: number) => boolean) | null {
  const check = rule.countCheck;
  const counted = check ? countZ(check, aggregates) : null;
  if (!check && !explained) return null;
  return (i) => {
    if (explained?.(i)) return false;
    if (!check) return true;
    const z = counted![i];
    if (z === null || z === undefined || z >= check.minZ || clustered(i)) return true;
    if (triggerReaches(rule, scores, i, check.unlessZ, check.unlessOn)) return true;
    return check.appliesTo !== undefined && firedTriggers(rule, scores, i, config).some((f) => !check.appliesTo!.includes(f.metric));
  };
}

/**
 * Per day, what bills' item lines say about unit costs over the last `windowDays`:
 * - `index`: what the window's units cost against the same units at each item's mean unit cost
 *   over the `baselineDays` before it (1.1 = 10 % dearer); null where bills carry no item lines,
 *   or items with a known unit cost make less than half of the window's item lines.
 * - `extra`: what those units cost beyond the same units at the baseline unit costs.
 * - `volumeOnly`: the window's expenses rose against the `windowDays` before them, the item lines
 *   carry at least half of the rise, and the index is below 1 + `minRise`: more stock bought at
 *   unchanged costs (a restock, a surge), which lowers a 30-day margin without any cost rising.
 */
export function unitCosts(check: Pick<UnitCostCheck, "windowDays" | "baselineDays" | "minRise">, aggregates: Pick<DailyAggregates, "column" | "length" | "keysWithPrefix">): UnitCosts {
  const n = aggregates.length;
  const index: (number | null)[] = new Array(n).fill(null);
  const extra: (number | null)[] = new Array(n).fill(null);
  const volumeOnly: boolean[] = new Array(n).fill(false);
  const w = check.windowDays;
  const b = check.baselineDays;
  const expenses = rangeSums(aggregates.column("sum:expenses"));
  const itemExpenses = rangeSums(aggregates.column(ITEM_EXPENSES_KEY));
  const items = itemLines(aggregates);
  if (items.length === 0) return { index, extra, volumeOnly };
  for (let i = w - 1; i < n; i++) {
    let paid = 0;
    let atBaseline = 0;
    for (const line of items) {
      const window = itemWindow(line, i, w, b);
      if (window === null) continue;
      paid += window.paid;
      atBaseline += window.atBaseline;
    }
    if (atBaseline <= 0 || paid < 0.5 * itemExpenses(i - w + 1, i)) continue; // too few items with a known unit cost
    index[i] = paid / atBaseline;
    extra[i] = paid - atBaseline;
    if (i < 2 * w - 1) continue;
    const rise = expenses(i - w + 1, i) - expenses(i - 2 * w + 1, i - w);
    const itemRise = itemExpenses(i - w + 1, i) - itemExpenses(i - 2 * w + 1, i - w);
    volumeOnly[i] = rise > 0 && itemRise >= 0.5 * rise && index[i]! < 1 + check.minRise;
  }
  return { index, extra, volumeOnly };
}

/** Sums of `values` over days from..to (inclusive; days before the first count as 0), from one prefix pass. */
function rangeSums(values: ArrayLike<number>): (from: number, to: number) => number {
  const prefix = new Float64Array(values.length + 1);
  for (let i = 0; i < values.length; i++) prefix[i + 1] = prefix[i]! + values[i]!;
  return (from, to) => prefix[Math.max(0, to + 1)]! - prefix[Math.max(0, from)]!;
}

/** Each item on the bills' item lines, with range sums of its units and of what they cost. */
function itemLines(aggregates: Pick<DailyAggregates, "column" | "keysWithPrefix">): { item: string; units: (from: number, to: number) => number; cost: (from: number, to: number) => number }[] {
  return aggregates.keysWithPrefix(ITEM_UNITS_PREFIX).map((key) => {
    const item = key.slice(ITEM_UNITS_PREFIX.length);
    return { item, units: rangeSums(aggregates.column(key)), cost: rangeSums(aggregates.column(ITEM_COST_PREFIX + item)) };
  });
}

/**
 * An item's units bought in the `w` days to day i, what they cost (`paid`), and what the same
 * units cost at the item's mean unit cost over the `b` days before (`atBaseline`); null when
 * either period has no units of it.
 */
function itemWindow(line: ReturnType<typeof itemLines>[number], i: number, w: number, b: number): { paid: number; atBaseline: number } | null {
  const baseUnits = line.units(i - w - b + 1, i - w);
  const windowUnits = line.units(i - w + 1, i);
  if (!(baseUnits > 0) || !(windowUnits > 0)) return null;
  return { paid: line.cost(i - w + 1, i), atBaseline: windowUnits * (line.cost(i - w - b + 1, i - w) / baseUnits) };
}

/**
 * Per day, whether the `windowDays` margin fell only because customers paid later
 * ({@link SalesBasisCheck}): the margin on revenue as paid, `1 − (expenses + refunds) / revenue`,
 * is below its median over the `baselineDays` before, and the same margin on sales as invoiced
 * keeps less than `maxShare` of that fall. False where the window has no revenue or no sales (a
 * ledger without issued invoices), and until sales have been kept for a window and its baseline (a
 * ledger folded before they were kept has them only from then on).
 *
 * @example
 * // costs 70 a month against 100 invoiced and, usually, 100 paid: both margins 0.30. A month in
 * // which customers pay 80 of it: margin on revenue 0.125 (a fall of 0.175), on sales still 0.30
 * // (a fall of 0, share 0 < maxShare): held back.
 */
export function paidLater(check: SalesBasisCheck, aggregates: Pick<DailyAggregates, "column" | "length" | "rollingSum">): boolean[] {
  const n = aggregates.length;
  const out: boolean[] = new Array(n).fill(false);
  const w = check.windowDays;
  const firstSale = aggregates.column(SALES_KEY).findIndex((v) => v !== 0);
  if (firstSale < 0) return out;
  const revenue = aggregates.rollingSum("sum:revenue", w);
  const sales = aggregates.rollingSum(SALES_KEY, w);
  const expenses = aggregates.rollingSum("sum:expenses", w);
  const refunds = aggregates.rollingSum("sum:refunds", w);
  const margin = (basis: ArrayLike<number>, i: number) => (i >= w - 1 && basis[i]! > 0 ? 1 - (expenses[i]! + refunds[i]!) / basis[i]! : null);
  const onRevenue = Array.from({ length: n }, (_, i) => margin(revenue, i));
  const onSales = Array.from({ length: n }, (_, i) => margin(sales, i));
  for (let i = firstSale + w - 1 + check.baselineDays; i < n; i++) {
    if (onRevenue[i] === null || onSales[i] === null) continue;
    const before = (series: (number | null)[]) => series.slice(i - check.baselineDays, i).filter((v): v is number => v !== null);
    const revenueBase = before(onRevenue);
    const salesBase = before(onSales);
    if (revenueBase.length === 0 || salesBase.length === 0) continue;
    const fall = median(revenueBase) - onRevenue[i]!;
    if (fall <= 0) continue;
    out[i] = median(salesBase) - onSales[i]! < check.maxShare * fall;
  }
  return out;
}

/** What {@link unitCosts} finds per day. */
export interface UnitCosts {
  index: (number | null)[];
  /** What the window's units cost beyond the same units at their baseline unit costs (null where `index` is). */
  extra: (number | null)[];
  volumeOnly: boolean[];
}


/**
 * Per day, the Poisson z ({@link poissonZ}) of the `check.events` counted over the trailing
 * `windowDays` against `windowDays` × the mean daily count of the `baselineDays` before them;
 * null until a full baseline exists, and where neither the window nor its baseline has any.
 * With `byEntity`, the most surprising entity's corrected z ({@link concentrationZ}) instead.
 */
export function countZ(check: CountCheck, aggregates: Pick<DailyAggregates, "column" | "length" | "keysWithPrefix">): (number | null)[] {
  const n = aggregates.length;
  if (check.byEntity !== undefined) {
    // No per-entity counts (a ledger folded before they existed): the check does not hold the rule back.
    if (aggregates.keysWithPrefix(check.byEntity).length === 0) return new Array(n).fill(null);
    return concentrationZ({ prefix: check.byEntity, windowDays: check.windowDays, baselineDays: check.baselineDays }, aggregates).z;
  }
  const daily = new Float64Array(n);
  for (const key of check.columns ?? check.events.map((type) => `n:${type}`)) {
    const column = aggregates.column(key);
    for (let i = 0; i < n; i++) daily[i]! += column[i] ?? 0;
  }
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + daily[i]!;
  const out: (number | null)[] = new Array(n).fill(null);
  for (let i = check.windowDays + check.baselineDays - 1; i < n; i++) {
    const count = prefix[i + 1]! - prefix[i + 1 - check.windowDays]!;
    const baseEnd = i + 1 - check.windowDays;
    const lambda = ((prefix[baseEnd]! - prefix[baseEnd - check.baselineDays]!) / check.baselineDays) * check.windowDays;
    // No such events before or now (a ledger folded before the column existed, a business whose
    // reviews are never low): the count says nothing, and the check does not hold the rule back.
    out[i] = lambda > 0 ? poissonZ(count, lambda) : count > 0 ? Number.POSITIVE_INFINITY : null;
  }
  return out;
}

/** Pseudo-events added to each product's baseline count (see {@link Concentration}). */
const CLUSTER_PRIOR = 1;

/**
 * Per day, the most surprising product of a {@link Concentration}: the z of its Bonferroni-corrected
 * Poisson upper tail, and its aggregate key; null until a full baseline exists.
 */
export function concentrationZ(c: Pick<Concentration, "prefix" | "windowDays" | "baselineDays" | "longWindowDays">, aggregates: Pick<DailyAggregates, "column" | "length" | "keysWithPrefix">): ClusterScores {
  const n = aggregates.length;
  const z: (number | null)[] = new Array(n).fill(null);
  const key: (string | null)[] = new Array(n).fill(null);
  const count = new Float64Array(n);
  const expected = new Float64Array(n);
  const known = new Int32Array(n); // products known by day i (with an event on or before it)
  const window = new Int32Array(n);
  const windows = c.longWindowDays === undefined ? [c.windowDays] : [c.windowDays, c.longWindowDays];
  const first = c.windowDays + c.baselineDays - 1;
  if (n <= first) return { z, key, count, expected, known, window };
  const best = new Float64Array(n).fill(0); // the smallest log tail per day
  const firstSeen = new Int32Array(n); // products whose first event is on day i
  for (const name of aggregates.keysWithPrefix(c.prefix)) {
    const daily = aggregates.column(name);
    const prefix = new Float64Array(n + 1);
    let seen = -1;
    for (let i = 0; i < n; i++) {
      prefix[i + 1] = prefix[i]! + daily[i]!;
      if (seen < 0 && daily[i]! > 0) seen = i;
    }
    if (seen < 0) continue;
    firstSeen[seen]! += 1;
    for (const w of windows) {
      for (let i = Math.max(w + c.baselineDays - 1, seen); i < n; i++) {
        const inWindow = prefix[i + 1]! - prefix[i + 1 - w]!;
        if (inWindow < 3) continue; // two events in a week are never a cluster worth raising
        const baseEnd = i + 1 - w;
        const lambda = ((prefix[baseEnd]! - prefix[baseEnd - c.baselineDays]! + CLUSTER_PRIOR) / c.baselineDays) * w;
        if (inWindow <= lambda) continue;
        const logTail = poissonLogUpperTail(inWindow, lambda);
        if (logTail < best[i]!) {
          best[i] = logTail;
          key[i] = name;
          count[i] = inWindow;
          expected[i] = lambda;
          window[i] = w;
        }
      }
    }
  }
  let products = 0;
  for (let i = 0; i < n; i++) {
    products += firstSeen[i]!;
    known[i] = products;
    if (i < first) continue;
    // Bonferroni over the products known by then and the windows tried.
    z[i] = key[i] === null ? 0 : zFromUpperTail(best[i]! + Math.log(products * windows.length));
  }
  return { z, key, count, expected, known, window };
}

/** Per day, the most surprising entity of a {@link Concentration} and how surprising it is. */
export interface ClusterScores {
  /** z of its Bonferroni-corrected tail (0 when no entity has a cluster; null before a full baseline). */
  z: (number | null)[];
  /** Its aggregate key (prefix + entity id). */
  key: (string | null)[];
  /** Its events in the window, and the events its baseline expected there. */
  count: Float64Array;
  expected: Float64Array;
  /** Entities known by that day (the Bonferroni factor). */
  known: Int32Array;
  /** The window, in days, the entity's count was taken over. */
  window: Int32Array;
}

/**
 * Incidents opened short of the rule's threshold: on days `opens(i)` holds and the rule's
 * triggers are at least `atZ` out their way, away from the rule's own incidents; `note` says why.
 */
function belowThresholdIncidents(
  rule: IncidentRule,
  found: readonly DetectedIncident[],
  scores: ScoreTable,
  config: DetectionConfig,
  dayCount: number,
  atZ: number,
  opens: (i: number) => boolean,
  note: (incident: DetectedIncident, threshold: string) => string,
): DetectedIncident[] {
  const lowered: DetectionConfig = { ...config, zThresholds: { ...config.zThresholds, [rule.type]: atZ }, confirmBelowZ: 0 };
  const fire = (i: number) => (opens(i) ? firedTriggers(rule, scores, i, lowered) : []);
  return walkRule(rule, dayCount, fire, scores, lowered)
    .filter(awayFrom(found, config.mergeGapDays))
    .map((incident) => {
      const trigger = rule.triggers.find((t) => t.metric === incident.primary.metric)!;
      const threshold = `${trigger.direction === "down" ? "−" : ""}${config.zThresholds[rule.type] ?? trigger.zThreshold}`;
      return { ...incident, notes: [note(incident, threshold)] };
    });
}

/** Whether an incident's window stays more than `slack` days away from every incident of `found`. */
function awayFrom(found: readonly DetectedIncident[], slack: number) {
  return (incident: DetectedIncident): boolean => !found.some((inc) => incident.startIndex <= inc.endIndex + slack && incident.endIndex >= inc.startIndex - slack);
}

/** The note of an incident opened by a product cluster ({@link Concentration}). */
function clusterNote(c: Concentration, cluster: ClusterScores, days: readonly string[]) {
  return (incident: DetectedIncident, threshold: string): string => {
    const i = incident.detectedIndex;
    const entity = cluster.key[i]!.slice(c.prefix.length);
    return (
      `One ${c.entity} stood out: ${entity} had ${cluster.count[i]} ${c.label} in the ${cluster.window[i]} days to ${days[i]} where ${cluster.expected[i]!.toFixed(1)} were expected ` +
      `(z ${cluster.z[i]!.toFixed(1)} after allowing for ${cluster.known[i]} ${c.entity}s${c.longWindowDays === undefined ? "" : ` and two windows`}), while ${incident.primary.metric} was at z ${(incident.primary.z ?? 0).toFixed(1)}, short of its threshold of ${threshold}.`
    );
  };
}

/** The note of an incident opened by dearer units ({@link UnitCostCheck}). */
function unitCostNote(check: UnitCostCheck, index: readonly (number | null)[], days: readonly string[]) {
  return (incident: DetectedIncident, threshold: string): string => {
    const i = incident.detectedIndex;
    return (
      `Bills' items cost ${((index[i]! - 1) * 100).toFixed(0)} % more per unit in the ${check.windowDays} days to ${days[i]} than over the ${check.baselineDays} days before, ` +
      `while ${incident.primary.metric} was at z ${(incident.primary.z ?? 0).toFixed(1)}, short of its threshold of ${threshold}.`
    );
  };
}

/**
 * The weeks of much dearer units ({@link UnitCostCheck} `raisesEarly`), as the incidents they
 * would be, each with its note: a supplier's price rise is on the bills days or weeks before a
 * 30-day margin shows it. Reported on the rule's first trigger (the margin), wherever it stands.
 */
function dearerWeekSpans(rule: IncidentRule, scores: ScoreTable, aggregates: DailyAggregates, config: DetectionConfig, context: ScoringContext): DetectedIncident[] {
  const check = rule.unitCosts!;
  const early = check.raisesEarly!;
  const week = unitCosts({ ...check, windowDays: early.windowDays }, aggregates);
  const revenue = aggregates.rollingSum("sum:revenue", early.windowDays);
  const metric = rule.triggers[0]!.metric;
  const dearer = (i: number) => {
    const index = week.index[i];
    return index !== null && index !== undefined && index >= 1 + early.rise && (week.extra[i] ?? 0) >= early.minShareOfRevenue * revenue[i]!;
  };
  // One rise is raised once: until the baseline has taken in the new prices, every later purchase
  // at them is dearer than the baseline again.
  const raised: DetectedIncident[] = [];
  for (const incident of evidenceWalk(rule, aggregates.length, dearer, metric, scores, config)) {
    if (raised.length > 0 && incident.detectedIndex - raised[raised.length - 1]!.detectedIndex <= check.baselineDays) continue;
    const i = incident.detectedIndex;
    const dearest = dearestItems(aggregates, i, early.windowDays, check.baselineDays);
    const note =
      `Bills' items cost ${((week.index[i]! - 1) * 100).toFixed(0)} % more per unit in the ${early.windowDays} days to ${context.days[i]} than over the ${check.baselineDays} days before ` +
      `(${dollars(week.extra[i]!)} more for the same units${dearest.length > 0 ? `; dearest: ${dearest.join(", ")}` : ""}), a second day in a row, ` +
      `while ${metric} was at z ${(scores.get(metric)?.[i]?.z ?? 0).toFixed(1)}: the margin falls as this stock is sold.`;
    raised.push({ ...incident, notes: [note] });
  }
  return raised;
}

/** The (up to three) items whose units cost the most beyond their baseline unit cost in the window to day i, as "item +12 %". */
function dearestItems(aggregates: Pick<DailyAggregates, "column" | "keysWithPrefix">, i: number, windowDays: number, baselineDays: number): string[] {
  const rows: { item: string; extra: number; rise: number }[] = [];
  for (const line of itemLines(aggregates)) {
    const window = itemWindow(line, i, windowDays, baselineDays);
    if (window === null || !(window.atBaseline > 0) || !(window.paid > window.atBaseline)) continue;
    rows.push({ item: line.item, extra: window.paid - window.atBaseline, rise: window.paid / window.atBaseline - 1 });
  }
  return rows
    .sort((a, b) => b.extra - a.extra || a.item.localeCompare(b.item))
    .slice(0, 3)
    .map((r) => `${r.item} +${(r.rise * 100).toFixed(0)} %`);
}

/** Incidents opened by the rule's {@link StateOpener}, away from the rule's own incidents. */
function openerIncidents(rule: IncidentRule, found: readonly DetectedIncident[], scores: ScoreTable, aggregates: DailyAggregates, config: DetectionConfig, context: ScoringContext): DetectedIncident[] {
  const opener = rule.opener!;
  const z = openerScores(opener, aggregates, config, context);
  return evidenceWalk(rule, aggregates.length, (i) => (z[i]?.z ?? 0) >= opener.minZ, opener.metric, scores, config)
    .filter(awayFrom(found, config.mergeGapDays))
    .map((incident) => {
      let peak = incident.startIndex;
      for (let i = incident.startIndex; i <= incident.endIndex; i++) if ((z[i]?.z ?? 0) > (z[peak]?.z ?? 0)) peak = i;
      const point = z[peak]!;
      const detected = z[incident.detectedIndex]!;
      const note =
        `${opener.description} reached ${dollars(detected.value)} on ${context.days[incident.detectedIndex]} against a usual ${dollars(detected.baseline)} ` +
        `(z ${(detected.z ?? 0).toFixed(1)}, a second day at z ≥ ${opener.minZ}), while ${opener.metric} was at z ${(incident.primary.z ?? 0).toFixed(1)}.`;
      const extra = { metric_name: opener.name, value: round2(point.value), baseline: round2(point.baseline), zscore: round2(point.z) };
      return { ...incident, notes: [note], extraSupporting: [extra] };
    });
}

/**
 * The rule's incidents over the days `opens(i)` holds, on evidence of their own rather than a
 * trigger: reported on `metric` wherever it stands, and every opening day needs a second one
 * (the metric's own |z| says nothing about how sure the evidence is).
 */
function evidenceWalk(rule: IncidentRule, dayCount: number, opens: (i: number) => boolean, metric: MetricName, scores: ScoreTable, config: DetectionConfig): DetectedIncident[] {
  const fire = (i: number): FiredTrigger[] => {
    if (!opens(i)) return [];
    const point = scores.get(metric)?.[i];
    return [{ metric, value: point?.value ?? null, baseline: point?.baseline ?? null, z: point?.z ?? null }];
  };
  return walkRule(rule, dayCount, fire, scores, { ...config, confirmBelowZ: Number.POSITIVE_INFINITY });
}

const dollars = (v: number | null) => `$${Math.round(v ?? 0).toLocaleString("en-US")}`;
const round2 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 100) / 100);

/** Layer 1 scores of a {@link StateOpener}'s running total, as its metric is scored. */
export function openerScores(opener: StateOpener, aggregates: Pick<DailyAggregates, "runningTotal">, config: DetectionConfig, context: ScoringContext): PointScore[] {
  const { unit, stateful } = METRICS_BY_NAME.get(opener.metric)!;
  // The metric's sampling model counts its own items, not the aggregate's: none here.
  return robustScores({ unit, stateful, monthly: false }, [...aggregates.runningTotal(opener.key)], { weekdays: context.days.map(weekday) }, {
    baselineDays: config.baselineDays,
    minBaselineValues: config.minBaselineValues,
    seasonalityDays: config.seasonalityDays,
    samplingFloorFactor: config.samplingFloorFactor,
  });
}

function walkRule(rule: IncidentRule, dayCount: number, fire: (i: number) => FiredTrigger[], scores: ScoreTable, config: DetectionConfig): DetectedIncident[] {
  const out: DetectedIncident[] = [];
  let open: DetectedIncident | null = null;
  let pending: { index: number; fired: FiredTrigger[] } | null = null;
  let lastFired = Number.NEGATIVE_INFINITY;
  let peakAbsZ = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < dayCount; i++) {
    const fired = fire(i);
    if (fired.length === 0) {
      if (open && i - lastFired > config.mergeGapDays) {
        out.push(open);
        open = null;
      }
      continue;
    }
    const strongest = fired.reduce((a, b) => (Math.abs(b.z ?? 0) > Math.abs(a.z ?? 0) ? b : a));
    const absZ = Math.abs(strongest.z ?? 0);
    if (!open) {
      // A single moderate day waits for a second one before it raises anything.
      const confirmed = pending !== null && i - pending.index <= config.mergeGapDays + 1;
      if (!confirmed && absZ < config.confirmBelowZ && !primed(rule, scores, i - 1)) {
        pending = { index: i, fired };
        continue;
      }
      const start = confirmed ? pending!.index : i;
      const first = confirmed ? pending!.fired : fired;
      pending = null;
      const firstStrongest = first.reduce((a, b) => (Math.abs(b.z ?? 0) > Math.abs(a.z ?? 0) ? b : a));
      const useFirst = Math.abs(firstStrongest.z ?? 0) > absZ;
      open = {
        type: rule.type,
        rule,
        detectedIndex: i,
        startIndex: start,
        endIndex: i,
        peakIndex: useFirst ? start : i,
        primary: useFirst ? firstStrongest : strongest,
        severity: maxSeverity(
          ruleSeverity(rule, fired, { scores, day: i, windowStart: start }),
          start === i ? "LOW" : ruleSeverity(rule, first, { scores, day: start, windowStart: start }),
        ),
        methods: ["mad_zscore"],
        confidence: "MEDIUM",
        layers: { madZscore: true, isolationForest: null, changepoint: null },
        needsReview: false,
        triggersFired: [],
      };
      for (const f of first) if (!open.triggersFired.includes(f.metric)) open.triggersFired.push(f.metric);
      peakAbsZ = Math.max(absZ, Math.abs(firstStrongest.z ?? 0));
    } else {
      const severity = ruleSeverity(rule, fired, { scores, day: i, windowStart: open.startIndex });
      open.endIndex = i;
      open.severity = maxSeverity(open.severity, severity);
      if (absZ > peakAbsZ) {
        peakAbsZ = absZ;
        open.peakIndex = i;
        open.primary = strongest;
      }
    }
    for (const f of fired) if (!open.triggersFired.includes(f.metric)) open.triggersFired.push(f.metric);
    lastFired = i;
  }
  if (open) out.push(open);
  return out;
}

/** A rising signal: on the day before, one of the rule's triggers was already 2σ out its way. */
const PRIMED_Z = 2;
function primed(rule: IncidentRule, scores: ScoreTable, day: number): boolean {
  if (day < 0) return false;
  return rule.triggers.some((t) => {
    const z = scores.get(t.metric)?.[day]?.z ?? null;
    return z !== null && (t.direction === "up" ? z >= PRIMED_Z : z <= -PRIMED_Z);
  });
}

function domainOf(metric: MetricName): Domain {
  return METRICS_BY_NAME.get(metric)!.domain;
}

/** Layer 2 and 3 agreement within [from, to], for a rule's triggers. */
function agreement(triggers: readonly Trigger[], layers: LayerSignals, from: number, to: number): Pick<LayerEvidence, "isolationForest" | "changepoint"> {
  let isolationForest: LayerEvidence["isolationForest"] = null;
  let changepoint: LayerEvidence["changepoint"] = null;
  const domains = [...new Set(triggers.map((t) => domainOf(t.metric)))];
  for (let i = from; i <= to && !isolationForest; i++) {
    for (const domain of domains) {
      const verdict = layers.isolation.get(domain)?.at(i);
      if (verdict?.flagged) {
        isolationForest = { dayIndex: i, score: verdict.score, threshold: verdict.threshold };
        break;
      }
    }
  }
  for (let i = from; i <= to && !changepoint; i++) {
    for (const trigger of triggers) {
      const signal = layers.changes.get(trigger.metric);
      const detail = signal?.detail[i];
      if (!signal?.fired[i] || !detail || signal.direction[i] !== (trigger.direction === "up" ? 1 : -1)) continue;
      changepoint = { metric: trigger.metric, dayIndex: i, ...detail };
      break;
    }
  }
  return { isolationForest, changepoint };
}

function fuse(incident: DetectedIncident, layers: LayerSignals | undefined, config: DetectionConfig, dayCount: number): DetectedIncident {
  if (!layers) return incident;
  const from = Math.max(0, incident.startIndex - config.corroborationDays);
  const to = Math.min(dayCount - 1, incident.endIndex + config.corroborationDays);
  const triggers = incident.rule.triggers.filter((t) => incident.triggersFired.includes(t.metric));
  const found = agreement(triggers, layers, from, to);
  const methods: DetectionMethod[] = ["mad_zscore"];
  if (found.isolationForest) methods.push("isolation_forest");
  if (found.changepoint) methods.push("changepoint");
  const fused: DetectedIncident = { ...incident, methods, confidence: confidenceOf(true, !!found.isolationForest, !!found.changepoint), layers: { madZscore: true, ...found } };
  const passed = gateDay(fused, triggers, layers, config, from, to);
  if (passed === null) return { ...fused, confidence: "LOW", needsReview: true };
  return passed > fused.detectedIndex ? { ...fused, detectedIndex: passed } : fused;
}

/**
 * The fusion gate on a Layer 1 incident: the day a daily scan would raise it, or null when it
 * stays a review flag. Strong incidents (peak |z| at or above `fusionGate.belowZ`), and all of
 * them without a gate, are raised on their Layer 1 detection day. A moderate one needs the
 * layers that can judge it (the forest when it runs; change points when a fired trigger has a
 * regime signal) to agree as the gate requires, each on some day from `from` up to the day of
 * raising: the layers are online, so the incident is raised on the first day from its Layer 1
 * detection on which the agreement is known, never earlier than it could be.
 */
export function gateDay(incident: Pick<DetectedIncident, "primary" | "detectedIndex">, triggers: readonly Trigger[], layers: LayerSignals, config: DetectionConfig, from: number, to: number): number | null {
  const gate = config.fusionGate;
  if (!gate || Math.abs(incident.primary.z ?? 0) >= gate.belowZ) return incident.detectedIndex;
  const judgeForest = layers.isolation.size > 0;
  const judgeChange = triggers.some((t) => layers.changes.has(t.metric));
  if (!judgeForest && !judgeChange) return incident.detectedIndex;
  for (let day = incident.detectedIndex; day <= to; day++) {
    const found = agreement(triggers, layers, from, day);
    const votes: boolean[] = [];
    if (judgeForest) votes.push(found.isolationForest !== null);
    if (judgeChange) votes.push(found.changepoint !== null);
    if (gate.require === "all" ? votes.every(Boolean) : votes.some(Boolean)) return day;
  }
  return null;
}

/**
 * The spec's fusion: Layer 1 alone MEDIUM, with Layer 2 HIGH, with Layers 2 and 3 VERY_HIGH; with
 * Layer 3 but not 2, HIGH (two layers agree); Layer 2 or 3 without Layer 1, LOW (for review).
 */
export function confidenceOf(mad: boolean, isolationForest: boolean, changepoint: boolean): Confidence {
  if (!mad) return "LOW";
  const agreeing = (isolationForest ? 1 : 0) + (changepoint ? 1 : 0);
  return agreeing === 2 ? "VERY_HIGH" : agreeing === 1 ? "HIGH" : "MEDIUM";
}

/** Regime changes on a rule's triggers with no Layer 1 incident of that type nearby. */
function lowConfidence(rule: IncidentRule, layerOne: readonly DetectedIncident[], scores: ScoreTable, layers: LayerSignals, config: DetectionConfig, dayCount: number): DetectedIncident[] {
  const triggers = rule.triggers.filter((t) => layers.changes.has(t.metric));
  if (triggers.length === 0) return [];
  const slack = config.corroborationDays;
  const nearLayerOne = (i: number) => layerOne.some((inc) => i >= inc.startIndex - slack && i <= inc.endIndex + slack);
  const fire = (i: number): FiredTrigger[] => {
    if (nearLayerOne(i)) return [];
    const fired: FiredTrigger[] = [];
    for (const trigger of triggers) {
      const signal = layers.changes.get(trigger.metric)!;
      // Alone, a regime change must be confirmed by every enabled change-point method.
      if (!signal.agreed[i] || signal.direction[i] !== (trigger.direction === "up" ? 1 : -1)) continue;
      const point = scores.get(trigger.metric)?.[i];
      fired.push({ metric: trigger.metric, value: point?.value ?? null, baseline: point?.baseline ?? null, z: point?.z ?? null });
    }
    return fired;
  };
  // Change points already need several days of evidence: no Layer 1 confirmation on top.
  return walkRule(rule, dayCount, fire, scores, { ...config, confirmBelowZ: 0 })
    .filter((incident) => !layerOne.some((inc) => incident.startIndex <= inc.endIndex + slack && incident.endIndex >= inc.startIndex - slack))
    .map((incident) => {
      const from = Math.max(0, incident.startIndex - slack);
      const to = Math.min(dayCount - 1, incident.endIndex + slack);
      const found = agreement(triggers.filter((t) => incident.triggersFired.includes(t.metric)), layers, from, to);
      const methods: DetectionMethod[] = ["changepoint"];
      if (found.isolationForest) methods.unshift("isolation_forest");
      if (config.openOnChange.includes(rule.type)) {
        const confidence: Confidence = found.isolationForest ? "HIGH" : "MEDIUM";
        return { ...incident, severity: "LOW" as const, methods, confidence, needsReview: false, layers: { madZscore: false, ...found } };
      }
      return { ...incident, severity: "LOW" as const, methods, confidence: "LOW" as const, needsReview: true, layers: { madZscore: false, ...found } };
    });
}
