/**
 * Layer 2: an isolation forest per business domain (Liu, Ting & Zhou 2008, "Isolation Forest",
 * ICDM), trained on the trailing days' multi-metric vectors and asked whether a day is isolated.
 *
 * - A day's vector for a domain holds the Layer 1 z-scores of the domain's gold metrics (clipped
 *   to ±20): the forest then looks for unusual combinations of deviations, free of each metric's
 *   unit, trend and weekly pattern. A metric without a score that day takes its training median.
 * - The forest (ml-isolation-forest, 100 trees, seeded through {@link withSeededMathRandom}) is
 *   retrained every `retrainEveryDays` on the `trainingDays` before the retrain day (the day
 *   itself excluded), and scores the days up to the next retrain: no day is scored by a model
 *   that saw it or anything after it.
 * - contamination = 0.05: the threshold is the 95th percentile of the training days' own scores
 *   (as scikit-learn sets its offset); a day scoring above it is anomalous.
 */
import { IsolationForest } from "ml-isolation-forest";
import type { Domain } from "../metrics/gold.ts";
import { seededRandom, withSeededMathRandom } from "../rng.ts";
import type { PointScore } from "./layer1.ts";

export interface IsolationForestOptions {
  trainingDays: number;
  minTrainingDays: number;
  retrainEveryDays: number;
  contamination: number;
  trees: number;
  seed: string;
}

export const DEFAULT_ISOLATION_FOREST: IsolationForestOptions = {
  trainingDays: 90,
  minTrainingDays: 28,
  retrainEveryDays: 7,
  contamination: 0.05,
  trees: 100,
  seed: "bre-isolation-forest",
};

export interface DomainAnomalies {
  domain: Domain;
  /** Anomaly score 2^(−E[h]/c(n)) per day (null before the first model). */
  score: (number | null)[];
  /** The model's contamination threshold for that day. */
  threshold: (number | null)[];
  flagged: boolean[];
}

const Z_CLIP = 20;

/** Scores every day of one domain; `columns` are the domain metrics' Layer 1 scores. */
export function isolationForestLayer(domain: Domain, columns: readonly PointScore[][], dayCount: number, options: IsolationForestOptions): DomainAnomalies {
  const out: DomainAnomalies = { domain, score: new Array(dayCount).fill(null), threshold: new Array(dayCount).fill(null), flagged: new Array(dayCount).fill(false) };
  if (columns.length === 0) return out;
  const cell = (metric: number, day: number): number | null => {
    const z = columns[metric]![day]?.z ?? null;
    return z === null ? null : Math.max(-Z_CLIP, Math.min(Z_CLIP, z));
  };
  for (let start = 0; start < dayCount; start += options.retrainEveryDays) {
    const from = Math.max(0, start - options.trainingDays);
    const trainingDays: number[] = [];
    for (let d = from; d < start; d++) if (columns.some((_, m) => cell(m, d) !== null)) trainingDays.push(d);
    if (trainingDays.length < options.minTrainingDays) continue;
    // Columns with no value in the training window carry no information for this model.
    const usable = columns.map((_, m) => m).filter((m) => trainingDays.some((d) => cell(m, d) !== null));
    const medians = usable.map((m) => medianOf(trainingDays.map((d) => cell(m, d)).filter((v): v is number => v !== null)));
    const vector = (d: number) => usable.map((m, k) => cell(m, d) ?? medians[k]!);
    const training = trainingDays.map(vector);
    const scoring: number[] = [];
    for (let d = start; d < Math.min(dayCount, start + options.retrainEveryDays); d++) if (usable.some((m) => cell(m, d) !== null)) scoring.push(d);
    if (scoring.length === 0) continue;
    const random = seededRandom(`${options.seed}|${domain}|${start}`);
    const scores = withSeededMathRandom(random, () => {
      const forest = new IsolationForest({ nEstimators: options.trees });
      forest.train(training);
      return forest.predict([...training, ...scoring.map(vector)]);
    });
    const trainingScores = scores.slice(0, training.length).sort((a, b) => a - b);
    const threshold = quantile(trainingScores, 1 - options.contamination);
    scoring.forEach((d, k) => {
      const s = scores[training.length + k]!;
      out.score[d] = s;
      out.threshold[d] = threshold;
      out.flagged[d] = s > threshold;
    });
  }
  return out;
}

function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Linear-interpolated quantile of sorted values (numpy's default). */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
