/**
 * A streaming anomaly scorer for one metric sampled at a fixed interval (minutes to days): each
 * point gets a score in [0, 1) from itself and the points before it only. It is Layer 1's idea
 * (robust deviation from a trailing baseline, with seasonality) made self-calibrating for
 * streams whose noise and tails are unknown, and it is what the NAB benchmark scores.
 *
 * For each point:
 * 1. three robust z-scores against the trailing `window` points: of the value; of its seasonal
 *    residual (value − median of the same phase 1, 2 and 3 periods back) when a daily period is
 *    known; of the mean of the last `levelPoints` values (a level shift builds up there first).
 *    σ̂ = max(MAD/0.6745, inter-decile range/2.563, 2 % of the range, 0.1 % of |median|).
 * 2. each |z| becomes a surprise, −log10 P(|Z| ≥ |z|), from its own trailing `history`: the
 *    empirical rank below the 97th percentile, a generalised Pareto tail above it ({@link gpdSurprise}).
 * 3. the point's surprise is the largest of the three; what is reported is how far it rises above
 *    the largest surprise of the previous `quietPoints` points, so one event raises one alarm
 *    rather than one per point while it lasts. Score = s/(s + 10), a monotone map into [0, 1).
 */
import { fitGpdTail, type GpdTail, gpdSurprise } from "./gpd.ts";
import { SortedWindow } from "./sorted-window.ts";

export interface StreamingOptions {
  /** Points per day (for the seasonal residual); 0 or below 4: no seasonal feature. */
  period: number;
  window: number;
  history: number;
  tailQuantile: number;
  /** Points of surprise history before a feature reports anything. */
  warmup: number;
  /** Refit the tail every this many points. */
  refitEvery: number;
  levelPoints: number;
  quietPoints: number;
}

export const DEFAULT_STREAMING: Omit<StreamingOptions, "period"> = {
  window: 5000,
  history: 1500,
  tailQuantile: 0.97,
  warmup: 200,
  refitEvery: 25,
  levelPoints: 10,
  quietPoints: 100,
};

const SEASONAL_PERIODS_BACK = 3;
/** Points a robust z needs in its window. */
const MIN_WINDOW = 10;

/** −log10 tail surprise of |z| against its own trailing history. */
class SurpriseFeature {
  private readonly zWindow: SortedWindow;
  private readonly history: SortedWindow;
  private tail: GpdTail | null = null;

  constructor(private readonly options: StreamingOptions) {
    this.zWindow = new SortedWindow(options.window);
    this.history = new SortedWindow(options.history);
  }

  /** Robust |z| of x against the window before it; then adds x to the window. */
  deviation(x: number): number {
    const w = this.zWindow;
    let z = 0;
    if (w.size >= MIN_WINDOW) {
      const center = w.median();
      const range = w.quantile(1) - w.quantile(0);
      const scale = Math.max(w.medianAbsoluteDeviation(center) / 0.6745, (w.quantile(0.9) - w.quantile(0.1)) / 2.563, 0.02 * range, 1e-3 * Math.abs(center), 1e-9);
      z = Math.abs(x - center) / scale;
    }
    w.push(x);
    return z;
  }

  /** Surprise of |z| at point `index` (0 during the warm-up); then adds |z| to the history. */
  surprise(z: number, index: number): number {
    const h = this.history;
    let s = 0;
    if (h.size >= this.options.warmup) {
      if (this.tail === null || index % this.options.refitEvery === 0) {
        this.tail = fitGpdTail(h.values(), h.quantile(this.options.tailQuantile));
      }
      const tail = this.tail;
      s = z <= tail.threshold ? -Math.log10(Math.max(1 - h.rankBelow(z), tail.share)) : gpdSurprise(tail, z);
    }
    h.push(z);
    return s;
  }
}

export class StreamingDetector {
  private readonly options: StreamingOptions;
  private readonly value: SurpriseFeature;
  private readonly seasonal: SurpriseFeature | null;
  private readonly level: SurpriseFeature;
  /** Recent points; `points[k]` is point `base + k`. */
  private points: number[] = [];
  private base = 0;
  private readonly recent: number[] = [];
  private levelSum = 0;
  private index = 0;

  constructor(options: Partial<StreamingOptions> & { period: number }) {
    this.options = { ...DEFAULT_STREAMING, ...options };
    this.value = new SurpriseFeature(this.options);
    this.seasonal = this.options.period >= 4 ? new SurpriseFeature(this.options) : null;
    this.level = new SurpriseFeature(this.options);
  }

  /** Scores the next point; returns its anomaly score in [0, 1). */
  update(x: number): number {
    if (!Number.isFinite(x)) throw new Error(`StreamingDetector.update: point ${this.index} is not a finite number`);
    const i = this.index++;
    const { period, levelPoints } = this.options;
    this.points.push(x);

    const surprises: number[] = [];
    const zValue = this.value.deviation(x);
    if (i >= MIN_WINDOW) surprises.push(this.value.surprise(zValue, i));

    if (this.seasonal) {
      const back: number[] = [];
      for (let k = 1; k <= SEASONAL_PERIODS_BACK; k++) if (i - k * period >= 0) back.push(this.points[i - k * period - this.base]!);
      back.sort((a, b) => a - b);
      const residual = back.length === 0 ? 0 : x - back[back.length >> 1]!;
      const zSeasonal = this.seasonal.deviation(residual);
      if (i >= period + MIN_WINDOW) surprises.push(this.seasonal.surprise(zSeasonal, i));
    }

    this.levelSum += x;
    if (i >= levelPoints) this.levelSum -= this.points[i - levelPoints - this.base]!;
    const zLevel = this.level.deviation(this.levelSum / Math.min(i + 1, levelPoints));
    if (i >= levelPoints + MIN_WINDOW) surprises.push(this.level.surprise(zLevel, i));

    // Only the points needed for the seasonal and level look-backs are kept.
    const keep = Math.max(SEASONAL_PERIODS_BACK * period, levelPoints) + 1;
    if (this.points.length > 2 * keep + 1024) {
      const drop = this.points.length - keep;
      this.points = this.points.slice(drop);
      this.base += drop;
    }

    const surprise = surprises.length === 0 ? 0 : Math.max(...surprises);
    let recentMax = 0;
    for (const r of this.recent) if (r > recentMax) recentMax = r;
    this.recent.push(surprise);
    if (this.recent.length > this.options.quietPoints) this.recent.shift();
    const rise = Math.max(0, surprise - recentMax);
    return rise / (rise + 10);
  }
}
