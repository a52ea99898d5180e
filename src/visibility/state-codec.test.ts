import { describe, expect, it } from "vitest";
import { DEFAULT_DETECTION_CONFIG } from "./config.ts";
import type { ConflictRecord } from "./conflict.ts";
import { MemoryVisibilityLayer } from "./memory-layer.ts";
import { packState, unpackState } from "./state-codec.ts";
import { observe, type ShardState } from "./shard.ts";
import { SyntheticStream } from "./synthetic.ts";

describe("packState / unpackState", () => {
  it("round-trips every pair state of a synthetic stream, at about a third of the JSON size", () => {
    const stream = new SyntheticStream({ seed: 5, duration_s: 1800, decisions_per_s: 20, products: 20, stores: 5, ground_truth_interval_s: 120, warmup_s: 180, stale_minutes: [20, 22], inject: { price_mismatch: 3, availability_contradiction: 3, team_disagreement: 3, stale_ground_truth: 1 } });
    const layer = new MemoryVisibilityLayer();
    layer.ingest(stream.events(), "2025-03-03T01:00:00.000Z");
    const records = new Map<string, ConflictRecord>([...layer.conflicts.values()].map((c) => [c.conflict_id, c]));
    let packedBytes = 0;
    let jsonBytes = 0;
    let withConflicts = 0;
    for (const state of layer.states.values()) {
      const packed = packState(state);
      packedBytes += packed.length;
      jsonBytes += JSON.stringify(state).length;
      if (Object.keys(state.conflicts).length > 0) withConflicts++;
      expect(unpackState(packed, (id) => records.get(id) ?? null)).toEqual(state);
    }
    expect(withConflicts).toBeGreaterThan(0);
    expect(packedBytes / jsonBytes).toBeLessThan(0.45);
  });

  it("behaves the same after a round trip: the next event gives the same effects", () => {
    const stream = new SyntheticStream({ seed: 6, duration_s: 1500, decisions_per_s: 10, products: 5, stores: 2, ground_truth_interval_s: 120, warmup_s: 180, inject: { price_mismatch: 2, availability_contradiction: 1, team_disagreement: 1, stale_ground_truth: 0 } });
    const events = [...stream.events()];
    const layer = new MemoryVisibilityLayer();
    layer.ingest(events.slice(0, events.length - 200), "2025-03-03T01:00:00.000Z");
    const ctx = { config: DEFAULT_DETECTION_CONFIG, tolerancePct: () => 5, now: "2025-03-03T01:00:00.000Z" };
    for (const e of events.slice(events.length - 200)) {
      const key = `${e.store_id}\u001f${e.product_id}`;
      const original = layer.states.get(key)!;
      const copy: ShardState = unpackState(packState(original), (id) => layer.conflicts.get(id) ?? null);
      expect(observe(copy, e, ctx)).toEqual(observe(original, e, ctx));
      for (const c of Object.values(original.conflicts)) layer.conflicts.set(c.conflict_id, c);
    }
  });

  it("drops a conflict whose record is gone instead of inventing one", () => {
    const state: ShardState = { product_id: "p", store_id: "s", category: null, ground_truth: [], decisions: {}, conflicts: { "price_mismatch|a": { conflict_id: "c-1" } as ConflictRecord }, flag: null, pending: [] };
    expect(unpackState(packState(state), () => null).conflicts).toEqual({});
  });
});
