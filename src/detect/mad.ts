import { median } from "./median.ts";

/** 0.6745 = Φ⁻¹(0.75): makes MAD consistent with σ for normal data (Iglewicz & Hoaglin, 1993). */
export const MAD_CONSISTENCY = 0.6745;
/** When MAD is 0, the mean absolute deviation scaled by √(π/2) ≈ 1.2533 estimates σ (same source). */
const MEAN_AD_TO_SIGMA = 1.253314;

export interface RobustBaseline {
  median: number;
  /** Median absolute deviation from the median. */
  mad: number;
  /** The σ-equivalent scale actually used to divide (after the MAD = 0 fallback and the floor). */
  scale: number;
}

/**
 * Median, MAD and the scale used for modified z-scores.
 * Fallback when MAD is 0 (more than half the baseline is one value, common for rare events):
 * use the mean absolute deviation × 1.2533 (Iglewicz & Hoaglin). The scale is never below
 * `minScale`, so a constant baseline does not turn a tiny change into an infinite z.
 */
export function robustBaseline(values: readonly number[], minScale = 0): RobustBaseline {
  if (values.length === 0) throw new Error("robustBaseline: the baseline window is empty");
  const center = median(values);
  const mad = median(values.map((v) => Math.abs(v - center)));
  let scale = mad / MAD_CONSISTENCY;
  if (mad === 0) {
    const meanAd = values.reduce((s, v) => s + Math.abs(v - center), 0) / values.length;
    scale = meanAd * MEAN_AD_TO_SIGMA;
  }
  scale = Math.max(scale, minScale);
  if (scale === 0) throw new Error("robustBaseline: MAD is 0 and no fallback scale was given (minScale = 0)");
  return { median: center, mad, scale };
}

/**
 * Modified z-score `z = 0.6745 · (x − median) / MAD`, i.e. `(x − median) / scale`.
 * @example modifiedZScore(10, [1, 2, 3, 4, 5]) // 0.6745 · (10 − 3) / 1 = 4.7215
 */
export function modifiedZScore(value: number, baseline: readonly number[], minScale = 0): number {
  const { median: center, scale } = robustBaseline(baseline, minScale);
  return (value - center) / scale;
}
