/**
 * Rewrites the `events` digest of every golden scenario after an intended change to the
 * simulator: `npx tsx golden/refresh-digests.ts`. Review the change (and say why in the commit
 * message): a changed golden input is a decision.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simulate } from "../src/sim/index.ts";
import { eventsDigest, GOLDEN_DIR, goldenDirectories, readGolden } from "./golden.ts";

for (const name of goldenDirectories()) {
  const { scenario } = readGolden(name);
  const run = simulate({ ...scenario.simulate, qbo: false });
  const path = join(GOLDEN_DIR, name, "scenario.json");
  const before = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const digest = eventsDigest(run.events);
  writeFileSync(path, `${JSON.stringify({ ...before, events: digest }, null, 2)}\n`);
  process.stdout.write(`${name}: ${digest.count} events, ${digest.sha256.slice(0, 12)}…${JSON.stringify(before.events) === JSON.stringify(digest) ? "" : " (changed)"}\n`);
}
