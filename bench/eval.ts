/**
 * `npm run eval`: detection and root-cause quality of the engine on simulated businesses whose
 * truth is known. For N seeds of every scenario family it simulates the business, scans it
 * in-process (same validation, ledger and `runScan` as `bre scan`), scores the scan against the
 * labels, and prints the table, once per detection configuration of the ablation (spec 7.5).
 *
 *   npx tsx bench/eval.ts [--seeds 10] [--seed-offset 0] [--scenarios a,b] [--profile standard|demo] [--write] [--details out.json] [--detection JSON]
 *
 * Seeds run from offset + 1 to offset + N: `--seeds 10` is seeds 1–10 (the standard table),
 * `--seeds 10 --seed-offset 100` seeds 101–110 (never looked at while tuning, a held-out set).
 *
 * --detection takes DetectionConfig fields as JSON, to try a setting against the defaults.
 * --write replaces this harness's section of BENCHMARKS.md with the table, the command and the date.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_DETECTION_CONFIG, type ScoreTable } from "../src/detect/detect.ts";
import { RULES_BY_TYPE } from "../src/detect/rules.ts";
import { effectRatios, SMALL_EFFECT } from "../src/eval/effect-size.ts";
import { type RunScore, scoreRun, type Summary, summarize } from "../src/eval/score.ts";
import type { DetectionMethod } from "../src/scan-contract.ts";
import { CAPABILITIES, type ScanConfig } from "../src/scan.ts";
import { DEMO_PROFILE, type Labels, SCENARIO_NAMES, SCENARIOS, simulate } from "../src/sim/index.ts";
import { writeBenchmarksSection } from "./lib/benchmarks-section.ts";
import { loadSimulated, scanLoaded } from "./scan-simulated.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

export const ABLATION: { name: string; methods: DetectionMethod[] }[] = [
  { name: "MAD only", methods: ["mad_zscore"] },
  { name: "+ isolation forest", methods: ["mad_zscore", "isolation_forest"] },
  { name: "+ change points", methods: ["mad_zscore", "isolation_forest", "changepoint"] },
];

interface Row {
  scenario: string;
  family: string;
  scores: RunScore[];
  misses: Miss[];
  /** Each expected incident's realized effect size (src/eval/effect-size.ts) and whether it was detected. */
  effects: { ratio: number | null; detected: boolean }[];
}

