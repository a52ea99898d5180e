/**
 * The business simulator: seeded, pure, deterministic. `simulate` runs one scenario and returns its
 * canonical events, ground-truth labels and QuickBooks books; `simulateStream` yields the events
 * day by day for runs too long to hold; `generateDemoCompany` builds the demo workspace's six
 * months with three planted incidents.
 */
import { seededRandom } from "../rng.ts";
import { addDays } from "../time.ts";
import { SimCalendar } from "./calendar.ts";
import { BusinessSimulation, type DayOutput, effectOnset, type InjectionEffect } from "./engine.ts";
import type { SimEvent } from "./events.ts";
import type { Injection } from "./injections.ts";
import { LABELS_SCHEMA_VERSION, type Labels } from "./labels.ts";
import { type BusinessProfile, DEMO_PROFILE } from "./profile.ts";
import { qboBooks, type QboBooks } from "./qbo.ts";
import {
  SCENARIO_DEFAULT_DAYS,
  SCENARIO_DEFAULT_START,
  SCENARIOS_BY_NAME,
  type PlannedIncident,
  type ScenarioName,
  type ScenarioOverrides,
  type ScenarioPlan,
  scenarioProfile,
  suppliersByShare,
} from "./scenarios.ts";
import { buildWorld } from "./world.ts";

export { SCENARIO_NAMES, SCENARIOS, type ScenarioName, type ScenarioOverrides } from "./scenarios.ts";
export type { SimEvent } from "./events.ts";
export type { Labels, ExpectedIncident } from "./labels.ts";
export { labelsSchema, DAG_METRICS } from "./labels.ts";
export type { QboBooks } from "./qbo.ts";
export type { DayOutput } from "./engine.ts";
export { DEMO_PROFILE, STANDARD_PROFILE, scaleProfile, type BusinessProfile } from "./profile.ts";
export type { Injection } from "./injections.ts";

/** Days simulated before day 0 so that queues, stock and receivables start in a steady state. */
export const WARMUP_DAYS = 60;
/** QuickBooks realm id of simulated companies (appears in QBO event ids). */
export const SIM_REALM = "sim";

export interface SimulateOptions {
  scenario: ScenarioName | string;
  seed: number;
  /** Recorded days (default 120). */
  days?: number;
  /** First recorded day `YYYY-MM-DD` (default 2026-01-05; the holiday control picks its own unless given). */
  startDay?: string;
  /** Pin the scenario's onset, duration or magnitude instead of drawing them from the seed. */
  overrides?: ScenarioOverrides;
  /** Replace the scenario's business (e.g. the demo-sized company) keeping its injections. */
  profile?: BusinessProfile;
  profileName?: string;
  /** Build the QuickBooks books (default true). */
  qbo?: boolean;
  /**
   * Run the same business and seed without the scenario's injections (labels still describe the
   * plan). Until the onset both runs are identical, so the difference after it is the injection's
   * effect: what the mechanism tests compare.
   */
  counterfactual?: boolean;
}

export interface SimulationResult {
  events: SimEvent[];
  labels: Labels;
  qbo: QboBooks | null;
}

interface Prepared {
  name: string;
  family: Labels["family"];
  title: string;
  description: string;
  profile: BusinessProfile;
  profileName: string;
  plan: ScenarioPlan;
  startDay: string;
  days: number;
  seed: number;
}

