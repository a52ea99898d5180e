/** Reads the TCPD copy in ../shared/bench/tcpd (resolved from this file). */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Annotations } from "./metrics.ts";

export const TCPD_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/bench/tcpd");

export interface TcpdSeries {
  name: string;
  nObs: number;
  /** One array per dimension; null marks a missing value. */
  series: (number | null)[][];
  annotations: Annotations;
}

/** Series excluded from TCPDBench's aggregate tables (Makefile MISSING_STRATEGY=zero_no_coal). */
export const EXCLUDED_FROM_AGGREGATE = new Set(["quality_control_1", "quality_control_2", "quality_control_3", "quality_control_4", "quality_control_5", "uk_coal_employ"]);

export function loadTcpd(root = TCPD_ROOT): TcpdSeries[] {
  const annotations = JSON.parse(readFileSync(join(root, "annotations.json"), "utf8")) as Record<string, Annotations>;
  return readdirSync(join(root, "datasets"))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => {
      const data = JSON.parse(readFileSync(join(root, "datasets", file), "utf8")) as {
        name: string;
        n_obs: number;
        series: { raw: (number | null)[] }[];
      };
      const a = annotations[data.name];
      if (!a) throw new Error(`loadTcpd: no annotations for ${data.name}`);
      return { name: data.name, nObs: data.n_obs, series: data.series.map((s) => s.raw), annotations: a };
    });
}

/** Published per-dataset scores: `{dataset: {method: score | null}}`. */
export function publishedScores(kind: "default_f1" | "default_cover", root = TCPD_ROOT): Record<string, Record<string, number | null>> {
  return JSON.parse(readFileSync(join(root, "published", `${kind}_scores.json`), "utf8")) as Record<string, Record<string, number | null>>;
}