/** An expected incident the scan did not report, with the strongest z its trigger metrics reached. */
interface Miss {
  scenario: string;
  seed: number;
  incident_type: string;
  onset: string;
  metric: string;
  max_z: number | null;
  day: string | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seeds: { type: "string", default: "10" },
      "seed-offset": { type: "string", default: "0" },
      scenarios: { type: "string" },
      profile: { type: "string", default: "standard" },
      write: { type: "boolean", default: false },
      details: { type: "string" },
      ablation: { type: "string" },
      detection: { type: "string" },
    },
  });
  const seeds = Number(values.seeds);
  if (!Number.isInteger(seeds) || seeds < 1) throw new Error("--seeds must be a positive integer");
  const offset = Number(values["seed-offset"]);
  if (!Number.isInteger(offset) || offset < 0) throw new Error("--seed-offset must be a non-negative integer");
  const names = values.scenarios ? values.scenarios.split(",") : [...SCENARIO_NAMES];
  for (const n of names) if (!SCENARIO_NAMES.includes(n as never)) throw new Error(`unknown scenario ${n}`);
  if (values.profile !== "standard" && values.profile !== "demo") throw new Error("--profile must be standard or demo");
  // Layers that this build does not implement would only repeat the MAD row.
  const configs = ABLATION.filter((a, k) => (values.ablation ? values.ablation.split(",").includes(String(k)) : k === 0 || CAPABILITIES.layeredDetection));

  // --detection '{"mergeGapDays":2}': DetectionConfig fields to try instead of the defaults.
  const overrides = values.detection ? detectionOverrides(values.detection) : {};
  const started = performance.now();
  const rows = new Map<string, Row[]>(configs.map((c) => [c.name, []]));
  let events = 0;
  for (const name of names) {
    const family = SCENARIOS.find((s) => s.name === name)!.family;
    const perConfig = new Map<string, RunScore[]>(configs.map((c) => [c.name, []]));
    const missesPerConfig = new Map<string, Miss[]>(configs.map((c) => [c.name, []]));
    const effectsPerConfig = new Map<string, Row["effects"]>(configs.map((c) => [c.name, []]));
    for (let seed = offset + 1; seed <= offset + seeds; seed++) {
      const run = simulate({ scenario: name, seed, qbo: false, ...(values.profile === "demo" ? { profile: DEMO_PROFILE, profileName: "demo" } : {}) });
      events += run.events.length;
      const loaded = loadSimulated(run.events);
      if (loaded.rejected > 0) throw new Error(`${name} seed ${seed}: ${loaded.rejected} events rejected by validateEvent`);
      const ratios = effectRatios(run.labels, run.events as Parameters<typeof effectRatios>[1]);
      for (const c of configs) {
        const config: ScanConfig = { detection: { ...DEFAULT_DETECTION_CONFIG, ...overrides, methods: c.methods } };
        const { result, scores, days } = await scanLoaded(loaded, config);
        // LOW-confidence incidents are review flags, not detections (docs/decisions.md, "Fusion").
        const score = scoreRun(run.labels, { ...result, incidents: result.incidents.filter((i) => i.confidence !== "LOW") });
        perConfig.get(c.name)!.push(score);
        for (const e of score.expected) effectsPerConfig.get(c.name)!.push({ ratio: ratios.get(e.label_id) ?? null, detected: e.detected });
        for (const missed of score.expected.filter((e) => !e.detected)) {
          const label = run.labels.incidents.find((l) => l.id === missed.label_id)!;
          missesPerConfig.get(c.name)!.push(strongestZ(name, seed, label, scores, days));
        }
      }
    }
    for (const c of configs) rows.get(c.name)!.push({ scenario: name, family, scores: perConfig.get(c.name)!, misses: missesPerConfig.get(c.name)!, effects: effectsPerConfig.get(c.name)! });
    process.stderr.write(`${name}: ${seeds} seeds (${Math.round((performance.now() - started) / 1000)} s)\n`);
  }
  const seconds = (performance.now() - started) / 1000;

  const command = `npm run eval -- --seeds ${seeds}${offset > 0 ? ` --seed-offset ${offset}` : ""}${values.scenarios ? ` --scenarios ${values.scenarios}` : ""}${values.profile !== "standard" ? ` --profile ${values.profile}` : ""}${values.detection ? ` --detection '${values.detection}'` : ""}`;
  const markdown = renderMarkdown(rows, { seeds, offset, profile: values.profile!, command, seconds, events });
  process.stdout.write(markdown);
  if (values.details) writeFileSync(values.details, `${JSON.stringify(Object.fromEntries(rows), null, 1)}\n`);
  if (values.write) writeBenchmarks(markdown, offset > 0 ? `${values.profile!}-heldout` : values.profile!);
}

/** `--detection` JSON: an object of DetectionConfig fields, nothing else. */
function detectionOverrides(text: string): Partial<typeof DEFAULT_DETECTION_CONFIG> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--detection: not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("--detection: must be a JSON object of DetectionConfig fields");
  const unknown = Object.keys(parsed).filter((k) => !(k in DEFAULT_DETECTION_CONFIG));
  if (unknown.length > 0) throw new Error(`--detection: unknown field ${unknown.join(", ")} (fields: ${Object.keys(DEFAULT_DETECTION_CONFIG).join(", ")})`);
  if ("methods" in parsed) throw new Error("--detection: methods is set by the ablation rows (use --ablation)");
  return parsed as Partial<typeof DEFAULT_DETECTION_CONFIG>;
}

