/**
 * The visibility layer's API. Teams publish with their own key (`visibilityPublish`); everything
 * else needs an admin token (`visibility`, mounted under the admin routes). Handlers validate, call
 * the shards or D1, and answer; the logic is in src/visibility and durable-objects/conflict-shard.ts.
 */
import { Hono } from "hono";
import { z } from "zod";
import { readRecords, type RecordItem } from "../../src/connectors/files/records.ts";
import { publicConflict } from "../../src/visibility/conflict.ts";
import { CONFLICT_STATUSES, CONFLICT_TYPES } from "../../src/visibility/conflict.ts";
import { contractSchema, teamRegistrationSchema, TEAM_ROLES, validateVisibilityBatch, type BatchItem } from "../../src/visibility/contract.ts";
import { authorityMatrixSchema } from "../../src/visibility/escalation.ts";
import { teamName, type VisibilityEvent } from "../../src/visibility/event.ts";
import { transitionRequestSchema } from "../../src/visibility/lifecycle.ts";
import { countRejections, rollupRows } from "../../src/visibility/okr/rollup.ts";
import { okrReport, type DailyOkr } from "../../src/visibility/okr/report.ts";
import { addDays, daysBetween } from "../../src/time.ts";
import { MAX_SHARD_BATCH } from "../../durable-objects/conflict-shard.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readJson, validate } from "../http.ts";
import { conflictsFirstSeenBetween, incidentFromRow, rollupRowsBetween, runVisibilityDaily } from "../visibility/daily.ts";
import { CONFLICT_WITH_ALERT, conflictFromRow, rollupStatements, teamsColumn } from "../visibility/mirror.ts";
import { AUTHORITY_MATRIX_KEY, loadAuthorityMatrix } from "../visibility/settings.ts";
import { shardCount, shardOf, shardStub } from "../visibility/shards.ts";
import { contractHistory, getTeam, listTeams, saveTeam, teamForKey, teamTolerances } from "../visibility/teams.ts";

/** A publishing batch: a few MB (about 20,000 events of ~200 bytes). */
export const MAX_EVENTS_BODY = 8 * 1024 * 1024;
export const MAX_EVENTS_PER_BATCH = 50_000;
const MAX_LISTED_REJECTIONS = 1_000;

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD");

/** `POST /v1/visibility/events`, authenticated by the publishing team's key. */
export const visibilityPublish = new Hono<AppEnv>().post("/events", async (c) => {
  const header = c.req.header("authorization") ?? "";
  const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!key) throw new ApiError(401, "TEAM_KEY_REQUIRED", "Publishing needs the team's key: Authorization: Bearer <team key> (POST /v1/visibility/teams issues it)");
  const team = await teamForKey(c.env.DB, key);
  if (!team) throw new ApiError(401, "TEAM_KEY_INVALID", "This key does not belong to any registered team (it may have been rotated)");

  const contentType = (c.req.header("content-type") ?? "").toLowerCase();
  const format = /ndjson|jsonl|json-seq/.test(contentType) ? "ndjson" : /json/.test(contentType) ? "json" : null;
  if (!format) throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", `Send events as application/json (an array) or application/x-ndjson (got ${contentType || "no Content-Type"})`);
  const length = Number(c.req.header("content-length") ?? "0");
  if (length > MAX_EVENTS_BODY) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `A batch may be at most ${MAX_EVENTS_BODY} bytes; split it`);
  const text = await c.req.text();
  if (text.length > MAX_EVENTS_BODY) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `A batch may be at most ${MAX_EVENTS_BODY} bytes; split it`);
  if (text.trim() === "") throw new ApiError(400, "EMPTY_BODY", "The body is empty; send a JSON array or NDJSON of events");

  const started = Date.now();
  const items = await parseBatch(text, format);
  if (items.length > MAX_EVENTS_PER_BATCH) throw new ApiError(413, "TOO_MANY_EVENTS", `A batch may hold at most ${MAX_EVENTS_PER_BATCH} events, got ${items.length}; split it`);
  const receivedAt = new Date().toISOString();
  const { accepted, rejected, contract_version } = validateVisibilityBatch(items, team, receivedAt);
  const rejections = rejected.slice(0, MAX_LISTED_REJECTIONS);

  if (rejected.length > 0) {
    const rollup = new Map();
    countRejections(rollup, receivedAt.slice(0, 10), team.team, rejected.length);
    await c.env.DB.batch(rollupStatements(c.env.DB, rollupRows(rollup)));
  }
  if (accepted.length === 0) {
    throw new ApiError(422, "NO_VALID_EVENTS", `None of the ${items.length} records is a valid event for team "${team.team}" (contract v${contract_version})`, {
      records: items.length,
      rejected: rejected.length,
      rejections,
      rejections_truncated: rejected.length > rejections.length,
    });
  }

  const validated = Date.now();
  const byShard = new Map<number, VisibilityEvent[]>();
  for (const event of accepted) {
    const shard = shardOf(c.env, event.product_id, event.store_id);
    const list = byShard.get(shard) ?? [];
    list.push(event);
    byShard.set(shard, list);
  }
  const tolerances = await teamTolerances(c.env.DB);
  const results = await Promise.all(
    [...byShard].flatMap(([shard, events]) =>
      chunked(events, MAX_SHARD_BATCH).map((chunk) => shardStub(c.env, shard).ingest(JSON.stringify(chunk), { shard, tolerances })),
    ),
  );
  // Where the time went, for publishers and benchmarks (the Workers clock only moves across I/O).
  c.header("server-timing", `validate;dur=${validated - started}, shards;dur=${Date.now() - validated}`);
  return c.json({
    team: team.team,
    contract_version,
    records: items.length,
    accepted: results.reduce((s, r) => s + r.accepted, 0),
    duplicates: results.reduce((s, r) => s + r.duplicates, 0),
    rejected: rejected.length,
    conflicts_opened: results.reduce((s, r) => s + r.conflicts_opened, 0),
    rejections,
    rejections_truncated: rejected.length > rejections.length,
  });
});

