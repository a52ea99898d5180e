/**
 * `npm start` and the QuickBooks emulator: when the configured QuickBooks API is a local address
 * (no real Intuit app configured), the emulator runs in the start process on that port, sending
 * its webhooks to the local Worker. An older .dev.vars without any QBO_* settings gets the
 * emulator's block from .dev.vars.example appended.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createEmulator, EMULATOR_DEFAULTS } from "./index.ts";
import { type RunningEmulator, serveEmulator } from "./server.ts";

/** Adds the example's QBO_* lines to .dev.vars when it has none; returns the lines added as vars. */
export function ensureQboDevVars(root: string, say: (m: string) => void): Record<string, string> {
  const target = join(root, ".dev.vars");
  const current = readFileSync(target, "utf8");
  if (/^\s*QBO_CLIENT_ID\s*=/m.test(current)) return {};
  const example = readFileSync(join(root, ".dev.vars.example"), "utf8").split("\n");
  const start = example.findIndex((line) => /^# QuickBooks\./.test(line));
  const block = example.slice(start >= 0 ? start : 0).filter((line) => line.startsWith("#") || /^QBO_(?!WEBHOOK_VERIFIER_TOKEN)/.test(line));
  appendFileSync(target, `${current.endsWith("\n") ? "" : "\n"}${block.join("\n")}\n`);
  say("added the QuickBooks emulator settings (QBO_*) to .dev.vars");
  const vars: Record<string, string> = {};
  for (const line of block) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) vars[match[1]!] = match[2]!;
  }
  return vars;
}

/** Starts the emulator when QBO_API_BASE points at this machine; undefined otherwise. */
export async function startLocalQboEmulator(vars: Record<string, string>, workerBase: string, say: (m: string) => void): Promise<RunningEmulator | undefined> {
  const apiBase = vars.QBO_API_BASE;
  if (!apiBase) {
    say("QuickBooks: no QBO_API_BASE, using Intuit's servers (a real app must be configured in .dev.vars)");
    return undefined;
  }
  const url = new URL(apiBase);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    say(`QuickBooks: using ${url.origin}`);
    return undefined;
  }
  const emulator = createEmulator({
    clientId: vars.QBO_CLIENT_ID ?? EMULATOR_DEFAULTS.clientId,
    clientSecret: vars.QBO_CLIENT_SECRET ?? EMULATOR_DEFAULTS.clientSecret,
    verifierToken: vars.QBO_WEBHOOK_VERIFIER_TOKEN ?? EMULATOR_DEFAULTS.verifierToken,
    webhookUrl: `${workerBase}/v1/webhooks/qbo`,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    fetch,
  });
  const log = (line: string) => process.stdout.write(`  [qbo-emulator] ${line}\n`);
  const running = await serveEmulator(emulator, { port: Number(url.port || 80), host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname.replace(/^\[|\]$/g, ""), tickSeconds: Number(process.env.QBO_EMULATOR_TICK_SECONDS ?? 0), log });
  say(`QuickBooks emulator on ${running.url} (company "${emulator.store.companyName}", realm ${emulator.store.realmId}); "Connect QuickBooks" uses it. POST ${running.url}/__emulator/advance writes another business day.`);
  return running;
}
