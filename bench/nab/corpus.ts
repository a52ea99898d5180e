/** Reads the NAB corpus copy in ../shared/bench/nab (resolved from this file, so any checkout beside shared/ works). */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { locateWindows, type ScoringFile } from "./scorer.ts";

export const NAB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/bench/nab");

export interface NabFile extends ScoringFile {
  /** Path relative to data/, e.g. `realKnownCause/nyc_taxi.csv`. */
  name: string;
  timestamps: string[];
  values: Float64Array;
}

/** All 58 data files with their windows, in a stable (sorted) order. */
export function loadNabCorpus(root = NAB_ROOT): NabFile[] {
  const windows = JSON.parse(readFileSync(join(root, "labels/combined_windows.json"), "utf8")) as Record<string, [string, string][]>;
  const files: NabFile[] = [];
  for (const category of readdirSync(join(root, "data"), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const base of readdirSync(join(root, "data", category)).filter((f) => f.endsWith(".csv")).sort()) {
      const name = `${category}/${base}`;
      const { timestamps, columns } = readCsv(join(root, "data", name));
      const fileWindows = windows[name];
      if (!fileWindows) throw new Error(`loadNabCorpus: no windows for ${name}`);
      files.push({
        name,
        rows: timestamps.length,
        timestamps,
        values: Float64Array.from(columns.get("value")!, Number),
        windows: locateWindows(timestamps, fileWindows),
      });
    }
  }
  return files;
}

/** The `anomaly_score` column of a published detector's result file for a corpus file. */
export function loadPublishedScores(detector: string, file: NabFile, root = NAB_ROOT): Float64Array {
  const [category, base] = file.name.split("/") as [string, string];
  const { timestamps, columns } = readCsv(join(root, "results", detector, category, `${detector}_${base}`));
  if (timestamps.length !== file.rows) throw new Error(`${detector}/${file.name}: ${timestamps.length} rows, expected ${file.rows}`);
  return Float64Array.from(columns.get("anomaly_score")!, Number);
}

export function publishedFinalResults(root = NAB_ROOT): Record<string, Record<string, number>> {
  return JSON.parse(readFileSync(join(root, "results/final_results.json"), "utf8")) as Record<string, Record<string, number>>;
}

function readCsv(path: string): { timestamps: string[]; columns: Map<string, string[]> } {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0]!.split(",");
  const columns = new Map<string, string[]>(header.map((h) => [h, []]));
  for (let k = 1; k < lines.length; k++) {
    const cells = lines[k]!.split(",");
    header.forEach((h, j) => columns.get(h)!.push(cells[j]!));
  }
  return { timestamps: columns.get("timestamp")!, columns };
}
