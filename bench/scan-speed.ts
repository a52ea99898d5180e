/**
 * Scan speed. `npx tsx bench/scan-speed.ts`:
 * 1. the demo company (the simulator's `generateDemoCompany`, six months): ingest (validate + fold) and the scan, warm,
 *    median of 5 runs — the budget is 2 s for the scan;
 * 2. a synthetic business with a year of history at 100k, 250k, 500k and 1M events (denser
 *    days), then at a fixed density with 100k to 1M events (longer histories): ingest and scan
 *    times and the time per event — the budget is 20 s for a million, and the cost per event must
 *    stay flat as the volume grows.
 * A baseline measured in the same run: the scan with Layer 1 only (methods: ["mad_zscore"]).
 */
import { DEFAULT_DETECTION_CONFIG } from "../src/detect/detect.ts";
import { type CanonicalEvent, type CanonicalEventInput, validateEvent } from "../src/events/canonical.ts";
import { MemoryEvidence } from "../src/evidence.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";
import { seededRandom } from "../src/rng.ts";
import { runScan, type ScanConfig } from "../src/scan.ts";
import { generateDemoCompany } from "../src/sim/index.ts";
import { addDays } from "../src/time.ts";

const INGESTED_AT = "2027-01-01T00:00:00Z";
const LAYER1_ONLY: ScanConfig = { detection: { ...DEFAULT_DETECTION_CONFIG, methods: ["mad_zscore"] } };

function ingest(inputs: readonly CanonicalEventInput[]) {
  const started = performance.now();
  const ledger = new MemoryLedger();
  const evidence = new MemoryEvidence();
  const batch: CanonicalEvent[] = [];
  for (const input of inputs) {
    const result = validateEvent(input, INGESTED_AT);
    if (!result.ok) throw new Error(`invalid synthetic event: ${JSON.stringify(result.rejection)}`);
    batch.push(result.event);
    evidence.add(result.event);
    if (batch.length >= 5000) ledger.append(batch.splice(0));
  }
  ledger.append(batch);
  return { ledger, evidence, ms: performance.now() - started };
}