function prepare(options: SimulateOptions): Prepared {
  const definition = SCENARIOS_BY_NAME.get(options.scenario);
  if (!definition) {
    throw new Error(`simulate: unknown scenario "${options.scenario}" (one of: ${[...SCENARIOS_BY_NAME.keys()].join(", ")})`);
  }
  if (!Number.isInteger(options.seed)) throw new Error(`simulate: seed must be an integer, got ${options.seed}`);
  const days = options.days ?? SCENARIO_DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 30 || days > 3660) throw new Error(`simulate: days must be an integer from 30 to 3660, got ${days}`);
  if (options.startDay !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(options.startDay)) {
    throw new Error(`simulate: startDay must be YYYY-MM-DD, got ${options.startDay}`);
  }
  const chosen = scenarioProfile(definition, seededRandom(`${options.seed}:profile:${definition.name}`));
  const profile = options.profile ?? chosen.profile;
  const profileName = options.profile ? (options.profileName ?? "custom") : chosen.name;
  const overrides = options.overrides ?? {};
  const planOn = (startDay: string) => {
    const calendar = new SimCalendar(startDay, -WARMUP_DAYS - 1, days + 120);
    return definition.plan({
      seed: options.seed,
      days,
      startDay,
      random: seededRandom(`${options.seed}:scenario:${definition.name}`),
      world: buildWorld(profile, seededRandom(`${options.seed}:world`), calendar.ms(0)),
      calendar,
      overrides,
    });
  };
  const requestedStart = options.startDay ?? SCENARIO_DEFAULT_START;
  let plan = planOn(requestedStart);
  let startDay = requestedStart;
  // The holiday control moves the window around its holiday: plan again on the moved calendar.
  if (options.startDay === undefined && plan.startDay !== undefined && plan.startDay !== requestedStart) {
    startDay = plan.startDay;
    plan = planOn(startDay);
  }
  return { name: definition.name, family: definition.family, title: definition.title, description: definition.description, profile, profileName, plan, startDay, days, seed: options.seed };
}

/** Runs one scenario and returns everything at once. Same options ⇒ byte-identical output. */
export function simulate(options: SimulateOptions): SimulationResult {
  const stream = simulateStream(options);
  const events: SimEvent[] = [];
  for (const day of stream.days) for (const event of day.events) events.push(event);
  return { events, labels: stream.labels(), qbo: options.qbo === false ? null : stream.qbo() };
}

export interface SimulationStream {
  /** The recorded days in order, each with its events sorted by time then id. */
  days: Generator<DayOutput>;
  /** Labels; complete once `days` is exhausted (realized effects are counted as the run goes). */
  labels(): Labels;
  /** QuickBooks books as of the last day (only when `qbo` was not false). */
  qbo(): QboBooks | null;
}

/** Runs one scenario lazily, one day at a time, for runs of millions of events. */
export function simulateStream(options: SimulateOptions): SimulationStream {
  const prepared = prepare(options);
  const keepRecords = options.qbo !== false;
  const sim = new BusinessSimulation({
    seed: prepared.seed,
    startDay: prepared.startDay,
    days: prepared.days,
    warmupDays: WARMUP_DAYS,
    profile: prepared.profile,
    injections: options.counterfactual ? [] : prepared.plan.injections,
    realm: SIM_REALM,
    keepRecords,
  });
  return {
    days: sim.run(),
    labels: () => labelsFor(prepared, sim, options.counterfactual === true),
    qbo: () => (keepRecords ? qboBooks(sim, SIM_REALM, prepared.days - 1) : null),
  };
}

