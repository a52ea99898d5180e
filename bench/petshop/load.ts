/**
 * Reads the PetShop root-cause dataset (Hardt et al., arXiv:2311.04806; CC-BY-4.0) from
 * `../shared/bench/petshop/dataset`, laid out as its README describes: `graph.csv` (call graph as an
 * adjacency matrix), `noissue/metrics.csv` (normal operation), `{train,test}/issue_<n>/` (metrics around
 * one injected issue + `target.json` with the symptom and the true root cause).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const DATASET = fileURLToPath(new URL("../../../shared/bench/petshop/dataset/", import.meta.url));

/** Values by column `node|metric|statistic`, one per 5-minute step (`null` = missing). */
export type MetricTable = Map<string, (number | null)[]>;

export interface Issue {
  split: "train" | "test";
  name: string;
  metrics: MetricTable;
  steps: number;
  target: { node: string; metric: "latency" | "availability"; agg: string };
  rootCause: string;
}

export interface Scenario {
  name: string;
  nodes: string[];
  /** [caller, callee]: `caller` calls `callee`. */
  calls: [string, string][];
  normal: MetricTable | null;
  issues: Issue[];
}

export const column = (node: string, metric: string, statistic: string) => `${node}|${metric}|${statistic}`;

export function readMetrics(path: string): { table: MetricTable; steps: number } {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  const [nodes, metrics, statistics] = [0, 1, 2].map((i) => lines[i]!.split(","));
  const table: MetricTable = new Map();
  const keys = nodes!.slice(1).map((node, i) => column(node, metrics![i + 1]!, statistics![i + 1]!));
  for (const key of keys) table.set(key, []);
  const rows = lines.slice(4);
  for (const row of rows) {
    const cells = row.split(",");
    keys.forEach((key, i) => {
      const cell = cells[i + 1];
      table.get(key)!.push(cell === undefined || cell === "" ? null : Number(cell));
    });
  }
  return { table, steps: rows.length };
}

export function loadScenario(name: string): Scenario {
  const dir = `${DATASET}${name}/`;
  const lines = readFileSync(`${dir}graph.csv`, "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  const nodes = lines[0]!.split(",").slice(1);
  const calls: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const [caller, ...cells] = line.split(",");
    cells.forEach((cell, j) => {
      if (Number(cell) === 1) calls.push([caller!, nodes[j]!]);
    });
  }
  const normalPath = `${dir}noissue/metrics.csv`;
  const normal = existsSync(normalPath) ? readMetrics(normalPath).table : null;
  const issues: Issue[] = [];
  for (const split of ["train", "test"] as const) {
    const names = readdirSync(`${dir}${split}`).filter((n) => !n.startsWith(".")).sort((a, b) => Number(a.split("_")[1]) - Number(b.split("_")[1]));
    for (const issueName of names) {
      const { table, steps } = readMetrics(`${dir}${split}/${issueName}/metrics.csv`);
      const target = JSON.parse(readFileSync(`${dir}${split}/${issueName}/target.json`, "utf8")) as {
        target: Issue["target"];
        root_cause: { node: string };
      };
      issues.push({ split, name: issueName, metrics: table, steps, target: target.target, rootCause: target.root_cause.node });
    }
  }
  return { name, nodes, calls, normal, issues };
}
