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
 * - ml-isolation-forest grows each tree on the whole training set (at most 90 rows, below
 *   scikit-learn's 256-row subsample, so the same) to depth ⌈log2 n⌉.
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

/** One model's verdict on a day. */
export interface ForestVerdict {
  /** Anomaly score 2^(−E[h]/c(n)). */
  score: number;
  /** The model's contamination threshold. */
  threshold: number;
  flagged: boolean;
}

const Z_CLIP = 20;

/**
 * The forest of one domain over the scan's days. Models are trained lazily, one per block of
 * `retrainEveryDays`, the first time a day of the block is asked about (the fusion only asks
 * about days near an incident), and cached; a block's model depends only on its own training
 * days and seed, so the answers do not depend on the order of the questions.
 */
export class DomainForest {
  private readonly verdicts = new Map<number, (ForestVerdict | null)[]>();
  modelsTrained = 0;

  /** `columns` are the Layer 1 scores of the domain's metrics. */
  constructor(
    readonly domain: Domain,
    private readonly columns: readonly (readonly PointScore[])[],
    readonly dayCount: number,
    private readonly options: IsolationForestOptions,
  ) {}

  /** The verdict on day `day` (null before the first model, or on a day without values). */
  at(day: number): ForestVerdict | null {
    if (day < 0 || day >= this.dayCount || this.columns.length === 0) return null;
    const start = day - (day % this.options.retrainEveryDays);
    let block = this.verdicts.get(start);
    if (!block) this.verdicts.set(start, (block = this.trainBlock(start)));
    return block[day - start] ?? null;
  }

  private cell(metric: number, day: number): number | null {
    const z = this.columns[metric]![day]?.z ?? null;
    return z === null ? null : Math.max(-Z_CLIP, Math.min(Z_CLIP, z));
  }

  private trainBlock(start: number): (ForestVerdict | null)[] {
    const options = this.options;
    const length = Math.min(options.retrainEveryDays, this.dayCount - start);
    const out: (ForestVerdict | null)[] = new Array(length).fill(null);
    const metrics = this.columns.map((_, m) => m);
    const trainingDays: number[] = [];
    for (let d = Math.max(0, start - options.trainingDays); d < start; d++) if (metrics.some((m) => this.cell(m, d) !== null)) trainingDays.push(d);
    if (trainingDays.length < options.minTrainingDays) return out;
    // Metrics with no value in the training window carry no information for this model.
    const usable = metrics.filter((m) => trainingDays.some((d) => this.cell(m, d) !== null));
    const medians = usable.map((m) => medianOf(trainingDays.map((d) => this.cell(m, d)).filter((v): v is number => v !== null)));
    const vector = (d: number) => usable.map((m, k) => this.cell(m, d) ?? medians[k]!);
    const scoring: number[] = [];
    for (let d = start; d < start + length; d++) if (usable.some((m) => this.cell(m, d) !== null)) scoring.push(d);
    if (scoring.length === 0) return out;
    const training = trainingDays.map(vector);
    const random = seededRandom(`${options.seed}|${this.domain}|${start}`);
    const scores = withSeededMathRandom(random, () => {
      const forest = new IsolationForest({ nEstimators: options.trees });
      forest.train(training);
      return forest.predict([...training, ...scoring.map(vector)]);
    });
    this.modelsTrained++;
    const threshold = quantile(
      scores.slice(0, training.length).sort((a, b) => a - b),
      1 - options.contamination,
    );
    scoring.forEach((d, k) => {
      const score = scores[training.length + k]!;
      out[d - start] = { score, threshold, flagged: score > threshold };
    });
    return out;
  }
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