function labelsFor(prepared: Prepared, sim: BusinessSimulation, counterfactual = false): Labels {
  const { plan } = prepared;
  const day = (t: number) => sim.calendar.day(t);
  const onsetOfEffect = (i: PlannedIncident): number | null => {
    if (!i.effect) return null;
    const marker = sim.effects[i.effect.injection]?.markers.get(i.effect.marker);
    return marker ? effectOnset(marker, i.effect.marker) : null;
  };
  const incidents = plan.incidents.map((i: PlannedIncident) => {
    const onset = onsetOfEffect(i);
    return {
      id: i.id,
      incident_type: i.type,
      onset_day: i.onsetDay,
      onset: day(i.onsetDay),
      duration_days: i.durationDays,
      root_cause_metric: i.root,
      caused_by: i.causedBy,
      lag_days: i.lag,
      min_severity: i.minSeverity,
      entities: i.entities,
      effect_marker: i.effect?.marker ?? null,
      effect_onset: onset === null ? null : day(onset),
    };
  });
  const byId = new Map(plan.incidents.map((i) => [i.id, i]));
  return {
    schema_version: LABELS_SCHEMA_VERSION,
    scenario: prepared.name,
    family: prepared.family,
    title: prepared.title,
    description: prepared.description,
    seed: prepared.seed,
    profile: prepared.profileName,
    start_day: prepared.startDay,
    end_day: addDays(prepared.startDay, prepared.days - 1),
    days: prepared.days,
    injections: plan.injections.map((inj, k) => injectionLabel(inj, sim.effects[k] ?? { markers: new Map() }, day)),
    incidents,
    cascades: plan.incidents
      .filter((i) => i.causedBy !== null && i.lag !== null)
      .map((i) => {
        const parent = byId.get(i.causedBy!)!;
        const from = onsetOfEffect(parent);
        const to = onsetOfEffect(i);
        return {
          from: parent.id,
          to: i.id,
          path: [parent.type, i.type] as [typeof parent.type, typeof i.type],
          lag_days: i.lag!,
          effect_lag_days: from === null || to === null ? null : to - from,
        };
      }),
    tolerated_incident_types: plan.tolerated,
    tolerance_days: plan.toleranceDays,
    data_quality_issues: plan.injections.flatMap((inj) =>
      inj.kind === "missing_fields"
        ? inj.fields.map((f) => ({ event_type: f.event_type, field: f.field, share: f.share, onset: day(inj.onsetDay), flag: `missing:${f.field}` }))
        : [],
    ),
    notes: counterfactual ? [...plan.notes, "Counterfactual run: the injections above were planned but not applied."] : plan.notes,
  };
}