async function scanMs(ledger: MemoryLedger, evidence: MemoryEvidence, config?: ScanConfig) {
  const snapshot = ledger.snapshot();
  const started = performance.now();
  const { result } = await runScan({ companyId: "bench", runId: "bench", ledger: snapshot, evidence, clock: () => new Date(0), config });
  return { ms: performance.now() - started, incidents: result.incidents.length, days: result.manifest.days_scanned };
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** A year of a synthetic business with about `total` events (orders, invoices, tickets, …). */
export function syntheticBusiness(total: number, days = 365, seed = 1): CanonicalEventInput[] {
  const random = seededRandom(seed);
  const perDay = total / days;
  const start = "2025-01-01";
  const out: CanonicalEventInput[] = [];
  let n = 0;
  const base = { source: "bench", currency: "USD" } as const;
  const push = (e: Omit<CanonicalEventInput, "source" | "source_entity_id">) => out.push({ ...base, source_entity_id: e.event_id, ...e });
  const customers = Math.max(50, Math.round(perDay * 3));
  for (let d = 0; d < days && out.length < total; d++) {
    const day = addDays(start, d);
    const at = (h: number) => `${day}T${String(h).padStart(2, "0")}:00:00Z`;
    // Per order about 2.5 events (placed, delivered, sometimes late); the rest spread over the others.
    const orders = Math.round((perDay * 0.5) / 2.2 * (0.8 + random() * 0.4));
    for (let k = 0; k < orders; k++) {
      const id = `o${n++}`;
      const customer = `c${Math.floor(random() * customers)}`;
      push({ event_id: `${id}-p`, event_type: "order_placed", event_time: at(9), entity_type: "order", entity_id: id, amount: 50, related_entity_ids: { customer_id: customer } });
      const late = random() < 0.06;
      const deliveredDay = addDays(day, late ? 6 : 3);
      push({ event_id: `${id}-d`, event_type: "order_delivered", event_time: `${deliveredDay}T15:00:00Z`, entity_type: "order", entity_id: id, amount: null, currency: null, related_entity_ids: { customer_id: customer } });
      if (late) push({ event_id: `${id}-l`, event_type: "order_late", event_time: `${deliveredDay}T15:00:00Z`, entity_type: "order", entity_id: id, amount: null, currency: null, attributes: { days_late: 3 } });
    }
    const invoices = Math.round(perDay * 0.12);
    for (let k = 0; k < invoices; k++) {
      const id = `i${n++}`;
      const customer = `c${Math.floor(random() * customers)}`;
      const pay = 15 + Math.floor(random() * 25);
      push({ event_id: `${id}-i`, event_type: "invoice_issued", event_time: at(10), entity_type: "invoice", entity_id: id, amount: 400, related_entity_ids: { customer_id: customer }, attributes: { due_date: addDays(day, 30) } });
      push({ event_id: `${id}-p`, event_type: "invoice_paid", event_time: `${addDays(day, pay)}T10:00:00Z`, entity_type: "invoice", entity_id: id, amount: 400, related_entity_ids: { customer_id: customer }, attributes: { days_to_pay: pay } });
    }
    const tickets = Math.round(perDay * 0.06);
    for (let k = 0; k < tickets; k++) {
      const id = `t${n++}`;
      push({ event_id: `${id}-o`, event_type: "support_ticket_opened", event_time: at(11), entity_type: "ticket", entity_id: id, amount: null, currency: null });
      push({ event_id: `${id}-c`, event_type: "support_ticket_closed", event_time: at(16), entity_type: "ticket", entity_id: id, amount: null, currency: null, attributes: { resolution_time_hours: 5 } });
    }
    const small = Math.max(1, Math.round(perDay * 0.02));
    for (let k = 0; k < small; k++) {
      push({ event_id: `r${n++}`, event_type: "refund_issued", event_time: at(12), entity_type: "payment", entity_id: `r${n}`, amount: 30 });
      push({ event_id: `x${n++}`, event_type: "expense_posted", event_time: at(8), entity_type: "expense", entity_id: `x${n}`, amount: 300 });
      push({ event_id: `v${n++}`, event_type: "review_submitted", event_time: at(13), entity_type: "customer", entity_id: `c${k}`, amount: null, currency: null, attributes: { score: 4 + Math.round(random()) } });
      push({ event_id: `po${n++}`, event_type: "purchase_order_placed", event_time: at(7), entity_type: "order", entity_id: `po${n}`, amount: null, currency: null, related_entity_ids: { vendor_id: `v${k % 7}` } });
    }
  }
  return out.slice(0, total);
}

async function main(): Promise<void> {
  console.log(`Scan speed, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}\n`);
  const demo = generateDemoCompany({ qbo: false }).events;
  const { ledger, evidence, ms: ingestMs } = ingest(demo);
  const full: number[] = [];
  const layer1: number[] = [];
  let incidents = 0;
  let days = 0;
  for (let k = 0; k < 6; k++) {
    const a = await scanMs(ledger, evidence);
    const b = await scanMs(ledger, evidence, LAYER1_ONLY);
    if (k === 0) continue; // warm-up
    full.push(a.ms);
    layer1.push(b.ms);
    incidents = a.incidents;
    days = a.days;
  }
  console.log(`## Demo company: ${demo.length} events, ${days} days, ${incidents} incidents`);
  console.log("| step | time (median of 5, warm) |");
  console.log("|---|---|");
  console.log(`| ingest (validate + fold) | ${ingestMs.toFixed(0)} ms |`);
  console.log(`| scan, all three layers | ${medianOf(full).toFixed(0)} ms |`);
  console.log(`| scan, Layer 1 only (baseline) | ${medianOf(layer1).toFixed(0)} ms |`);

  console.log("\n## Synthetic business, 365 days (more events per day)");
  await volumeTable([100_000, 250_000, 500_000, 1_000_000].map((total) => ({ total, days: 365 })));
  console.log("\n## Synthetic business, 2,500 events a day (longer histories)");
  await volumeTable([100_000, 250_000, 500_000, 1_000_000].map((total) => ({ total, days: total / 2_500 })));
}

async function volumeTable(sizes: { total: number; days: number }[]): Promise<void> {
  console.log("| events | days | ingest | scan (3 layers) | scan (Layer 1 only) | scan µs per event | total | µs per event (total) |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const { total, days: historyDays } of sizes) {
    const events = syntheticBusiness(total, historyDays);
    const run = ingest(events);
    const scan = await scanMs(run.ledger, run.evidence);
    const base = await scanMs(run.ledger, run.evidence, LAYER1_ONLY);
    const sum = run.ms + scan.ms;
    const perEvent = (ms: number) => ((ms * 1000) / events.length).toFixed(1);
    console.log(`| ${events.length.toLocaleString("en-US")} | ${scan.days} | ${(run.ms / 1000).toFixed(2)} s | ${(scan.ms / 1000).toFixed(2)} s | ${(base.ms / 1000).toFixed(2)} s | ${perEvent(scan.ms)} | ${(sum / 1000).toFixed(2)} s | ${perEvent(sum)} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
