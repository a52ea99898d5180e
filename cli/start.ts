/**
 * `npm start`: the whole product on http://localhost:8787 with no account and no network.
 * Creates .dev.vars when missing, builds the workspace pages when stale, applies D1 migrations
 * locally, starts `wrangler dev` (D1, R2, Durable Objects, Queues and cron, persisted under
 * .wrangler/state), seeds the `demo` company on first start, and prints the URL.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { buildPages as buildWorkspacePages } from "./build-pages.ts";
import { ensureQboDevVars, startLocalQboEmulator } from "./qbo-emulator/local.ts";
import { seedDemo, seedVisibilityDemo } from "./seed-demo.ts";

const ROOT = resolve(import.meta.dirname, "..");
const PORT = Number(process.env.PORT ?? 8787);
const BASE = `http://localhost:${PORT}`;
const children: ChildProcess[] = [];

function say(message: string): void {
  process.stdout.write(`[bre] ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`[bre] ${message}\n`);
  stopChildren("SIGKILL");
  process.exit(1);
}

/** Signals each child's whole process group (npx → wrangler → workerd). */
function stopChildren(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.pid === undefined || child.exitCode !== null) continue;
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  }
}

function ensureDevVars(): Record<string, string> {
  const target = join(ROOT, ".dev.vars");
  if (!existsSync(target)) {
    copyFileSync(join(ROOT, ".dev.vars.example"), target);
    say("created .dev.vars from .dev.vars.example (ADMIN_SECRET=dev-admin-secret, QBO_WEBHOOK_VERIFIER_TOKEN=dev-verifier-token)");
  }
  const vars: Record<string, string> = {};
  for (const line of readFileSync(target, "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (match) vars[match[1]!] = match[2]!.replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildPages(): void {
  const index = join(ROOT, "dist/pages/index.html");
  const sources = Math.max(newestMtime(join(ROOT, "notebooks")), statSync(join(ROOT, "observablehq.config.js")).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) {
    say("workspace pages are up to date");
    return;
  }
  say("building the workspace pages (Observable Framework)…");
  buildWorkspacePages();
}

function run(command: string, args: string[], env: Record<string, string> = {}): void {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env }, encoding: "utf8" });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
    fail(`${command} ${args.join(" ")} failed (exit ${result.status})`);
  }
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

async function waitForHealth(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${BASE}/v1/health`);
      if (response.status === 200 || response.status === 503) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  fail(`wrangler dev did not answer on ${BASE} within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  const vars = ensureDevVars();
  Object.assign(vars, ensureQboDevVars(ROOT, say));
  buildPages();
  say("applying D1 migrations locally…");
  run("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], { CI: "true" });
  if (!(await portFree(PORT))) fail(`port ${PORT} is in use; stop whatever runs there (another npm start?) or set PORT`);

  // A local QuickBooks when no real Intuit app is configured (QBO_API_BASE on this machine).
  await startLocalQboEmulator(vars, BASE, say).catch((error: Error) => fail(`the QuickBooks emulator could not start: ${error.message}`));

  say(`starting wrangler dev on ${BASE} …`);
  const wrangler = spawn("npx", ["wrangler", "dev", "--port", String(PORT), "--ip", "127.0.0.1", "--test-scheduled", "--show-interactive-dev-session=false"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    // Its own process group, so stopping reaches workerd and not only the npx wrapper.
    detached: true,
  });
  children.push(wrangler);
  const echo = (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) {
      if (line.trim() && !/Request\.cf object|nodedir/.test(line)) process.stdout.write(`  ${line}\n`);
    }
  };
  wrangler.stdout!.on("data", echo);
  wrangler.stderr!.on("data", echo);
  wrangler.on("exit", (code) => {
    if (!stopping) fail(`wrangler dev exited (code ${code})`);
  });
  await waitForHealth(120_000);

  await seedDemo(BASE, vars.ADMIN_SECRET ?? "dev-admin-secret", say);
  await seedVisibilityDemo(BASE, vars.ADMIN_SECRET ?? "dev-admin-secret", say);
  say(`ready: ${BASE}  (pages at /, API at /v1; Ctrl-C stops, data stays in .wrangler/state)`);
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say("stopping…");
    stopChildren("SIGINT");
    setTimeout(() => {
      stopChildren("SIGKILL");
      process.exit(0);
    }, 3000).unref();
  });
}

main().catch((error: Error) => fail(error.stack ?? error.message));
