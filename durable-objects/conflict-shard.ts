/**
 * ConflictShard: one of VISIBILITY_SHARDS Durable Objects that detect conflicts for the
 * (product, store) pairs hashed to it (src/visibility/shard-key.ts), so no single object is hot.
 *
 * Per batch of events, in one SQLite transaction: raw events are stored (idempotent by event id),
 * each new event goes through the pure state machine (src/visibility/shard.ts), pair states,
 * conflicts, flags, rollup deltas, audit entries and alert items are written. Then newly opened
 * conflicts are mirrored to D1 and their alerts handed to the alerts queue at once; the rest
 * (occurrence counts, rollups) is flushed to D1 by the alarm within a second.
 *
 * The one alarm also escalates unresolved conflicts (24 h → decision owner, 48 h → executives,
 * from the authority matrix) and deletes raw events older than 7 days.
 */
import { DurableObject } from "cloudflare:workers";
import type { AlertItem } from "../src/visibility/alerts.ts";
import { DEFAULT_DETECTION_CONFIG, type DetectionConfig } from "../src/visibility/config.ts";
import type { ConflictRecord } from "../src/visibility/conflict.ts";
import { escalate, nextEscalationAt, type AuthorityMatrix } from "../src/visibility/escalation.ts";
import type { VisibilityEvent } from "../src/visibility/event.ts";
import { detectionAudit, LifecycleError, transition, type AuditEntry, type TransitionRequest } from "../src/visibility/lifecycle.ts";
import { countObserved, mergeRollup, rollupRows, type Rollup, type RollupRow } from "../src/visibility/okr/rollup.ts";
import { createShardState, earliestPending, nextSettleAt, observe, putConflict, settleDue, type GroundTruthFlag, type Observation, type ShardContext, type ShardState } from "../src/visibility/shard.ts";
import { shardKeyOf } from "../src/visibility/shard-key.ts";
import { packState, unpackState } from "../src/visibility/state-codec.ts";
import { createWatermark, noteGroundTruth, watermarkOf, type WatermarkState } from "../src/visibility/watermark.ts";
import { auditStatements, conflictStatements, flagStatements, rollupStatements } from "../worker/visibility/mirror.ts";
import { loadAuthorityMatrix } from "../worker/visibility/settings.ts";
import { teamTolerances } from "../worker/visibility/teams.ts";
import init from "../migrations/conflict-shard/0001_init.sql";
import { applyMigrations, type DoMigration } from "./migrate.ts";

const MIGRATIONS: readonly DoMigration[] = [{ version: 1, sql: init }];

/** SQLite in Durable Objects allows 100 bound parameters per statement. */
const MAX_PARAMS = 100;
/** Most events one ingest call takes (the route splits bigger batches). */
export const MAX_SHARD_BATCH = 5_000;
/** New conflicts reach D1 at once; occurrence counts, flags and audit entries within this long. */
const FLUSH_MS = 1_000;
/** Rollup counters (many rows: one per store, category and hour) reach D1 within this long. */
const ROLLUP_FLUSH_MS = 10_000;
/** Raw events are deleted after 7 days; idle pair states too (their conflicts stay). */
export const RETENTION_MS = 7 * 86_400_000;
/** The retention sweep runs at most this often. */
const SWEEP_EVERY_MS = 3_600_000;
/** Pair states kept in memory (the rest are read back from SQLite). */
const STATE_CACHE = 20_000;
const MATRIX_TTL_MS = 60_000;

export interface ShardIngestOptions {
  /** This shard's index, recorded with its conflicts in D1. */
  shard: number;
  /** Price tolerance of every known team, in percent. */
  tolerances: Record<string, number>;
  config?: DetectionConfig;
}

export interface ShardIngestResult {
  accepted: number;
  duplicates: number;
  conflicts_opened: number;
}

export type ShardTransitionResult = { ok: true; record: ConflictRecord; audit: AuditEntry } | { ok: false; code: "NOT_FOUND" | "INVALID_TRANSITION"; message: string };

export interface ShardStats {
  events: number;
  pairs: number;
  conflicts: number;
  oldest_event_day: string | null;
  pending: { conflicts: number; flags: number; rollup_rows: number; audits: number; outbox: number };
  alarm_at: string | null;
}

