import { Hono } from "hono";
import { and, asc, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { causalGraphView } from "../../src/analyze/graph-view.ts";
import { type Incident, INCIDENT_TYPES, SEVERITIES } from "../../src/scan-contract.ts";
import { incidents as incidentsTable } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf, readJson, validate } from "../http.ts";
import { latestRunId } from "../scan/store.ts";
import { listPatternIncidents } from "./visibility.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD");
const listQuery = z.object({
  type: z.enum(INCIDENT_TYPES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  status: z.enum(["open", "acknowledged", "resolved"]).optional(),
  cascade_id: z.string().optional(),
  from: day.optional(),
  to: day.optional(),
  sort: z.enum(["detected_at", "-detected_at"]).default("-detected_at"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** `engine`: the scan's incidents; `visibility`: recurring decision-conflict patterns; `all`: both. */
  source: z.enum(["engine", "visibility", "all"]).default("engine"),
});

type IncidentRow = typeof incidentsTable.$inferSelect;

const STATUSES = ["open", "acknowledged", "resolved"] as const;
const statusBody = z.object({ status: z.enum(STATUSES) }).strict();

/** The stored scan JSON with the human-owned status laid over it. */
export function incidentView(row: IncidentRow): Record<string, unknown> {
  return { ...(JSON.parse(row.bodyJson) as Record<string, unknown>), status: row.status, run_id: row.runId };
}

export const incidents = new Hono<AppEnv>()
  /** Incidents found by the company's latest completed scan, filterable. */
  .get("/", async (c) => {
    const companyId = companyOf(c);
    const q = validate(listQuery, c.req.query(), "query");
    const patterns = q.source === "engine" ? [] : await listPatternIncidents(c.env.DB);
    if (q.source === "visibility") return c.json({ company_id: companyId, run_id: null, incidents: patterns });
    const runId = await latestRunId(c.env.DB, companyId);
    if (!runId) return c.json({ company_id: companyId, run_id: null, incidents: patterns });
    const where: SQL[] = [eq(incidentsTable.companyId, companyId), eq(incidentsTable.runId, runId)];
    if (q.type) where.push(eq(incidentsTable.incidentType, q.type));
    if (q.severity) where.push(eq(incidentsTable.severity, q.severity));
    if (q.status) where.push(eq(incidentsTable.status, q.status));
    if (q.cascade_id) where.push(eq(incidentsTable.cascadeId, q.cascade_id));
    if (q.from) where.push(gte(incidentsTable.detectedAt, q.from));
    if (q.to) where.push(lte(incidentsTable.detectedAt, q.to));
    const order = q.sort === "detected_at" ? asc(incidentsTable.detectedAt) : desc(incidentsTable.detectedAt);
    const rows = await drizzle(c.env.DB)
      .select()
      .from(incidentsTable)
      .where(and(...where))
      .orderBy(order, asc(incidentsTable.incidentId))
      .limit(q.limit);
    return c.json({ company_id: companyId, run_id: runId, incidents: [...rows.map(incidentView), ...patterns] });
  })
  .get("/:id", async (c) => c.json(incidentView(await incidentRow(c.env.DB, c.req.param("id")))))
  /** BRE-RCA's ranked causal paths with their evidence (spec, Component G). */
  .get("/:id/causal-chain", async (c) => {
    const row = await incidentRow(c.env.DB, c.req.param("id"));
    return c.json(bodyOf(row).causal_chain);
  })
  /** What the incident touched and what it may cost (spec, Component H). */
  .get("/:id/blast-radius", async (c) => {
    const row = await incidentRow(c.env.DB, c.req.param("id"));
    return c.json({ incident_id: row.incidentId, cascade_id: row.cascadeId, ...bodyOf(row).blast_radius });
  })
  /** The causal chain as nodes and edges ready to draw (d3-dag's graphStratify reads `parentIds`). */
  .get("/:id/graph", async (c) => {
    const body = bodyOf(await incidentRow(c.env.DB, c.req.param("id")));
    return c.json(body.causal_graph ?? causalGraphView(body));
  })
  /** People move an incident through open → acknowledged → resolved; scans never overwrite it. */
  .patch("/:id/status", async (c) => {
    const { status } = await readJson(c, statusBody);
    const row = await incidentRow(c.env.DB, c.req.param("id"));
    const updated = await drizzle(c.env.DB)
      .update(incidentsTable)
      .set({ status, updatedAt: new Date().toISOString() })
      .where(eq(incidentsTable.incidentId, row.incidentId))
      .returning()
      .get();
    return c.json(incidentView(updated ?? row));
  });

export async function incidentRow(db: D1Database, id: string): Promise<IncidentRow> {
  const row = await drizzle(db).select().from(incidentsTable).where(eq(incidentsTable.incidentId, id)).get();
  if (!row) throw new ApiError(404, "INCIDENT_NOT_FOUND", `No incident with id ${id}`);
  return row;
}

function bodyOf(row: IncidentRow): Incident {
  return JSON.parse(row.bodyJson) as Incident;
}
