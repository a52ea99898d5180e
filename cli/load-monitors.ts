/**
 * Stored monitors for `bre scan --monitors`: a JSON array of monitors, or a whole earlier scan
 * result (its `monitors` array), as `bre scan --json` printed it and people may have edited.
 */
import { readFile } from "node:fs/promises";
import { type Monitor, monitorSchema } from "../src/scan-contract.ts";

export async function loadMonitorsFile(path: string): Promise<Monitor[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new Error(`--monitors ${path}: ${(error as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { monitors?: unknown })?.monitors;
  if (!Array.isArray(list)) throw new Error(`--monitors ${path}: expected a JSON array of monitors or a scan result with a "monitors" array`);
  return list.map((item, i) => {
    const result = monitorSchema.safeParse(item);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      throw new Error(`--monitors ${path}: monitors[${i}].${issue.path.join(".") || "(item)"} ${issue.message}`);
    }
    return result.data;
  });
}
