import { describe, expect, it } from "vitest";
import { DEFAULT_DETECTION_CONFIG, detectionConfigSchema } from "./config.ts";
import type { VisibilityEvent } from "./event.ts";
import { createShardState, earliestPending, nextSettleAt, observe, settleDue, transitionConflict, type ShardContext, type ShardState } from "./shard.ts";

const T0 = Date.parse("2025-03-03T10:00:00.000Z");
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();
let counter = 0;

function truth(seconds: number, price: number, patch: Partial<VisibilityEvent> = {}): VisibilityEvent {
  return {
    event_id: `gt-${++counter}`,
    team: "inventory",
    kind: "ground_truth",
    product_id: "sku-1",
    store_id: "store-9",
    price,
    currency: "USD",
    availability: "in_stock",
    quantity: 12,
    ts: at(seconds),
    ...patch,
  };
}

function said(team: string, seconds: number, price: number, patch: Partial<VisibilityEvent> = {}): VisibilityEvent {
  return {
    event_id: `${team}-${++counter}`,
    team,
    kind: "decision",
    surface: team === "magic-apron" ? "assistant" : team,
    product_id: "sku-1",
    store_id: "store-9",
    price,
    currency: "USD",
    availability: "in_stock",
    ts: at(seconds),
    ...patch,
  };
}

/** Most tests judge every event at its own time (no settle window); the settle tests use the default. */
const IMMEDIATE = detectionConfigSchema.parse({ settle_ms: 0 });

function context(tolerances: Record<string, number> = {}, config = IMMEDIATE): ShardContext {
  return { config, tolerancePct: (team) => tolerances[team] ?? config.default_price_tolerance_pct, now: at(10_000) };
}

function run(events: VisibilityEvent[], ctx = context(), state: ShardState = createShardState("sku-1", "store-9")) {
  const observations = events.map((e) => observe(state, e, { ...ctx, now: e.ts }));
  return { state, observations, conflicts: Object.values(state.conflicts) };
}

describe("price mismatch", () => {
  it("is a conflict only beyond the team's tolerance (5 % of 100 is 5)", () => {
    const { observations, conflicts } = run([truth(0, 100), said("magic-apron", 10, 105), said("search", 20, 105.01)]);
    expect(observations.map((o) => o.outcome)).toEqual(["ground_truth", "consistent", "conflicting"]);
    expect(conflicts).toHaveLength(1);
    const [c] = conflicts;
    expect(c).toMatchObject({ type: "price_mismatch", teams: ["inventory", "search"], decision_team: "search", status: "open", occurrences: 1, first_seen: at(20), detected_at: at(20) });
    expect(c!.evidence).toMatchObject({ deviation_pct: 5.01, tolerance_pct: 5 });
  });

  it("uses each team's own tolerance", () => {
    const { conflicts } = run([truth(0, 200), said("magic-apron", 10, 206.2), said("search", 20, 206.2)], context({ "magic-apron": 3 }));
    // 6.2 / 200 = 3.1 %: over magic-apron's 3 %, under search's default 5 %.
    expect(conflicts.map((c) => c.decision_team)).toEqual(["magic-apron"]);
  });

  it("counts a different currency as a mismatch", () => {
    const { conflicts } = run([truth(0, 100), said("magic-apron", 10, 100, { currency: "CAD" })]);
    expect(conflicts[0]?.evidence).toMatchObject({ type: "price_mismatch", deviation_pct: null });
  });
});

describe("ground truth in force", () => {
  it("judges a late decision by the ground truth of its own time, not the newest", () => {
    const { conflicts, observations } = run([truth(0, 100), truth(600, 120), said("magic-apron", 300, 100)]);
    expect(observations[2]!.outcome).toBe("consistent");
    expect(conflicts).toEqual([]);
  });

  it("forgives a cache refresh in flight within the grace, not after", () => {
    const { conflicts } = run([truth(0, 100), truth(300, 120), said("magic-apron", 330, 100), said("search", 361, 100)]);
    // 30 s after the change magic-apron still quotes the old price: refresh in flight. search does so 61 s after: conflict.
    expect(conflicts.map((c) => [c.decision_team, c.first_seen])).toEqual([["search", at(361)]]);
  });
});

