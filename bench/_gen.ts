import { writeFileSync } from "node:fs";
import { simulate } from "../src/sim/index.ts";
const [scenario, seed, out] = process.argv.slice(2);
writeFileSync(out!, simulate({ scenario: scenario!, seed: Number(seed), qbo: false }).events.map((e) => JSON.stringify(e)).join("\n") + "\n");
