/**
 * The conflict rules as a state machine per (product, store) pair. A Durable Object shard holds
 * the states of many pairs; this module decides, for each arriving event, what changes:
 *
 * - Ground truth is kept as a short history (the latest few points), so a decision is judged by
 *   the ground truth in force at its own time, even when events arrive out of order.
 * - A decision is judged against that ground truth: a price more than the team's tolerance away
 *   is a `price_mismatch`; "in stock" while none is on hand (or "out of stock" while stock is on
 *   hand) is an `availability_contradiction`. A decision that still matches the previous ground
 *   truth within the propagation grace after a change is a cache refresh in flight, not a conflict.
 * - Ground truth older than the staleness limit cannot judge anything: the pair is flagged (one
 *   flag per episode, cleared by the next ground truth), never called a conflict.
 * - Two decision teams whose latest statements about the pair, at most the window apart, differ
 *   in price beyond the larger of their tolerances or in availability are a `team_disagreement`,
 *   unless a ground-truth conflict of one of them (or a refresh in flight) already explains it.
 * - A contradiction that goes on is one record whose occurrence count grows; it is cleared (still
 *   the same record, `active: false`) when the same team's next judged decision is consistent.
 *   If it comes back after staying cleared longer than the episode gap, it is a new episode: a new
 *   record (linked to the previous one) and a new alert. A fixed conflict that comes back after the
 *   fix is a regression: a new record too. A documented one keeps counting without alerting (it was
 *   accepted); a disputed one as well, and its occurrences leave the conflict rate (false positive).
 *
 * The functions update the state in place (the owner persists it) and return what happened.
 */
import { stableId } from "../ids.ts";
import type { DetectionConfig } from "./config.ts";
import type { ConflictEvidence, ConflictRecord, ConflictType, Statement } from "./conflict.ts";
import { claimsAvailable, isAvailable, type VisibilityEvent } from "./event.ts";
import { transition, type AuditEntry, type TransitionRequest } from "./lifecycle.ts";
import { priceDeviationPct } from "./price-deviation.ts";
import { priceDifferencePct } from "./price-difference.ts";

/** Percentages are compared with this slack so that 1.05 vs 1.00 counts as exactly 5 %. */
const PCT_EPSILON = 1e-9;

/** `grace`: consistent only with the previous ground truth, within the propagation grace. */
/** `late`: the pair's ground truth has moved past the decision's time; it cannot be judged, nor compared. */
export type Verdict = "consistent" | "grace" | "conflict" | "unverified" | "late";

export interface GroundTruthPoint extends Statement {
  ts_ms: number;
}

/** A held-back decision and when it arrived (processing time, ms). */
export type PendingDecision = DecisionPoint & { arrived_ms: number };

export interface DecisionPoint extends Statement {
  ts_ms: number;
  price_verdict: Verdict;
  availability_verdict: Verdict;
  /** The ground truth it was judged by (null when none was fresh). */
  truth: { price: number; currency: string; available: boolean } | null;
}

/** "Ground truth is stale or missing for this pair": flagged once per episode, not a conflict. */
export interface GroundTruthFlag {
  flag_id: string;
  product_id: string;
  store_id: string;
  reason: "stale" | "missing";
  /** Time of the ground truth the decisions would have been judged by (null when there is none). */
  ground_truth_ts: string | null;
  first_seen: string;
  last_seen: string;
  /** Decisions that could not be judged during the episode. */
  decisions: number;
  flagged_at: string;
  active: boolean;
  cleared_at: string | null;
}

export interface ShardState {
  product_id: string;
  store_id: string;
  category: string | null;
  /** Ascending by time; at most `config.ground_truth_history` points. */
  ground_truth: GroundTruthPoint[];
  /** The latest decision of each team. */
  decisions: Record<string, DecisionPoint>;
  /** The current record of each conflict key (see {@link conflictKeyOf}). */
  conflicts: Record<string, ConflictRecord>;
  flag: GroundTruthFlag | null;
  /** Decisions held until the ground truth has caught up with them (see {@link settleDue}). */
  pending: PendingDecision[];
}