interface Waiting {
  events: VisibilityEvent[];
  options: ShardIngestOptions;
  resolve: (result: ShardIngestResult) => void;
  reject: (error: Error) => void;
}

interface Batch {
  rollup: Rollup;
  touchedPairs: Map<string, ShardState>;
  conflicts: Map<string, ConflictRecord>;
  flags: Map<string, GroundTruthFlag>;
  audits: AuditEntry[];
  alerts: AlertItem[];
  /** Conflicts opened, by the id of the event that opened them. */
  openedBy: Map<string, number>;
}

function newBatch(): Batch {
  return { rollup: new Map(), touchedPairs: new Map(), conflicts: new Map(), flags: new Map(), audits: [], alerts: [], openedBy: new Map() };
}

interface GroupOutcome {
  /** Ids of the events not seen before. */
  fresh: Set<string>;
  /** Conflicts opened, by the id of the event that opened them. */
  openedBy: Map<string, number>;
}

export class ConflictShardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ConflictShardError";
  }
}

export class ConflictShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private readonly states = new Map<string, ShardState>();
  private readonly idTables = new Set<string>();
  /** Pairs holding back decisions: when the earliest has waited long enough, and the earliest event time held (ms). */
  private readonly pendingDue = new Map<string, { due: number; minTs: number }>();
  /** How far the ground-truth publishers have got (persisted in `meta`). */
  private watermark: WatermarkState = createWatermark();
  private alarmAt: number | null = null;
  private shard: number | null = null;
  private lastRollupFlush = 0;
  private lastTolerances: Record<string, number> | null = null;
  private readonly waiting: Waiting[] = [];
  private draining: Promise<void> | null = null;
  private matrix: { value: AuthorityMatrix; loadedAt: number } | null = null;
  private flushing: Promise<void> | null = null;
  private sending: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      applyMigrations(ctx.storage, MIGRATIONS);
      for (const { name } of this.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ids_%'")) this.idTables.add(name);
      for (const { pair_key, due_ms, min_ts_ms } of this.sql.exec<{ pair_key: string; due_ms: number; min_ts_ms: number }>("SELECT pair_key, due_ms, min_ts_ms FROM pending_pairs")) {
        this.pendingDue.set(pair_key, { due: due_ms, minTs: min_ts_ms });
      }
      const watermark = this.getMeta("watermark");
      if (watermark) this.watermark = JSON.parse(watermark) as WatermarkState;
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Observes a batch of validated events (a JSON array, cheaper to pass than objects); answers
   * once they are stored and their new conflicts handed to the alerts queue.
   *
   * Group commit: calls that arrive while a group is being written wait and go together in the
   * next transaction, so a busy shard makes one durable write per group, not per call.
   */
  async ingest(eventsJson: string, options: ShardIngestOptions): Promise<ShardIngestResult> {
    const events = JSON.parse(eventsJson) as VisibilityEvent[];
    if (events.length > MAX_SHARD_BATCH) throw new ConflictShardError(`ingest: at most ${MAX_SHARD_BATCH} events per call, got ${events.length}`);
    return new Promise<ShardIngestResult>((resolve, reject) => {
      this.waiting.push({ events, options, resolve, reject });
      if (!this.draining) this.draining = this.drain().finally(() => (this.draining = null));
    });
  }

  private async drain(): Promise<void> {
    // Yield once so that calls already delivered join the first group.
    await new Promise((r) => setTimeout(r, 0));
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, this.waiting.length);
      const options = group[group.length - 1]!.options;
      this.lastTolerances = options.tolerances;
      if (this.shard !== options.shard) {
        this.setMeta("shard", String(options.shard));
        this.shard = options.shard;
      }
      let outcome: GroupOutcome;
      try {
        const matrix = await this.authorityMatrix();
        const config = options.config ?? DEFAULT_DETECTION_CONFIG;
        const now = new Date();
        const ctx: ShardContext = {
          config,
          tolerancePct: (team) => options.tolerances[team] ?? config.default_price_tolerance_pct,
          now: now.toISOString(),
          watermark_ms: watermarkOf(this.watermark, now.getTime()),
        };
        const all = group.flatMap((g) => g.events);
        outcome = this.ctx.storage.transactionSync(() => this.ingestInTransaction(all, ctx, matrix));
      } catch (error) {
        this.states.clear(); // the transaction rolled back; cached states may be ahead of SQLite
        const failure = new ConflictShardError(`ingest: could not process ${group.length} batches: ${(error as Error).message}`, { cause: error });
        for (const g of group) g.reject(failure);
        continue;
      }
      // New conflicts go to D1 and to the alerts queue now: their time to detect runs until delivery.
      if (outcome.openedBy.size > 0) await this.publishNow();
      this.scheduleAlarm(Date.now() + FLUSH_MS);
      this.scheduleSettle();
      for (const g of group) {
        let accepted = 0;
        let opened = 0;
        for (const e of g.events) {
          if (outcome.fresh.delete(e.event_id)) accepted++;
          opened += outcome.openedBy.get(e.event_id) ?? 0;
        }
        g.resolve({ accepted, duplicates: g.events.length - accepted, conflicts_opened: opened });
      }
    }
  }

  private ingestInTransaction(events: VisibilityEvent[], ctx: ShardContext, matrix: AuthorityMatrix): GroupOutcome {
    const fresh = this.storeEvents(events, ctx.now);
    fresh.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const batch = newBatch();
    const nowMs = Date.parse(ctx.now);
    let groundTruth = false;
    for (const event of fresh) {
      const key = shardKeyOf(event.product_id, event.store_id);
      const state = this.state(key, event);
      this.apply(batch, key, state, event, observe(state, event, ctx), ctx);
      if (event.kind === "ground_truth") {
        noteGroundTruth(this.watermark, event.team, Date.parse(event.ts), nowMs);
        ctx.watermark_ms = watermarkOf(this.watermark, nowMs);
        groundTruth = true;
      }
    }
    if (groundTruth) this.setMeta("watermark", JSON.stringify(this.watermark));
    this.settleDuePairs(batch, ctx);
    this.writeBatch(batch, ctx, matrix);
    return { fresh: new Set(fresh.map((e) => e.event_id)), openedBy: batch.openedBy };
  }

  /** Judges held-back decisions the watermark has passed or that waited long enough (src/visibility/shard.ts `settleDue`). */
  private settleDuePairs(batch: Batch, ctx: ShardContext): void {
    const nowMs = Date.parse(ctx.now);
    const watermark = ctx.watermark_ms ?? Number.NEGATIVE_INFINITY;
    for (const [key, { due, minTs }] of [...this.pendingDue]) {
      if (due > nowMs && minTs > watermark) continue;
      const state = this.states.get(key) ?? this.loadState(key);
      if (!state) {
        this.pendingDue.delete(key);
        this.sql.exec("DELETE FROM pending_pairs WHERE pair_key = ?", key);
        continue;
      }
      this.states.set(key, state);
      this.apply(batch, key, state, null, settleDue(state, ctx), ctx);
    }
  }

  /** Collects what one observation changed; `writeBatch` stores it in the same transaction. */
  private apply(batch: Batch, key: string, state: ShardState, event: VisibilityEvent | null, observation: Observation, ctx: ShardContext): void {
    batch.touchedPairs.set(key, state);
    countObserved(batch.rollup, event, observation, state);
    for (const effect of observation.effects) {
      if (effect.kind === "flag_raised" || effect.kind === "flag_cleared") {
        batch.flags.set(effect.flag.flag_id, effect.flag);
        continue;
      }
      batch.conflicts.set(effect.conflict.conflict_id, effect.conflict);
      if (effect.kind === "conflict_opened") {
        const opener = effect.conflict.first_event_id;
        batch.openedBy.set(opener, (batch.openedBy.get(opener) ?? 0) + 1);
        batch.audits.push(detectionAudit(effect.conflict));
        batch.alerts.push({ kind: "conflict", at: effect.conflict.detected_at, conflict: alertView(effect.conflict) });
      }
    }
    // An active flag's count is mirrored at 1, 2, 4, 8, … decisions: fresh enough, and a flag on a
    // busy pair does not rewrite D1 on every event.
    const flag = state.flag;
    const unverified = observation.outcome === "unverified" || observation.settled.some((x) => x.outcome === "unverified");
    if (flag?.active && unverified && (flag.decisions & (flag.decisions - 1)) === 0) batch.flags.set(flag.flag_id, flag);
    const due = nextSettleAt(state, ctx.config);
    const minTs = earliestPending(state);
    const known = this.pendingDue.get(key);
    if (due !== null && minTs !== null && (known?.due !== due || known.minTs !== minTs)) {
      this.pendingDue.set(key, { due, minTs });
      this.sql.exec(
        "INSERT INTO pending_pairs (pair_key, due_ms, min_ts_ms) VALUES (?, ?, ?) ON CONFLICT (pair_key) DO UPDATE SET due_ms = excluded.due_ms, min_ts_ms = excluded.min_ts_ms",
        key,
        due,
        minTs,
      );
    } else if (due === null && known !== undefined) {
      this.pendingDue.delete(key);
      this.sql.exec("DELETE FROM pending_pairs WHERE pair_key = ?", key);
    }
  }

  private writeBatch(batch: Batch, ctx: ShardContext, matrix: AuthorityMatrix): void {
    this.upsertRows("pairs", ["pair_key", "state", "touched_at"], [...batch.touchedPairs].map(([key, state]) => [key, packState(state), ctx.now]), "state = excluded.state, touched_at = excluded.touched_at");
    for (const record of batch.conflicts.values()) this.writeConflict(record, matrix);
    this.upsertRows("flags", ["flag_id", "body", "dirty"], [...batch.flags.values()].map((f) => [f.flag_id, JSON.stringify(f), 1]), "body = excluded.body, dirty = 1");
    const deltas = rollupRows(batch.rollup);
    if (deltas.length > 0) this.sql.exec("INSERT INTO rollup_pending (body) VALUES (?)", JSON.stringify(deltas));
    for (const audit of batch.audits) this.sql.exec("INSERT INTO audit_pending (body) VALUES (?)", JSON.stringify(audit));
    for (const alert of batch.alerts) this.sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(alert));
  }

  /**
   * Records the events' ids in their day's idempotency table and keeps the new ones' raw bodies;
   * returns the events not seen before (the first copy of a repeated id wins).
   */
  private storeEvents(events: VisibilityEvent[], receivedAt: string): VisibilityEvent[] {
    const byDay = new Map<string, VisibilityEvent[]>();
    for (const e of events) {
      const day = e.ts.slice(0, 10);
      const list = byDay.get(day) ?? [];
      list.push(e);
      byDay.set(day, list);
    }
    const inserted = new Set<string>();
    for (const [day, list] of byDay) {
      const table = this.idsTable(day);
      for (let i = 0; i < list.length; i += MAX_PARAMS) {
        const chunk = list.slice(i, i + MAX_PARAMS);
        const rows = this.sql.exec<{ event_id: string }>(
          `INSERT INTO ${table} (event_id) VALUES ${placeholders(chunk.length, 1)} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
          ...chunk.map((e) => e.event_id),
        );
        for (const row of rows) inserted.add(row.event_id);
      }
    }
    const fresh = events.filter((e) => inserted.delete(e.event_id));
    const freshByDay = new Map<string, VisibilityEvent[]>();
    for (const e of fresh) {
      const day = e.ts.slice(0, 10);
      freshByDay.set(day, [...(freshByDay.get(day) ?? []), e]);
    }
    for (const [day, list] of freshByDay) {
      this.sql.exec("INSERT INTO raw_batches (day, received_at, events, body) VALUES (?, ?, ?, ?)", day, receivedAt, list.length, JSON.stringify(list));
    }
    return fresh;
  }

  /** The idempotency table of a UTC day, created the first time it is needed. */
  private idsTable(day: string): string {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new ConflictShardError(`idsTable: "${day}" is not a day`);
    const table = `ids_${day.replace(/-/g, "")}`;
    if (!this.idTables.has(table)) {
      this.sql.exec(`CREATE TABLE IF NOT EXISTS ${table} (event_id TEXT PRIMARY KEY) WITHOUT ROWID`);
      this.idTables.add(table);
    }
    return table;
  }

  /** Multi-row upsert, chunked to the parameter limit. */
  private upsertRows(table: string, columns: readonly string[], rows: readonly SqlStorageValue[][], onConflict: string): void {
    const perStatement = Math.floor(MAX_PARAMS / columns.length);
    for (let i = 0; i < rows.length; i += perStatement) {
      const chunk = rows.slice(i, i + perStatement);
      this.sql.exec(
        `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${placeholders(chunk.length, columns.length)} ON CONFLICT (${columns[0]}) DO UPDATE SET ${onConflict}`,
        ...chunk.flat(),
      );
    }
  }

  private state(key: string, event: VisibilityEvent): ShardState {
    let state = this.states.get(key);
    if (state) {
      // Most recently used last, so the oldest entry is the first to go.
      this.states.delete(key);
      this.states.set(key, state);
      return state;
    }
    state = this.loadState(key) ?? createShardState(event.product_id, event.store_id);
    this.states.set(key, state);
    if (this.states.size > STATE_CACHE) this.states.delete(this.states.keys().next().value!);
    return state;
  }

  private loadState(pairKey: string): ShardState | null {
    const row = this.sql.exec<{ state: string }>("SELECT state FROM pairs WHERE pair_key = ?", pairKey).toArray()[0];
    if (!row) return null;
    return unpackState(row.state, (id) => {
      const c = this.sql.exec<{ body: string }>("SELECT body FROM conflicts WHERE conflict_id = ?", id).toArray()[0];
      return c ? (JSON.parse(c.body) as ConflictRecord) : null;
    });
  }

  private writeConflict(record: ConflictRecord, matrix: AuthorityMatrix): void {
    this.sql.exec(
      `INSERT INTO conflicts (conflict_id, pair_key, status, next_escalation_at, body, dirty) VALUES (?, ?, ?, ?, ?, 1)
       ON CONFLICT (conflict_id) DO UPDATE SET status = excluded.status, next_escalation_at = excluded.next_escalation_at, body = excluded.body, dirty = 1`,
      record.conflict_id,
      shardKeyOf(record.product_id, record.store_id),
      record.status,
      nextEscalationAt(record, matrix),
      JSON.stringify(record),
    );
  }

  /** Applies a lifecycle transition (PATCH /v1/visibility/conflicts/:id) and mirrors it to D1 at once. */
  async transition(conflictId: string, request: TransitionRequest, at: string): Promise<ShardTransitionResult> {
    const matrix = await this.authorityMatrix();
    const row = this.sql.exec<{ pair_key: string; body: string }>("SELECT pair_key, body FROM conflicts WHERE conflict_id = ?", conflictId).toArray()[0];
    if (!row) return { ok: false, code: "NOT_FOUND", message: `No conflict with id ${conflictId}` };
    let result: { record: ConflictRecord; audit: AuditEntry };
    try {
      result = transition(JSON.parse(row.body) as ConflictRecord, request, at);
    } catch (error) {
      if (error instanceof LifecycleError) return { ok: false, code: "INVALID_TRANSITION", message: error.message };
      throw error;
    }
    this.ctx.storage.transactionSync(() => {
      this.writeConflict(result.record, matrix);
      this.updatePairState(row.pair_key, result.record);
      this.sql.exec("INSERT INTO audit_pending (body) VALUES (?)", JSON.stringify(result.audit));
    });
    await this.publishNow();
    this.rescheduleFromStorage();
    return { ok: true, ...result };
  }

  private updatePairState(pairKey: string, record: ConflictRecord): void {
    // The packed state refers to conflicts by id, so only a cached state needs the new record.
    const cached = this.states.get(pairKey);
    if (cached) putConflict(cached, record);
  }

  /** Forgets the cached authority matrix and re-times every pending escalation (after PUT of the matrix). */
  async refreshMatrix(): Promise<number> {
    this.matrix = null;
    const matrix = await this.authorityMatrix();
    const rows = this.sql.exec<{ conflict_id: string; body: string }>("SELECT conflict_id, body FROM conflicts WHERE next_escalation_at IS NOT NULL").toArray();
    for (const row of rows) {
      this.sql.exec("UPDATE conflicts SET next_escalation_at = ? WHERE conflict_id = ?", nextEscalationAt(JSON.parse(row.body) as ConflictRecord, matrix), row.conflict_id);
    }
    this.rescheduleFromStorage();
    return rows.length;
  }

  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = new Date();
    if (this.pendingDue.size > 0) await this.settleNow(now);
    await this.escalateDue(now);
    await this.sendOutbox();
    await this.flush();
    const lastSweep = Number(this.getMeta("last_sweep_ms") ?? "0");
    if (now.getTime() - lastSweep >= SWEEP_EVERY_MS) this.sweep(now);
    this.rescheduleFromStorage();
  }

  /** Judges held-back decisions that are due (alarm path: no events arrived to do it). */
  private async settleNow(now: Date): Promise<void> {
    const matrix = await this.authorityMatrix();
    const config = DEFAULT_DETECTION_CONFIG;
    const tolerances = await this.tolerances();
    const ctx: ShardContext = {
      config,
      tolerancePct: (team) => tolerances[team] ?? config.default_price_tolerance_pct,
      now: now.toISOString(),
      watermark_ms: watermarkOf(this.watermark, now.getTime()),
    };
    const batch = newBatch();
    this.ctx.storage.transactionSync(() => {
      this.settleDuePairs(batch, ctx);
      this.writeBatch(batch, ctx, matrix);
    });
    if (batch.openedBy.size > 0) await this.publishNow();
  }

  private async escalateDue(now: Date): Promise<void> {
    const nowIso = now.toISOString();
    const due = this.sql.exec<{ pair_key: string; body: string }>("SELECT pair_key, body FROM conflicts WHERE next_escalation_at <= ?", nowIso).toArray();
    if (due.length === 0) return;
    const matrix = await this.authorityMatrix();
    this.ctx.storage.transactionSync(() => {
      for (const row of due) {
        const { record, audits, notices } = escalate(JSON.parse(row.body) as ConflictRecord, nowIso, matrix);
        this.writeConflict(record, matrix);
        if (notices.length === 0) continue;
        this.updatePairState(row.pair_key, record);
        for (const audit of audits) this.sql.exec("INSERT INTO audit_pending (body) VALUES (?)", JSON.stringify(audit));
        for (const notice of notices) {
          const item: AlertItem = { kind: "escalation", at: nowIso, conflict: alertView(record), notice };
          this.sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(item));
        }
      }
    });
  }

  /**
   * Deletes raw events (and their idempotency keys) whose UTC day is older than 7 days, and pair
   * states idle as long; conflicts stay.
   */
  private sweep(now: Date): void {
    const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
    const cutoffDay = cutoff.slice(0, 10);
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM raw_batches WHERE day < ?", cutoffDay);
      for (const table of [...this.idTables]) {
        const day = `${table.slice(4, 8)}-${table.slice(8, 10)}-${table.slice(10, 12)}`;
        if (day >= cutoffDay) continue;
        this.sql.exec(`DROP TABLE ${table}`);
        this.idTables.delete(table);
      }
      const idle = this.sql.exec<{ pair_key: string }>("SELECT pair_key FROM pairs WHERE touched_at < ?", cutoff).toArray();
      for (const { pair_key } of idle) this.states.delete(pair_key);
      this.sql.exec("DELETE FROM pairs WHERE touched_at < ?", cutoff);
      this.setMeta("last_sweep_ms", String(now.getTime()));
    });
  }

  /**
   * Hands the outbox to the alerts queue, then mirrors to D1 (alerts first: their time to detect
   * runs until delivery). The events are already stored: a failure here is logged and left to the
   * alarm, never reported to the publisher as a lost batch.
   */
  private async publishNow(): Promise<void> {
    try {
      await this.sendOutbox();
      await this.flush();
    } catch (error) {
      console.error(JSON.stringify({ level: "warn", event: "conflict_shard_publish_deferred", error: (error as Error).message }));
      this.scheduleAlarm(Date.now() + FLUSH_MS);
    }
  }

  /** Writes everything pending to D1 now, rollups included, and hands the outbox to the queue (tests, operations). */
  async flushAll(): Promise<ShardStats> {
    this.lastRollupFlush = 0;
    await this.flush();
    await this.sendOutbox();
    return this.stats();
  }

  /** Writes dirty conflicts and flags, pending audit entries and (every ROLLUP_FLUSH_MS) rollup deltas to D1. One flush at a time. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.flushOnce().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    // Bounded: a shard that fell far behind catches up over several alarms.
    for (let round = 0; round < 20; round++) if (!(await this.flushRound())) return;
  }

  /** Flushes one slice of what is pending; false when nothing was. */
  private async flushRound(): Promise<boolean> {
    const shard = Number(this.getMeta("shard") ?? "-1");
    const conflicts = this.sql.exec<{ conflict_id: string; body: string }>("SELECT conflict_id, body FROM conflicts WHERE dirty = 1 LIMIT 500").toArray();
    const flags = this.sql.exec<{ flag_id: string; body: string }>("SELECT flag_id, body FROM flags WHERE dirty = 1 LIMIT 500").toArray();
    const audits = this.sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM audit_pending ORDER BY seq LIMIT 500").toArray();
    const rollupDue = Date.now() - this.lastRollupFlush >= ROLLUP_FLUSH_MS;
    const logs = rollupDue ? this.sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM rollup_pending ORDER BY seq LIMIT 200").toArray() : [];
    const rollup: Rollup = new Map();
    for (const log of logs) mergeRollup(rollup, JSON.parse(log.body) as RollupRow[]);
    if (conflicts.length + flags.length + audits.length + logs.length === 0) return false;
    const now = new Date().toISOString();
    const db = this.env.DB;
    const statements = [
      ...conflictStatements(db, conflicts.map((c) => ({ record: JSON.parse(c.body) as ConflictRecord, shard })), now),
      ...flagStatements(db, flags.map((f) => JSON.parse(f.body) as GroundTruthFlag), now),
      ...auditStatements(db, audits.map((a) => JSON.parse(a.body) as AuditEntry)),
      ...rollupStatements(db, [...rollup.values()]),
    ];
    try {
      await db.batch(statements);
    } catch (error) {
      // Nothing is marked clean; the next alarm tries again.
      this.scheduleAlarm(Date.now() + FLUSH_MS);
      throw new ConflictShardError(`flush: could not write to D1: ${(error as Error).message}`, { cause: error });
    }
    // Rows that changed while D1 was being written stay dirty for the next flush.
    this.ctx.storage.transactionSync(() => {
      for (const c of conflicts) this.sql.exec("UPDATE conflicts SET dirty = 0 WHERE conflict_id = ? AND body = ?", c.conflict_id, c.body);
      for (const f of flags) this.sql.exec("UPDATE flags SET dirty = 0 WHERE flag_id = ? AND body = ?", f.flag_id, f.body);
      if (audits.length > 0) this.sql.exec("DELETE FROM audit_pending WHERE seq <= ?", audits[audits.length - 1]!.seq);
      if (logs.length > 0) this.sql.exec("DELETE FROM rollup_pending WHERE seq <= ?", logs[logs.length - 1]!.seq);
      if (rollupDue) this.lastRollupFlush = Date.now();
    });
    return true;
  }

  /** Hands outbox items to the alerts queue; what the queue does not take waits for the alarm. */
  private async sendOutbox(): Promise<void> {
    while (this.sending) await this.sending;
    this.sending = (async () => {
      for (;;) {
        const rows = this.sql.exec<{ seq: number; body: string }>("SELECT seq, body FROM outbox ORDER BY seq LIMIT 100").toArray();
        if (rows.length === 0) return;
        try {
          await this.env.ALERT_QUEUE.sendBatch(rows.map((r) => ({ body: JSON.parse(r.body) as AlertItem, contentType: "json" as const })));
        } catch (error) {
          this.scheduleAlarm(Date.now() + FLUSH_MS);
          throw new ConflictShardError(`sendOutbox: the alerts queue refused ${rows.length} items: ${(error as Error).message}`, { cause: error });
        }
        this.sql.exec("DELETE FROM outbox WHERE seq <= ?", rows[rows.length - 1]!.seq);
      }
    })().finally(() => (this.sending = null));
    return this.sending;
  }

  stats(): ShardStats {
    const count = (query: string) => Number(this.sql.exec<{ n: number }>(query).toArray()[0]!.n);
    return {
      events: Number(this.sql.exec<{ n: number | null }>("SELECT SUM(events) AS n FROM raw_batches").toArray()[0]!.n ?? 0),
      pairs: count("SELECT COUNT(*) AS n FROM pairs"),
      conflicts: count("SELECT COUNT(*) AS n FROM conflicts"),
      oldest_event_day: this.sql.exec<{ t: string | null }>("SELECT MIN(day) AS t FROM raw_batches").toArray()[0]!.t ?? null,
      pending: {
        conflicts: count("SELECT COUNT(*) AS n FROM conflicts WHERE dirty = 1"),
        flags: count("SELECT COUNT(*) AS n FROM flags WHERE dirty = 1"),
        rollup_rows: count("SELECT COUNT(*) AS n FROM rollup_pending"),
        audits: count("SELECT COUNT(*) AS n FROM audit_pending"),
        outbox: count("SELECT COUNT(*) AS n FROM outbox"),
      },
      alarm_at: this.alarmAt === null ? null : new Date(this.alarmAt).toISOString(),
    };
  }

  private async authorityMatrix(): Promise<AuthorityMatrix> {
    if (this.matrix && Date.now() - this.matrix.loadedAt < MATRIX_TTL_MS) return this.matrix.value;
    const value = await loadAuthorityMatrix(this.env.DB);
    this.matrix = { value, loadedAt: Date.now() };
    return value;
  }

  /** The teams' price tolerances: as the last ingest call passed them, else from D1. */
  private async tolerances(): Promise<Record<string, number>> {
    return this.lastTolerances ?? (await teamTolerances(this.env.DB));
  }

  /** Wakes up when the earliest held-back decision settles. */
  private scheduleSettle(): void {
    if (this.pendingDue.size === 0) return;
    this.scheduleAlarm(Math.min(...[...this.pendingDue.values()].map((p) => p.due)));
  }

  private scheduleAlarm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  /** The next alarm: soon if anything waits for D1 or the queue, else the next escalation or sweep. */
  private rescheduleFromStorage(): void {
    const count = (query: string) => Number(this.sql.exec<{ n: number }>(query).toArray()[0]!.n);
    const pending =
      count("SELECT COUNT(*) AS n FROM conflicts WHERE dirty = 1") +
      count("SELECT COUNT(*) AS n FROM flags WHERE dirty = 1") +
      count("SELECT COUNT(*) AS n FROM audit_pending") +
      count("SELECT COUNT(*) AS n FROM outbox");
    const rollups = count("SELECT COUNT(*) AS n FROM (SELECT 1 FROM rollup_pending LIMIT 1)");
    const escalation = this.sql.exec<{ t: string | null }>("SELECT MIN(next_escalation_at) AS t FROM conflicts WHERE next_escalation_at IS NOT NULL").toArray()[0]!.t;
    const hasEvents = count("SELECT COUNT(*) AS n FROM (SELECT 1 FROM raw_batches LIMIT 1)") > 0;
    const candidates: number[] = [];
    if (pending > 0) candidates.push(Date.now() + FLUSH_MS);
    if (rollups > 0) candidates.push(Math.max(Date.now() + FLUSH_MS, this.lastRollupFlush + ROLLUP_FLUSH_MS));
    if (this.pendingDue.size > 0) candidates.push(Math.min(...[...this.pendingDue.values()].map((p) => p.due)));
    if (escalation) candidates.push(Date.parse(escalation));
    if (hasEvents) candidates.push(Number(this.getMeta("last_sweep_ms") ?? "0") + SWEEP_EVERY_MS);
    if (candidates.length === 0) return;
    const at = Math.max(Date.now(), Math.min(...candidates));
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  private getMeta(key: string): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
  }
}

/** What an alert carries about a conflict (small enough for a queue message). */
function alertView(record: ConflictRecord): AlertItem["conflict"] {
  return {
    conflict_id: record.conflict_id,
    type: record.type,
    product_id: record.product_id,
    store_id: record.store_id,
    category: record.category,
    teams: record.teams,
    first_seen: record.first_seen,
    detected_at: record.detected_at,
    occurrences: record.occurrences,
    evidence: record.evidence,
  };
}

function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(", ")})`;
  return Array.from({ length: rows }, () => row).join(", ");
}