function injectionLabel(inj: Injection, effect: InjectionEffect, day: (t: number) => string): Labels["injections"][number] {
  const { kind, onsetDay, durationDays, ...parameters } = inj;
  const realized: Labels["injections"][number]["realized"] = {};
  for (const [name, m] of [...effect.markers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    realized[name] = { count: m.count, amount: Math.round(m.amount * 100) / 100, first_day: day(m.firstDay), last_day: day(m.lastDay) };
  }
  return { kind, onset_day: onsetDay, onset: day(onsetDay), duration_days: durationDays, parameters, realized };
}

// ─── the demo company ─────────────────────────────────────────────────────────────────────────

/** Last day of the demo company's data when none is given (fixed, so the demo is the same everywhere). */
export const DEMO_DEFAULT_END_DAY = "2026-10-31";
export const DEMO_DEFAULT_SEED = 7;
export const DEMO_DAYS = 184;
/**
 * QuickBooks realm id of the demo company: the local QuickBooks emulator's company, so that the
 * demo's uploaded QuickBooks facts and the same facts synced from the emulator carry the same
 * event ids (`qbo:<realm>:<Type>:<Id>:<fact>`) and de-duplicate. Digits, like every QBO realm id.
 */
export const DEMO_REALM = "9130357400000001";
/** Days the live demo company can run on after its six months (see {@link liveDemoCompany}). */
export const DEMO_LIVE_DAYS = 366;

export interface DemoOptions {
  seed?: number;
  /** Last day of data `YYYY-MM-DD`; the six months end here. */
  endDay?: string;
  qbo?: boolean;
  /** QuickBooks realm id in QBO event ids (default {@link DEMO_REALM}). */
  realm?: string;
}

interface DemoSetup {
  prepared: Prepared;
  seed: number;
  realm: string;
}

/** The demo company's world and planted incidents (shared by the batch and the live demo). */
function demoSetup(options: DemoOptions, caller: string): DemoSetup {
  const seed = options.seed ?? DEMO_DEFAULT_SEED;
  const endDay = options.endDay ?? DEMO_DEFAULT_END_DAY;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(endDay)) throw new Error(`${caller}: endDay must be YYYY-MM-DD, got ${endDay}`);
  const realm = options.realm ?? DEMO_REALM;
  if (!/^[A-Za-z0-9]{1,32}$/.test(realm)) throw new Error(`${caller}: realm must be 1 to 32 letters or digits, got ${JSON.stringify(realm)}`);
  const startDay = addDays(endDay, -(DEMO_DAYS - 1));
  const calendar = new SimCalendar(startDay, -WARMUP_DAYS - 1, DEMO_DAYS + 120);
  const world = buildWorld(DEMO_PROFILE, seededRandom(`${seed}:world`), calendar.ms(0));
  const [supplier, secondSupplier] = suppliersByShare(world) as [ReturnType<typeof suppliersByShare>[number], ReturnType<typeof suppliersByShare>[number]];
  const product = [...world.products].sort((a, b) => b.popularity - a.popularity || a.id.localeCompare(b.id))[0]!;
  const keyAccounts = world.customers
    .filter((c) => c.payer === "key_account" && c.statementDay === 15)
    .sort((a, b) => b.orderRate - a.orderRate || a.id.localeCompare(b.id))
    .slice(0, 12)
    .map((c) => c.id);
  let statementDay = 140;
  while (calendar.dayOfMonth(statementDay) !== 15) statementDay++;

  const supplierOnset = 58;
  const qualityOnset = 122;
  const injections: Injection[] = [
    { kind: "supplier_delay", vendorIds: [supplier.id, secondSupplier.id], delayDays: 10, onsetDay: supplierOnset, durationDays: 14 },
    { kind: "defect_batch", productIds: [product.id], defectRate: 0.8, onsetDay: qualityOnset - 3, durationDays: 24 },
    { kind: "payment_freeze", customerIds: keyAccounts, postponeDays: 30, onsetDay: statementDay - 4, durationDays: 6 },
  ];
  const incident = (i: PlannedIncident) => i;
  const plan: ScenarioPlan = {
    injections,
    incidents: [
      incident({ id: "supplier", type: "SUPPLIER_DEPENDENCY_FAILURE", onsetDay: supplierOnset, durationDays: 14, root: "supplier_delay_rate", causedBy: null, lag: null, minSeverity: null, entities: { vendor_ids: [supplier.id, secondSupplier.id] }, effect: { injection: 0, marker: "affected" } }),
      incident({ id: "fulfillment", type: "FULFILLMENT_SLA_DEGRADATION", onsetDay: supplierOnset, durationDays: 21, root: "supplier_delay_rate", causedBy: "supplier", lag: [2, 4], minSeverity: null, entities: { vendor_ids: [supplier.id, secondSupplier.id] }, effect: { injection: 0, marker: "stockout_waits" } }),
      incident({ id: "refunds", type: "REFUND_SPIKE", onsetDay: qualityOnset, durationDays: 24, root: "refund_rate", causedBy: null, lag: null, minSeverity: null, entities: { product_ids: [product.id] }, effect: { injection: 1, marker: "defect_refunds" } }),
      incident({ id: "reviews", type: "CUSTOMER_SATISFACTION_REGRESSION", onsetDay: qualityOnset, durationDays: 24, root: "review_score_avg", causedBy: null, lag: null, minSeverity: null, entities: { product_ids: [product.id] }, effect: { injection: 1, marker: "defect_bad_reviews" } }),
      incident({ id: "ar", type: "LIQUIDITY_CRUNCH_RISK", onsetDay: statementDay + 1, durationDays: 30, root: "ar_aging_amount", causedBy: null, lag: null, minSeverity: null, entities: { customer_ids: keyAccounts }, effect: { injection: 2, marker: "affected" } }),
    ],
    tolerated: ["SUPPORT_LOAD_SURGE", "CHURN_ACCELERATION", "MARGIN_COMPRESSION", "CUSTOMER_SATISFACTION_REGRESSION", "REFUND_SPIKE"],
    toleranceDays: 21,
    notes: [
      `${supplier.id} (${world.vendors[supplier.index]!.name}) and ${secondSupplier.id} (${world.vendors[secondSupplier.index]!.name}), the two largest suppliers, ship about ten days late for two weeks from ${calendar.day(supplierOnset)}.`,
      `${product.id} (${product.name}) turns defective from ${calendar.day(qualityOnset - 3)} for 24 days.`,
      `${keyAccounts.length} key accounts miss the ${calendar.day(statementDay)} statement payment run.`,
    ],
  };
  const prepared: Prepared = {
    name: "demo",
    family: "demo",
    title: "Demo company",
    description: "Six months of a small coffee and kitchen-supplies wholesaler with three planted incidents.",
    profile: DEMO_PROFILE,
    profileName: "demo",
    plan,
    startDay,
    days: DEMO_DAYS,
    seed,
  };
  return { prepared, seed, realm };
}

