import { eq, inArray } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import { compareIncidents } from "../../src/analyze/compare.ts";
import { incidentSchema } from "../../src/scan-contract.ts";
import { comparisons, incidents as incidentsTable } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { readJson } from "../http.ts";
import { incidentView } from "./incidents.ts";

const compareRequest = z
  .object({ incident_a_id: z.string().min(1), incident_b_id: z.string().min(1) })
  .strict()
  .refine((b) => b.incident_a_id !== b.incident_b_id, { message: "must name two different incidents", path: ["incident_b_id"] });

export const compare = new Hono<AppEnv>()
  /** Compares two incidents of the same company (spec, Component L) and keeps the result. */
  .post("/", async (c) => {
    const body = await readJson(c, compareRequest);
    const orm = drizzle(c.env.DB);
    const rows = await orm.select().from(incidentsTable).where(inArray(incidentsTable.incidentId, [body.incident_a_id, body.incident_b_id]));
    const byId = new Map(rows.map((r) => [r.incidentId, r]));
    for (const field of ["incident_a_id", "incident_b_id"] as const) {
      if (!byId.has(body[field])) throw new ApiError(404, "INCIDENT_NOT_FOUND", `No incident with id ${body[field]} (${field})`, { field });
    }
    const a = byId.get(body.incident_a_id)!;
    const b = byId.get(body.incident_b_id)!;
    if (a.companyId !== b.companyId) {
      throw new ApiError(422, "VALIDATION_FAILED", "Field 'incident_b_id' names an incident of another company; compare incidents of one company", { field: "incident_b_id", reason: "different company" });
    }
    const company = c.req.query("company");
    if (company !== undefined && company !== a.companyId) {
      throw new ApiError(422, "VALIDATION_FAILED", `Query parameter 'company' is ${company}, but the incidents belong to ${a.companyId}`, { field: "company", reason: "different company" });
    }
    const comparison = compareIncidents(incidentSchema.parse(incidentView(a)), incidentSchema.parse(incidentView(b)));
    const now = new Date().toISOString();
    const stored = { ...comparison, company_id: a.companyId, created_at: now };
    await orm
      .insert(comparisons)
      .values({ comparisonId: comparison.comparison_id, companyId: a.companyId, incidentAId: a.incidentId, incidentBId: b.incidentId, bodyJson: JSON.stringify(stored), createdAt: now })
      .onConflictDoUpdate({ target: comparisons.comparisonId, set: { bodyJson: JSON.stringify(stored), createdAt: now } });
    return c.json(stored, 201);
  })
  .get("/:id", async (c) => {
    const row = await drizzle(c.env.DB).select().from(comparisons).where(eq(comparisons.comparisonId, c.req.param("id"))).get();
    if (!row) throw new ApiError(404, "COMPARISON_NOT_FOUND", `No comparison with id ${c.req.param("id")}`);
    return c.json(JSON.parse(row.bodyJson) as unknown);
  });
