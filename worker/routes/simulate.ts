import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { Hono } from "hono";
import { z } from "zod";
import { runWhatIf, WHATIF_LIMITS } from "../../src/analyze/whatif.ts";
import { DEFAULT_WHATIF_CONFIG, DEFAULT_WHATIF_MODEL } from "../../src/analyze/whatif-model.ts";
import { type GoldMetrics, METRIC_NAMES, type MetricName } from "../../src/metrics/gold.ts";
import { dayRange } from "../../src/time.ts";
import { goldMetrics, scanRuns, simulations } from "../db/schema.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { companyOf, readJson } from "../http.ts";
import { latestRunId } from "../scan/store.ts";

const simulateRequest = z
  .object({
    perturbations: z
      .array(
        z
          .object({
            metric: z.enum(METRIC_NAMES, { error: (i) => `'${String(i.input)}' is not a gold metric` }),
            change_pct: z.number().min(WHATIF_LIMITS.minPct).max(WHATIF_LIMITS.maxPct),
          })
          .strict(),
      )
      .min(1)
      .max(WHATIF_LIMITS.maxPerturbations)
      .refine((ps) => new Set(ps.map((p) => p.metric)).size === ps.length, { message: "names a metric twice" }),
    horizon_days: z.number().int().min(1).max(WHATIF_LIMITS.maxHorizonDays).default(DEFAULT_WHATIF_CONFIG.horizonDays),
  })
  .strict();

export const simulate = new Hono<AppEnv>()
  /** Runs a what-if scenario on the company's gold metrics as its latest scan computed them. */
  .post("/", async (c) => {
    const companyId = companyOf(c);
    const request = await readJson(c, simulateRequest);
    const orm = drizzle(c.env.DB);
    const runId = await latestRunId(c.env.DB, companyId);
    const run = runId ? await orm.select().from(scanRuns).where(eq(scanRuns.runId, runId)).get() : undefined;
    const manifest = run?.manifestJson ? (JSON.parse(run.manifestJson) as { first_day: string | null; as_of: string | null }) : null;
    if (!runId || !manifest?.first_day || !manifest.as_of) {
      throw new ApiError(409, "NO_SCAN", `Company ${companyId} has no completed scan with metrics; run POST /v1/scan first`);
    }
    const days = dayRange(manifest.first_day, manifest.as_of);
    const index = new Map(days.map((d, i) => [d, i]));
    const metrics = Object.fromEntries(METRIC_NAMES.map((m) => [m, days.map(() => null as number | null)])) as unknown as GoldMetrics;
    const rows = await orm.select({ metric: goldMetrics.metric, day: goldMetrics.day, value: goldMetrics.value }).from(goldMetrics).where(eq(goldMetrics.companyId, companyId));
    for (const row of rows) {
      const i = index.get(row.day);
      if (i !== undefined && row.metric in metrics) metrics[row.metric as MetricName][i] = row.value;
    }
    let scenario;
    try {
      scenario = runWhatIf({
        scope: `${companyId}/${runId}`,
        days,
        metrics,
        perturbations: request.perturbations,
        model: DEFAULT_WHATIF_MODEL,
        config: { ...DEFAULT_WHATIF_CONFIG, horizonDays: request.horizon_days },
      });
    } catch (error) {
      // The request was valid; what is left is history too short to simulate from.
      throw new ApiError(422, "CANNOT_SIMULATE", (error as Error).message.replace(/^runWhatIf: /, ""));
    }
    const now = new Date().toISOString();
    const stored = { ...scenario, company_id: companyId, run_id: runId, created_at: now };
    await orm
      .insert(simulations)
      .values({ scenarioId: scenario.scenario_id, companyId, runId, requestJson: JSON.stringify(request), bodyJson: JSON.stringify(stored), createdAt: now })
      .onConflictDoUpdate({ target: simulations.scenarioId, set: { bodyJson: JSON.stringify(stored), createdAt: now } });
    return c.json(stored, 201);
  })
  .get("/:id", async (c) => {
    const row = await drizzle(c.env.DB).select().from(simulations).where(eq(simulations.scenarioId, c.req.param("id"))).get();
    if (!row) throw new ApiError(404, "SCENARIO_NOT_FOUND", `No simulation with id ${c.req.param("id")}`);
    return c.json(JSON.parse(row.bodyJson) as unknown);
  });
