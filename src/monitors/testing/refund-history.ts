/**
 * A small business history for closed-loop tests: 20 paid invoices a day and a trickle of refunds,
 * with refund episodes placed where a test wants them. Deterministic (seeded).
 */
import { type CanonicalEventInput, validateEvent } from "../../events/canonical.ts";
import { MemoryEvidence } from "../../evidence.ts";
import { MemoryLedger } from "../../metrics/ledger.ts";
import { seededRandom } from "../../rng.ts";
import { runScan, type ScanOutput } from "../../scan.ts";
import type { Monitor } from "../../scan-contract.ts";
import { addDays } from "../../time.ts";

export const HISTORY_START = "2025-01-01";

export interface RefundEpisode {
  /** Day offset of the first day of the episode. */
  start: number;
  /** Refunds on each day of the episode (replacing the usual 3–4). */
  refunds: readonly number[];
}

export interface RefundHistory {
  events: CanonicalEventInput[];
  /** Refund and revenue dollars per day offset, for hand calculations in tests. */
  refundsByDay: number[];
  revenueByDay: number[];
}

export function refundHistory(days: number, episodes: readonly RefundEpisode[], seed = 11): RefundHistory {
  const rand = seededRandom(seed);
  const events: CanonicalEventInput[] = [];
  const refundsByDay: number[] = [];
  const revenueByDay: number[] = [];
  let n = 0;
  for (let d = 0; d < days; d++) {
    const day = addDays(HISTORY_START, d);
    let revenue = 0;
    for (let k = 0; k < 20; k++) {
      const id = `inv-${n++}`;
      const amount = Math.round(100 + rand() * 20);
      revenue += amount;
      events.push({
        event_id: id, event_type: "invoice_paid", event_time: `${day}T10:00:00Z`, source: "test", source_entity_id: id,
        entity_type: "invoice", entity_id: id, amount, currency: "USD",
        related_entity_ids: { customer_id: `c-${Math.floor(rand() * 60)}` }, attributes: { days_to_pay: 20 + Math.floor(rand() * 10) },
      });
    }
    const episode = episodes.find((e) => d >= e.start && d < e.start + e.refunds.length);
    const count = episode ? episode.refunds[d - episode.start]! : 3 + Math.floor(rand() * 2);
    let refunds = 0;
    for (let k = 0; k < count; k++) {
      const id = `ref-${n++}`;
      const amount = Math.round(30 + rand() * 5);
      refunds += amount;
      events.push({
        event_id: id, event_type: "refund_issued", event_time: `${day}T12:00:00Z`, source: "test", source_entity_id: id,
        entity_type: "payment", entity_id: id, amount, currency: "USD", related_entity_ids: { customer_id: `c-${Math.floor(rand() * 60)}` },
      });
    }
    refundsByDay.push(refunds);
    revenueByDay.push(revenue);
  }
  return { events, refundsByDay, revenueByDay };
}

/** The scan of a list of events, as `bre scan` would run it, optionally with stored monitors. */
export async function scanEvents(events: readonly CanonicalEventInput[], options: { monitors?: Monitor[]; asOf?: string; runId?: string } = {}): Promise<ScanOutput> {
  const ledger = new MemoryLedger();
  const evidence = new MemoryEvidence();
  const valid = events.map((e) => validateEvent(e, "2030-01-01T00:00:00Z")).flatMap((v) => (v.ok ? [v.event] : []));
  if (valid.length !== events.length) throw new Error("scanEvents: a fixture event was rejected");
  ledger.append(valid);
  for (const e of valid) evidence.add(e);
  return runScan({
    companyId: "loop",
    runId: options.runId ?? "run_test",
    ledger: ledger.snapshot(),
    evidence,
    asOf: options.asOf,
    monitors: options.monitors,
    clock: () => new Date(0),
  });
}