export interface ShardContext {
  config: DetectionConfig;
  /** The price tolerance of a team, in percent (the detector's default for unknown teams). */
  tolerancePct: (team: string) => number;
  /** Processing time (ISO): becomes `detected_at`. */
  now: string;
  /**
   * The ground-truth watermark known to the owner (ms since the epoch): every ground-truth
   * publisher has sent events up to at least this time. Null or absent when unknown.
   */
  watermark_ms?: number | null;
}

export type ShardEffect =
  | { kind: "conflict_opened"; conflict: ConflictRecord }
  | { kind: "conflict_updated"; conflict: ConflictRecord }
  | { kind: "conflict_cleared"; conflict: ConflictRecord }
  | { kind: "flag_raised"; flag: GroundTruthFlag }
  | { kind: "flag_cleared"; flag: GroundTruthFlag };

/**
 * What one event did. `outcome` feeds the rollups: a decision is `conflicting` when it added an
 * occurrence to a conflict that is not disputed, `unverified` when no fresh ground truth could
 * judge it and no team disagreement was found, `consistent` otherwise.
 */
export type Outcome = "ground_truth" | "consistent" | "conflicting" | "unverified" | "pending";

export interface Observation {
  /** `pending`: judged later, when settled; its outcome comes then, in `settled`. */
  outcome: Outcome;
  effects: ShardEffect[];
  /** Earlier pending decisions judged by this call, with their outcomes (for the rollups). */
  settled: { decision: DecisionPoint; outcome: Exclude<Outcome, "pending" | "ground_truth"> }[];
}

export function createShardState(productId: string, storeId: string): ShardState {
  return { product_id: productId, store_id: storeId, category: null, ground_truth: [], decisions: {}, conflicts: {}, flag: null, pending: [] };
}

/** The key under which a conflict is de-duplicated within its pair. */
export function conflictKeyOf(conflict: Pick<ConflictRecord, "type" | "teams" | "decision_team">): string {
  return conflict.type === "team_disagreement" ? `${conflict.type}|${conflict.teams.join("|")}` : `${conflict.type}|${conflict.decision_team}`;
}

/** Applies one validated event to its pair's state. */
export function observe(state: ShardState, event: VisibilityEvent, ctx: ShardContext): Observation {
  if (event.product_id !== state.product_id || event.store_id !== state.store_id) {
    throw new Error(
      `observe: event ${event.event_id} is for ${event.product_id}@${event.store_id}, not this state's ${state.product_id}@${state.store_id}`,
    );
  }
  if (event.category !== undefined) state.category = event.category;
  return event.kind === "ground_truth" ? observeGroundTruth(state, event, ctx) : observeDecision(state, event, ctx);
}

function statementOf(event: VisibilityEvent): Statement & { ts_ms: number } {
  return {
    team: event.team,
    event_id: event.event_id,
    surface: event.surface ?? null,
    price: event.price,
    currency: event.currency,
    availability: event.availability,
    quantity: event.quantity ?? null,
    ts: event.ts,
    ts_ms: Date.parse(event.ts),
  };
}

function observeGroundTruth(state: ShardState, event: VisibilityEvent, ctx: ShardContext): Observation {
  const point = statementOf(event);
  const history = state.ground_truth;
  let at = history.length;
  while (at > 0 && history[at - 1]!.ts_ms > point.ts_ms) at--;
  history.splice(at, 0, point);
  if (history.length > ctx.config.ground_truth_history) history.splice(0, history.length - ctx.config.ground_truth_history);

  const effects: ShardEffect[] = [];
  const flag = state.flag;
  if (flag?.active) {
    const flaggedMs = flag.ground_truth_ts === null ? Number.NEGATIVE_INFINITY : Date.parse(flag.ground_truth_ts);
    if (point.ts_ms > flaggedMs && point.ts_ms >= Date.parse(flag.first_seen) - ctx.config.ground_truth_stale_after_ms) {
      state.flag = { ...flag, active: false, cleared_at: event.ts };
      effects.push({ kind: "flag_cleared", flag: state.flag });
    }
  }
  // Held-back decisions at or before this point: the feed has passed them (publishers send in
  // time order), so every ground truth that could judge them is here.
  const settled: Observation["settled"] = [];
  if (state.pending.length > 0) {
    const ready = state.pending.filter((d) => d.ts_ms <= point.ts_ms);
    state.pending = state.pending.filter((d) => d.ts_ms > point.ts_ms);
    for (const decision of ready) {
      const judged = judgeDecision(state, decision, ctx);
      effects.push(...judged.effects);
      settled.push({ decision, outcome: judged.outcome });
    }
  }
  return { outcome: "ground_truth", effects, settled };
}