describe("stale ground truth", () => {
  it("is flagged once per episode, never called a conflict, and cleared by fresh ground truth", () => {
    const { state, observations } = run([
      truth(0, 100),
      said("magic-apron", 901, 150), // 15 min 1 s after the last ground truth: stale
      said("search", 950, 151),
      said("magic-apron", 1000, 150),
      truth(1100, 100),
    ]);
    expect(observations.map((o) => o.outcome)).toEqual(["ground_truth", "unverified", "unverified", "unverified", "ground_truth"]);
    expect(observations.flatMap((o) => o.effects.map((e) => e.kind))).toEqual(["flag_raised", "flag_cleared"]);
    expect(Object.values(state.conflicts)).toEqual([]);
    expect(state.flag).toMatchObject({ reason: "stale", ground_truth_ts: at(0), first_seen: at(901), last_seen: at(1000), decisions: 3, active: false, cleared_at: at(1100) });
  });

  it("flags a pair with no ground truth at all as missing", () => {
    const { state, observations } = run([said("magic-apron", 0, 10)]);
    expect(observations[0]!.outcome).toBe("unverified");
    expect(state.flag).toMatchObject({ reason: "missing", ground_truth_ts: null, active: true });
  });

  it("is judged fresh up to the limit exactly (900 s by default)", () => {
    const { observations } = run([truth(0, 100), said("magic-apron", 900, 150)]);
    expect(observations[1]!.outcome).toBe("conflicting");
  });
});

describe("availability contradiction", () => {
  it("catches 'in stock' (or 'limited') while none is on hand, by quantity first", () => {
    const { conflicts } = run([
      truth(0, 100, { availability: "in_stock", quantity: 0 }),
      said("magic-apron", 10, 100, { availability: "in_stock" }),
      said("search", 20, 100, { availability: "limited" }),
      said("sponsored", 30, 100, { availability: "out_of_stock" }),
    ]);
    expect(conflicts.map((c) => [c.decision_team, c.type, c.evidence.type === "availability_contradiction" && c.evidence.direction])).toEqual([
      ["magic-apron", "availability_contradiction", "shown_available"],
      ["search", "availability_contradiction", "shown_available"],
    ]);
  });

  it("catches 'out of stock' shown while stock is on hand, unless that check is turned off", () => {
    const events = [truth(0, 100, { quantity: 7 }), said("magic-apron", 10, 100, { availability: "out_of_stock" })];
    expect(run(events).conflicts.map((c) => c.evidence.type === "availability_contradiction" && c.evidence.direction)).toEqual(["shown_unavailable"]);
    const lenient = context({}, detectionConfigSchema.parse({ flag_phantom_out_of_stock: false, settle_ms: 0 }));
    expect(run(events, lenient).conflicts).toEqual([]);
  });
});

