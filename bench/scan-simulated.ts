/**
 * Scans simulated events in-process, through the same path as `bre scan` (cli/load-events.ts):
 * every event is validated with `validateEvent`, folded into a `MemoryLedger` and indexed for
 * evidence, then `runScan` walks the days. Faster than spawning `bre scan` per run, and the
 * same numbers.
 */
import { validateEvent } from "../src/events/canonical.ts";
import { MemoryEvidence } from "../src/evidence.ts";
import type { LedgerSnapshot } from "../src/metrics/ledger.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";
import { runScan, type ScanConfig, type ScanOutput } from "../src/scan.ts";
import type { SimEvent } from "../src/sim/index.ts";

export interface LoadedRun {
  snapshot: LedgerSnapshot;
  evidence: MemoryEvidence;
  rejected: number;
}

/** Validates and folds events as `bre scan` does (ingested_at is fixed, so runs repeat exactly). */
export function loadSimulated(events: readonly SimEvent[], ingestedAt = "2030-01-01T00:00:00.000Z"): LoadedRun {
  const ledger = new MemoryLedger();
  const evidence = new MemoryEvidence();
  const batch = [];
  let rejected = 0;
  for (const record of events) {
    const result = validateEvent(record, ingestedAt);
    if (!result.ok) {
      rejected++;
      continue;
    }
    evidence.add(result.event);
    batch.push(result.event);
  }
  ledger.append(batch);
  return { snapshot: ledger.snapshot(), evidence, rejected };
}

export async function scanLoaded(run: LoadedRun, config: ScanConfig | undefined, companyId = "sim"): Promise<ScanOutput> {
  return runScan({ companyId, runId: "run_eval", ledger: run.snapshot, evidence: run.evidence, clock: () => new Date(0), ...(config ? { config } : {}) });
}
