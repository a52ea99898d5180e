import { randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { RecordFormat } from "../../src/connectors/files/records.ts";
import { renderPostmortemMarkdown } from "../../src/report/markdown.ts";
import { renderPostmortemPdf } from "../../src/report/pdf.ts";
import { buildPostmortem } from "../../src/report/postmortem.ts";
import { DEFAULT_SCAN_CONFIG, runScan } from "../../src/scan.ts";
import { loadEventsFile } from "../load-events.ts";
import { loadMonitorsFile } from "../load-monitors.ts";
import { UsageError } from "../main.ts";

const HELP = `Usage: bre postmortem --events <file> [--incident <id>] [--format md|json|pdf] [--out <file>]
                       [--monitors <file.json>] [--as-of YYYY-MM-DD] [--generated-at <ISO time>] [--run-id <id>]

Scans the events and writes the postmortem of one incident (default: the most recently detected).
Markdown and JSON go to stdout unless --out is given; a PDF needs --out. --generated-at fixes the
time stamped on the document and --run-id the scan's id, so the same events give the same bytes.
`;

export async function postmortemCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      events: { type: "string" },
      incident: { type: "string" },
      format: { type: "string", default: "md" },
      out: { type: "string" },
      monitors: { type: "string" },
      "as-of": { type: "string" },
      "generated-at": { type: "string" },
      "run-id": { type: "string" },
      company: { type: "string", default: "local" },
      "events-format": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.events) throw new UsageError(`--events <file> is required\n\n${HELP}`);
  if (!["md", "json", "pdf"].includes(values.format!)) throw new UsageError("--format must be md, json or pdf");
  if (values.format === "pdf" && !values.out) throw new UsageError("a PDF needs --out <file.pdf>");
  if (values["as-of"] && !/^\d{4}-\d{2}-\d{2}$/.test(values["as-of"])) throw new UsageError("--as-of must be YYYY-MM-DD");
  const generatedAt = values["generated-at"] ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(generatedAt))) throw new UsageError("--generated-at must be an ISO 8601 time");

  const loaded = await loadEventsFile(values.events, { format: values["events-format"] as RecordFormat | undefined, ingestedAt: new Date().toISOString() });
  const { result } = await runScan({
    companyId: values.company!,
    runId: values["run-id"] ?? `run_${randomUUID()}`,
    ledger: loaded.ledger.snapshot(),
    evidence: loaded.evidence,
    asOf: values["as-of"],
    clock: () => new Date(),
    monitors: values.monitors ? await loadMonitorsFile(values.monitors) : undefined,
  });
  if (result.incidents.length === 0) throw new Error("the scan found no incident, so there is no postmortem to write");
  const latest = [...result.incidents].sort((a, b) => (a.detected_at < b.detected_at ? 1 : a.detected_at > b.detected_at ? -1 : a.incident_id < b.incident_id ? -1 : 1))[0]!;
  const incident = values.incident ? result.incidents.find((i) => i.incident_id === values.incident) : latest;
  if (!incident) {
    throw new Error(`no incident ${values.incident} in this scan; incidents: ${result.incidents.map((i) => `${i.incident_id} (${i.incident_type}, ${i.detected_at})`).join(", ")}`);
  }
  const pm = buildPostmortem({
    incident,
    incidents: result.incidents,
    cascades: result.cascades,
    monitors: result.monitors,
    alerts: result.alerts,
    runId: result.run_id,
    asOf: result.manifest.as_of ?? incident.incident_window_end,
    generatedAt,
    mergeGapDays: DEFAULT_SCAN_CONFIG.detection.mergeGapDays,
  });
  const output: string | Uint8Array =
    values.format === "pdf" ? await renderPostmortemPdf(pm) : values.format === "json" ? `${JSON.stringify(pm, null, 2)}\n` : renderPostmortemMarkdown(pm);
  if (values.out) {
    await writeFile(values.out, output);
    process.stderr.write(`wrote the postmortem of ${incident.incident_id} (${incident.incident_type}, ${incident.detected_at}) to ${values.out}\n`);
  } else {
    process.stdout.write(output);
  }
  return 0;
}
