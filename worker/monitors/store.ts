/**
 * Monitors and alerts in D1: how a scan's closed loop is stored without overwriting what
 * people changed, and how stored rows are read back as the contract's JSON.
 */
import { eq, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import { monitorCondition } from "../../src/monitors/condition.ts";
import { type Monitor, type MonitorAlert, monitorAlertSchema, monitorSchema } from "../../src/scan-contract.ts";
import { monitorAlerts, monitors } from "../db/schema.ts";

type MonitorRow = typeof monitors.$inferSelect;
type AlertRow = typeof monitorAlerts.$inferSelect;

/** The stored monitor with people's edits laid over the scan's fields (the condition follows the threshold). */
export function monitorView(row: MonitorRow): Monitor {
  const body = monitorSchema.parse(JSON.parse(row.bodyJson));
  return { ...body, enabled: row.enabled, threshold_z: row.thresholdZ, condition: monitorCondition(body.direction, row.thresholdZ) };
}

export function alertView(row: AlertRow): MonitorAlert & { run_id: string } {
  const body = monitorAlertSchema.parse(JSON.parse(row.bodyJson));
  return { ...body, status: row.status, run_id: row.runId };
}

/** Upserts of a scan's monitors and alerts, to run in the scan's D1 batches. */
export function closedLoopStatements(
  orm: DrizzleD1Database,
  companyId: string,
  runId: string,
  scan: { monitors: readonly Monitor[]; alerts: readonly MonitorAlert[] },
  now: string,
): BatchItem<"sqlite">[] {
  const statements: BatchItem<"sqlite">[] = [];
  for (const m of scan.monitors) {
    statements.push(
      orm
        .insert(monitors)
        .values({
          monitorId: m.monitor_id,
          companyId,
          metricName: m.metric_name,
          direction: m.direction,
          sourceIncidentId: m.source_incident_id,
          createdAt: m.created_at,
          enabled: m.enabled,
          thresholdZ: m.threshold_z,
          bodyJson: JSON.stringify(m),
          runId,
          updatedAt: now,
        })
        // enabled and threshold_z belong to people: a scan never overwrites them
        .onConflictDoUpdate({ target: monitors.monitorId, set: { bodyJson: JSON.stringify(m), runId, updatedAt: now } }),
    );
  }
  for (const a of scan.alerts) {
    statements.push(
      orm
        .insert(monitorAlerts)
        .values({
          alertId: a.alert_id,
          companyId,
          monitorId: a.monitor_id,
          triggeredAt: a.triggered_at,
          metricName: a.metric_name,
          severity: a.severity,
          precededIncidentId: a.preceded_incident_id,
          status: "active",
          bodyJson: JSON.stringify(a),
          runId,
          updatedAt: now,
        })
        // status belongs to people (acknowledged, dismissed)
        .onConflictDoUpdate({
          target: monitorAlerts.alertId,
          set: { severity: a.severity, precededIncidentId: a.preceded_incident_id, bodyJson: JSON.stringify(a), runId, updatedAt: now },
        }),
    );
  }
  return statements;
}

/** Every stored monitor of a company, with people's edits: the input of its next scan. */
export async function storedMonitors(orm: DrizzleD1Database, companyId: string): Promise<Monitor[]> {
  const rows = await orm.select().from(monitors).where(eq(monitors.companyId, companyId)).orderBy(monitors.createdAt, monitors.monitorId);
  return rows.map(monitorView);
}

/** Active alerts per monitor and the newest one, for the monitors list. */
export async function alertStats(orm: DrizzleD1Database, companyId: string) {
  return orm
    .select({
      monitorId: monitorAlerts.monitorId,
      total: sql<number>`count(*)`,
      active: sql<number>`sum(case when ${monitorAlerts.status} = 'active' then 1 else 0 end)`,
      lastAlertAt: sql<string | null>`max(${monitorAlerts.triggeredAt})`,
    })
    .from(monitorAlerts)
    .where(eq(monitorAlerts.companyId, companyId))
    .groupBy(monitorAlerts.monitorId);
}
