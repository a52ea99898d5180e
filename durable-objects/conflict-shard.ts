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
import { countObservation, rollupRows, type Rollup, type RollupRow } from "../src/visibility/okr/rollup.ts";
import { createShardState, observe, putConflict, type GroundTruthFlag, type ShardContext, type ShardState } from "../src/visibility/shard.ts";
import { shardKeyOf } from "../src/visibility/shard-key.ts";
import { auditStatements, conflictStatements, flagStatements, rollupStatements } from "../worker/visibility/mirror.ts";
import { loadAuthorityMatrix } from "../worker/visibility/settings.ts";
import init from "../migrations/conflict-shard/0001_init.sql";

const MIGRATIONS: readonly { version: number; sql: string }[] = [{ version: 1, sql: init }];

/** SQLite in Durable Objects allows 100 bound parameters per statement. */
const MAX_PARAMS = 100;
/** Most events one ingest call takes (the route splits bigger batches). */
export const MAX_SHARD_BATCH = 5_000;
/** Occurrence counts and rollups reach D1 within this long. */
const FLUSH_MS = 1_000;
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
  oldest_event_ts: string | null;
  pending: { conflicts: number; flags: number; rollup_rows: number; audits: number; outbox: number };
  alarm_at: string | null;
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
  private alarmAt: number | null = null;
  private matrix: { value: AuthorityMatrix; loadedAt: number } | null = null;
  private flushing: Promise<void> | null = null;
  private sending: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  private migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
    const applied = new Set(this.sql.exec<{ version: number }>("SELECT version FROM _schema").toArray().map((r) => r.version));
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(migration.sql);
        this.sql.exec("INSERT INTO _schema (version, applied_at) VALUES (?, ?)", migration.version, new Date().toISOString());
      });
    }
  }

  /** Observes a batch of validated events; answers once they are stored and their new conflicts alerted. */
  async ingest(events: VisibilityEvent[], options: ShardIngestOptions): Promise<ShardIngestResult> {
    if (events.length > MAX_SHARD_BATCH) throw new ConflictShardError(`ingest: at most ${MAX_SHARD_BATCH} events per call, got ${events.length}`);
    this.setMeta("shard", String(options.shard));
    const now = new Date().toISOString();
    const matrix = await this.authorityMatrix();
    const config = options.config ?? DEFAULT_DETECTION_CONFIG;
    const ctx: ShardContext = {
      config,
      tolerancePct: (team) => options.tolerances[team] ?? config.default_price_tolerance_pct,
      now,
    };
    let result: ShardIngestResult;
    try {
      result = this.ctx.storage.transactionSync(() => this.ingestInTransaction(events, ctx, matrix));
    } catch (error) {
      this.states.clear(); // the transaction rolled back; cached states may be ahead of SQLite
      throw new ConflictShardError(`ingest: could not process ${events.length} events: ${(error as Error).message}`, { cause: error });
    }
    // New conflicts go to D1 and to the alerts queue now: their time to detect runs until delivery.
    if (result.conflicts_opened > 0) await this.publishNow();
    this.scheduleAlarm(Date.now() + FLUSH_MS);
    return result;
  }

  private ingestInTransaction(events: VisibilityEvent[], ctx: ShardContext, matrix: AuthorityMatrix): ShardIngestResult {
    const fresh = this.storeEvents(events, ctx.now);
    fresh.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    const rollup: Rollup = new Map();
    const touchedPairs = new Map<string, ShardState>();
    const conflicts = new Map<string, ConflictRecord>();
    const flags = new Map<string, GroundTruthFlag>();
    const audits: AuditEntry[] = [];
    const alerts: AlertItem[] = [];
    for (const event of fresh) {
      const key = shardKeyOf(event.product_id, event.store_id);
      const state = this.state(key, event);
      touchedPairs.set(key, state);
      const observation = observe(state, event, ctx);
      countObservation(rollup, event, observation, state.category);
      for (const effect of observation.effects) {
        if (effect.kind === "flag_raised" || effect.kind === "flag_cleared") {
          flags.set(effect.flag.flag_id, effect.flag);
          continue;
        }
        conflicts.set(effect.conflict.conflict_id, effect.conflict);
        if (effect.kind === "conflict_opened") {
          audits.push(detectionAudit(effect.conflict));
          alerts.push({ kind: "conflict", at: effect.conflict.detected_at, conflict: alertView(effect.conflict) });
        }
      }
      if (state.flag) flags.set(state.flag.flag_id, state.flag);
    }
    for (const [key, state] of touchedPairs) {
      this.sql.exec("INSERT INTO pairs (pair_key, state, touched_at) VALUES (?, ?, ?) ON CONFLICT (pair_key) DO UPDATE SET state = excluded.state, touched_at = excluded.touched_at", key, JSON.stringify(state), ctx.now);
    }
    for (const record of conflicts.values()) this.writeConflict(record, matrix);
    for (const flag of flags.values()) {
      this.sql.exec("INSERT INTO flags (flag_id, body, dirty) VALUES (?, ?, 1) ON CONFLICT (flag_id) DO UPDATE SET body = excluded.body, dirty = 1", flag.flag_id, JSON.stringify(flag));
    }
    this.addPendingRollup(rollupRows(rollup));
    for (const audit of audits) this.sql.exec("INSERT INTO audit_pending (body) VALUES (?)", JSON.stringify(audit));
    for (const alert of alerts) this.sql.exec("INSERT INTO outbox (body) VALUES (?)", JSON.stringify(alert));
    const opened = audits.length;
    return { accepted: fresh.length, duplicates: events.length - fresh.length, conflicts_opened: opened };
  }

  /** Inserts the events; returns those not seen before (the first copy of a repeated id wins). */
  private storeEvents(events: VisibilityEvent[], receivedAt: string): VisibilityEvent[] {
    const columns = 7;
    const inserted = new Set<string>();
    for (let i = 0; i < events.length; i += Math.floor(MAX_PARAMS / columns)) {
      const chunk = events.slice(i, i + Math.floor(MAX_PARAMS / columns));
      const params: string[] = [];
      for (const e of chunk) params.push(e.event_id, shardKeyOf(e.product_id, e.store_id), e.kind, e.team, e.ts, receivedAt, JSON.stringify(e));
      const rows = this.sql.exec<{ event_id: string }>(
        `INSERT INTO events (event_id, pair_key, kind, team, ts, received_at, body) VALUES ${placeholders(chunk.length, columns)}
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        ...params,
      );
      for (const row of rows) inserted.add(row.event_id);
    }
    return events.filter((e) => inserted.delete(e.event_id));
  }

  private state(key: string, event: VisibilityEvent): ShardState {
    let state = this.states.get(key);
    if (state) {
      // Most recently used last, so the oldest entry is the first to go.
      this.states.delete(key);
      this.states.set(key, state);
      return state;
    }
    const row = this.sql.exec<{ state: string }>("SELECT state FROM pairs WHERE pair_key = ?", key).toArray()[0];
    state = row ? (JSON.parse(row.state) as ShardState) : createShardState(event.product_id, event.store_id);
    this.states.set(key, state);
    if (this.states.size > STATE_CACHE) this.states.delete(this.states.keys().next().value!);
    return state;
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

  private addPendingRollup(rows: readonly RollupRow[]): void {
    for (const r of rows) {
      this.sql.exec(
        `INSERT INTO rollup_pending (day, dimension, value, decision_events, conflicting_events, unverified_events, ground_truth_events) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (day, dimension, value) DO UPDATE SET decision_events = decision_events + excluded.decision_events,
           conflicting_events = conflicting_events + excluded.conflicting_events, unverified_events = unverified_events + excluded.unverified_events,
           ground_truth_events = ground_truth_events + excluded.ground_truth_events`,
        r.day,
        r.dimension,
        r.value,
        r.decision_events,
        r.conflicting_events,
        r.unverified_events,
        r.ground_truth_events,
      );
    }
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
    const cached = this.states.get(pairKey);
    const state = cached ?? (() => {
      const row = this.sql.exec<{ state: string }>("SELECT state FROM pairs WHERE pair_key = ?", pairKey).toArray()[0];
      return row ? (JSON.parse(row.state) as ShardState) : null;
    })();
    if (state && putConflict(state, record)) {
      this.sql.exec("UPDATE pairs SET state = ? WHERE pair_key = ?", JSON.stringify(state), pairKey);
    }
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
    await this.escalateDue(now);
    await this.flush();
    await this.sendOutbox();
    const lastSweep = Number(this.getMeta("last_sweep_ms") ?? "0");
    if (now.getTime() - lastSweep >= SWEEP_EVERY_MS) this.sweep(now);
    this.rescheduleFromStorage();
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

  /** Deletes raw events older than 7 days and pair states idle as long; conflicts stay. */
  private sweep(now: Date): void {
    const cutoff = new Date(now.getTime() - RETENTION_MS).toISOString();
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM events WHERE ts < ?", cutoff);
      const idle = this.sql.exec<{ pair_key: string }>("SELECT pair_key FROM pairs WHERE touched_at < ?", cutoff).toArray();
      for (const { pair_key } of idle) this.states.delete(pair_key);
      this.sql.exec("DELETE FROM pairs WHERE touched_at < ?", cutoff);
      this.setMeta("last_sweep_ms", String(now.getTime()));
    });
  }

  /**
   * Flushes to D1, then hands the outbox to the queue (alerts only after their conflicts are in
   * D1, so delivery can stamp `alerted_at`). The events are already stored: a failure here is
   * logged and left to the alarm, never reported to the publisher as a lost batch.
   */
  private async publishNow(): Promise<void> {
    try {
      await this.flush();
      await this.sendOutbox();
    } catch (error) {
      console.error(JSON.stringify({ level: "warn", event: "conflict_shard_publish_deferred", error: (error as Error).message }));
      this.scheduleAlarm(Date.now() + FLUSH_MS);
    }
  }

  /** Writes dirty conflicts and flags, pending audit entries and rollup deltas to D1. One flush at a time. */
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
    const rollup = this.sql.exec<Omit<RollupRow, "rejected_events">>("SELECT * FROM rollup_pending LIMIT 1000").toArray();
    if (conflicts.length + flags.length + audits.length + rollup.length === 0) return false;
    const now = new Date().toISOString();
    const db = this.env.DB;
    const statements = [
      ...conflictStatements(db, conflicts.map((c) => ({ record: JSON.parse(c.body) as ConflictRecord, shard })), now),
      ...flagStatements(db, flags.map((f) => JSON.parse(f.body) as GroundTruthFlag), now),
      ...auditStatements(db, audits.map((a) => JSON.parse(a.body) as AuditEntry)),
      ...rollupStatements(db, rollup.map((r) => ({ ...r, rejected_events: 0 }))),
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
      for (const r of rollup) {
        this.sql.exec(
          `UPDATE rollup_pending SET decision_events = decision_events - ?, conflicting_events = conflicting_events - ?,
             unverified_events = unverified_events - ?, ground_truth_events = ground_truth_events - ? WHERE day = ? AND dimension = ? AND value = ?`,
          r.decision_events,
          r.conflicting_events,
          r.unverified_events,
          r.ground_truth_events,
          r.day,
          r.dimension,
          r.value,
        );
      }
      this.sql.exec("DELETE FROM rollup_pending WHERE decision_events = 0 AND conflicting_events = 0 AND unverified_events = 0 AND ground_truth_events = 0");
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
      events: count("SELECT COUNT(*) AS n FROM events"),
      pairs: count("SELECT COUNT(*) AS n FROM pairs"),
      conflicts: count("SELECT COUNT(*) AS n FROM conflicts"),
      oldest_event_ts: this.sql.exec<{ t: string | null }>("SELECT MIN(ts) AS t FROM events").toArray()[0]!.t ?? null,
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
      count("SELECT COUNT(*) AS n FROM rollup_pending") +
      count("SELECT COUNT(*) AS n FROM outbox");
    const escalation = this.sql.exec<{ t: string | null }>("SELECT MIN(next_escalation_at) AS t FROM conflicts WHERE next_escalation_at IS NOT NULL").toArray()[0]!.t;
    const hasEvents = count("SELECT COUNT(*) AS n FROM (SELECT 1 FROM events LIMIT 1)") > 0;
    const candidates: number[] = [];
    if (pending > 0) candidates.push(Date.now() + FLUSH_MS);
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
