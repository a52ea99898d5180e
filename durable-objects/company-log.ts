/**
 * CompanyLog: one per company. Holds the append-only canonical event log (idempotent by
 * event_id) and keeps the ledger's daily aggregates up to date in the same transaction, so a scan
 * reads hundreds of aggregate rows instead of the whole history.
 *
 * It also takes retractions (the source voided or deleted an entity): the entity's events stay in
 * the log but stop counting, in the same transaction, and its later events never count.
 *
 * The ledger logic is the pure fold in src/metrics/ledger.ts; this class only moves rows in and
 * out of SQLite.
 */
import { DurableObject } from "cloudflare:workers";
import type { CanonicalEvent, EventType } from "../src/events/canonical.ts";
import { dayOf } from "../src/events/canonical.ts";
import type { EvidenceEvent, EvidenceQuery } from "../src/evidence.ts";
import { toEvidence } from "../src/evidence.ts";
import { parseRetractions, type Retraction, retractionKey, retractionKeyOf } from "../src/events/retraction.ts";
import { type EntityState, entityKeysOf, foldEvents, foldRetraction, type LedgerDelta, type LedgerSnapshot, snapshotFromRows } from "../src/metrics/ledger.ts";
import init from "../migrations/company-log/0001_init.sql";
import retractions from "../migrations/company-log/0002_retractions.sql";
import { applyMigrations, type DoMigration } from "./migrate.ts";

/** Versioned schema: each entry runs once, in order, recorded in `_schema`. */
const MIGRATIONS: readonly DoMigration[] = [
  { version: 1, sql: init },
  { version: 2, sql: retractions },
];

/** SQLite in Durable Objects allows 100 bound parameters per statement. */
const MAX_PARAMS = 100;
/** Most events one append call takes; callers split bigger uploads. */
export const MAX_APPEND_BATCH = 5_000;
/** Most retractions one call takes. */
export const MAX_RETRACT_BATCH = 1_000;
const MAX_PAGE = 1_000;
/** Entity states kept in memory between appends (an invoice's issue and payment often arrive close together). */
const STATE_CACHE_SIZE = 100_000;

export interface AppendResult {
  accepted: number;
  duplicates: number;
}

export interface RetractResult {
  /** Entities newly retracted. */
  entities: number;
  /** Entities that were already retracted (a replay). */
  duplicates: number;
  /** Events that stopped counting. */
  events: number;
}

export interface EventPageQuery {
  type?: EventType;
  entity_id?: string;
  ids?: string[];
  from?: string;
  to?: string;
  /** Opaque cursor from the previous page. */
  cursor?: string;
  limit?: number;
}

export interface EventPage {
  events: CanonicalEvent[];
  next_cursor: string | null;
}

export interface LogStats {
  events: number;
  first_day: string | null;
  last_day: string | null;
}

export class CompanyLogError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CompanyLogError";
  }
}