/**
 * Judges the held-back decisions that may be judged at `ctx.now`: the ground-truth watermark has
 * passed their time, or they have waited `settle_ms` since they arrived. The owner calls it when
 * {@link nextSettleAt} comes or the watermark passes {@link earliestPending}; calling it early is
 * harmless.
 */
export function settleDue(state: ShardState, ctx: ShardContext): Observation {
  const nowMs = Date.parse(ctx.now);
  const watermark = ctx.watermark_ms ?? Number.NEGATIVE_INFINITY;
  const ready = (d: PendingDecision) => d.ts_ms <= watermark || d.arrived_ms + holdOf(d, ctx.config) <= nowMs;
  const due = state.pending.filter(ready);
  if (due.length === 0) return { outcome: "ground_truth", effects: [], settled: [] };
  state.pending = state.pending.filter((d) => !ready(d));
  const effects: ShardEffect[] = [];
  const settled: Observation["settled"] = [];
  for (const decision of due) {
    const judged = judgeDecision(state, decision, ctx);
    effects.push(...judged.effects);
    settled.push({ decision, outcome: judged.outcome });
  }
  return { outcome: "ground_truth", effects, settled };
}

/** How long a held-back decision may wait: `settle_ms` when live, `backfill_hold_ms` when it arrived long after its time. */
function holdOf(d: PendingDecision, config: DetectionConfig): number {
  return d.arrived_ms - d.ts_ms >= config.backfill_after_ms ? config.backfill_hold_ms : config.settle_ms;
}

/** When the earliest held-back decision has waited long enough (ms since the epoch), or null when none waits. */
export function nextSettleAt(state: ShardState, config: DetectionConfig): number | null {
  if (state.pending.length === 0) return null;
  return Math.min(...state.pending.map((d) => d.arrived_ms + holdOf(d, config)));
}

/** The event time of the earliest held-back decision: a watermark past it releases it. */
export function earliestPending(state: ShardState): number | null {
  if (state.pending.length === 0) return null;
  return Math.min(...state.pending.map((d) => d.ts_ms));
}

/**
 * A decision that needs the ground truth (it contradicts the one known so far, none fresh is
 * known, or it would contradict another team's recent statement) waits while the ground truth may
 * still be behind it: the pair has nothing at or after its
 * time and the ground-truth watermark has not passed it either. Publishers send independently, so
 * the price change that explains a quote may be a moment behind it. A live decision waits at most
 * `settle_ms` after arriving, a backfilled one (arriving `backfill_after_ms` or more after its time)
 * at most `backfill_hold_ms`; the watermark or the pair's next ground truth usually releases it sooner.
 */
function observeDecision(state: ShardState, event: VisibilityEvent, ctx: ShardContext): Observation {
  const decision: DecisionPoint = { ...statementOf(event), price_verdict: "unverified", availability_verdict: "unverified", truth: null };
  const latestTruth = state.ground_truth[state.ground_truth.length - 1];
  const truthMayBeBehind =
    (latestTruth === undefined || latestTruth.ts_ms < decision.ts_ms) && (ctx.watermark_ms === undefined || ctx.watermark_ms === null || ctx.watermark_ms < decision.ts_ms);
  if (ctx.config.settle_ms > 0 && truthMayBeBehind && (needsTruth(state, decision, ctx) || wouldDisagree(state, decision, ctx))) {
    state.pending.push({ ...decision, arrived_ms: Date.parse(ctx.now) });
    return { outcome: "pending", effects: [], settled: [] };
  }
  const judged = judgeDecision(state, decision, ctx);
  return { outcome: judged.outcome, effects: judged.effects, settled: [] };
}

