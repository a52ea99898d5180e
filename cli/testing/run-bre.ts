/** Runs the `bre` command as a user would (a child process), for the CLI tests. */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BRE = resolve(import.meta.dirname, "../bre.mjs");

/** `bre <args>`: exit code, stdout and stderr (a non-zero exit is returned, not thrown). */
export async function bre(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BRE, ...args], { maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
