/**
 * A seeded synthetic stream of decision and ground-truth events with known injected conflicts,
 * for the detection-quality benchmark and the tests. Honest teams quote the ground truth in force
 * (within a small noise, and some of them a few seconds late after a change, inside the
 * propagation grace); injected episodes break that on purpose:
 *
 * - `price_mismatch`: a team quotes 6–30 % off the true price, a few times;
 * - `availability_contradiction`: the pair runs out of stock and a team keeps saying "in stock";
 * - `team_disagreement`: on a pair the inventory system does not cover, one team quotes a price
 *   10–30 % off, or "out of stock", while another team quotes the catalogue;
 * - `stale_ground_truth` (a negative): the inventory feed stops for a pair for 30–50 minutes (by default)
 *   while decisions go on; the layer must flag it and call nothing a conflict.
 *
 * Events come out in time order, one simulated second at a time, so a million-event stream is
 * never held in memory.
 */
import { seededRandom, type Random } from "../rng.ts";
import type { Availability, VisibilityEvent } from "./event.ts";
import type { ConflictRecord, ConflictType } from "./conflict.ts";
import type { GroundTruthFlag } from "./shard.ts";

export interface SyntheticOptions {
  seed: number | string;
  /** ISO start of the stream. */
  start: string;
  duration_s: number;
  decisions_per_s: number;
  products: number;
  stores: number;
  categories: number;
  /** Share of (product, store) pairs the inventory system publishes ground truth for. */
  covered_share: number;
  decision_teams: string[];
  ground_truth_team: string;
  ground_truth_interval_s: number;
  /** Honest decisions are within ± this percent of the truth. */
  noise_pct: number;
  /** Share of honest decisions that lag a change by up to `lag_s`. */
  lag_share: number;
  lag_s: number;
  /** Per ground-truth tick: chance of a price change, of running out, of restocking when out. */
  price_change_per_tick: number;
  stock_out_per_tick: number;
  restock_per_tick: number;
  inject: Record<ConflictType | "stale_ground_truth", number>;
  /** How long a stale-feed episode silences the ground truth, in minutes [min, max]. */
  stale_minutes: [number, number];
  /** Conflicting events per injected episode, and their spacing. */
  episode_events: number;
  episode_spacing_s: number;
  /** No episode starts before this many seconds (every pair has ground truth by then). */
  warmup_s: number;
  currency: string;
  /** Prefix of product and event ids, so several streams can share one layer. */
  id_prefix: string;
}

export const DEFAULT_SYNTHETIC_OPTIONS: SyntheticOptions = {
  seed: 1,
  start: "2025-03-03T00:00:00.000Z",
  duration_s: 3600,
  decisions_per_s: 50,
  products: 100,
  stores: 10,
  categories: 8,
  covered_share: 0.9,
  decision_teams: ["magic-apron", "search", "sponsored"],
  ground_truth_team: "inventory",
  ground_truth_interval_s: 300,
  noise_pct: 2,
  lag_share: 0.5,
  lag_s: 30,
  price_change_per_tick: 0.02,
  stock_out_per_tick: 0.01,
  restock_per_tick: 0.3,
  inject: { price_mismatch: 20, availability_contradiction: 20, team_disagreement: 20, stale_ground_truth: 5 },
  stale_minutes: [30, 50],
  episode_events: 3,
  episode_spacing_s: 20,
  warmup_s: 600,
  currency: "USD",
  id_prefix: "",
};

export interface InjectedConflict {
  episode_id: string;
  type: ConflictType;
  product_id: string;
  store_id: string;
  /** The team whose statements were made wrong. */
  team: string;
  /** For disagreements: the honest team it contradicts. */
  other_team: string | null;
  start: string;
  end: string;
}

export interface StaleEpisode {
  product_id: string;
  store_id: string;
  from: string;
  to: string;
}

interface Pair {
  product_id: string;
  store_id: string;
  category: string;
  covered: boolean;
  offset_ms: number;
  price: number;
  quantity: number;
  prev_price: number;
  prev_quantity: number;
  changed_at_ms: number;
  /** Whether the feed has published this pair yet (the first tick publishes the opening truth). */
  published: boolean;
  /** Windows [from, to] (ms) during which the truth must not change on its own. */
  frozen: [number, number][];
  /** Windows during which the ground-truth feed is silent. */
  silent: [number, number][];
  /** Windows during which the pair is forced out of stock. */
  forced_out: [number, number][];
  busy: [number, number][];
}

