import { and, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import { applyMonitorEdit, THRESHOLD_RANGE } from "../../src/monitors/edit.ts";
import { addDays } from "../../src/time.ts";
import { companies, monitorAlerts, monitors as monitorsTable, scanRuns } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf, readJson, validate } from "../http.ts";
import { alertStats, alertView, monitorView } from "../monitors/store.ts";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a day as YYYY-MM-DD");
/** An active alert this recent (before the latest scanned day) turns a monitor yellow. */
const WARNING_DAYS = 7;

const listQuery = z.object({
  enabled: z.enum(["true", "false"]).optional(),
  metric: z.string().optional(),
});
const alertsQuery = z.object({
  status: z.enum(["active", "acknowledged", "dismissed"]).optional(),
  monitor_id: z.string().optional(),
  from: day.optional(),
  to: day.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const monitorPatch = z
  .object({
    enabled: z.boolean().optional(),
    threshold_z: z.number().min(THRESHOLD_RANGE.min).max(THRESHOLD_RANGE.max).optional(),
  })
  .strict()
  .refine((b) => b.enabled !== undefined || b.threshold_z !== undefined, { message: "must set enabled or threshold_z" });
const alertPatch = z.object({ status: z.enum(["active", "acknowledged", "dismissed"]) }).strict();

type MonitorState = "healthy" | "warning" | "triggered" | "disabled";

async function latestAsOf(db: D1Database, companyId: string): Promise<string | null> {
  const row = await drizzle(db)
    .select({ asOf: scanRuns.asOf })
    .from(companies)
    .innerJoin(scanRuns, eq(scanRuns.runId, companies.latestRunId))
    .where(eq(companies.companyId, companyId))
    .get();
  return row?.asOf ?? null;
}

export const monitors = new Hono<AppEnv>()
  /** The company's monitors with their state: green (healthy), yellow (warning), red (triggered), or disabled. */
  .get("/", async (c) => {
    const companyId = companyOf(c);
    const q = validate(listQuery, c.req.query(), "query");
    const orm = drizzle(c.env.DB);
    const where: SQL[] = [eq(monitorsTable.companyId, companyId)];
    if (q.enabled) where.push(eq(monitorsTable.enabled, q.enabled === "true"));
    if (q.metric) where.push(eq(monitorsTable.metricName, q.metric));
    const rows = await orm.select().from(monitorsTable).where(and(...where)).orderBy(monitorsTable.createdAt, monitorsTable.monitorId);
    const asOf = await latestAsOf(c.env.DB, companyId);
    const stats = new Map((await alertStats(orm, companyId)).map((s) => [s.monitorId, s]));
    const active = await orm
      .select()
      .from(monitorAlerts)
      .where(and(eq(monitorAlerts.companyId, companyId), eq(monitorAlerts.status, "active")))
      .orderBy(desc(monitorAlerts.triggeredAt))
      .limit(1000);
    const activeByMonitor = new Map<string, ReturnType<typeof alertView>[]>();
    for (const row of active) {
      const list = activeByMonitor.get(row.monitorId) ?? [];
      list.push(alertView(row));
      activeByMonitor.set(row.monitorId, list);
    }
    const warningFrom = asOf ? addDays(asOf, -WARNING_DAYS) : null;
    const view = rows.map((row) => {
      const monitor = monitorView(row);
      const mine = activeByMonitor.get(monitor.monitor_id) ?? [];
      const state: MonitorState = !monitor.enabled
        ? "disabled"
        : mine.some((a) => a.ongoing)
          ? "triggered"
          : mine.some((a) => warningFrom !== null && a.last_day >= warningFrom)
            ? "warning"
            : "healthy";
      const s = stats.get(monitor.monitor_id);
      return { ...monitor, state, edited_at: row.editedAt, last_checked: asOf, alert_count: Number(s?.total ?? 0), active_alert_count: Number(s?.active ?? 0), last_alert_at: s?.lastAlertAt ?? null };
    });
    return c.json({ company_id: companyId, as_of: asOf, monitors: view });
  })
  /** Monitor alerts, newest first. */
  .get("/alerts", async (c) => {
    const companyId = companyOf(c);
    const q = validate(alertsQuery, c.req.query(), "query");
    const where: SQL[] = [eq(monitorAlerts.companyId, companyId)];
    if (q.status) where.push(eq(monitorAlerts.status, q.status));
    if (q.monitor_id) where.push(eq(monitorAlerts.monitorId, q.monitor_id));
    if (q.from) where.push(gte(monitorAlerts.triggeredAt, q.from));
    if (q.to) where.push(lte(monitorAlerts.triggeredAt, q.to));
    const rows = await drizzle(c.env.DB)
      .select()
      .from(monitorAlerts)
      .where(and(...where))
      .orderBy(desc(monitorAlerts.triggeredAt), monitorAlerts.alertId)
      .limit(q.limit);
    return c.json({ company_id: companyId, alerts: rows.map(alertView) });
  })
  /** Acknowledge or dismiss an alert (or make it active again). Scans never overwrite this. */
  .patch("/alerts/:id/status", async (c) => {
    const { status } = await readJson(c, alertPatch);
    const orm = drizzle(c.env.DB);
    const id = c.req.param("id");
    const row = await orm.select().from(monitorAlerts).where(eq(monitorAlerts.alertId, id)).get();
    if (!row) throw new ApiError(404, "ALERT_NOT_FOUND", `No monitor alert with id ${id}`);
    const now = new Date().toISOString();
    const updated = await orm.update(monitorAlerts).set({ status, statusChangedAt: now }).where(eq(monitorAlerts.alertId, id)).returning().get();
    return c.json({ ...alertView(updated!), status_changed_at: now });
  })
  .get("/:id", async (c) => {
    const orm = drizzle(c.env.DB);
    const id = c.req.param("id");
    const row = await orm.select().from(monitorsTable).where(eq(monitorsTable.monitorId, id)).get();
    if (!row) throw new ApiError(404, "MONITOR_NOT_FOUND", `No monitor with id ${id}`);
    const alerts = await orm.select().from(monitorAlerts).where(eq(monitorAlerts.monitorId, id)).orderBy(desc(monitorAlerts.triggeredAt)).limit(50);
    return c.json({ ...monitorView(row), company_id: row.companyId, edited_at: row.editedAt, run_id: row.runId, alerts: alerts.map(alertView) });
  })
  /** Enable/disable a monitor or adjust its threshold; the next scan runs it that way. */
  .patch("/:id", async (c) => {
    const edit = await readJson(c, monitorPatch);
    const orm = drizzle(c.env.DB);
    const id = c.req.param("id");
    const row = await orm.select().from(monitorsTable).where(eq(monitorsTable.monitorId, id)).get();
    if (!row) throw new ApiError(404, "MONITOR_NOT_FOUND", `No monitor with id ${id}`);
    const next = applyMonitorEdit(monitorView(row), edit);
    const now = new Date().toISOString();
    await orm.update(monitorsTable).set({ enabled: next.enabled, thresholdZ: next.threshold_z, editedAt: now }).where(eq(monitorsTable.monitorId, id));
    return c.json({ ...next, company_id: row.companyId, edited_at: now, takes_effect: "on the next scan" });
  });

