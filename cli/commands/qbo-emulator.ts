import { parseArgs } from "node:util";
import { createEmulator, EMULATOR_DEFAULTS, parseFaults } from "../qbo-emulator/index.ts";
import { serveEmulator } from "../qbo-emulator/server.ts";
import type { WebhookFormat } from "../qbo-emulator/webhook-sender.ts";
import { UsageError } from "../main.ts";
import { DEMO_DEFAULT_END_DAY, DEMO_DEFAULT_SEED } from "../../src/sim/index.ts";

const HELP = `Usage: bre qbo-emulator [--port 8790] [--webhook-url <url>] [--faults <list>] [options]

Runs a local QuickBooks Online: Intuit's OAuth endpoints, the Accounting API (read, query, CDC)
over an emulated company, and signed webhooks to --webhook-url when its data changes. The company
is the simulated demo wholesaler (the one \`npm start\` uploads as \`demo\`): its books at the end
of its six months, and one more simulated business day per advance.

Options:
  --port <n>              port to listen on (default ${EMULATOR_DEFAULTS.port}; 0 picks a free one)
  --host <ip>             interface (default 127.0.0.1)
  --webhook-url <url>     where to send webhooks, e.g. http://localhost:8787/v1/webhooks/qbo
  --verifier-token <t>    signs webhooks (default $QBO_WEBHOOK_VERIFIER_TOKEN or ${EMULATOR_DEFAULTS.verifierToken})
  --webhook-format <f>    legacy | cloudevents | alternate (default alternate)
  --faults <list>         e.g. 429=0.1,500=0.05,slow=0.1,slow-ms=1500,drop=0.3,dup=0.2,reorder,script=429|401
  --tick <seconds>        write one more business day every <seconds> (default 0: only on POST /__emulator/advance)
  --seed <n>              the demo company's seed (default ${DEMO_DEFAULT_SEED}, the uploaded demo's)
  --end-day <YYYY-MM-DD>  last day of the demo's six months (default ${DEMO_DEFAULT_END_DAY}, the uploaded demo's)
  --client-id <id>        OAuth client id it accepts (default ${EMULATOR_DEFAULTS.clientId})
  --client-secret <s>     OAuth client secret it accepts (default ${EMULATOR_DEFAULTS.clientSecret})
  --realm <id>            company (realm) id (default ${EMULATOR_DEFAULTS.realmId}, the demo's: its
                          QuickBooks facts then carry the uploaded demo's event ids)
  --auto-approve          skip the consent page
  --access-ttl <seconds>  access token lifetime (default 3600)

Point the Worker at it with QBO_API_BASE=<url>, QBO_AUTHORIZE_URL=<url>/connect/oauth2,
QBO_TOKEN_URL=<url>/oauth2/v1/tokens/bearer, QBO_REVOKE_URL=<url>/v2/oauth2/tokens/revoke.
`;

export async function qboEmulatorCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: "string", default: String(EMULATOR_DEFAULTS.port) },
      host: { type: "string", default: "127.0.0.1" },
      "webhook-url": { type: "string" },
      "verifier-token": { type: "string" },
      "webhook-format": { type: "string", default: "alternate" },
      faults: { type: "string", default: "" },
      tick: { type: "string", default: "0" },
      seed: { type: "string", default: String(DEMO_DEFAULT_SEED) },
      "end-day": { type: "string", default: DEMO_DEFAULT_END_DAY },
      "client-id": { type: "string", default: EMULATOR_DEFAULTS.clientId },
      "client-secret": { type: "string", default: EMULATOR_DEFAULTS.clientSecret },
      realm: { type: "string", default: EMULATOR_DEFAULTS.realmId },
      "auto-approve": { type: "boolean", default: false },
      "access-ttl": { type: "string", default: "3600" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be a port number");
  const format = values["webhook-format"] as WebhookFormat;
  if (!["legacy", "cloudevents", "alternate"].includes(format)) throw new UsageError("--webhook-format must be legacy, cloudevents or alternate");
  let faults;
  try {
    faults = parseFaults(values.faults!);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const seed = Number(values.seed);
  if (!/^\d{1,9}$/.test(values.seed!)) throw new UsageError("--seed must be a whole number");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values["end-day"]!)) throw new UsageError("--end-day must be YYYY-MM-DD");
  if (!/^\d{1,20}$/.test(values.realm!)) throw new UsageError("--realm must be digits");

  const emulator = createEmulator({
    realmId: values.realm,
    seed,
    endDay: values["end-day"],
    webhookUrl: values["webhook-url"],
    verifierToken: values["verifier-token"] ?? process.env.QBO_WEBHOOK_VERIFIER_TOKEN ?? EMULATOR_DEFAULTS.verifierToken,
    webhookFormat: format,
    faults,
    clientId: values["client-id"],
    clientSecret: values["client-secret"],
    autoApprove: values["auto-approve"],
    accessTokenTtlSeconds: Number(values["access-ttl"]),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    fetch,
  });
  const log = (line: string) => process.stderr.write(`[qbo-emulator] ${line}\n`);
  const running = await serveEmulator(emulator, { port, host: values.host, tickSeconds: Number(values.tick), log });
  const status = emulator.status();
  log(`listening on ${running.url} — company "${status.company}", realm ${status.realm_id}, ${emulator.store.history.length} versions of history; the next business day is ${status.next_business_day}`);
  log(values["webhook-url"] ? `webhooks → ${values["webhook-url"]} (${format})` : "no --webhook-url: webhooks are counted, not sent");
  process.stdout.write(`${JSON.stringify({ url: running.url, realm_id: status.realm_id, client_id: values["client-id"] })}\n`);
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await running.close();
  return 0;
}