interface Scheduled {
  ts_ms: number;
  pair: Pair;
  team: string;
  /** What to say: price factor on the truth, or a fixed availability. */
  price_factor: number;
  availability: Availability | null;
}

export class SyntheticStream {
  readonly options: SyntheticOptions;
  readonly injected: InjectedConflict[] = [];
  readonly stale: StaleEpisode[] = [];
  private readonly pairs: Pair[];
  private readonly scheduled: Scheduled[] = [];
  private readonly startMs: number;

  constructor(options: Partial<SyntheticOptions> = {}) {
    this.options = { ...DEFAULT_SYNTHETIC_OPTIONS, ...options, inject: { ...DEFAULT_SYNTHETIC_OPTIONS.inject, ...options.inject } };
    const o = this.options;
    if (o.decision_teams.length < 2) throw new Error("SyntheticStream: needs at least two decision teams (for disagreements)");
    if (o.noise_pct * 2 >= 5) throw new Error(`SyntheticStream: noise_pct ${o.noise_pct} lets honest teams disagree by 5 % or more`);
    this.startMs = Date.parse(o.start);
    if (Number.isNaN(this.startMs)) throw new Error(`SyntheticStream: start "${o.start}" is not an ISO timestamp`);
    const rand = seededRandom(`plan:${o.seed}`);
    this.pairs = [];
    const intervalMs = o.ground_truth_interval_s * 1000;
    for (let p = 0; p < o.products; p++) {
      const base = round2(5 + rand() * 495);
      const category = `cat-${String(p % o.categories).padStart(2, "0")}`;
      for (let s = 0; s < o.stores; s++) {
        const price = round2(base * (0.95 + rand() * 0.1));
        const quantity = 6 + Math.floor(rand() * 40);
        this.pairs.push({
          product_id: `${o.id_prefix}sku-${String(p).padStart(5, "0")}`,
          store_id: `store-${String(s).padStart(4, "0")}`,
          category,
          covered: rand() < o.covered_share,
          offset_ms: Math.floor(rand() * intervalMs),
          price,
          quantity,
          prev_price: price,
          prev_quantity: quantity,
          changed_at_ms: Number.NEGATIVE_INFINITY,
          published: false,
          frozen: [],
          silent: [],
          forced_out: [],
          busy: [],
        });
      }
    }
    this.plan(rand);
  }

