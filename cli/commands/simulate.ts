import { createWriteStream, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateDemoCompany, SCENARIO_NAMES, type SimEvent, simulateStream } from "../../src/sim/index.ts";
import { UsageError } from "../main.ts";

const HELP = `Usage: bre simulate --scenario <name> --seed <n> [--days <d>] [--start <YYYY-MM-DD>] --out <dir> [--qbo]
                    [--onset <day>] [--duration <days>] [--magnitude <x>]

Simulates a small business (seeded, deterministic) and writes into <dir>:
  events.ndjson   canonical events, one per line, in time order
  labels.json     ground truth: injected incidents, onsets, root causes, cascade lags
  qbo.json        with --qbo: the QuickBooks books (Customer, Invoice, Bill, …) at the end of the run

Scenarios: ${SCENARIO_NAMES.join(", ")}, demo
Onset, duration and magnitude are drawn from the seed unless pinned (the golden scenarios pin them).
The same options always give byte-identical files.
`;

export async function simulateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: "string" },
      seed: { type: "string" },
      days: { type: "string" },
      start: { type: "string" },
      "end-day": { type: "string" },
      out: { type: "string" },
      qbo: { type: "boolean", default: false },
      onset: { type: "string" },
      duration: { type: "string" },
      magnitude: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.scenario) throw new UsageError(`--scenario is required\n\n${HELP}`);
  if (values.scenario !== "demo" && !SCENARIO_NAMES.includes(values.scenario as never)) {
    throw new UsageError(`--scenario must be one of: ${SCENARIO_NAMES.join(", ")}, demo (got "${values.scenario}")`);
  }
  if (values.seed === undefined || !/^-?\d+$/.test(values.seed)) throw new UsageError("--seed <integer> is required");
  if (values.days !== undefined && !/^\d+$/.test(values.days)) throw new UsageError("--days must be a whole number of days");
  if (values.start !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.start)) throw new UsageError("--start must be YYYY-MM-DD");
  if (values["end-day"] !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values["end-day"])) throw new UsageError("--end-day must be YYYY-MM-DD");
  if (!values.out) throw new UsageError("--out <dir> is required");
  for (const flag of ["onset", "duration"] as const) {
    if (values[flag] !== undefined && !/^\d+$/.test(values[flag]!)) throw new UsageError(`--${flag} must be a whole number of days`);
  }
  if (values.magnitude !== undefined && !Number.isFinite(Number(values.magnitude))) throw new UsageError("--magnitude must be a number");
  const overrides = {
    ...(values.onset !== undefined ? { onsetDay: Number(values.onset) } : {}),
    ...(values.duration !== undefined ? { durationDays: Number(values.duration) } : {}),
    ...(values.magnitude !== undefined ? { magnitude: Number(values.magnitude) } : {}),
  };
  const seed = Number(values.seed);
  mkdirSync(values.out, { recursive: true });
  const eventsPath = join(values.out, "events.ndjson");
  const started = performance.now();
  const out = createWriteStream(eventsPath);
  let count = 0;
  const write = async (events: readonly SimEvent[]) => {
    let chunk = "";
    for (const event of events) chunk += `${JSON.stringify(event)}\n`;
    count += events.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
  };

  let labels: unknown;
  let qbo: unknown = null;
  if (values.scenario === "demo") {
    if (values.days !== undefined || values.start !== undefined) throw new UsageError("the demo company has fixed six months: use --end-day instead of --days/--start");
    const demo = generateDemoCompany({ seed, ...(values["end-day"] ? { endDay: values["end-day"] } : {}), qbo: values.qbo });
    await write(demo.events);
    labels = demo.labels;
    qbo = demo.qbo;
  } else {
    const stream = simulateStream({
      scenario: values.scenario,
      seed,
      qbo: values.qbo,
      overrides,
      ...(values.days !== undefined ? { days: Number(values.days) } : {}),
      ...(values.start !== undefined ? { startDay: values.start } : {}),
    });
    for (const day of stream.days) await write(day.events);
    labels = stream.labels();
    qbo = stream.qbo();
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  writeFileSync(join(values.out, "labels.json"), `${JSON.stringify(labels, null, 2)}\n`);
  if (values.qbo && qbo) writeFileSync(join(values.out, "qbo.json"), `${JSON.stringify(qbo, null, 1)}\n`);
  process.stderr.write(`wrote ${count} events to ${eventsPath} and labels.json${values.qbo ? " and qbo.json" : ""} (${Math.round(performance.now() - started)} ms)\n`);
  return 0;
}
