/**
 * Scan runs in D1: queued by the API or cron, run by the queue consumer, results stored as gold
 * metrics, incidents and the run manifest.
 */
import { and, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { BatchItem } from "drizzle-orm/batch";
import { METRIC_SCHEMA_VERSION, type MetricName } from "../../src/metrics/gold.ts";
import type { ScanOutput } from "../../src/scan.ts";
import { cascades, companies, goldMetrics, incidents, scanRuns } from "../db/schema.ts";
import { closedLoopStatements } from "../monitors/store.ts";

/** D1 allows 100 bound parameters per statement. */
const MAX_PARAMS = 100;
/** Statements per D1 batch call. */
const STATEMENTS_PER_BATCH = 50;

export type ScanTrigger = "api" | "cron" | "seed";

export interface ScanMessage {
  run_id: string;
  company_id: string;
  request_id: string;
  as_of?: string;
}

export async function createRun(db: D1Database, message: ScanMessage, trigger: ScanTrigger, now: string): Promise<void> {
  await drizzle(db).insert(scanRuns).values({
    runId: message.run_id,
    companyId: message.company_id,
    status: "queued",
    trigger,
    asOf: message.as_of ?? null,
    requestId: message.request_id,
    requestedAt: now,
  });
}

export async function markRunning(db: D1Database, runId: string, now: string): Promise<void> {
  await drizzle(db)
    .update(scanRuns)
    .set({ status: "running", startedAt: now, attempts: sql`${scanRuns.attempts} + 1`, error: null })
    .where(eq(scanRuns.runId, runId));
}

export async function failRun(db: D1Database, runId: string, error: string, now: string): Promise<void> {
  await drizzle(db).update(scanRuns).set({ status: "failed", finishedAt: now, error }).where(eq(scanRuns.runId, runId));
}

export async function noteRetry(db: D1Database, runId: string, error: string): Promise<void> {
  await drizzle(db).update(scanRuns).set({ status: "queued", error: `retrying after: ${error}` }).where(eq(scanRuns.runId, runId));
}

/** Writes the scan's gold metrics, incidents and cascades, then marks the run completed, in bounded batches. */
export async function storeScan(db: D1Database, companyId: string, output: ScanOutput, now: string): Promise<void> {
  const orm = drizzle(db);
  const runId = output.result.run_id;
  const statements: BatchItem<"sqlite">[] = [];

  const metricRows: (typeof goldMetrics.$inferInsert)[] = [];
  for (const [metric, series] of Object.entries(output.metrics)) {
    // What the detector saw each day, so the pages draw its band rather than re-deriving it.
    const scores = output.scores.get(metric as MetricName);
    output.days.forEach((day, i) => {
      const point = scores?.[i];
      metricRows.push({
        companyId,
        metric,
        day,
        value: series[i] ?? null,
        expected: finiteOrNull(point?.baseline),
        scale: finiteOrNull(point?.scale),
        zscore: finiteOrNull(point?.z),
        metricSchemaVersion: METRIC_SCHEMA_VERSION,
        runId,
      });
    });
  }
  for (const chunk of chunks(metricRows, Math.floor(MAX_PARAMS / 9))) {
    statements.push(
      orm
        .insert(goldMetrics)
        .values(chunk)
        .onConflictDoUpdate({
          target: [goldMetrics.companyId, goldMetrics.metric, goldMetrics.day],
          set: {
            value: sql`excluded.value`,
            expected: sql`excluded.expected`,
            scale: sql`excluded.scale`,
            zscore: sql`excluded.zscore`,
            metricSchemaVersion: sql`excluded.metric_schema_version`,
            runId: sql`excluded.run_id`,
          },
        }),
    );
  }

  for (const incident of output.result.incidents) {
    statements.push(
      orm
        .insert(incidents)
        .values({
          incidentId: incident.incident_id,
          companyId,
          runId,
          firstRunId: runId,
          incidentType: incident.incident_type,
          severity: incident.severity,
          confidence: incident.confidence,
          detectedAt: incident.detected_at,
          windowStart: incident.incident_window_start,
          windowEnd: incident.incident_window_end,
          primaryMetric: incident.primary_metric,
          cascadeId: incident.cascade_id,
          status: "open",
          bodyJson: JSON.stringify(incident),
          updatedAt: now,
        })
        .onConflictDoUpdate({
          target: incidents.incidentId,
          // status and first_run_id belong to people and history: never overwritten by a scan
          set: {
            runId,
            severity: incident.severity,
            confidence: incident.confidence,
            detectedAt: incident.detected_at,
            windowStart: incident.incident_window_start,
            windowEnd: incident.incident_window_end,
            primaryMetric: incident.primary_metric,
            cascadeId: incident.cascade_id,
            bodyJson: JSON.stringify(incident),
            updatedAt: now,
          },
        }),
    );
  }

  for (const cascade of output.result.cascades) {
    const row = {
      runId,
      rootIncidentId: cascade.root_incident_id,
      detectedAt: cascade.detected_at,
      cascadeScore: cascade.cascade_score,
      bodyJson: JSON.stringify(cascade),
      updatedAt: now,
    };
    statements.push(orm.insert(cascades).values({ cascadeId: cascade.cascade_id, companyId, ...row }).onConflictDoUpdate({ target: cascades.cascadeId, set: row }));
  }

  // Monitors and alerts: upserted without touching what people changed.
  statements.push(...closedLoopStatements(orm, companyId, runId, output.result, now));

  statements.push(
    orm
      .update(scanRuns)
      .set({
        status: "completed",
        finishedAt: now,
        error: null,
        incidentCount: output.result.incidents.length,
        manifestJson: JSON.stringify(output.result.manifest),
        asOf: output.result.manifest.as_of,
      })
      .where(eq(scanRuns.runId, runId)),
    orm
      .insert(companies)
      .values({ companyId, createdAt: now, latestRunId: runId, latestRunAt: now })
      .onConflictDoUpdate({ target: companies.companyId, set: { latestRunId: runId, latestRunAt: now } }),
  );

  for (const group of chunks(statements, STATEMENTS_PER_BATCH)) {
    await orm.batch(group as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  }
}

export async function getRun(db: D1Database, runId: string) {
  return drizzle(db).select().from(scanRuns).where(eq(scanRuns.runId, runId)).get();
}

export async function latestRunId(db: D1Database, companyId: string): Promise<string | null> {
  const row = await drizzle(db).select({ id: companies.latestRunId }).from(companies).where(and(eq(companies.companyId, companyId))).get();
  return row?.id ?? null;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function finiteOrNull(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}
