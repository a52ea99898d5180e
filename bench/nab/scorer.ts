/**
 * The NAB (Numenta Anomaly Benchmark) scorer, as NAB's own code computes it
 * (`nab/sweeper.py`, `nab/optimizer.py`, `nab/scorer.py`, `nab/runner.py`; rules written out in
 * ../shared/bench/nab/README.md):
 *
 * - the first min(⌊0.15·N⌋, 750) rows of a file are probationary and never scored;
 * - a detected row inside a window of width W ending at row R scores
 *   `S(−(R−i+1)/W) · A_TP / S(−1)` with `S(y) = 2/(1+e^{5y}) − 1` (S(y) = −1 for y > 3); only the
 *   best (earliest) detection of a window counts, a missed window costs `−A_FN`;
 * - a detected row outside every window costs `−A_FP`, or `S(|R'−i|/(W'−1)) · A_FP` after the most
 *   recent window (R', W'), so a late detection just after a window costs little;
 * - one threshold for the whole corpus per profile, chosen by an exhaustive sweep over every
 *   distinct anomaly score (ties go to the higher threshold);
 * - normalised score `100 · (raw − null) / (perfect − null)`, perfect = windows · A_TP and
 *   null = −windows · A_FN (the constant detector, which detects nothing after its sweep).
 */

export interface CostProfile {
  tp: number;
  fp: number;
  fn: number;
}

export const NAB_PROFILES = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2 },
} as const satisfies Record<string, CostProfile>;
export type NabProfileName = keyof typeof NAB_PROFILES;
export const NAB_PROFILE_NAMES = Object.keys(NAB_PROFILES) as NabProfileName[];

/** A corpus file reduced to what scoring needs: row count and windows as inclusive row ranges. */
export interface ScoringFile {
  name: string;
  rows: number;
  /** Inclusive [first row, last row] of each window, sorted, not overlapping. */
  windows: readonly (readonly [number, number])[];
}

/** Rows before this index are probationary: `min(⌊0.15·N⌋, 0.15·5000)`. */
export function probationaryRows(rows: number): number {
  return Math.min(Math.floor(0.15 * rows), 750);
}

/**
 * NAB's scaled sigmoid: `2/(1+e^{5y}) − 1`, and −1 beyond 3 window widths.
 * @example scaledSigmoid(-1) // 0.98661…
 */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/**
 * Locates windows given as timestamps: each edge is the first row carrying that timestamp
 * (NAB files repeat a few timestamps). Timestamps are compared on their first 19 characters
 * (`YYYY-MM-DD HH:MM:SS`), since windows carry microseconds and data rows do not.
 */
export function locateWindows(timestamps: readonly string[], windows: readonly (readonly [string, string])[]): [number, number][] {
  const firstRow = new Map<string, number>();
  timestamps.forEach((t, i) => {
    const key = t.slice(0, 19);
    if (!firstRow.has(key)) firstRow.set(key, i);
  });
  return windows.map(([start, end]) => {
    const a = firstRow.get(start.slice(0, 19));
    const b = firstRow.get(end.slice(0, 19));
    if (a === undefined || b === undefined) throw new Error(`locateWindows: window edge ${a === undefined ? start : end} is not a row timestamp`);
    return [a, b];
  });
}

/** Per-row weighted score of a detection at each row (NaN for probationary rows), and its window. */
export interface RowScores {
  score: Float64Array;
  /** Index of the window containing the row, or −1. */
  window: Int32Array;
  /** Windows that have at least one scorable row. */
  scoredWindows: number;
}

export function rowScores(file: ScoringFile, profile: CostProfile): RowScores {
  const n = file.rows;
  const probation = probationaryRows(n);
  const score = new Float64Array(n).fill(Number.NaN);
  const window = new Int32Array(n).fill(-1);
  const edge = scaledSigmoid(-1);
  const scoredWindows = file.windows.filter(([, right]) => right >= probation).length;
  let next = 0; // next window not yet entered
  let previous: readonly [number, number] | null = null;
  for (let i = 0; i < n; i++) {
    while (next < file.windows.length && file.windows[next]![1] < i) previous = file.windows[next++]!;
    const current = next < file.windows.length && file.windows[next]![0] <= i ? file.windows[next]! : null;
    if (current) window[i] = next;
    if (i < probation) continue;
    if (current) {
      const [left, right] = current;
      const width = right - left + 1;
      score[i] = (scaledSigmoid(-(right - i + 1) / width) * profile.tp) / edge;
    } else if (previous === null) {
      score[i] = -profile.fp;
    } else {
      const [left, right] = previous;
      const width = right - left + 1;
      score[i] = scaledSigmoid(Math.abs(right - i) / (width - 1)) * profile.fp;
    }
  }
  return { score, window, scoredWindows };
}

