/**
 * Starts the Worker with `wrangler dev` on a spare port and a private state directory, for
 * benchmarks that measure the real edge stack locally. Stops it on `stop()`.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface LocalServer {
  base: string;
  token: string;
  /** Peak resident memory of the workerd process so far, in MiB (Linux only). */
  peakMemoryMiB(): number | null;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => done(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export async function startLocalServer(vars: Record<string, string> = {}, onLog?: (line: string) => void): Promise<LocalServer> {
  const persist = mkdtempSync(join(tmpdir(), "bre-bench-"));
  const port = await freePort();
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], { cwd: ROOT, env, encoding: "utf8" });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}`);
  const varArgs = Object.entries({ ADMIN_SECRET: "bench-secret", LOG_LEVEL: "warn", ...vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  const child = spawn(
    "npx",
    ["wrangler", "dev", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persist, "--show-interactive-dev-session=false", ...varArgs],
    { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout!.on("data", (c: Buffer) => {
    output += c.toString();
    if (onLog) for (const line of c.toString().split("\n")) if (line.trim()) onLog(line);
  });
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const response = await fetch(`${base}/v1/health`);
      if (response.status === 200 || response.status === 503) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not start:\n${output.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  const grant = (await (await fetch(`${base}/v1/auth/token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ secret: "bench-secret" }) })).json()) as { token: string };
  const workerdPid = () => {
    const found = spawnSync("pgrep", ["-f", `workerd.*${port}|workerd serve`], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean);
    return found.map(Number);
  };
  return {
    base,
    token: grant.token,
    peakMemoryMiB() {
      let peak: number | null = null;
      for (const pid of workerdPid()) {
        try {
          const status = readFileSync(`/proc/${pid}/status`, "utf8");
          const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
          if (hwm) peak = Math.max(peak ?? 0, Number(hwm[1]) / 1024);
        } catch {
          // gone
        }
      }
      return peak;
    },
    async stop() {
      try {
        process.kill(-child.pid!, "SIGINT");
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 1500));
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      rmSync(persist, { recursive: true, force: true });
    },
  };
}
