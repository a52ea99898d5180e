/**
 * The `bre` command. Each subcommand prints its result on stdout and its logs on stderr, and
 * exits 0 on success, 1 when the work failed, 2 on a usage error.
 */
import { qboEmulatorCommand } from "./commands/qbo-emulator.ts";
import { scanCommand } from "./commands/scan.ts";
import { simulateCommand } from "./commands/simulate.ts";

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  scan: { run: scanCommand, summary: "scan a file of canonical events: bre scan --events <file> [--json]" },
  simulate: { run: simulateCommand, summary: "simulate a business: bre simulate --scenario <name> --seed <n> [--days <d>] --out <dir>" },
  "qbo-emulator": { run: qboEmulatorCommand, summary: "a local QuickBooks Online (OAuth, API, webhooks, faults): bre qbo-emulator [--port 8790]" },
};

const USAGE = `bre — Business Reliability Engine

Usage: bre <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`)
  .join("\n")}

Run "bre <command> --help" for a command's options.
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`bre: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`bre ${name}: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`bre ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}

export class UsageError extends Error {}