async function parseBatch(text: string, format: "json" | "ndjson"): Promise<BatchItem[]> {
  if (format === "json") {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ApiError(400, "MALFORMED_BODY", `The body is not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(value)) throw new ApiError(400, "MALFORMED_BODY", "A JSON body must be an array of events (or send NDJSON)");
    return value.map((record, index) => ({ index, record }));
  }
  const items: BatchItem[] = [];
  for await (const item of readRecords(single(text), "ndjson") as AsyncGenerator<RecordItem>) items.push(item);
  return items;
}

async function* single(text: string): AsyncGenerator<string> {
  yield text;
}

function chunked<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const registrationUpdateSchema = z.strictObject({
  role: z.enum(TEAM_ROLES).optional(),
  price_tolerance_pct: z.number().finite().min(0).max(100).optional(),
  contract: contractSchema.optional(),
});

const conflictsQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const list = s.split(",");
      const bad = list.find((x) => !(CONFLICT_STATUSES as readonly string[]).includes(x));
      if (bad) {
        ctx.addIssue({ code: "custom", message: `has an unknown status "${bad}" (one of: ${CONFLICT_STATUSES.join(", ")})` });
        return z.NEVER;
      }
      return list;
    }),
  type: z.enum(CONFLICT_TYPES).optional(),
  team: teamName.optional(),
  product_id: z.string().min(1).optional(),
  store_id: z.string().min(1).optional(),
  from: day.optional(),
  to: day.optional(),
  active: z.enum(["true", "false"]).optional(),
  escalated: z.enum(["true", "false"]).optional(),
  sort: z.enum(["-detected_at", "detected_at", "-occurrences", "-first_seen"]).default("-detected_at"),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().regex(/^\d+$/, "must be the next_cursor of a previous page").optional(),
});

const SORTS: Record<z.infer<typeof conflictsQuery>["sort"], string> = {
  "-detected_at": "c.detected_at DESC, c.conflict_id",
  detected_at: "c.detected_at ASC, c.conflict_id",
  "-occurrences": "c.occurrences DESC, c.conflict_id",
  "-first_seen": "c.first_seen DESC, c.conflict_id",
};

/** Admin routes under /v1/visibility. */
export const visibility = new Hono<AppEnv>()
  .post("/teams", async (c) => {
    const registration = await readJson(c, teamRegistrationSchema);
    const { team, key, created } = await saveTeam(c.env.DB, registration, { rotateKey: true, now: new Date().toISOString() });
    // The key is shown here and never again; registering the team again issues a new one.
    return c.json({ team: team.team, key, role: team.role, price_tolerance_pct: team.price_tolerance_pct, contract_version: team.contract_version, contract: team.contract, created }, created ? 201 : 200);
  })
  .get("/teams", async (c) => c.json({ teams: await listTeams(c.env.DB) }))
  .get("/teams/:team", async (c) => {
    const team = await getTeam(c.env.DB, c.req.param("team"));
    if (!team) throw new ApiError(404, "TEAM_NOT_FOUND", `No team named ${c.req.param("team")}`);
    return c.json({ ...team, contracts: await contractHistory(c.env.DB, team.team) });
  })
  /** Changes a team's contract or tolerance without touching its key. */
  .put("/teams/:team/contract", async (c) => {
    const current = await getTeam(c.env.DB, c.req.param("team"));
    if (!current) throw new ApiError(404, "TEAM_NOT_FOUND", `No team named ${c.req.param("team")}`);
    const update = await readJson(c, registrationUpdateSchema);
    const registration = teamRegistrationSchema.parse({
      team: current.team,
      role: update.role ?? current.role,
      price_tolerance_pct: update.price_tolerance_pct ?? current.price_tolerance_pct,
      contract: update.contract ?? current.contract,
    });
    const { team } = await saveTeam(c.env.DB, registration, { rotateKey: false, now: new Date().toISOString() });
    return c.json(team);
  })
  .get("/conflicts", async (c) => {
    const q = validate(conflictsQuery, c.req.query(), "query");
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.status) {
      where.push(`c.status IN (${q.status.map(() => "?").join(",")})`);
      params.push(...q.status);
    }
    if (q.type) (where.push("c.type = ?"), params.push(q.type));
    if (q.team) (where.push("c.teams LIKE ?"), params.push(`%${teamsColumn([q.team])}%`));
    if (q.product_id) (where.push("c.product_id = ?"), params.push(q.product_id));
    if (q.store_id) (where.push("c.store_id = ?"), params.push(q.store_id));
    if (q.from) (where.push("c.first_seen >= ?"), params.push(q.from));
    if (q.to) (where.push("c.first_seen < ?"), params.push(`${addDays(q.to, 1)}T`));
    if (q.active) (where.push("c.active = ?"), params.push(q.active === "true" ? 1 : 0));
    if (q.escalated) where.push(q.escalated === "true" ? "c.escalation_level > 0" : "c.escalation_level = 0");
    const offset = Number(q.cursor ?? "0");
    const { results } = await c.env.DB.prepare(
      `SELECT ${CONFLICT_WITH_ALERT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${SORTS[q.sort]} LIMIT ? OFFSET ?`,
    )
      .bind(...params, q.limit + 1, offset)
      .all<{ body_json: string; alerted_at: string | null }>();
    const page = results.slice(0, q.limit).map((row) => publicConflict(conflictFromRow(row)));
    return c.json({ conflicts: page, next_cursor: results.length > q.limit ? String(offset + q.limit) : null });
  })
  .get("/conflicts/:id", async (c) => {
    const id = c.req.param("id");
    const row = await c.env.DB.prepare(`SELECT ${CONFLICT_WITH_ALERT} WHERE c.conflict_id = ?`).bind(id).first<{ body_json: string; alerted_at: string | null }>();
    if (!row) throw new ApiError(404, "CONFLICT_NOT_FOUND", `No conflict with id ${id}`);
    const { results } = await c.env.DB.prepare("SELECT * FROM visibility_audit WHERE conflict_id = ? ORDER BY seq").bind(id).all<Record<string, unknown>>();
    return c.json({ conflict: publicConflict(conflictFromRow(row)), audit: results.map(auditView) });
  })
  /** Lifecycle transitions: acknowledge, fix, document, dispute, reopen (with who and why). */
  .patch("/conflicts/:id", async (c) => {
    const id = c.req.param("id");
    const request = await readJson(c, transitionRequestSchema);
    const row = await c.env.DB.prepare("SELECT shard FROM visibility_conflicts WHERE conflict_id = ?").bind(id).first<{ shard: number }>();
    if (!row) throw new ApiError(404, "CONFLICT_NOT_FOUND", `No conflict with id ${id}`);
    const result = await shardStub(c.env, row.shard).transition(id, request, new Date().toISOString());
    if (!result.ok) throw new ApiError(result.code === "NOT_FOUND" ? 404 : 409, result.code === "NOT_FOUND" ? "CONFLICT_NOT_FOUND" : "INVALID_TRANSITION", result.message);
    const fresh = await c.env.DB.prepare(`SELECT ${CONFLICT_WITH_ALERT} WHERE c.conflict_id = ?`).bind(id).first<{ body_json: string; alerted_at: string | null }>();
    return c.json({ conflict: publicConflict(fresh ? conflictFromRow(fresh) : result.record), audit: result.audit });
  })
  .get("/okr", async (c) => {
    const today = new Date().toISOString().slice(0, 10);
    const q = validate(z.object({ from: day.optional(), to: day.optional() }), c.req.query(), "query");
    const to = q.to ?? today;
    const from = q.from ?? addDays(to, -6);
    if (from > to || daysBetween(from, to) > 92) throw new ApiError(422, "VALIDATION_FAILED", "Query parameters 'from' and 'to' must be in order and at most 93 days apart");
    const [rollup, conflicts, daily] = await Promise.all([
      rollupRowsBetween(c.env.DB, from, to, ["all", "team"]),
      conflictsFirstSeenBetween(c.env.DB, from, to),
      c.env.DB.prepare("SELECT body_json FROM visibility_okr_daily WHERE day >= ? AND day <= ? ORDER BY day").bind(from, to).all<{ body_json: string }>(),
    ]);
    const report = okrReport({ from, to, asOf: new Date().toISOString(), rollup, conflicts });
    return c.json({ ...report, daily: daily.results.map((r) => JSON.parse(r.body_json) as DailyOkr) });
  })
  .get("/flags", async (c) => {
    const q = validate(
      z.object({
        active: z.enum(["true", "false"]).optional(),
        reason: z.enum(["stale", "missing"]).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(100),
      }),
      c.req.query(),
      "query",
    );
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.active) (where.push("active = ?"), params.push(q.active === "true" ? 1 : 0));
    if (q.reason) (where.push("reason = ?"), params.push(q.reason));
    const { results } = await c.env.DB.prepare(
      `SELECT body_json FROM visibility_flags ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY first_seen DESC LIMIT ?`,
    )
      .bind(...params, q.limit)
      .all<{ body_json: string }>();
    return c.json({ flags: results.map((r) => JSON.parse(r.body_json) as unknown) });
  })
  /** The alert log: every message sent to Slack, or recorded by the local sink without a webhook. */
  .get("/alerts", async (c) => {
    const q = validate(z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }), c.req.query(), "query");
    const { results } = await c.env.DB.prepare("SELECT * FROM visibility_alerts ORDER BY created_at DESC LIMIT ?").bind(q.limit).all<Record<string, string | number | null>>();
    return c.json({
      alerts: results.map((r) => ({
        alert_id: r.alert_id,
        created_at: r.created_at,
        destination: r.destination,
        status: r.status,
        attempts: r.attempts,
        conflict_count: r.conflict_count,
        escalation_count: r.escalation_count,
        conflict_ids: JSON.parse(String(r.conflict_ids_json)) as string[],
        message: JSON.parse(String(r.message_json)) as unknown,
        error: r.error,
      })),
    });
  })
  /** Recurring conflict patterns raised as incidents (also listed by GET /v1/incidents?source=visibility). */
  .get("/incidents", async (c) => c.json({ incidents: await listPatternIncidents(c.env.DB) }))
  .get("/authority-matrix", async (c) => c.json(await loadAuthorityMatrix(c.env.DB)))
  .put("/authority-matrix", async (c) => {
    const matrix = await readJson(c, authorityMatrixSchema);
    await c.env.DB.prepare(
      "INSERT INTO visibility_settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at",
    )
      .bind(AUTHORITY_MATRIX_KEY, JSON.stringify(matrix), new Date().toISOString())
      .run();
    // Pending escalations are re-timed on every shard with the new hours.
    const retimed = await Promise.all(Array.from({ length: shardCount(c.env) }, (_, i) => shardStub(c.env, i).refreshMatrix()));
    return c.json({ ...matrix, pending_escalations_retimed: retimed.reduce((s, n) => s + n, 0) });
  })
  /** Writes every shard's pending counters and conflicts to D1 now (they otherwise lag by up to 10 s). */
  .post("/shards/flush", async (c) => {
    const stats = await Promise.all(Array.from({ length: shardCount(c.env) }, (_, i) => shardStub(c.env, i).flushAll()));
    return c.json({ shards: stats.map((s, shard) => ({ shard, ...s })) });
  })
  .get("/shards", async (c) => {
    const stats = await Promise.all(Array.from({ length: shardCount(c.env) }, (_, i) => shardStub(c.env, i).stats()));
    return c.json({ shards: stats.map((s, shard) => ({ shard, ...s })) });
  })
  /** Runs the daily jobs now (the cron runs them at 00:15 UTC). */
  .post("/jobs/daily", async (c) => c.json(await runVisibilityDaily(c.env, new Date())));

function auditView(row: Record<string, unknown>) {
  return {
    at: row.at,
    action: row.action,
    actor: row.actor,
    from: row.from_status,
    to: row.to_status,
    reason: row.reason,
    escalation_level: row.escalation_level,
    notified: JSON.parse(String(row.notified_json)) as string[],
  };
}

export async function listPatternIncidents(db: D1Database): Promise<Record<string, unknown>[]> {
  const { results } = await db
    .prepare("SELECT body_json, detected_at, status, last_raised_at FROM visibility_incidents ORDER BY detected_at DESC, incident_id LIMIT 500")
    .all<{ body_json: string; detected_at: string; status: string; last_raised_at: string }>();
  return results.map(incidentFromRow);
}
