/**
 * The NAB adapter: runs the project's StreamingDetector over a corpus file row by row (each
 * row's score uses that row and the rows before it only). The daily period is the number of rows
 * per day implied by the sampling interval, read from the first 21 timestamps once they have
 * arrived (the seasonal feature starts later than that anyway).
 */
import { StreamingDetector, type StreamingOptions } from "../../src/detect/stream.ts";
import type { NabFile } from "./corpus.ts";

const PERIOD_SAMPLE = 21;

export function scoreNabFile(file: NabFile, options: Partial<Omit<StreamingOptions, "period">> = {}): Float64Array {
  const period = rowsPerDay(file.timestamps.slice(0, PERIOD_SAMPLE));
  const detector = new StreamingDetector({ ...options, period });
  return Float64Array.from(file.values, (v) => detector.update(v));
}

/** Rows per day from the median step between the given timestamps (0 when unknown). */
export function rowsPerDay(timestamps: readonly string[]): number {
  const steps: number[] = [];
  for (let i = 1; i < timestamps.length; i++) steps.push(Date.parse(`${timestamps[i]!.replace(" ", "T")}Z`) - Date.parse(`${timestamps[i - 1]!.replace(" ", "T")}Z`));
  steps.sort((a, b) => a - b);
  const step = steps[steps.length >> 1];
  return step && step > 0 ? Math.round(86_400_000 / step) : 0;
}