interface TruthJudgement {
  truth: GroundTruthPoint | null;
  fresh: boolean;
  price: { conflict: boolean; deviation: number | null };
  priceVerdict: Verdict;
  availability: "shown_available" | "shown_unavailable" | null;
  availabilityVerdict: Verdict;
}

/** The decision judged against the ground truth in force at its time (no side effects). */
function judgeAgainstTruth(state: ShardState, decision: DecisionPoint, ctx: ShardContext): TruthJudgement {
  const { config } = ctx;
  const at = effectiveIndex(state.ground_truth, decision.ts_ms);
  const truth = at >= 0 ? state.ground_truth[at]! : null;
  const fresh = truth !== null && decision.ts_ms - truth.ts_ms <= config.ground_truth_stale_after_ms;
  if (!fresh || truth === null) {
    return { truth, fresh: false, price: { conflict: false, deviation: null }, priceVerdict: "unverified", availability: null, availabilityVerdict: "unverified" };
  }
  const tolerance = ctx.tolerancePct(decision.team);
  const previous = at > 0 ? state.ground_truth[at - 1]! : null;
  // Within the grace after a change, a decision that matches the previous ground truth is a
  // refresh in flight: not a conflict, and no proof of a disagreement either.
  const inGrace = previous !== null && decision.ts_ms - truth.ts_ms <= config.propagation_grace_ms;
  const price = priceVerdict(decision, truth, tolerance);
  const priceInFlight =
    inGrace && (previous.price !== truth.price || previous.currency !== truth.currency) && !priceVerdict(decision, previous, tolerance).conflict;
  const availability = availabilityVerdict(decision, truth, config);
  const availabilityInFlight = inGrace && isAvailable(previous) !== isAvailable(truth) && availabilityVerdict(decision, previous, config) === null;
  return {
    truth,
    fresh: true,
    price,
    priceVerdict: priceInFlight ? "grace" : price.conflict ? "conflict" : "consistent",
    availability,
    availabilityVerdict: availabilityInFlight ? "grace" : availability !== null ? "conflict" : "consistent",
  };
}

/**
 * Whether the decision, judged by the ground truth known so far, would contradict another team's
 * recent statement: a price change still on its way may explain the difference.
 */
function wouldDisagree(state: ShardState, decision: DecisionPoint, ctx: ShardContext): boolean {
  const j = judgeAgainstTruth(state, decision, ctx);
  const provisional: DecisionPoint = {
    ...decision,
    price_verdict: j.priceVerdict,
    availability_verdict: j.availabilityVerdict,
    truth: j.fresh && j.truth ? { price: j.truth.price, currency: j.truth.currency, available: isAvailable(j.truth) } : null,
  };
  const tolerance = ctx.tolerancePct(decision.team);
  return Object.values(state.decisions).some(
    (other) =>
      other.team !== decision.team &&
      Math.abs(decision.ts_ms - other.ts_ms) <= ctx.config.disagreement_window_ms &&
      compareTeams(provisional, other, Math.max(tolerance, ctx.tolerancePct(other.team))).unexplained.length > 0,
  );
}

/** Whether the ground truth known so far would call the decision a conflict, or cannot judge it. */
function needsTruth(state: ShardState, decision: DecisionPoint, ctx: ShardContext): boolean {
  const j = judgeAgainstTruth(state, decision, ctx);
  return !j.fresh || j.priceVerdict === "conflict" || j.availabilityVerdict === "conflict";
}