  private plan(rand: Random): void {
    const o = this.options;
    const spacing = o.episode_spacing_s * 1000;
    const interval = o.ground_truth_interval_s * 1000;
    const episodeSpan = o.episode_events * spacing;
    if (Object.values(o.inject).every((n) => n === 0)) return;
    const latest = this.startMs + o.duration_s * 1000 - episodeSpan - 2 * interval - 60_000;
    const earliest = this.startMs + Math.max(o.warmup_s * 1000, interval + 60_000);
    if (latest <= earliest) throw new Error("SyntheticStream: duration_s is too short for warm-up plus an episode");
    const covered = this.pairs.filter((p) => p.covered);
    const uncovered = this.pairs.filter((p) => !p.covered);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const teams = o.decision_teams;
    let n = 0;

    const reserve = (pool: Pair[], span: (start: number) => [number, number], tailMs = 0): { pair: Pair; start: number } => {
      const last = latest - tailMs;
      if (last <= earliest) throw new Error("SyntheticStream: duration_s is too short for this episode");
      for (let attempt = 0; attempt < 200; attempt++) {
        const pair = pick(pool);
        const start = Math.floor(earliest + rand() * (last - earliest));
        const [from, to] = span(start);
        // Keep an hour between episodes on a pair: further apart than the detector's episode gap.
        if (pair.busy.some(([a, b]) => from < b + 3_600_000 && to > a - 3_600_000)) continue;
        pair.busy.push([from, to]);
        return { pair, start };
      }
      throw new Error("SyntheticStream: could not place an episode; use more pairs or fewer injections");
    };
    const label = (type: ConflictType, pair: Pair, team: string, other: string | null, from: number, to: number) =>
      this.injected.push({
        episode_id: `ep-${String(++n).padStart(5, "0")}`,
        type,
        product_id: pair.product_id,
        store_id: pair.store_id,
        team,
        other_team: other,
        start: iso(from),
        end: iso(to),
      });

    if (uncovered.length === 0 && o.inject.team_disagreement > 0) throw new Error("SyntheticStream: team disagreements need uncovered pairs (covered_share < 1)");

    for (let i = 0; i < o.inject.price_mismatch; i++) {
      const { pair, start } = reserve(covered, (s) => [s - 120_000, s + episodeSpan + 60_000]);
      pair.frozen.push([start - 120_000, start + episodeSpan + 60_000]);
      const team = pick(teams);
      const sign = rand() < 0.5 ? -1 : 1;
      for (let j = 0; j < o.episode_events; j++) {
        const factor = 1 + sign * (0.06 + rand() * 0.24);
        this.scheduled.push({ ts_ms: start + j * spacing, pair, team, price_factor: factor, availability: null });
      }
      label("price_mismatch", pair, team, null, start, start + (o.episode_events - 1) * spacing);
    }

    for (let i = 0; i < o.inject.availability_contradiction; i++) {
      const { pair, start } = reserve(covered, (s) => [s - 120_000, s + 3 * interval + 90_000 + episodeSpan]);
      const firstTick = nextTick(pair, start, interval, this.startMs);
      // Out of stock long enough for the injected quotes (90 s after the stock-out, then spaced) and two ticks.
      const outUntil = firstTick + Math.max(2 * interval, 90_000 + o.episode_events * spacing + interval) - 1000;
      pair.forced_out.push([firstTick, outUntil]);
      pair.frozen.push([start - 120_000, outUntil + interval]);
      const team = pick(teams);
      // After the propagation grace: a team still saying "in stock" 90 s after the stock-out is wrong.
      const first = firstTick + 90_000;
      for (let j = 0; j < o.episode_events; j++) {
        this.scheduled.push({ ts_ms: first + j * spacing, pair, team, price_factor: 1, availability: "in_stock" });
      }
      label("availability_contradiction", pair, team, null, first, first + (o.episode_events - 1) * spacing);
    }

    for (let i = 0; i < o.inject.team_disagreement; i++) {
      const { pair, start } = reserve(uncovered, (s) => [s - 60_000, s + episodeSpan + 60_000]);
      const team = pick(teams);
      const other = pick(teams.filter((t) => t !== team));
      this.scheduled.push({ ts_ms: start - 30_000, pair, team: other, price_factor: 1, availability: null });
      const onPrice = rand() < 0.5;
      for (let j = 0; j < o.episode_events; j++) {
        this.scheduled.push({
          ts_ms: start + j * spacing,
          pair,
          team,
          price_factor: onPrice ? 1 + 0.1 + rand() * 0.2 : 1,
          availability: onPrice ? null : "out_of_stock",
        });
      }
      label("team_disagreement", pair, team, other, start, start + (o.episode_events - 1) * spacing);
    }

    for (let i = 0; i < o.inject.stale_ground_truth; i++) {
      const [shortest, longest] = o.stale_minutes;
      const length = (shortest + rand() * (longest - shortest)) * 60_000;
      // The whole silence fits in the stream, so the feed resumes and the flag can clear.
      const { pair, start } = reserve(covered, (s) => [s - 60_000, s + length + interval], length);
      pair.silent.push([start, start + length]);
      pair.frozen.push([start - interval, start + length + interval]);
      this.stale.push({ product_id: pair.product_id, store_id: pair.store_id, from: iso(start), to: iso(start + length) });
    }

    this.scheduled.sort((a, b) => a.ts_ms - b.ts_ms);
    this.injected.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }

