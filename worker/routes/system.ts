import { Hono } from "hono";
import { DEFAULT_SCAN_CONFIG, ENGINE_VERSION, SCAN_SCHEMA_VERSION, CAPABILITIES } from "../../src/scan.ts";
import { SCHEMA_VERSION, EVENT_TYPES } from "../../src/events/canonical.ts";
import { GOLD_METRICS, METRIC_SCHEMA_VERSION } from "../../src/metrics/gold.ts";
import { INCIDENT_RULES } from "../../src/detect/rules.ts";
import { type AppEnv, isProduction, numberVar } from "../env.ts";
import { companyLog } from "../http.ts";
import { MAX_LISTED_REJECTIONS } from "../ingest/upload.ts";

interface Check {
  ok: boolean;
  latency_ms: number;
  detail?: string;
}

async function check(probe: () => Promise<unknown>): Promise<Check> {
  const started = Date.now();
  try {
    const detail = await probe();
    return { ok: true, latency_ms: Date.now() - started, ...(typeof detail === "string" ? { detail } : {}) };
  } catch (error) {
    return { ok: false, latency_ms: Date.now() - started, detail: (error as Error).message };
  }
}

export const system = new Hono<AppEnv>()
  /** Each binding checked for real; 503 when any is down. */
  .get("/health", async (c) => {
    const env = c.env;
    const checks = {
      d1: await check(async () => {
        const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM companies").first<{ n: number }>();
        return `${row?.n ?? 0} companies`;
      }),
      r2_bronze: await check(() => env.BRONZE.head("health-probe")),
      r2_exports: await check(() => env.EXPORTS.head("health-probe")),
      company_log: await check(async () => {
        const stats = await companyLog(env, "__health__").stats();
        return `sqlite ok (${stats.events} events in probe log)`;
      }),
      scan_queue: await check(async () => {
        if (typeof env.SCAN_QUEUE?.send !== "function") throw new Error("SCAN_QUEUE binding missing");
        return "producer bound";
      }),
      assets: await check(async () => {
        const response = await env.ASSETS.fetch(new Request("http://assets.local/index.html"));
        if (!response.ok) throw new Error(`workspace pages not built (GET /index.html → ${response.status}); run npm run build`);
        return "pages built";
      }),
    };
    const ok = Object.values(checks).every((x) => x.ok);
    const lastScan = await env.DB.prepare("SELECT MAX(finished_at) AS t FROM scan_runs WHERE status = 'completed'")
      .first<{ t: string | null }>()
      .catch(() => null);
    return c.json(
      {
        status: ok ? "ok" : "degraded",
        version: ENGINE_VERSION,
        environment: env.ENVIRONMENT,
        time: new Date().toISOString(),
        last_scan_at: lastScan?.t ?? null,
        checks,
      },
      ok ? 200 : 503,
    );
  })
  /** Versions, thresholds and limits in force: what a scan will do, without secrets. */
  .get("/config", (c) =>
    c.json({
      engine_version: ENGINE_VERSION,
      environment: c.env.ENVIRONMENT,
      production: isProduction(c.env),
      schema_versions: { canonical: SCHEMA_VERSION, metrics: METRIC_SCHEMA_VERSION, scan: SCAN_SCHEMA_VERSION },
      capabilities: CAPABILITIES,
      detection: DEFAULT_SCAN_CONFIG.detection,
      incident_rules: INCIDENT_RULES.map((r) => ({
        type: r.type,
        triggers: r.triggers.map((t) => ({ ...t, zThreshold: Number.isFinite(t.zThreshold) ? t.zThreshold : null })),
        // What a firing day must also show, and what may open the rule short of its threshold.
        checks: { count: r.countCheck ?? null, product_cluster: r.concentration ?? null, unit_costs: r.unitCosts ?? null, opener: r.opener ?? null },
        evidence: r.evidence,
      })),
      metrics: GOLD_METRICS.map(({ name, domain, unit, formula, sources }) => ({ name, domain, unit, formula, sources })),
      event_types: EVENT_TYPES,
      limits: {
        max_upload_bytes: numberVar(c.env.MAX_UPLOAD_BYTES, 104_857_600),
        max_listed_rejections: MAX_LISTED_REJECTIONS,
        token_ttl_seconds: numberVar(c.env.TOKEN_TTL_SECONDS, 3600),
      },
    }),
  );
