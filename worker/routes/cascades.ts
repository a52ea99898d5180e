/**
 * Incident cascades (spec, Component F): the failures that spread, with their linked incidents.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import type { Cascade, Incident } from "../../src/scan-contract.ts";
import { cascades as cascadesTable, incidents as incidentsTable } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf } from "../http.ts";
import { latestRunId } from "../scan/store.ts";

export const cascades = new Hono<AppEnv>()
  /** Cascades found by the company's latest completed scan, in the order they were detected. */
  .get("/", async (c) => {
    const companyId = companyOf(c);
    const runId = await latestRunId(c.env.DB, companyId);
    if (!runId) return c.json({ company_id: companyId, run_id: null, cascades: [] });
    const rows = await drizzle(c.env.DB)
      .select()
      .from(cascadesTable)
      .where(and(eq(cascadesTable.companyId, companyId), eq(cascadesTable.runId, runId)))
      .orderBy(asc(cascadesTable.detectedAt), asc(cascadesTable.cascadeId));
    return c.json({ company_id: companyId, run_id: runId, cascades: rows.map((r) => JSON.parse(r.bodyJson) as Cascade) });
  })
  /** One cascade with a summary of each linked incident, in the order the failure spread. */
  .get("/:id", async (c) => {
    const orm = drizzle(c.env.DB);
    const row = await orm.select().from(cascadesTable).where(eq(cascadesTable.cascadeId, c.req.param("id"))).get();
    if (!row) throw new ApiError(404, "CASCADE_NOT_FOUND", `No cascade with id ${c.req.param("id")}`);
    const cascade = JSON.parse(row.bodyJson) as Cascade;
    const members = await orm.select().from(incidentsTable).where(inArray(incidentsTable.incidentId, cascade.incident_ids));
    const byId = new Map(members.map((m) => [m.incidentId, m]));
    const incidents = cascade.incident_ids.flatMap((id) => {
      const member = byId.get(id);
      if (!member) return [];
      const body = JSON.parse(member.bodyJson) as Incident;
      return [
        {
          incident_id: id,
          incident_type: body.incident_type,
          severity: body.severity,
          status: member.status,
          detected_at: body.detected_at,
          incident_window_start: body.incident_window_start,
          incident_window_end: body.incident_window_end,
          primary_metric: body.primary_metric,
          root_cause: body.causal_chain.paths[0]?.nodes[0]?.metric_name ?? null,
          blast_radius_severity: body.blast_radius.blast_radius_severity,
        },
      ];
    });
    return c.json({ ...cascade, run_id: row.runId, incidents });
  });
