import { randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import type { RecordFormat } from "../../src/connectors/files/records.ts";
import { runScan } from "../../src/scan.ts";
import { FileEvidence } from "../file-evidence.ts";
import { loadEventsFile } from "../load-events.ts";
import { loadMonitorsFile } from "../load-monitors.ts";
import { UsageError } from "../main.ts";

const HELP = `Usage: bre scan --events <file.ndjson|file.json|file.csv> [--json] [--as-of YYYY-MM-DD] [--company <id>] [--monitors <file.json>]

Runs the Reliability Scan (a day-by-day backtest) over a file of canonical events and prints
the result. With --json, prints exactly one JSON document on stdout; logs go to stderr.
--monitors runs monitors stored from an earlier scan (its JSON output, or a JSON array of
monitors, with any edits such as "enabled": false or a new "threshold_z") on this one.
`;

export async function scanCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string" },
      json: { type: "boolean", default: false },
      "as-of": { type: "string" },
      company: { type: "string", default: "local" },
      format: { type: "string" },
      monitors: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.events) throw new UsageError(`--events <file> is required\n\n${HELP}`);
  if (values["as-of"] && !/^\d{4}-\d{2}-\d{2}$/.test(values["as-of"])) throw new UsageError("--as-of must be YYYY-MM-DD");
  if (values.format && !["ndjson", "json", "csv"].includes(values.format)) throw new UsageError("--format must be ndjson, json or csv");

  const started = performance.now();
  const loaded = await loadEventsFile(values.events, {
    format: values.format as RecordFormat | undefined,
    ingestedAt: new Date().toISOString(),
  });
  log(`read ${loaded.records} records: ${loaded.accepted} accepted, ${loaded.duplicates} duplicates, ${loaded.rejections.length} rejected (${Math.round(performance.now() - started)} ms)`);
  for (const r of loaded.rejections.slice(0, 20)) log(`  rejected record ${r.index}${r.event_id ? ` (${r.event_id})` : ""}: ${r.field} ${r.reason}`);
  if (loaded.rejections.length > 20) log(`  … and ${loaded.rejections.length - 20} more`);

  const monitors = values.monitors ? await loadMonitorsFile(values.monitors) : undefined;
  if (monitors) log(`running ${monitors.length} stored monitors from ${values.monitors}`);
  const { result } = await runScan({
    companyId: values.company!,
    runId: `run_${randomUUID()}`,
    ledger: loaded.ledger.snapshot(),
    evidence: loaded.evidence,
    asOf: values["as-of"],
    clock: () => new Date(),
    monitors,
  });
  if (loaded.evidence instanceof FileEvidence) loaded.evidence.close();
  log(`scanned ${result.manifest.days_scanned} days: ${result.incidents.length} incidents, ${result.monitors.length} monitors, ${result.alerts.length} alerts (${Math.round(performance.now() - started)} ms total)`);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    for (const i of result.incidents) {
      process.stdout.write(`${i.detected_at}  ${i.incident_type.padEnd(34)} ${i.severity.padEnd(8)} ${i.primary_metric} z=${i.primary_metric_zscore}  window ${i.incident_window_start}..${i.incident_window_end}\n`);
      const top = i.causal_chain.paths[0];
      if (top) process.stdout.write(`            root cause: ${top.nodes.map((n) => n.metric_name).join(" → ")}; ${i.blast_radius.narrative}\n`);
    }
    if (result.incidents.length === 0) process.stdout.write("no incidents\n");
    for (const c of result.cascades) {
      process.stdout.write(`cascade ${c.cascade_id}: ${c.cascade_path.join(" → ")} (score ${c.cascade_score.toFixed(2)}, from ${c.detected_at})\n`);
    }
    for (const a of result.alerts) {
      const ahead = a.preceded_incident_id ? `  ${a.lead_days} days before ${a.preceded_incident_id}` : "";
      process.stdout.write(`${a.triggered_at}  alert ${a.metric_name} z=${a.zscore} (${a.threshold})${ahead}\n`);
    }
  }
  return 0;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
