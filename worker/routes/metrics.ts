import { Hono } from "hono";
import { and, asc, eq, gte, inArray, lte, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { z } from "zod";
import { GOLD_METRICS, METRIC_NAMES, METRICS_BY_NAME, type MetricName } from "../../src/metrics/gold.ts";
import { goldMetrics } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { companyOf, validate } from "../http.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD");
const metricList = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(METRIC_NAMES, { error: (i) => `'${String(i.input)}' is not a gold metric` })).min(1));

const historyQuery = z.object({ metric: metricList.optional(), from: day.optional(), to: day.optional() });

export const metrics = new Hono<AppEnv>()
  /**
   * Daily values, by metric: `{metrics: {name: [{day, value, expected, scale, z}]}}`, with the
   * detector's expected value, robust scale and z-score of each day (null where it did not score).
   */
  .get("/history", async (c) => {
    const companyId = companyOf(c);
    const q = validate(historyQuery, c.req.query(), "query");
    const where: SQL[] = [eq(goldMetrics.companyId, companyId)];
    if (q.metric) where.push(inArray(goldMetrics.metric, q.metric));
    if (q.from) where.push(gte(goldMetrics.day, q.from));
    if (q.to) where.push(lte(goldMetrics.day, q.to));
    const rows = await drizzle(c.env.DB)
      .select({ metric: goldMetrics.metric, day: goldMetrics.day, value: goldMetrics.value, expected: goldMetrics.expected, scale: goldMetrics.scale, z: goldMetrics.zscore, version: goldMetrics.metricSchemaVersion })
      .from(goldMetrics)
      .where(and(...where))
      .orderBy(asc(goldMetrics.metric), asc(goldMetrics.day));
    const out: Record<string, { day: string; value: number | null; expected: number | null; scale: number | null; z: number | null }[]> = {};
    for (const row of rows) (out[row.metric] ??= []).push({ day: row.day, value: row.value, expected: row.expected, scale: row.scale, z: row.z });
    return c.json({
      company_id: companyId,
      metric_schema_version: rows[0]?.version ?? null,
      units: Object.fromEntries(Object.keys(out).map((m) => [m, METRICS_BY_NAME.get(m as MetricName)?.unit ?? null])),
      metrics: out,
    });
  })
  /** The latest value of every metric. */
  .get("/current", async (c) => {
    const companyId = companyOf(c);
    const rows = await c.env.DB.prepare(
      `SELECT g.metric, g.day, g.value FROM gold_metrics g
       JOIN (SELECT metric, MAX(day) AS day FROM gold_metrics WHERE company_id = ? GROUP BY metric) m
         ON g.metric = m.metric AND g.day = m.day
       WHERE g.company_id = ?`,
    )
      .bind(companyId, companyId)
      .all<{ metric: string; day: string; value: number | null }>();
    const byName = new Map(rows.results.map((r) => [r.metric, r]));
    return c.json({
      company_id: companyId,
      metrics: GOLD_METRICS.filter((m) => byName.has(m.name)).map((m) => ({
        name: m.name,
        domain: m.domain,
        unit: m.unit,
        day: byName.get(m.name)!.day,
        value: byName.get(m.name)!.value,
      })),
    });
  });
