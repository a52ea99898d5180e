/**
 * TCPDBench's metrics (van den Burg & Williams 2020, arXiv:2003.06222; code
 * `analysis/scripts/metrics.py`), written out in ../shared/bench/tcpd/README.md.
 * F1 uses a margin of 5 positions, index 0 counts as a change point in every set, and the greedy
 * matching walks the annotation sets in CPython's set order ({@link pythonSetOrder}).
 */
import { pythonSetOrder } from "./pyset.ts";

/** Annotations: annotator id → change-point indices, in file order. */
export type Annotations = Record<string, readonly number[]>;

/** Drops duplicates and indices outside 1 … n−2 (methods report 0 and n−1 by default), sorts. */
export function cleanPredictions(predictions: readonly number[], nObs: number): number[] {
  return [...new Set(predictions)].filter((x) => x >= 1 && x <= nObs - 2).sort((a, b) => a - b);
}

/** Greedy one-to-one matching: each τ (in the given order) takes the closest unused x within the margin. */
function truePositives(annotated: readonly number[], predicted: readonly number[], margin: number): number {
  const unused = new Set(predicted);
  let count = 0;
  for (const tau of annotated) {
    let best: number | null = null;
    for (const x of unused) {
      const d = Math.abs(tau - x);
      if (d > margin) continue;
      if (best === null || d < Math.abs(tau - best) || (d === Math.abs(tau - best) && x < best)) best = x;
    }
    if (best === null) continue;
    count++;
    unused.delete(best);
  }
  return count;
}

export function fMeasure(annotations: Annotations, predictions: readonly number[], margin = 5): { f1: number; precision: number; recall: number } {
  const sets = Object.values(annotations).map((list) => pythonSetOrder([...list, 0]));
  const predicted = [...new Set([...predictions, 0])];
  const union = pythonSetOrder(sets.flat());
  const precision = truePositives(union, predicted, margin) / predicted.length;
  const recall = sets.reduce((s, tk) => s + truePositives(tk, predicted, margin) / tk.length, 0) / sets.length;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { f1, precision, recall };
}

/** Segments [start, end) of 0 … n−1 cut at the given change points (a cut at 0 makes no empty segment). */
function segments(cps: readonly number[], nObs: number): [number, number][] {
  const cuts = [...new Set(cps)].filter((c) => c > 0 && c < nObs).sort((a, b) => a - b);
  const out: [number, number][] = [];
  let start = 0;
  for (const c of cuts) {
    out.push([start, c]);
    start = c;
  }
  out.push([start, nObs]);
  return out;
}

/** Mean over annotators of `(1/n) Σ_{A ∈ G_k} |A| · max_{B ∈ S} |A∩B|/|A∪B|`. */
export function covering(annotations: Annotations, predictions: readonly number[], nObs: number): number {
  const predicted = segments(predictions, nObs);
  const covers = Object.values(annotations).map((list) => {
    let c = 0;
    for (const [a0, a1] of segments(list, nObs)) {
      let best = 0;
      for (const [b0, b1] of predicted) {
        const inter = Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
        if (inter === 0) continue;
        const union = a1 - a0 + (b1 - b0) - inter;
        best = Math.max(best, inter / union);
      }
      c += (a1 - a0) * best;
    }
    return c / nObs;
  });
  return covers.reduce((s, v) => s + v, 0) / covers.length;
}