describe("one record per ongoing conflict", () => {
  it("counts 1,000 repeats as one conflict with 1,000 occurrences", () => {
    const events = [truth(0, 100), ...Array.from({ length: 1000 }, (_, i) => said("magic-apron", 1 + i * 0.5, 130))];
    const { conflicts, observations } = run(events);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ occurrences: 1000, first_seen: at(1), last_seen: at(500.5), active: true });
    expect(observations.flatMap((o) => o.effects.filter((e) => e.kind === "conflict_opened"))).toHaveLength(1);
  });

  it("clears when the team's next decision is consistent, and reopens a new episode only after the gap", () => {
    const { conflicts, observations } = run([
      truth(0, 100),
      said("magic-apron", 10, 130),
      said("magic-apron", 20, 100), // consistent: cleared
      said("magic-apron", 30, 130), // back within 30 min: same conflict
      truth(600, 100),
      said("magic-apron", 620, 100), // cleared again
      truth(2500, 100),
      said("magic-apron", 2521, 130), // 41.5 min after the last occurrence: a new episode
    ]);
    expect(observations.flatMap((o) => o.effects.map((e) => e.kind))).toEqual([
      "conflict_opened",
      "conflict_cleared",
      "conflict_updated",
      "conflict_cleared",
      "conflict_opened",
    ]);
    expect(conflicts).toHaveLength(1);
    const opened = observations.flatMap((o) => o.effects).filter((e) => e.kind === "conflict_opened").map((e) => ("conflict" in e ? e.conflict : null));
    expect(opened[1]!.previous_conflict_id).toBe(opened[0]!.conflict_id);
    expect(opened[1]!.first_seen).toBe(at(2521));
  });

  it("opens a new conflict when a fixed one comes back after the fix (a regression)", () => {
    const state = createShardState("sku-1", "store-9");
    const first = run([truth(0, 100), said("magic-apron", 10, 130)], context(), state).conflicts[0]!;
    transitionConflict(state, first.conflict_id, { status: "fixed", actor: "ana@pricing", reason: "cache TTL lowered" }, at(15));
    const after = run([said("magic-apron", 12, 130), said("magic-apron", 20, 130)], context(), state);
    // The event at 12 s predates the fix: it still belongs to the fixed conflict. The one at 20 s is a regression.
    const ids = after.observations.map((o) => o.effects.map((e) => `${e.kind}:${"conflict" in e ? e.conflict.conflict_id === first.conflict_id : ""}`));
    expect(ids).toEqual([["conflict_updated:true"], ["conflict_opened:false"]]);
    expect(state.conflicts["price_mismatch|magic-apron"]).toMatchObject({ status: "open", previous_conflict_id: first.conflict_id });
  });

  it("keeps counting a disputed conflict without counting its events as conflicting", () => {
    const state = createShardState("sku-1", "store-9");
    const first = run([truth(0, 100), said("magic-apron", 10, 130)], context(), state).conflicts[0]!;
    transitionConflict(state, first.conflict_id, { status: "disputed", actor: "lee@apron", reason: "bundle price, not the unit price" }, at(11));
    const after = run([said("magic-apron", 20, 130)], context(), state);
    expect(after.observations[0]!.outcome).toBe("consistent");
    expect(after.conflicts[0]).toMatchObject({ conflict_id: first.conflict_id, status: "disputed", occurrences: 2 });
  });
});

describe("team disagreement", () => {
  it("catches two teams quoting different prices where no ground truth can judge", () => {
    const { conflicts } = run([said("magic-apron", 0, 100), said("search", 60, 112)]);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ type: "team_disagreement", teams: ["magic-apron", "search"], decision_team: "search" });
    // |100 − 112| / min(100, 112) = 12 %.
    expect(conflicts[0]!.evidence).toMatchObject({ aspects: ["price"], difference_pct: 12, tolerance_pct: 5 });
  });

  it("catches a disagreement on availability", () => {
    const { conflicts } = run([said("magic-apron", 0, 100), said("search", 60, 100, { availability: "out_of_stock" })]);
    expect(conflicts[0]?.evidence).toMatchObject({ aspects: ["availability"], difference_pct: null });
  });

  it("only compares statements within the window (10 min)", () => {
    expect(run([said("magic-apron", 0, 100), said("search", 601, 112)]).conflicts).toEqual([]);
    expect(run([said("magic-apron", 0, 100), said("search", 600, 112)]).conflicts).toHaveLength(1);
  });

  it("uses the larger of the two teams' tolerances", () => {
    const ctx = context({ "magic-apron": 2, search: 8 });
    expect(run([said("magic-apron", 0, 100), said("search", 60, 107)], ctx).conflicts).toEqual([]);
  });

  it("leaves a difference to the ground-truth conflict that already explains it", () => {
    const { conflicts } = run([truth(0, 100), said("search", 10, 100), said("magic-apron", 20, 130)]);
    expect(conflicts.map((c) => c.type)).toEqual(["price_mismatch"]);
  });

  it("catches two teams that are each within tolerance of the truth but 10 % apart", () => {
    const { conflicts } = run([truth(0, 100), said("search", 10, 95), said("magic-apron", 20, 105)]);
    // 95 and 105 are both within 5 % of 100; to each other they are 10 / 95 = 10.53 % apart.
    expect(conflicts.map((c) => [c.type, c.evidence.type === "team_disagreement" && c.evidence.difference_pct])).toEqual([["team_disagreement", 10.5263]]);
  });

  it("does not call two statements a disagreement when the truth changed between them", () => {
    const { conflicts } = run([truth(0, 100), said("search", 10, 100), truth(300, 120), said("magic-apron", 400, 120)]);
    expect(conflicts).toEqual([]);
  });
});

