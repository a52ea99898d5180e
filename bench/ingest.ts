/**
 * Ingest throughput into one company log on the real local stack (wrangler dev: Worker → R2 →
 * CompanyLog Durable Object), against a baseline measured in the same run: the pure validation +
 * ledger fold in this process (the work the edge does per event, without I/O).
 *
 *   npx tsx bench/ingest.ts [events=1000000] [per-upload=100000]
 */
import { type CanonicalEventInput, validateEvent } from "../src/events/canonical.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";
import { seededRandom } from "../src/rng.ts";
import { addDays } from "../src/time.ts";
import { startLocalServer } from "./lib/local-server.ts";

const TOTAL = Number(process.argv[2] ?? 1_000_000);
const PER_UPLOAD = Number(process.argv[3] ?? 100_000);

/** A realistic mix: invoices issued and paid, orders placed and delivered, tickets, refunds. */
function* events(count: number): Generator<CanonicalEventInput> {
  const rand = seededRandom("ingest-bench");
  const types = ["invoice_issued", "invoice_paid", "order_placed", "order_delivered", "support_ticket_opened", "support_ticket_closed", "refund_issued", "expense_posted"] as const;
  for (let i = 0; i < count; i++) {
    const type = types[i % types.length]!;
    const entity = `e-${Math.floor(i / 2)}`;
    const day = addDays("2024-01-01", Math.floor((i / count) * 365));
    const money = type.startsWith("invoice") || type === "refund_issued" || type === "expense_posted";
    yield {
      event_id: `bench-${i}`,
      event_type: type,
      event_time: `${day}T${String(8 + (i % 10)).padStart(2, "0")}:00:00Z`,
      source: "bench",
      source_entity_id: entity,
      entity_type: type.startsWith("invoice") ? "invoice" : type.startsWith("order") ? "order" : type.startsWith("support") ? "ticket" : "payment",
      entity_id: entity,
      amount: money ? Math.round(rand() * 50_000) / 100 : null,
      currency: money ? "USD" : null,
      related_entity_ids: { customer_id: `c-${Math.floor(rand() * 5000)}` },
      attributes:
        type === "invoice_issued"
          ? { due_date: addDays(day, 30) }
          : type === "invoice_paid"
            ? { days_to_pay: Math.floor(rand() * 40) }
            : type === "support_ticket_closed"
              ? { resolution_time_hours: Math.round(rand() * 48) }
              : {},
      data_quality_flags: [],
    };
  }
}

function baseline(count: number): number {
  const ledger = new MemoryLedger();
  const started = performance.now();
  let batch = [];
  for (const record of events(count)) {
    const v = validateEvent(record, "2025-01-01T00:00:00Z");
    if (v.ok) batch.push(v.event);
    if (batch.length === 1000) {
      ledger.append(batch);
      batch = [];
    }
  }
  ledger.append(batch);
  return count / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const baselineCount = Math.min(TOTAL, 200_000);
  const inProcess = baseline(baselineCount);
  console.log(`baseline (in-process validate + fold, ${baselineCount} events): ${Math.round(inProcess)} events/s`);

  const phases: { ingest_ms: number; append_ms: number; total_ms: number }[] = [];
  const server = await startLocalServer({ LOG_LEVEL: "info" }, (line) => {
    if (line.includes('"upload_ingested"')) phases.push(JSON.parse(line.slice(line.indexOf("{"))));
  });
  try {
    const iterator = events(TOTAL);
    let sent = 0;
    let accepted = 0;
    let ingestSeconds = 0;
    const perUpload: number[] = [];
    while (sent < TOTAL) {
      const lines: string[] = [];
      for (let k = 0; k < PER_UPLOAD && sent + k < TOTAL; k++) lines.push(JSON.stringify(iterator.next().value));
      const body = lines.join("\n");
      const started = performance.now();
      const response = await fetch(`${server.base}/v1/ingest/upload?company=bench`, {
        method: "POST",
        headers: { authorization: `Bearer ${server.token}`, "content-type": "application/x-ndjson" },
        body,
      });
      const result = (await response.json()) as { accepted: number; error?: { message: string } };
      const seconds = (performance.now() - started) / 1000;
      if (!response.ok) throw new Error(`upload failed: ${result.error?.message}`);
      ingestSeconds += seconds;
      accepted += result.accepted;
      sent += lines.length;
      perUpload.push(lines.length / seconds);
      process.stderr.write(`  ${sent}/${TOTAL}: ${Math.round(lines.length / seconds)} events/s (${(body.length / 1e6).toFixed(1)} MB)\n`);
    }
    const rate = accepted / ingestSeconds;
    console.log(`edge ingest: ${accepted} events in ${ingestSeconds.toFixed(1)} s = ${Math.round(rate)} events/s (uploads of ${PER_UPLOAD}); per upload min ${Math.round(Math.min(...perUpload))}, max ${Math.round(Math.max(...perUpload))}`);
    console.log(`edge/baseline: ${(rate / inProcess).toFixed(2)}`);
    const sum = (k: "ingest_ms" | "append_ms" | "total_ms") => phases.reduce((s, p) => s + p[k], 0);
    console.log(`inside the Worker: total ${sum("total_ms")} ms, of which streaming records ${sum("ingest_ms")} ms, waiting on CompanyLog.append ${sum("append_ms")} ms`);
    console.log(`workerd peak RSS: ${server.peakMemoryMiB()?.toFixed(0) ?? "n/a"} MiB`);

    // Re-uploading adds nothing, at what speed?
    const again = (await (
      await fetch(`${server.base}/v1/events?company=bench&limit=1`, { headers: { authorization: `Bearer ${server.token}` } })
    ).json()) as { events: unknown[] };
    if (again.events.length !== 1) throw new Error("log is empty after ingest");
  } finally {
    await server.stop();
  }
}

await main();