function demoSimulation(setup: DemoSetup, days: number, keepRecords: boolean): BusinessSimulation {
  const { prepared, seed, realm } = setup;
  return new BusinessSimulation({ seed, startDay: prepared.startDay, days, warmupDays: WARMUP_DAYS, profile: DEMO_PROFILE, injections: prepared.plan.injections, realm, keepRecords });
}

/**
 * The demo company (spec section 6): six months of a small coffee and kitchen-supplies wholesaler
 * (≈ 500 customers, 2,000 invoices, 800 bills, 100 refunds, 50 vendors) with three planted
 * incidents so the workspace has a story: the two largest suppliers ship late for two weeks, which
 * cascades into late deliveries and unhappy customers; a defective best seller brings refunds that
 * squeeze the margin; and the key accounts paying on the 15th (up to twelve) miss a payment run. The magnitudes are
 * chosen so each story is plainly visible to the detector (the evaluation harness, not the demo,
 * measures what it finds at the edge of detectability).
 */
export function generateDemoCompany(options: DemoOptions = {}): SimulationResult {
  const setup = demoSetup(options, "generateDemoCompany");
  const keepRecords = options.qbo !== false;
  const sim = demoSimulation(setup, DEMO_DAYS, keepRecords);
  const events: SimEvent[] = [];
  for (const d of sim.run()) for (const e of d.events) events.push(e);
  const labels = labelsFor(setup.prepared, sim);
  return { events, labels, qbo: keepRecords ? qboBooks(sim, setup.realm, DEMO_DAYS - 1) : null };
}

/**
 * The demo company as a business that goes on: its six months are simulated at once (the same
 * days, events and books as {@link generateDemoCompany} with the same options), then
 * {@link LiveCompany.next} simulates one more day at a time, up to {@link DEMO_LIVE_DAYS} days
 * after the six months. The days after are the same business carrying on (no new injections):
 * a run with a longer horizon is identical to the six months up to their last day.
 */
export function liveDemoCompany(options: Omit<DemoOptions, "qbo"> = {}): LiveCompany {
  const setup = demoSetup(options, "liveDemoCompany");
  const sim = demoSimulation(setup, DEMO_DAYS + DEMO_LIVE_DAYS, true);
  return new LiveCompany(sim, setup.realm, DEMO_DAYS);
}

/** A simulated company that runs on one day at a time, with its QuickBooks books kept current. */
export class LiveCompany {
  private readonly days: Generator<DayOutput>;
  private t = -1;

  constructor(
    private readonly sim: BusinessSimulation,
    readonly realm: string,
    /** Days simulated at once (their events are not kept). */
    initialDays: number,
  ) {
    this.days = sim.run();
    for (let k = 0; k < initialDays; k++) this.next();
  }

  /** The last simulated day (`YYYY-MM-DD`). */
  get lastDay(): string {
    return this.sim.calendar.day(this.t);
  }

  /** The books as of the last simulated day. */
  books(): QboBooks {
    return qboBooks(this.sim, this.realm, this.t);
  }

  /** Simulates the following day and returns it with its events (sorted by time, then id). */
  next(): DayOutput {
    const step = this.days.next();
    if (step.done) throw new Error(`LiveCompany.next: the simulated business ends on ${this.lastDay}`);
    this.t = step.value.t;
    return step.value;
  }
}
