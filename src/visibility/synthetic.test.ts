import { describe, expect, it } from "vitest";
import { stableId } from "../ids.ts";
import { groupAlerts } from "./alerts.ts";
import { contractSchema, validateVisibilityEvent, type TeamContract } from "./contract.ts";
import { MemoryVisibilityLayer } from "./memory-layer.ts";
import { SyntheticStream, scoreDetection, type SyntheticOptions } from "./synthetic.ts";

const SMALL: Partial<SyntheticOptions> = {
  seed: 11,
  duration_s: 3600,
  ground_truth_interval_s: 120,
  warmup_s: 180,
  stale_minutes: [20, 25],
  decisions_per_s: 20,
  products: 30,
  stores: 5,
  inject: { price_mismatch: 6, availability_contradiction: 6, team_disagreement: 6, stale_ground_truth: 2 },
};

function runThrough(stream: SyntheticStream, batch = 200) {
  const layer = new MemoryVisibilityLayer();
  let pending: Parameters<MemoryVisibilityLayer["ingest"]>[0] extends Iterable<infer E> ? E[] : never = [];
  let events = 0;
  for (const event of stream.events()) {
    pending.push(event);
    events++;
    if (pending.length === batch) {
      layer.ingest(pending, pending[pending.length - 1]!.ts);
      pending = [];
    }
  }
  if (pending.length > 0) layer.ingest(pending, pending[pending.length - 1]!.ts);
  layer.settle("9999-12-31T00:00:00.000Z");
  return { layer, events };
}

describe("SyntheticStream", () => {
  it("is deterministic: the same seed gives the same events and labels, another seed others", () => {
    const fingerprint = (seed: number) => {
      const stream = new SyntheticStream({ ...SMALL, seed, duration_s: 900, inject: { price_mismatch: 1, availability_contradiction: 0, team_disagreement: 1, stale_ground_truth: 0 } });
      let hash = "";
      for (const e of stream.events()) hash = stableId(hash, JSON.stringify(e));
      return { hash, injected: stream.injected };
    };
    expect(fingerprint(3)).toEqual(fingerprint(3));
    expect(fingerprint(3).hash).not.toBe(fingerprint(4).hash);
  });

  it("emits events in time order that pass the default contracts", () => {
    const stream = new SyntheticStream({ ...SMALL, duration_s: 900, inject: { price_mismatch: 1, availability_contradiction: 1, team_disagreement: 1, stale_ground_truth: 0 } });
    const contract = contractSchema.parse({});
    const team = (name: string, role: "decision" | "ground_truth"): TeamContract => ({ team: name, role, price_tolerance_pct: 5, contract, contract_version: 1 });
    const teams = new Map([...stream.options.decision_teams.map((t) => [t, team(t, "decision")] as const), ["inventory", team("inventory", "ground_truth")]]);
    let previous = "";
    let count = 0;
    for (const e of stream.events()) {
      expect(e.ts >= previous).toBe(true);
      previous = e.ts;
      const result = validateVisibilityEvent(e, teams.get(e.team)!, e.ts);
      if (!result.ok) throw new Error(JSON.stringify(result.rejection));
      count++;
    }
    // 900 s × 20 decisions + 900 / 120 ticks × 150 pairs × about 90 % covered, + 4 injected.
    expect(count).toBeGreaterThan(18_000 + 7 * 150 * 0.8);
  });
});

describe("detection quality on a small seeded stream", () => {
  it("finds every injected conflict, raises no false alert, flags every stale feed", () => {
    const stream = new SyntheticStream(SMALL);
    const { layer, events } = runThrough(stream);
    const score = scoreDetection([...layer.conflicts.values()], [...layer.flags.values()], stream);
    expect(events).toBeGreaterThan(72_000);
    expect(score).toMatchObject({ injected: 18, detected: 18, recall: 1, false_alerts: 0, stale_episodes: 2, stale_flagged: 2 });
    expect(score.alerts).toBeGreaterThanOrEqual(18);
    // The alerts of an hour-long stream go out as far fewer messages than conflicts.
    const messages = groupAlerts(layer.drainAlerts(), { gap_ms: 60_000 });
    expect(messages.reduce((n, m) => n + m.conflict_ids.length, 0)).toBe(score.alerts);
  });

  it("counts a replayed batch as duplicates, not as new occurrences", () => {
    const stream = new SyntheticStream({ ...SMALL, duration_s: 900, inject: { price_mismatch: 1, availability_contradiction: 0, team_disagreement: 0, stale_ground_truth: 0 } });
    const events = [...stream.events()];
    const layer = new MemoryVisibilityLayer();
    const first = layer.ingest(events, events.at(-1)!.ts);
    const occurrences = [...layer.conflicts.values()].map((c) => c.occurrences);
    const again = layer.ingest(events, events.at(-1)!.ts);
    expect(first).toMatchObject({ observed: events.length, duplicates: 0 });
    expect(again).toMatchObject({ observed: 0, duplicates: events.length, effects: [] });
    expect([...layer.conflicts.values()].map((c) => c.occurrences)).toEqual(occurrences);
  });
});

describe("scoreDetection", () => {
  it("matches a conflict to an episode by type, pair, team and time, and counts the rest as false alerts", () => {
    const stream = {
      injected: [
        { episode_id: "ep-1", type: "price_mismatch" as const, product_id: "p", store_id: "s", team: "a", other_team: null, start: "2025-03-03T10:00:00.000Z", end: "2025-03-03T10:01:00.000Z" },
        { episode_id: "ep-2", type: "price_mismatch" as const, product_id: "p", store_id: "s", team: "b", other_team: null, start: "2025-03-03T10:00:00.000Z", end: "2025-03-03T10:01:00.000Z" },
      ],
      stale: [],
    };
    const conflict = (id: string, team: string, firstSeen: string) =>
      ({ conflict_id: id, type: "price_mismatch", product_id: "p", store_id: "s", teams: [team, "inv"], decision_team: team, first_seen: firstSeen }) as never;
    const score = scoreDetection([conflict("c1", "a", "2025-03-03T10:00:30.000Z"), conflict("c2", "b", "2025-03-03T11:00:00.000Z")], [], stream);
    expect(score).toMatchObject({ injected: 2, detected: 1, recall: 0.5, alerts: 2, false_alerts: 1, false_alert_rate: 0.5 });
    expect(score.missed.map((e) => e.episode_id)).toEqual(["ep-2"]);
  });
});