function judgeDecision(state: ShardState, decision: DecisionPoint, ctx: ShardContext): { outcome: Exclude<Outcome, "pending" | "ground_truth">; effects: ShardEffect[] } {
  const { config } = ctx;
  const tolerance = ctx.tolerancePct(decision.team);
  const effects: ShardEffect[] = [];
  let conflicting = false;

  const judgement = judgeAgainstTruth(state, decision, ctx);
  const { truth, fresh, price, availability } = judgement;

  const first = state.ground_truth[0];
  if (truth === null && first !== undefined && first.ts_ms > decision.ts_ms) {
    // Older than every ground truth kept (a backlog arriving long after the feed moved on): what
    // was true then is no longer known, so it is neither judged nor compared, and not flagged.
    decision.price_verdict = "late";
    decision.availability_verdict = "late";
    const latest = state.decisions[decision.team];
    if (!latest || decision.ts_ms >= latest.ts_ms) state.decisions[decision.team] = stripArrival(decision);
    return { outcome: "unverified", effects };
  }
  if (!fresh || truth === null) {
    effects.push(...flagUnjudged(state, decision, truth, ctx));
  } else {
    decision.truth = { price: truth.price, currency: truth.currency, available: isAvailable(truth) };
    decision.price_verdict = judgement.priceVerdict;
    decision.availability_verdict = judgement.availabilityVerdict;

    const teams = [...new Set([decision.team, truth.team])].sort();
    const judged: [ConflictType, boolean, () => ConflictEvidence][] = [
      [
        "price_mismatch",
        decision.price_verdict === "conflict",
        () => ({ type: "price_mismatch", decision: plain(decision), ground_truth: plain(truth), deviation_pct: price.deviation, tolerance_pct: tolerance }),
      ],
      [
        "availability_contradiction",
        decision.availability_verdict === "conflict",
        () => ({ type: "availability_contradiction", decision: plain(decision), ground_truth: plain(truth), direction: availability ?? "shown_available" }),
      ],
    ];
    for (const [type, isConflict, evidence] of judged) {
      const key = `${type}|${decision.team}`;
      if (isConflict) {
        const result = occur(state, key, { type, teams, decision_team: decision.team, evidence: evidence() }, decision, ctx);
        effects.push(result.effect);
        conflicting ||= result.counts;
      } else {
        const cleared = clear(state, key, decision);
        if (cleared) effects.push(cleared);
      }
    }
  }

  for (const other of Object.values(state.decisions)) {
    if (other.team === decision.team || Math.abs(decision.ts_ms - other.ts_ms) > config.disagreement_window_ms) continue;
    const pairTolerance = Math.max(tolerance, ctx.tolerancePct(other.team));
    const teams = [decision.team, other.team].sort();
    const key = `team_disagreement|${teams.join("|")}`;
    const comparison = compareTeams(decision, other, pairTolerance);
    if (comparison.unexplained.length > 0) {
      const [a, b] = other.ts_ms <= decision.ts_ms ? [other, decision] : [decision, other];
      const evidence: ConflictEvidence = {
        type: "team_disagreement",
        a: plain(a),
        b: plain(b),
        aspects: comparison.unexplained,
        difference_pct: comparison.unexplained.includes("price") ? comparison.difference : null,
        tolerance_pct: pairTolerance,
      };
      const result = occur(state, key, { type: "team_disagreement", teams, decision_team: decision.team, evidence }, decision, ctx);
      effects.push(result.effect);
      conflicting ||= result.counts;
    } else if (comparison.explained.length === 0) {
      const cleared = clear(state, key, decision);
      if (cleared) effects.push(cleared);
    }
  }

  const latest = state.decisions[decision.team];
  if (!latest || decision.ts_ms >= latest.ts_ms) state.decisions[decision.team] = stripArrival(decision);

  return { outcome: conflicting ? "conflicting" : fresh ? "consistent" : "unverified", effects };
}

function stripArrival(decision: DecisionPoint): DecisionPoint {
  const { arrived_ms: _arrived, ...point } = decision as PendingDecision;
  return point;
}