  /** Every event of the stream, in time order. Iterate once: the stream's state moves with it. */
  *events(): Generator<VisibilityEvent> {
    const o = this.options;
    const rand = seededRandom(`events:${o.seed}`);
    const interval = o.ground_truth_interval_s * 1000;
    const byOffsetSecond = new Map<number, Pair[]>();
    for (const pair of this.pairs) {
      if (!pair.covered) continue;
      const second = Math.floor(pair.offset_ms / 1000);
      const list = byOffsetSecond.get(second) ?? [];
      list.push(pair);
      byOffsetSecond.set(second, list);
    }
    const counters = new Map<string, number>();
    const nextId = (team: string) => {
      const n = (counters.get(team) ?? 0) + 1;
      counters.set(team, n);
      return `${o.id_prefix}${team}-${n}`;
    };
    let cursor = 0;
    for (let second = 0; second < o.duration_s; second++) {
      const sliceStart = this.startMs + second * 1000;
      const slice: VisibilityEvent[] = [];

      for (const pair of byOffsetSecond.get(second % o.ground_truth_interval_s) ?? []) {
        const tick = sliceStart + (pair.offset_ms % 1000);
        if (within(pair.silent, tick)) continue;
        this.advanceTruth(pair, tick, rand);
        slice.push(this.statement(nextId(o.ground_truth_team), o.ground_truth_team, "ground_truth", pair, tick, pair.price, availabilityOf(pair.quantity), pair.quantity));
      }

      for (let i = 0; i < o.decisions_per_s; i++) {
        const ts = sliceStart + Math.floor(rand() * 1000);
        const pair = this.pairs[Math.floor(rand() * this.pairs.length)]!;
        const team = o.decision_teams[Math.floor(rand() * o.decision_teams.length)]!;
        const lagging = rand() < o.lag_share;
        const truth = this.truthSeen(pair, ts, lagging ? o.lag_s * 1000 * rand() : 0);
        const noise = 1 + (rand() * 2 - 1) * (o.noise_pct / 100);
        slice.push(this.statement(nextId(team), team, "decision", pair, ts, round2(truth.price * noise), availabilityOf(truth.quantity), undefined));
      }

      while (cursor < this.scheduled.length && this.scheduled[cursor]!.ts_ms < sliceStart + 1000) {
        const s = this.scheduled[cursor++]!;
        const truth = this.truthSeen(s.pair, s.ts_ms, 0);
        slice.push(
          this.statement(nextId(s.team), s.team, "decision", s.pair, s.ts_ms, round2(truth.price * s.price_factor), s.availability ?? availabilityOf(truth.quantity), undefined),
        );
      }

      slice.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      yield* slice;
    }
    void interval;
  }

  /** The truth a decision at `ts` would see, `lagMs` behind a recent change. */
  private truthSeen(pair: Pair, ts: number, lagMs: number): { price: number; quantity: number } {
    if (!pair.covered) return { price: pair.price, quantity: pair.quantity };
    if (ts < pair.changed_at_ms || ts - pair.changed_at_ms < lagMs) return { price: pair.prev_price, quantity: pair.prev_quantity };
    return { price: pair.price, quantity: pair.quantity };
  }

  private advanceTruth(pair: Pair, tick: number, rand: Random): void {
    const o = this.options;
    if (!pair.published) {
      pair.published = true;
      return;
    }
    const forced = within(pair.forced_out, tick);
    let price = pair.price;
    let quantity = pair.quantity;
    if (forced) quantity = 0;
    else if (pair.quantity === 0 && pair.forced_out.some(([, to]) => to < tick && tick - to < o.ground_truth_interval_s * 1000)) quantity = 24;
    else if (!within(pair.frozen, tick)) {
      if (rand() < o.price_change_per_tick) price = round2(price * (1 + (rand() < 0.5 ? -1 : 1) * (0.05 + rand() * 0.2)));
      if (quantity === 0) quantity = rand() < o.restock_per_tick ? 10 + Math.floor(rand() * 30) : 0;
      else if (rand() < o.stock_out_per_tick) quantity = 0;
      else quantity = Math.max(1, quantity + Math.floor(rand() * 5) - 2);
    }
    if (price !== pair.price || quantity !== pair.quantity) {
      pair.prev_price = pair.price;
      pair.prev_quantity = pair.quantity;
      pair.changed_at_ms = tick;
      pair.price = price;
      pair.quantity = quantity;
    }
  }

