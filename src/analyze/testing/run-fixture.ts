/** Test support: runs the scan over fixture events held in memory. */
import type { CanonicalEvent } from "../../events/canonical.ts";
import { MemoryEvidence } from "../../evidence.ts";
import { MemoryLedger } from "../../metrics/ledger.ts";
import { runScan, type ScanConfig, type ScanOutput } from "../../scan.ts";

export async function scanEvents(events: readonly CanonicalEvent[], config?: ScanConfig, companyId = "fixture"): Promise<ScanOutput> {
  const ledger = new MemoryLedger();
  const evidence = new MemoryEvidence();
  ledger.append(events);
  for (const e of events) evidence.add(e);
  let tick = 0;
  return runScan({
    companyId,
    runId: "run_fixture",
    ledger: ledger.snapshot(),
    evidence,
    clock: () => new Date(Date.UTC(2025, 0, 1) + tick++),
    ...(config ? { config } : {}),
  });
}