/** Index of the latest ground-truth point at or before `tsMs`, or −1. */
function effectiveIndex(history: readonly GroundTruthPoint[], tsMs: number): number {
  for (let i = history.length - 1; i >= 0; i--) if (history[i]!.ts_ms <= tsMs) return i;
  return -1;
}

function priceVerdict(decision: Statement, truth: Statement, tolerancePct: number): { conflict: boolean; deviation: number | null } {
  if (decision.currency !== truth.currency) return { conflict: true, deviation: null };
  const deviation = priceDeviationPct(decision.price, truth.price);
  return { conflict: deviation > tolerancePct + PCT_EPSILON, deviation: Number.isFinite(deviation) ? round4(deviation) : null };
}

/** The direction of an availability contradiction, or null when the decision agrees with the ground truth. */
function availabilityVerdict(decision: Statement, truth: Statement, config: DetectionConfig): "shown_available" | "shown_unavailable" | null {
  const shown = claimsAvailable(decision);
  const onHand = isAvailable(truth);
  if (shown && !onHand) return "shown_available";
  if (!shown && onHand && config.flag_phantom_out_of_stock) return "shown_unavailable";
  return null;
}

function compareTeams(
  a: DecisionPoint,
  b: DecisionPoint,
  tolerancePct: number,
): { unexplained: ("price" | "availability")[]; explained: ("price" | "availability")[]; difference: number | null } {
  const unexplained: ("price" | "availability")[] = [];
  const explained: ("price" | "availability")[] = [];
  let difference: number | null = null;
  const priceDiffers =
    a.currency !== b.currency ||
    (() => {
      const pct = priceDifferencePct(a.price, b.price);
      difference = Number.isFinite(pct) ? round4(pct) : null;
      return pct > tolerancePct + PCT_EPSILON;
    })();
  // A ground-truth conflict of either team explains the difference (it is already raised); so does a
  // refresh in flight (one team still on the previous ground truth, within the grace), and so does
  // a change of the ground truth between the two statements (each was right at its own time).
  const explains = (v: Verdict) => v === "conflict" || v === "grace" || v === "late";
  const truthMoved = (aspect: "price" | "availability") =>
    a.truth !== null &&
    b.truth !== null &&
    (aspect === "price" ? a.truth.price !== b.truth.price || a.truth.currency !== b.truth.currency : a.truth.available !== b.truth.available);
  // Only statements on an equal footing are compared: both judged by fresh ground truth, or neither.
  const footing = (a.truth === null) === (b.truth === null);
  if (priceDiffers) (!footing || explains(a.price_verdict) || explains(b.price_verdict) || truthMoved("price") ? explained : unexplained).push("price");
  if (claimsAvailable(a) !== claimsAvailable(b)) {
    (!footing || explains(a.availability_verdict) || explains(b.availability_verdict) || truthMoved("availability") ? explained : unexplained).push(
      "availability",
    );
  }
  return { unexplained, explained, difference };
}