describe("settling: ground truth that arrives a moment late", () => {
  const settling = { ...context({}, DEFAULT_DETECTION_CONFIG) };

  it("holds a contradicting decision while the ground truth may be behind, and lets the late ground truth explain it", () => {
    const state = createShardState("sku-1", "store-9");
    observe(state, truth(0, 100), { ...settling, now: at(0), watermark_ms: T0 });
    // At 300.0 s the price changes to 120; magic-apron quotes 120 at 300.1 s and arrives first.
    const early = observe(state, said("magic-apron", 300.1, 120), { ...settling, now: at(300.2), watermark_ms: T0 + 299_000 });
    expect(early).toEqual({ outcome: "pending", effects: [], settled: [] });
    expect(nextSettleAt(state, DEFAULT_DETECTION_CONFIG)).toBe(T0 + 300_200 + 400);
    expect(earliestPending(state)).toBe(T0 + 300_100);
    const late = observe(state, truth(300, 120), { ...settling, now: at(300.3) });
    // The feed has not passed 300.1 s yet: a later point might still come. It waits out settle_ms.
    expect(late.settled).toEqual([]);
    const judged = settleDue(state, { ...settling, now: at(300.6) });
    expect(judged.settled.map((s) => s.outcome)).toEqual(["consistent"]);
    expect(judged.effects).toEqual([]);
    expect(state.pending).toEqual([]);
  });

  it("raises the conflict once the watermark passes it, or after settle_ms at the latest", () => {
    const state = createShardState("sku-1", "store-9");
    observe(state, truth(0, 100), { ...settling, now: at(0) });
    expect(observe(state, said("magic-apron", 10, 130), { ...settling, now: at(10.1), watermark_ms: T0 + 9_000 }).outcome).toBe("pending");
    expect(observe(state, said("search", 10, 130), { ...settling, now: at(10.1), watermark_ms: T0 + 9_000 }).outcome).toBe("pending");
    // Other pairs' ground truth moves the watermark to 10 s: the ground truth has caught up.
    expect(settleDue(state, { ...settling, now: at(10.2), watermark_ms: T0 + 9_999 }).settled).toEqual([]);
    const caughtUp = settleDue(state, { ...settling, now: at(10.2), watermark_ms: T0 + 10_000 });
    expect(caughtUp.settled.map((s) => [s.decision.team, s.outcome])).toEqual([
      ["magic-apron", "conflicting"],
      ["search", "conflicting"],
    ]);
    expect(Object.values(state.conflicts).map((c) => [c.first_seen, c.detected_at])).toEqual([
      [at(10), at(10.2)],
      [at(10), at(10.2)],
    ]);
    // Without any watermark, the wait ends settle_ms after arrival.
    expect(observe(state, said("sponsored", 20, 130), { ...settling, now: at(20.1) }).outcome).toBe("pending");
    expect(settleDue(state, { ...settling, now: at(20.499) }).settled).toEqual([]);
    expect(settleDue(state, { ...settling, now: at(20.5) }).settled.map((s) => s.outcome)).toEqual(["conflicting"]);
  });

  it("judges at once what is consistent, or what the ground truth has already caught up with", () => {
    const state = createShardState("sku-1", "store-9");
    observe(state, truth(0, 100), { ...settling, now: at(0) });
    expect(observe(state, said("search", 5, 101), { ...settling, now: at(5) }).outcome).toBe("consistent");
    expect(observe(state, said("magic-apron", 10, 130), { ...settling, now: at(10.5), watermark_ms: T0 + 11_000 }).outcome).toBe("conflicting");
    observe(state, truth(20, 100), { ...settling, now: at(20) });
    expect(observe(state, said("sponsored", 15, 130), { ...settling, now: at(20.1) }).outcome).toBe("conflicting");
  });
});