export interface FileResult {
  name: string;
  score: number;
  tp: number;
  fp: number;
  fn: number;
}

/** Raw score of one file at a threshold: detections are scorable rows with anomaly score ≥ θ. */
export function scoreFile(file: ScoringFile, anomalyScores: ArrayLike<number>, threshold: number, profile: CostProfile): FileResult {
  const rows = rowScores(file, profile);
  const best = new Array<number | null>(file.windows.length).fill(null);
  let fpTotal = 0;
  let fp = 0;
  for (let i = 0; i < file.rows; i++) {
    const s = rows.score[i]!;
    if (Number.isNaN(s) || !(anomalyScores[i]! >= threshold)) continue;
    const w = rows.window[i]!;
    if (w >= 0) best[w] = best[w] === null ? s : Math.max(best[w]!, s);
    else {
      fpTotal += s;
      fp++;
    }
  }
  let total = fpTotal;
  let tp = 0;
  let fn = 0;
  file.windows.forEach(([, right], w) => {
    if (right < probationaryRows(file.rows)) return;
    if (best[w] === null) {
      total -= profile.fn;
      fn++;
    } else {
      total += best[w]!;
      tp++;
    }
  });
  return { name: file.name, score: total, tp, fp, fn };
}

export interface SweepResult {
  threshold: number;
  raw: number;
  normalized: number;
}

/**
 * The corpus-wide threshold sweep: every distinct anomaly score (and 1.1, "no detections") is a
 * candidate; the one with the highest corpus total wins, ties to the higher threshold.
 */
export function sweep(files: readonly ScoringFile[], scores: readonly ArrayLike<number>[], profile: CostProfile): SweepResult {
  if (files.length !== scores.length) throw new Error("sweep: one score array per file is needed");
  const entries: { a: number; s: number; key: number }[] = [];
  const windowBase: number[] = [];
  let windowCount = 0;
  let total = 0;
  files.forEach((file, f) => {
    if (scores[f]!.length !== file.rows) throw new Error(`sweep: ${file.name} has ${file.rows} rows but ${scores[f]!.length} scores`);
    const rows = rowScores(file, profile);
    windowBase.push(windowCount);
    windowCount += file.windows.length;
    total -= profile.fn * rows.scoredWindows;
    for (let i = 0; i < file.rows; i++) {
      const s = rows.score[i]!;
      if (Number.isNaN(s)) continue;
      const a = scores[f]![i]!;
      if (!Number.isFinite(a)) throw new Error(`sweep: ${file.name} row ${i} has a non-finite anomaly score`);
      const w = rows.window[i]!;
      entries.push({ a, s, key: w >= 0 ? windowBase[f]! + w : -1 });
    }
  });
  entries.sort((x, y) => y.a - x.a);
  const best = new Array<number | null>(windowCount).fill(null);
  let bestTotal = total;
  let bestThreshold = 1.1;
  for (let k = 0; k < entries.length; ) {
    const threshold = entries[k]!.a;
    while (k < entries.length && entries[k]!.a === threshold) {
      const { s, key } = entries[k]!;
      if (key < 0) total += s;
      else if (best[key] === null) {
        best[key] = s;
        total += s + profile.fn;
      } else if (s > best[key]!) {
        total += s - best[key]!;
        best[key] = s;
      }
      k++;
    }
    if (total > bestTotal) {
      bestTotal = total;
      bestThreshold = threshold;
    }
  }
  return { threshold: bestThreshold, raw: bestTotal, normalized: normalize(bestTotal, files, profile) };
}

/** `100 · (raw − null) / (perfect − null)` with perfect = windows · A_TP and null = −windows · A_FN. */
export function normalize(raw: number, files: readonly ScoringFile[], profile: CostProfile): number {
  const windows = files.reduce((n, f) => n + f.windows.length, 0);
  const perfect = windows * profile.tp;
  const nullScore = -windows * profile.fn;
  return (100 * (raw - nullScore)) / (perfect - nullScore);
}