function occur(
  state: ShardState,
  key: string,
  found: { type: ConflictType; teams: string[]; decision_team: string; evidence: ConflictEvidence },
  decision: DecisionPoint,
  ctx: ShardContext,
): { effect: ShardEffect; counts: boolean } {
  const current = state.conflicts[key];
  const regression = current !== undefined && current.status === "fixed" && current.resolved_at !== null && decision.ts_ms > Date.parse(current.resolved_at);
  const newEpisode =
    current !== undefined &&
    (current.status === "open" || current.status === "acknowledged") &&
    !current.active &&
    decision.ts_ms - Date.parse(current.last_seen) > ctx.config.episode_gap_ms;
  if (current === undefined || regression || newEpisode) {
    const record: ConflictRecord = {
      conflict_id: stableId("visibility", state.product_id, state.store_id, key, decision.event_id),
      type: found.type,
      product_id: state.product_id,
      store_id: state.store_id,
      category: state.category,
      teams: found.teams,
      decision_team: found.decision_team,
      status: "open",
      first_seen: decision.ts,
      last_seen: decision.ts,
      detected_at: ctx.now,
      alerted_at: null,
      occurrences: 1,
      active: true,
      cleared_at: null,
      first_event_id: decision.event_id,
      last_event_id: decision.event_id,
      previous_conflict_id: current?.conflict_id ?? null,
      evidence: found.evidence,
      sla_started_at: ctx.now,
      escalation_level: 0,
      escalated_at: null,
      acknowledged_at: null,
      resolved_at: null,
      resolved_by: null,
      resolution_reason: null,
    };
    state.conflicts[key] = record;
    return { effect: { kind: "conflict_opened", conflict: record }, counts: true };
  }
  const newer = decision.ts_ms >= Date.parse(current.last_seen);
  const record: ConflictRecord = {
    ...current,
    category: current.category ?? state.category,
    occurrences: current.occurrences + 1,
    first_seen: decision.ts_ms < Date.parse(current.first_seen) ? decision.ts : current.first_seen,
    last_seen: newer ? decision.ts : current.last_seen,
    last_event_id: newer ? decision.event_id : current.last_event_id,
    evidence: newer ? found.evidence : current.evidence,
    active: newer ? true : current.active,
    cleared_at: newer ? null : current.cleared_at,
  };
  state.conflicts[key] = record;
  return { effect: { kind: "conflict_updated", conflict: record }, counts: record.status !== "disputed" };
}

function clear(state: ShardState, key: string, decision: DecisionPoint): ShardEffect | null {
  const current = state.conflicts[key];
  if (!current || !current.active || decision.ts_ms < Date.parse(current.last_seen)) return null;
  const record: ConflictRecord = { ...current, active: false, cleared_at: decision.ts };
  state.conflicts[key] = record;
  return { kind: "conflict_cleared", conflict: record };
}

function flagUnjudged(state: ShardState, decision: DecisionPoint, truth: GroundTruthPoint | null, ctx: ShardContext): ShardEffect[] {
  const flag = state.flag;
  if (flag?.active) {
    state.flag = {
      ...flag,
      decisions: flag.decisions + 1,
      first_seen: decision.ts_ms < Date.parse(flag.first_seen) ? decision.ts : flag.first_seen,
      last_seen: decision.ts_ms > Date.parse(flag.last_seen) ? decision.ts : flag.last_seen,
    };
    return [];
  }
  state.flag = {
    flag_id: stableId("visibility-flag", state.product_id, state.store_id, decision.event_id),
    product_id: state.product_id,
    store_id: state.store_id,
    reason: truth === null ? "missing" : "stale",
    ground_truth_ts: truth?.ts ?? null,
    first_seen: decision.ts,
    last_seen: decision.ts,
    decisions: 1,
    flagged_at: ctx.now,
    active: true,
    cleared_at: null,
  };
  return [{ kind: "flag_raised", flag: state.flag }];
}

/**
 * Applies a lifecycle transition to a conflict held by this state (see lifecycle.ts). Returns
 * null when the state does not hold that conflict as the current record of its key.
 */
export function transitionConflict(
  state: ShardState,
  conflictId: string,
  request: TransitionRequest,
  at: string,
): { record: ConflictRecord; audit: AuditEntry } | null {
  const entry = Object.entries(state.conflicts).find(([, c]) => c.conflict_id === conflictId);
  if (!entry) return null;
  const result = transition(entry[1], request, at);
  state.conflicts[entry[0]] = result.record;
  return result;
}

/** Replaces the current record of a conflict's key when it is the same conflict (after an escalation or an alert). */
export function putConflict(state: ShardState, record: ConflictRecord): boolean {
  const key = conflictKeyOf(record);
  if (state.conflicts[key]?.conflict_id !== record.conflict_id) return false;
  state.conflicts[key] = record;
  return true;
}

function plain(point: Statement & { ts_ms?: number; price_verdict?: Verdict; availability_verdict?: Verdict }): Statement {
  return {
    team: point.team,
    event_id: point.event_id,
    surface: point.surface,
    price: point.price,
    currency: point.currency,
    availability: point.availability,
    quantity: point.quantity,
    ts: point.ts,
  };
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
