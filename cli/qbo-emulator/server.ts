/**
 * Serves the emulator over node:http, flushes its webhooks on a timer and, with `tick`, writes a
 * new business day every few seconds so the connected Worker sees a live company.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { QboEmulator } from "./emulator.ts";

export interface RunningEmulator {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function serveEmulator(
  emulator: QboEmulator,
  options: { port: number; host?: string; webhookFlushMs?: number; tickSeconds?: number; log?: (line: string) => void },
): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const server = createServer((req, res) => {
    handle(emulator, req, res, host, options.port).catch((error: Error) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(error.message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  const timers: NodeJS.Timeout[] = [];
  let flushing = false;
  timers.push(
    setInterval(() => {
      if (flushing || emulator.webhooks.pendingCount === 0) return;
      flushing = true;
      emulator.webhooks
        .flush()
        .then((deliveries) => {
          for (const d of deliveries) options.log?.(`webhook ${d.format} (${d.entities} entities) → ${d.status || d.error}`);
        })
        .finally(() => {
          flushing = false;
        });
    }, options.webhookFlushMs ?? 1_000),
  );
  if (options.tickSeconds && options.tickSeconds > 0) {
    timers.push(
      setInterval(() => {
        emulator.advance(1).then((r) => options.log?.(`business day ${r.day}: ${r.changes} changes`)).catch((e: Error) => options.log?.(`advance failed: ${e.message}`));
      }, options.tickSeconds * 1000),
    );
  }
  return {
    server,
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(emulator: QboEmulator, req: IncomingMessage, res: ServerResponse, host: string, port: number): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === "string") headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const request = new Request(`http://${req.headers.host ?? `${host}:${port}`}${req.url ?? "/"}`, {
    method: req.method,
    headers,
    body: req.method === "GET" || req.method === "HEAD" || body.length === 0 ? undefined : body,
  });
  const response = await emulator.fetch(request);
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}