  private statement(
    eventId: string,
    team: string,
    kind: "decision" | "ground_truth",
    pair: Pair,
    tsMs: number,
    price: number,
    availability: Availability,
    quantity: number | undefined,
  ): VisibilityEvent {
    return {
      event_id: eventId,
      team,
      kind,
      ...(kind === "decision" ? { surface: team === "magic-apron" ? "assistant" : team } : {}),
      product_id: pair.product_id,
      store_id: pair.store_id,
      category: pair.category,
      price,
      currency: this.options.currency,
      availability,
      ...(quantity !== undefined ? { quantity } : {}),
      ts: iso(tsMs),
    };
  }
}

export interface DetectionScore {
  injected: number;
  detected: number;
  /** detected / injected. */
  recall: number;
  /** Conflicts the layer opened. */
  alerts: number;
  false_alerts: number;
  /** false alerts / alerts (0 when there were none). */
  false_alert_rate: number;
  stale_episodes: number;
  stale_flagged: number;
  missed: InjectedConflict[];
  false_examples: Pick<ConflictRecord, "conflict_id" | "type" | "product_id" | "store_id" | "teams" | "first_seen">[];
}

/**
 * Scores detected conflicts against the injected episodes. A conflict matches an episode when it
 * has the episode's type and pair, involves its team (as the judged team for ground-truth
 * conflicts), and was first seen between the episode's start and `window_ms` after its end.
 * An episode is detected when some conflict matches it; a conflict that matches no episode is a
 * false alert. A stale episode is flagged when a ground-truth flag for its pair began inside it.
 */
export function scoreDetection(
  conflicts: readonly ConflictRecord[],
  flags: readonly GroundTruthFlag[],
  stream: Pick<SyntheticStream, "injected" | "stale">,
  windowMs = 10 * 60_000,
): DetectionScore {
  const byPair = new Map<string, InjectedConflict[]>();
  for (const e of stream.injected) {
    const key = `${e.product_id}|${e.store_id}`;
    byPair.set(key, [...(byPair.get(key) ?? []), e]);
  }
  const detected = new Set<string>();
  const falseAlerts: ConflictRecord[] = [];
  for (const c of conflicts) {
    const seen = Date.parse(c.first_seen);
    const match = (byPair.get(`${c.product_id}|${c.store_id}`) ?? []).filter(
      (e) =>
        e.type === c.type &&
        (c.type === "team_disagreement" ? c.teams.includes(e.team) : c.decision_team === e.team) &&
        seen >= Date.parse(e.start) &&
        seen <= Date.parse(e.end) + windowMs,
    );
    if (match.length === 0) falseAlerts.push(c);
    for (const e of match) detected.add(e.episode_id);
  }
  const staleFlagged = stream.stale.filter((s) =>
    flags.some(
      (f) => f.product_id === s.product_id && f.store_id === s.store_id && f.first_seen >= s.from && f.first_seen <= s.to,
    ),
  ).length;
  return {
    injected: stream.injected.length,
    detected: detected.size,
    recall: stream.injected.length > 0 ? detected.size / stream.injected.length : 1,
    alerts: conflicts.length,
    false_alerts: falseAlerts.length,
    false_alert_rate: conflicts.length > 0 ? falseAlerts.length / conflicts.length : 0,
    stale_episodes: stream.stale.length,
    stale_flagged: staleFlagged,
    missed: stream.injected.filter((e) => !detected.has(e.episode_id)),
    false_examples: falseAlerts.slice(0, 20).map((c) => ({
      conflict_id: c.conflict_id,
      type: c.type,
      product_id: c.product_id,
      store_id: c.store_id,
      teams: c.teams,
      first_seen: c.first_seen,
    })),
  };
}

function nextTick(pair: Pair, at: number, interval: number, startMs: number): number {
  const first = startMs + pair.offset_ms;
  return first + Math.ceil(Math.max(0, at - first) / interval) * interval;
}

function within(windows: readonly [number, number][], t: number): boolean {
  return windows.some(([a, b]) => t >= a && t <= b);
}

function availabilityOf(quantity: number): Availability {
  return quantity === 0 ? "out_of_stock" : quantity <= 5 ? "limited" : "in_stock";
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
