/**
 * Replaces a bench's marked section of BENCHMARKS.md (`<!-- name:start -->` … `<!-- name:end -->`)
 * with new markdown, or appends the section when the file does not have it yet.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BENCHMARKS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "BENCHMARKS.md");

export function writeBenchmarksSection(name: string, markdown: string, path = BENCHMARKS): void {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    text = "# Benchmarks\n";
  }
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${start}\n${markdown}${end}`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, text);
}