/** The largest |z| (in the rule's direction) any trigger of the label's type reached from onset to cause end + 7 days. */
function strongestZ(scenario: string, seed: number, label: Labels["incidents"][number], scores: ScoreTable, days: string[]): Miss {
  const rule = RULES_BY_TYPE.get(label.incident_type)!;
  const from = days.indexOf(label.onset);
  const to = Math.min(days.length - 1, from + label.duration_days + 7);
  let best: Miss = { scenario, seed, incident_type: label.incident_type, onset: label.onset, metric: rule.triggers[0]!.metric, max_z: null, day: null };
  for (const trigger of rule.triggers) {
    const series = scores.get(trigger.metric) ?? [];
    for (let i = Math.max(0, from); i <= to; i++) {
      const z = series[i]?.z;
      if (z === null || z === undefined) continue;
      const signed = trigger.direction === "up" ? z : -z;
      if (best.max_z === null || signed > best.max_z) best = { ...best, metric: trigger.metric, max_z: Math.round(signed * 100) / 100, day: days[i]! };
    }
  }
  return best;
}

const pct = (v: number | null) => (v === null ? "—" : `${(100 * v).toFixed(0)} %`);
const num = (v: number | null, digits = 1) => (v === null ? "—" : v.toFixed(digits));

function renderMarkdown(rows: Map<string, Row[]>, meta: { seeds: number; offset: number; profile: string; command: string; seconds: number; events: number }): string {
  const out: string[] = [];
  const date = new Date().toISOString().slice(0, 10);
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    // Outside a git checkout the table still prints.
  }
  out.push(`Command: \`${meta.command}\` — ${date}, commit ${commit}, ${meta.seeds} seeds per scenario (${meta.offset + 1}–${meta.offset + meta.seeds}), ${meta.profile} business, ${meta.events.toLocaleString("en-US")} events simulated and scanned in ${meta.seconds.toFixed(0)} s (in-process \`runScan\` + \`MemoryLedger\`, the \`bre scan\` path).`);
  out.push("");
  out.push("| Detection | Recall | Precision | Delay median (days) | Delay p90 | Effect delay median / p90 | FP / 30 days (controls) | RCA top-1 | RCA top-3 | Cascade lag in window | Cascade linked by engine |");
  out.push("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const [name, configRows] of rows) {
    const s = summarize(configRows.flatMap((r) => r.scores));
    out.push(`| ${name} | ${pct(s.recall)} (${s.detected}/${s.expected}) | ${pct(s.precision)} | ${num(s.delay_median, 0)} | ${num(s.delay_p90, 0)} | ${num(s.effect_delay_median, 0)} / ${num(s.effect_delay_p90, 0)} | ${num(s.fp_per_30_days, 2)} | ${pct(s.rca_top1)} | ${pct(s.rca_top3)} | ${pct(s.cascades_lag_in_window)} | ${pct(s.cascades_linked)} |`);
  }
  const skipped = ABLATION.filter((a) => !rows.has(a.name)).map((a) => a.name);
  if (skipped.length > 0 && !CAPABILITIES.layeredDetection) out.push(`| ${skipped.join(", ")} | not run: this build has no layered detection (\`CAPABILITIES.layeredDetection\` is false), the row would repeat MAD only | | | | | | | | | |`);
  out.push("");
  out.push(`Recall by realized effect size: the events an injection added over its incident's window (at least 7 days), as a share of the normal count of such events in the 30 days before (\`src/eval/effect-size.ts\`; a diagnostic, every planned incident stays expected):`);
  out.push("");
  out.push(`| Detection | Effect ≥ ${SMALL_EFFECT} × normal | Effect < ${SMALL_EFFECT} × normal | No comparable count (margin, liquidity) |`);
  out.push("|---|---|---|---|");
  for (const [name, configRows] of rows) {
    const effects = configRows.flatMap((r) => r.effects);
    const cell = (keep: (ratio: number | null) => boolean) => {
      const picked = effects.filter((e) => keep(e.ratio));
      const hit = picked.filter((e) => e.detected).length;
      return picked.length === 0 ? "—" : `${pct(hit / picked.length)} (${hit}/${picked.length})`;
    };
    out.push(`| ${name} | ${cell((r) => r !== null && r >= SMALL_EFFECT)} | ${cell((r) => r !== null && r < SMALL_EFFECT)} | ${cell((r) => r === null)} |`);
  }
  out.push("");
  for (const [name, configRows] of rows) {
    out.push(`Per scenario, ${name}:`);
    out.push("");
    out.push("| Scenario | Family | Recall | Precision | Delay median / p90 | Effect delay median / p90 | FP / 30 days | RCA top-1 / top-3 | Cascade lag in window |");
    out.push("|---|---|---|---|---|---|---|---|---|");
    for (const row of configRows) {
      const s: Summary = summarize(row.scores);
      const fp = row.family === "control" ? num(s.fp_per_30_days, 2) : num((row.scores.reduce((n, r) => n + r.false_positives.length, 0) / row.scores.reduce((n, r) => n + r.days, 0)) * 30, 2);
      out.push(
        `| ${row.scenario} | ${row.family} | ${row.family === "control" ? "—" : `${pct(s.recall)} (${s.detected}/${s.expected})`} | ${row.family === "control" ? "—" : pct(s.precision)} | ${num(s.delay_median, 0)} / ${num(s.delay_p90, 0)} | ${num(s.effect_delay_median, 0)} / ${num(s.effect_delay_p90, 0)} | ${fp} | ${pct(s.rca_top1)} / ${pct(s.rca_top3)} | ${s.cascades === 0 ? "—" : pct(s.cascades_lag_in_window)} |`,
      );
    }
    out.push("");
    const fps = configRows.flatMap((r) => r.scores.flatMap((sc) => sc.false_positives));
    if (fps.length > 0) {
      const byMetric = new Map<string, { count: number; weekdays: number[] }>();
      for (const f of fps) {
        const key = `${f.incident_type} / ${f.primary_metric}`;
        const entry = byMetric.get(key) ?? { count: 0, weekdays: [0, 0, 0, 0, 0, 0, 0] };
        entry.count++;
        entry.weekdays[new Date(`${f.detected_at}T00:00:00Z`).getUTCDay()]!++;
        byMetric.set(key, entry);
      }
      const names = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
      out.push(`False positives by trigger metric, ${name} (all runs; the weekday on which most were first detected):`);
      out.push("");
      out.push("| Incident / metric | False positives | Most on |");
      out.push("|---|---|---|");
      for (const [key, v] of [...byMetric].sort((a, b) => b[1].count - a[1].count)) {
        const top = v.weekdays.indexOf(Math.max(...v.weekdays));
        out.push(`| ${key} | ${v.count} | ${names[top]} (${Math.round((100 * v.weekdays[top]!) / v.count)} %) |`);
      }
      out.push("");
    }
    const misses = configRows.flatMap((r) => r.misses);
    if (misses.length > 0) {
      out.push(`Missed expected incidents, ${name} (strongest z of the type's trigger metrics from onset to 7 days after the cause ends; the rule needs z above 3, or 2.5 for churn and reviews):`);
      out.push("");
      out.push("| Scenario | Seed | Incident | Onset | Metric | Max z | On |");
      out.push("|---|---|---|---|---|---|---|");
      for (const m of misses) out.push(`| ${m.scenario} | ${m.seed} | ${m.incident_type} | ${m.onset} | ${m.metric} | ${m.max_z ?? "not scorable"} | ${m.day ?? "—"} |`);
      out.push("");
    }
  }
  return `${out.join("\n")}\n`;
}

function writeBenchmarks(markdown: string, profile: string): void {
  writeBenchmarksSection(`eval-${profile}`, markdown);
  process.stderr.write(`wrote the ${profile} table into BENCHMARKS.md\n`);
}

await main();
