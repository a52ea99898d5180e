/**
 * Builds the workspace pages (Observable Framework) into a staging folder, then syncs them into
 * dist/pages file by file. The folder `wrangler dev` serves never disappears, so pages can be
 * rebuilt while `npm start` runs.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const TARGET = join(ROOT, "dist/pages");
const STAGING = join(ROOT, "dist/.pages-staging");

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : [path];
  });
}

export function buildPages(): void {
  rmSync(STAGING, { recursive: true, force: true });
  const result = spawnSync("npx", ["observable", "build"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    env: { ...process.env, OBSERVABLE_TELEMETRY_DISABLE: "true", BRE_PAGES_OUTPUT: relative(ROOT, STAGING) },
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`observable build failed (exit ${result.status})`);
  }
  mkdirSync(TARGET, { recursive: true });
  const fresh = new Set(files(STAGING).map((f) => relative(STAGING, f)));
  for (const name of fresh) {
    const from = join(STAGING, name);
    const to = join(TARGET, name);
    if (existsSync(to) && statSync(to).size === statSync(from).size && readFileSync(to).equals(readFileSync(from))) continue;
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  for (const stale of files(TARGET)) if (!fresh.has(relative(TARGET, stale))) rmSync(stale);
  rmSync(STAGING, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildPages();
  process.stdout.write(`workspace pages built into ${relative(ROOT, TARGET)}\n`);
}
