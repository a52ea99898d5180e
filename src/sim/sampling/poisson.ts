import type { Random } from "../../rng.ts";
import { sampleStandardNormal } from "./normal.ts";

/**
 * A Poisson-distributed count: P(k) = e^(−λ) λ^k / k!.
 * Below λ = 30, Knuth's method (multiply uniforms until the product drops under e^(−λ)); above,
 * the normal approximation N(λ, λ) rounded and floored at 0, whose error is below 1 % there.
 * @example samplePoisson(seededRandom(1), 3) // 2, 3, 5, … with mean 3 over many draws
 */
export function samplePoisson(random: Random, mean: number): number {
  if (!(mean >= 0) || !Number.isFinite(mean)) throw new Error(`samplePoisson: mean must be a finite number ≥ 0, got ${mean}`);
  if (mean === 0) return 0;
  if (mean >= 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * sampleStandardNormal(random)));
  const limit = Math.exp(-mean);
  let k = 0;
  let product = random();
  while (product > limit) {
    k++;
    product *= random();
  }
  return k;
}