describe("settling a disagreement a price change may explain", () => {
  it("holds a quote that would contradict another team until the ground truth has caught up", () => {
    const state = createShardState("sku-1", "store-9");
    const ctx = { ...context({}, DEFAULT_DETECTION_CONFIG) };
    observe(state, truth(0, 100), { ...ctx, now: at(0) });
    expect(observe(state, said("search", 300, 100), { ...ctx, now: at(300), watermark_ms: T0 + 300_000 }).outcome).toBe("consistent");
    // The price drops to 90 at 310 s; magic-apron quotes 91 at 320 s, ahead of the inventory feed:
    // within 5 % of the old 100, but 9.9 % from search's 100.
    expect(observe(state, said("magic-apron", 320, 91), { ...ctx, now: at(320.1), watermark_ms: T0 + 300_000 }).outcome).toBe("pending");
    observe(state, truth(310, 90), { ...ctx, now: at(320.2) });
    const passed = observe(state, truth(330, 90), { ...ctx, now: at(330.1) });
    // Judged by 90 (consistent), and the difference from search is the price change: no conflict.
    expect(passed.settled.map((x) => x.outcome)).toEqual(["consistent"]);
    expect(Object.values(state.conflicts)).toEqual([]);
  });

  it("neither judges nor compares a quote older than every ground truth kept", () => {
    const state = createShardState("sku-1", "store-9");
    const ctx = context();
    observe(state, truth(600, 100), ctx);
    observe(state, said("search", 700, 140, { availability: "out_of_stock" }), ctx);
    const late = observe(state, said("magic-apron", 100, 100), { ...ctx, now: at(800) });
    expect(late).toEqual({ outcome: "unverified", effects: [], settled: [] });
    expect(state.decisions["magic-apron"]).toMatchObject({ price_verdict: "late", availability_verdict: "late" });
    expect(Object.values(state.conflicts).map((c) => c.decision_team)).toEqual(["search", "search"]);
  });
});

describe("settling a backfill", () => {
  it("lets a decision sent long after its time wait for the ground-truth feed to catch up", () => {
    const state = createShardState("sku-1", "store-9");
    const ctx = { ...context({}, DEFAULT_DETECTION_CONFIG) };
    observe(state, truth(0, 100), { ...ctx, now: at(3600) });
    // A backlog of quotes from 10 s arrives an hour later, ahead of the inventory backlog.
    expect(observe(state, said("magic-apron", 10, 120), { ...ctx, now: at(3600), watermark_ms: T0 }).outcome).toBe("pending");
    expect(nextSettleAt(state, DEFAULT_DETECTION_CONFIG)).toBe(T0 + 3_600_000 + 600_000);
    expect(settleDue(state, { ...ctx, now: at(3601), watermark_ms: T0 }).settled).toEqual([]);
    // The inventory backlog catches up: the price had changed to 120 at 5 s; the point at 20 s
    // shows the feed has passed the quote, which is then judged by the point in force at 10 s.
    expect(observe(state, truth(5, 120), { ...ctx, now: at(3602) }).settled).toEqual([]);
    const passed = observe(state, truth(20, 120), { ...ctx, now: at(3603) });
    expect(passed.settled.map((s) => s.outcome)).toEqual(["consistent"]);
  });
});

describe("observe", () => {
  it("refuses an event for another pair", () => {
    const state = createShardState("sku-1", "store-9");
    expect(() => observe(state, { ...said("magic-apron", 0, 1), store_id: "store-1" }, context())).toThrow(/observe: event .* is for sku-1@store-1, not this state's sku-1@store-9/);
  });
});
