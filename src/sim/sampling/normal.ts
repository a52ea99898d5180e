import type { Random } from "../../rng.ts";

/**
 * A standard normal draw by the Box–Muller transform: z = √(−2 ln u₁) · cos(2π u₂).
 * @example sampleStandardNormal(seededRandom(7)) // a value with mean 0 and variance 1 over many draws
 */
export function sampleStandardNormal(random: Random): number {
  // 1 − u keeps the logarithm's argument in (0, 1].
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