export class CompanyLog extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** Mirror of recently used entity_state rows; the table stays the source of truth. */
  private readonly stateCache = new Map<string, EntityState>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => applyMigrations(ctx.storage, MIGRATIONS));
  }

  /**
   * Appends validated events. Events whose id is already in the log are duplicates and change
   * nothing; the new ones are folded into the ledger in the same transaction.
   */
  append(events: CanonicalEvent[]): AppendResult {
    if (events.length > MAX_APPEND_BATCH) {
      throw new CompanyLogError(`append: at most ${MAX_APPEND_BATCH} events per call, got ${events.length}`);
    }
    return this.transaction(`append: could not write ${events.length} events`, () => this.appendInTransaction(events));
  }

  /** Runs `body` in one storage transaction; on failure the entity-state cache is dropped and the error says `what`. */
  private transaction<T>(what: string, body: () => T): T {
    try {
      return this.ctx.storage.transactionSync(body);
    } catch (error) {
      this.stateCache.clear(); // the transaction rolled back; the cache may hold states it never wrote
      throw new CompanyLogError(`${what}: ${(error as Error).message}`, { cause: error });
    }
  }

  private appendInTransaction(events: CanonicalEvent[]): AppendResult {
    const inserted = new Set<string>();
    const columns = 7;
    for (const chunk of chunks(events, Math.floor(MAX_PARAMS / columns))) {
      const params: string[] = [];
      for (const e of chunk) params.push(e.event_id, e.event_type, dayOf(e.event_time), e.event_time, e.entity_id, retractionKeyOf(e), JSON.stringify(e));
      const cursor = this.sql.exec<{ event_id: string }>(
        `INSERT INTO events (event_id, event_type, day, event_time, entity_id, source_key, body) VALUES ${placeholders(chunk.length, columns)}
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        ...params,
      );
      for (const row of cursor) inserted.add(row.event_id);
    }
    const fresh: CanonicalEvent[] = [];
    for (const event of events) {
      if (inserted.delete(event.event_id)) fresh.push(event); // the first copy of an id in the batch wins
    }
    if (fresh.length > 0) {
      // Events of entities already retracted are kept but never count.
      const retracted = this.retractedAmong([...new Set(fresh.map(retractionKeyOf))]);
      if (retracted.size > 0) {
        const late = fresh.filter((e) => retracted.has(retractionKeyOf(e))).map((e) => e.event_id);
        for (const chunk of chunks(late, MAX_PARAMS)) this.sql.exec(`UPDATE events SET retracted = 1 WHERE event_id IN (${marks(chunk.length)})`, ...chunk);
      }
      this.applyDelta(foldEvents(fresh, this.loadStates(fresh), retracted));
    }
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  }

  /**
   * Retracts entities the source voided or deleted: their events stay in the log but stop
   * counting (and are no longer evidence), and events of theirs that arrive later never count.
   * Retracting an entity twice changes nothing.
   */
  retract(input: Retraction[]): RetractResult {
    if (input.length > MAX_RETRACT_BATCH) {
      throw new CompanyLogError(`retract: at most ${MAX_RETRACT_BATCH} retractions per call, got ${input.length}`);
    }
    let parsed: Retraction[];
    try {
      parsed = parseRetractions(input);
    } catch (error) {
      throw new CompanyLogError(`retract: ${(error as Error).message}`, { cause: error });
    }
    return this.transaction(`retract: could not retract ${parsed.length} entities`, () => this.retractInTransaction(parsed));
  }

  private retractInTransaction(input: Retraction[]): RetractResult {
    const byKey = new Map<string, Retraction>();
    for (const r of input) if (!byKey.has(retractionKey(r.source, r.source_entity_id))) byKey.set(retractionKey(r.source, r.source_entity_id), r);
    const already = this.retractedAmong([...byKey.keys()]);
    const fresh = [...byKey].filter(([key]) => !already.has(key));
    const now = new Date().toISOString();
    for (const chunk of chunks(fresh, Math.floor(MAX_PARAMS / 4))) {
      this.sql.exec(
        `INSERT INTO retractions (key, reason, at, retracted_at) VALUES ${placeholders(chunk.length, 4)}`,
        ...chunk.flatMap(([key, r]) => [key, r.reason, r.at ?? null, now]),
      );
    }
    const events: CanonicalEvent[] = [];
    for (const chunk of chunks(fresh.map(([key]) => key), MAX_PARAMS)) {
      const rows = this.sql.exec<{ body: string }>(
        `UPDATE events SET retracted = 1 WHERE source_key IN (${marks(chunk.length)}) AND retracted = 0 RETURNING body`,
        ...chunk,
      );
      for (const row of rows) events.push(JSON.parse(row.body) as CanonicalEvent);
    }
    if (events.length > 0) this.applyDelta(foldRetraction(events, this.loadStates(events)));
    return { entities: fresh.length, duplicates: byKey.size - fresh.length, events: events.length };
  }

  /** Which of these retraction keys are retracted. */
  private retractedAmong(keys: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const chunk of chunks(keys, MAX_PARAMS)) {
      for (const row of this.sql.exec<{ key: string }>(`SELECT key FROM retractions WHERE key IN (${marks(chunk.length)})`, ...chunk)) found.add(row.key);
    }
    return found;
  }

  /** The stored states of every entity these events touch (cache first). */
  private loadStates(events: readonly CanonicalEvent[]): Map<string, EntityState> {
    const keys = [...new Set(events.flatMap(entityKeysOf))];
    const prior = new Map<string, EntityState>();
    const missing: string[] = [];
    for (const key of keys) {
      const cached = this.stateCache.get(key);
      if (cached) prior.set(key, cached);
      else missing.push(key);
    }
    for (const chunk of chunks(missing, MAX_PARAMS)) {
      const rows = this.sql.exec<{ key: string; state: string }>(`SELECT key, state FROM entity_state WHERE key IN (${marks(chunk.length)})`, ...chunk);
      for (const row of rows) prior.set(row.key, JSON.parse(row.state) as EntityState);
    }
    return prior;
  }

  private applyDelta(delta: LedgerDelta): void {
    this.upsertAdd(
      "daily_aggregates",
      "key",
      "value",
      [...delta.daily].map(([k, v]) => [...splitKey(k), v]),
    );
    this.upsertAdd(
      "customer_revenue",
      "customer_id",
      "revenue",
      [...delta.customerRevenue].map(([k, v]) => [...splitKey(k), v]),
    );
    const states = [...delta.states];
    for (const chunk of chunks(states, Math.floor(MAX_PARAMS / 2))) {
      this.sql.exec(
        `INSERT INTO entity_state (key, state) VALUES ${placeholders(chunk.length, 2)}
         ON CONFLICT (key) DO UPDATE SET state = excluded.state`,
        ...chunk.flatMap(([key, state]) => [key, JSON.stringify(state)]),
      );
    }
    this.remember(states);
  }

  private remember(states: [string, EntityState][]): void {
    for (const [key, state] of states) {
      this.stateCache.delete(key);
      this.stateCache.set(key, state);
    }
    // Map iteration is insertion order: the first keys are the least recently written.
    for (const key of this.stateCache.keys()) {
      if (this.stateCache.size <= STATE_CACHE_SIZE) break;
      this.stateCache.delete(key);
    }
  }

  private upsertAdd(table: string, keyColumn: string, valueColumn: string, rows: [string, string, number][]): void {
    for (const chunk of chunks(rows, Math.floor(MAX_PARAMS / 3))) {
      this.sql.exec(
        `INSERT INTO ${table} (day, ${keyColumn}, ${valueColumn}) VALUES ${placeholders(chunk.length, 3)}
         ON CONFLICT (day, ${keyColumn}) DO UPDATE SET ${valueColumn} = ${valueColumn} + excluded.${valueColumn}`,
        ...chunk.flat(),
      );
    }
  }

  /** The ledger's aggregates, exactly as `MemoryLedger.snapshot()` returns them for the same events. */
  snapshot(): LedgerSnapshot {
    const daily = this.sql.exec<{ day: string; key: string; value: number }>("SELECT day, key, value FROM daily_aggregates").toArray();
    const revenue = this.sql
      .exec<{ day: string; customer_id: string; revenue: number }>("SELECT day, customer_id, revenue FROM customer_revenue")
      .toArray();
    return snapshotFromRows(
      daily.map((r) => ({ ...r })),
      revenue.map((r) => ({ ...r })),
    );
  }

  /** Events of the given types in a day window, earliest first, for evidence. */
  evidence(query: EvidenceQuery): EvidenceEvent[] {
    if (query.types.length === 0) return [];
    const limit = Math.max(0, Math.min(query.limit, 10_000));
    const rows = this.sql.exec<{ body: string }>(
      `SELECT body FROM events WHERE event_type IN (${marks(query.types.length)}) AND day BETWEEN ? AND ? AND retracted = 0
       ORDER BY event_time, event_id LIMIT ?`,
      ...query.types,
      query.from,
      query.to,
      limit,
    );
    return rows.toArray().map((r) => toEvidence(JSON.parse(r.body) as CanonicalEvent));
  }

  /** Pages through the log with filters; the cursor is the last row's sequence number. */
  listEvents(query: EventPageQuery): EventPage {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.type) {
      where.push("event_type = ?");
      params.push(query.type);
    }
    if (query.entity_id) {
      where.push("entity_id = ?");
      params.push(query.entity_id);
    }
    if (query.ids && query.ids.length > 0) {
      const ids = query.ids.slice(0, MAX_PARAMS - 6);
      where.push(`event_id IN (${marks(ids.length)})`);
      params.push(...ids);
    }
    if (query.from) {
      where.push("day >= ?");
      params.push(query.from);
    }
    if (query.to) {
      where.push("day <= ?");
      params.push(query.to);
    }
    if (query.cursor) {
      where.push("seq > ?");
      params.push(Number(query.cursor));
    }
    const limit = Math.max(1, Math.min(query.limit ?? 100, MAX_PAGE));
    const rows = this.sql
      .exec<{ seq: number; body: string }>(
        `SELECT seq, body FROM events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq LIMIT ?`,
        ...params,
        limit + 1,
      )
      .toArray();
    const page = rows.slice(0, limit);
    return {
      events: page.map((r) => JSON.parse(r.body) as CanonicalEvent),
      next_cursor: rows.length > limit ? String(page[page.length - 1]!.seq) : null,
    };
  }

  stats(): LogStats {
    const row = this.sql
      .exec<{ n: number; first: string | null; last: string | null }>("SELECT COUNT(*) AS n, MIN(day) AS first, MAX(day) AS last FROM events")
      .one();
    return { events: row.n, first_day: row.first, last_day: row.last };
  }
}

function placeholders(rows: number, columns: number): string {
  const row = `(${Array.from({ length: columns }, () => "?").join(",")})`;
  return Array.from({ length: rows }, () => row).join(",");
}

function marks(n: number): string {
  return Array.from({ length: n }, () => "?").join(",");
}

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function splitKey(k: string): [string, string] {
  const bar = k.indexOf("|");
  return [k.slice(0, bar), k.slice(bar + 1)];
}
