/**
 * Postmortems of stored incidents, mounted under /v1/incidents: JSON, Markdown and PDF. Built on
 * request from what D1 holds now (the incident as its latest scan found it, its cascade, and the
 * monitors and alerts with people's edits), stamped with that scan's finish time. PDFs are kept in
 * the EXPORTS bucket and re-rendered only when the postmortem changed.
 */
import { and, eq, gte, lte, or } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { stableId } from "../../src/ids.ts";
import { PRECEDENCE_LOOKAHEAD_DAYS } from "../../src/monitors/runtime.ts";
import { renderPostmortemMarkdown } from "../../src/report/markdown.ts";
import { renderPostmortemPdf } from "../../src/report/pdf.ts";
import { buildPostmortem } from "../../src/report/postmortem.ts";
import type { Postmortem } from "../../src/report/postmortem-schema.ts";
import { DEFAULT_SCAN_CONFIG } from "../../src/scan.ts";
import { addDays } from "../../src/time.ts";
import { type Cascade, type Incident, incidentSchema, monitorAlertSchema } from "../../src/scan-contract.ts";
import { cascades as cascadesTable, incidents as incidentsTable, monitorAlerts, scanRuns } from "../db/schema.ts";
import type { AppEnv, Bindings } from "../env.ts";
import { ApiError } from "../errors.ts";
import { storedMonitors } from "../monitors/store.ts";
import { incidentView } from "./incidents.ts";

export function postmortemPdfKey(incidentId: string): string {
  return `exports/postmortems/${incidentId}.pdf`;
}

export async function loadPostmortem(env: Bindings, incidentId: string): Promise<Postmortem> {
  const orm = drizzle(env.DB);
  const row = await orm.select().from(incidentsTable).where(eq(incidentsTable.incidentId, incidentId)).get();
  if (!row) throw new ApiError(404, "INCIDENT_NOT_FOUND", `No incident with id ${incidentId}`);
  const incident = incidentSchema.parse(incidentView(row));
  const run = await orm.select().from(scanRuns).where(eq(scanRuns.runId, row.runId)).get();
  if (!run?.manifestJson || !run.finishedAt) throw new ApiError(409, "RUN_NOT_COMPLETED", `The scan that found incident ${incidentId} has not completed`);
  const asOf = (JSON.parse(run.manifestJson) as { as_of: string | null }).as_of ?? incident.incident_window_end;

  const cascade = incident.cascade_id ? await orm.select().from(cascadesTable).where(eq(cascadesTable.cascadeId, incident.cascade_id)).get() : undefined;
  const cascades: Cascade[] = cascade ? [JSON.parse(cascade.bodyJson) as Cascade] : [];
  let members: Incident[] = [incident];
  if (incident.cascade_id) {
    const rows = await orm
      .select()
      .from(incidentsTable)
      .where(and(eq(incidentsTable.companyId, row.companyId), eq(incidentsTable.runId, row.runId), eq(incidentsTable.cascadeId, incident.cascade_id)));
    members = rows.map((r) => incidentSchema.parse(incidentView(r)));
  }
  // Alerts attributed to it, and any raised in the lookahead window before its detection (the
  // postmortem keeps those of the monitors watching it).
  const alerts = await orm
    .select()
    .from(monitorAlerts)
    .where(
      or(
        eq(monitorAlerts.precededIncidentId, incidentId),
        and(
          eq(monitorAlerts.companyId, row.companyId),
          gte(monitorAlerts.triggeredAt, addDays(incident.detected_at, -PRECEDENCE_LOOKAHEAD_DAYS)),
          lte(monitorAlerts.triggeredAt, incident.detected_at),
        ),
      ),
    );
  return buildPostmortem({
    incident,
    incidents: members,
    cascades,
    monitors: await storedMonitors(orm, row.companyId),
    alerts: alerts.map((a) => ({ ...monitorAlertSchema.parse(JSON.parse(a.bodyJson)), status: a.status })),
    runId: row.runId,
    asOf,
    generatedAt: run.finishedAt,
    mergeGapDays: DEFAULT_SCAN_CONFIG.detection.mergeGapDays,
  });
}

function filename(pm: Postmortem, ext: string): string {
  return `postmortem-${pm.incident_id}.${ext}`;
}

export const postmortems = new Hono<AppEnv>()
  .get("/:id/postmortem", async (c) => c.json(await loadPostmortem(c.env, c.req.param("id"))))
  .get("/:id/postmortem/md", async (c) => {
    const pm = await loadPostmortem(c.env, c.req.param("id"));
    return c.body(renderPostmortemMarkdown(pm), 200, {
      "content-type": "text/markdown; charset=utf-8",
      "content-disposition": `inline; filename="${filename(pm, "md")}"`,
    });
  })
  .get("/:id/postmortem/pdf", async (c) => {
    const pm = await loadPostmortem(c.env, c.req.param("id"));
    const key = postmortemPdfKey(pm.incident_id);
    const digest = stableId(JSON.stringify(pm));
    const headers = { "content-type": "application/pdf", "content-disposition": `attachment; filename="${filename(pm, "pdf")}"`, "x-export-key": key };
    const head = await c.env.EXPORTS.head(key);
    if (head?.customMetadata?.digest === digest) {
      const cached = await c.env.EXPORTS.get(key);
      if (cached) return c.body(cached.body, 200, { ...headers, "x-export-cache": "hit" });
    }
    const bytes = new Uint8Array(await renderPostmortemPdf(pm));
    await c.env.EXPORTS.put(key, bytes, {
      httpMetadata: { contentType: "application/pdf" },
      customMetadata: { digest, incident_id: pm.incident_id, run_id: pm.run_id, generated_at: pm.generated_at },
    });
    return c.body(bytes, 200, { ...headers, "x-export-cache": "miss" });
  });
