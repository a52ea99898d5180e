/**
 * The whole detection path in memory: events routed to per-pair states, de-duplicated by event
 * id, counted in rollups, conflicts and flags collected, alerts queued. Tests and the Node
 * benchmarks use it; the ConflictShard Durable Object runs the same {@link observe} on states it
 * keeps in SQLite, so both give the same conflicts for the same events.
 */
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from "./config.ts";
import type { AlertItem } from "./alerts.ts";
import type { ConflictRecord } from "./conflict.ts";
import type { TeamContract } from "./contract.ts";
import type { VisibilityEvent } from "./event.ts";
import { countObserved, type Rollup } from "./okr/rollup.ts";
import { createShardState, observe, settleDue, type GroundTruthFlag, type Observation, type ShardContext, type ShardEffect, type ShardState } from "./shard.ts";
import { shardKeyOf } from "./shard-key.ts";
import { createWatermark, noteGroundTruth, watermarkOf } from "./watermark.ts";

export interface IngestResult {
  observed: number;
  duplicates: number;
  effects: ShardEffect[];
}

export class MemoryVisibilityLayer {
  readonly states = new Map<string, ShardState>();
  /** Every conflict record ever opened, by id (a regression after a fix is a new record). */
  readonly conflicts = new Map<string, ConflictRecord>();
  /** Every ground-truth flag ever raised, by id. */
  readonly flags = new Map<string, GroundTruthFlag>();
  readonly rollup: Rollup = new Map();
  /** Alerts waiting to be grouped and sent. */
  readonly pendingAlerts: AlertItem[] = [];
  private readonly seen = new Set<string>();
  /** How far the ground-truth publishers have got. */
  private readonly watermark = createWatermark();
  /** Pairs with held-back decisions. */
  private readonly waiting = new Set<string>();
  private readonly config: DetectionConfig;
  private readonly tolerances: Map<string, number>;

  constructor(options: { config?: DetectionConfig; teams?: readonly TeamContract[] } = {}) {
    this.config = options.config ?? DEFAULT_DETECTION_CONFIG;
    this.tolerances = new Map((options.teams ?? []).map((t) => [t.team, t.price_tolerance_pct]));
  }

  /**
   * Observes validated events at processing time `now` (ISO), then judges the held-back decisions
   * whose settle time has passed by `now`.
   */
  ingest(events: Iterable<VisibilityEvent>, now: string): IngestResult {
    const ctx = this.context(now);
    const nowMs = Date.parse(now);
    const result: IngestResult = { observed: 0, duplicates: 0, effects: [] };
    for (const event of events) {
      if (this.seen.has(event.event_id)) {
        result.duplicates++;
        continue;
      }
      this.seen.add(event.event_id);
      const key = shardKeyOf(event.product_id, event.store_id);
      let state = this.states.get(key);
      if (!state) {
        state = createShardState(event.product_id, event.store_id);
        this.states.set(key, state);
      }
      this.apply(state, event, observe(state, event, ctx), result);
      if (event.kind === "ground_truth") {
        noteGroundTruth(this.watermark, event.team, Date.parse(event.ts), nowMs);
        ctx.watermark_ms = watermarkOf(this.watermark, nowMs);
      }
      result.observed++;
    }
    result.effects.push(...this.settle(now).effects);
    return result;
  }

  /** Judges every held-back decision that may be judged at `now` (call with a late `now` to drain them all). */
  settle(now: string): { effects: ShardEffect[] } {
    const ctx = this.context(now);
    const result: IngestResult = { observed: 0, duplicates: 0, effects: [] };
    for (const key of [...this.waiting]) {
      const state = this.states.get(key)!;
      this.apply(state, null, settleDue(state, ctx), result);
    }
    return { effects: result.effects };
  }

  private context(now: string): ShardContext {
    return {
      config: this.config,
      tolerancePct: (team) => this.tolerances.get(team) ?? this.config.default_price_tolerance_pct,
      now,
      watermark_ms: watermarkOf(this.watermark, Date.parse(now)),
    };
  }

  private apply(state: ShardState, event: VisibilityEvent | null, observation: Observation, result: IngestResult): void {
    countObserved(this.rollup, event, observation, state);
    for (const effect of observation.effects) {
      result.effects.push(effect);
      if (effect.kind === "flag_raised" || effect.kind === "flag_cleared") {
        this.flags.set(effect.flag.flag_id, effect.flag);
        continue;
      }
      this.conflicts.set(effect.conflict.conflict_id, effect.conflict);
      if (effect.kind === "conflict_opened") {
        this.pendingAlerts.push({ kind: "conflict", at: effect.conflict.detected_at, conflict: effect.conflict });
      }
    }
    // Flags that only grew (no effect) are read back from the state.
    if (state.flag) this.flags.set(state.flag.flag_id, state.flag);
    const key = shardKeyOf(state.product_id, state.store_id);
    if (state.pending.length > 0) this.waiting.add(key);
    else this.waiting.delete(key);
  }

  /** Takes the queued alerts (the caller groups and sends them). */
  drainAlerts(): AlertItem[] {
    return this.pendingAlerts.splice(0, this.pendingAlerts.length);
  }
}
