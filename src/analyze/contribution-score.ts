/** Cap of the anomaly magnitude: z = 9 and beyond all count as 3 (spec, Step 4). */
export const MAGNITUDE_CAP = 3;
/** Days over which a lag's weight decays by 1/e (spec: decay_constant = 7.0 days). */
export const LAG_DECAY_DAYS = 7;

export interface ContributionParts {
  /** `min(|z| / 3, 3)`. */
  anomaly_magnitude: number;
  /** Best cross-correlation at its lag × `exp(−lag / 7)`. */
  temporal_precedence: number;
  /** `1 / (shortest path length + 1)`. */
  graph_proximity: number;
  /** Share of the metric's source events without data-quality flags, in [0, 1]. */
  data_quality_weight: number;
  contribution_score: number;
}

/**
 * BRE-RCA's contribution score of an upstream metric to an incident (spec, Component G, Step 4):
 *
 * `contribution = min(|z| / 3, 3) × (r_best × exp(−lag / 7)) × 1 / (path length + 1) × dq`
 *
 * `correlation` is the best cross-correlation at lag 0..14 (negative values count as 0: no support);
 * `pathLength` the shortest DAG path to the incident metric (0 for the incident metric itself).
 * @example contributionScore({ z: 6, correlation: 0.9, lag: 3, pathLength: 1, dataQuality: 1 })
 * // magnitude 2 × precedence 0.9·e^(−3/7) = 0.5868 × proximity 0.5 × 1 → 0.5868
 */
export function contributionScore(input: { z: number; correlation: number; lag: number; pathLength: number; dataQuality: number }): ContributionParts {
  const { z, correlation, lag, pathLength, dataQuality } = input;
  if (!Number.isFinite(z)) throw new Error(`contributionScore: z must be finite, got ${z}`);
  if (!(correlation >= -1 && correlation <= 1)) throw new Error(`contributionScore: correlation must be in [-1, 1], got ${correlation}`);
  if (!Number.isFinite(lag) || lag < 0) throw new Error(`contributionScore: lag must be ≥ 0, got ${lag}`);
  if (!Number.isInteger(pathLength) || pathLength < 0) throw new Error(`contributionScore: path length must be a whole number ≥ 0, got ${pathLength}`);
  if (!(dataQuality >= 0 && dataQuality <= 1)) throw new Error(`contributionScore: data quality must be in [0, 1], got ${dataQuality}`);
  const anomaly_magnitude = Math.min(Math.abs(z) / 3, MAGNITUDE_CAP);
  const temporal_precedence = Math.max(0, correlation) * Math.exp(-lag / LAG_DECAY_DAYS);
  const graph_proximity = 1 / (pathLength + 1);
  return {
    anomaly_magnitude,
    temporal_precedence,
    graph_proximity,
    data_quality_weight: dataQuality,
    contribution_score: anomaly_magnitude * temporal_precedence * graph_proximity * dataQuality,
  };
}
