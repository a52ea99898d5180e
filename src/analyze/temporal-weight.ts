/**
 * Temporal weight of a cascade link (spec, Component F): `exp(−days / decay)`, decay = 3 days.
 * `days` is the gap between the two incidents (0 when their windows overlap).
 * @example temporalWeight(3) // e^(−1) ≈ 0.3679
 */
export function temporalWeight(days: number, decayDays = 3): number {
  if (!Number.isFinite(days) || days < 0) throw new Error(`temporalWeight: days must be ≥ 0, got ${days}`);
  if (!(decayDays > 0)) throw new Error(`temporalWeight: decay must be > 0, got ${decayDays}`);
  return Math.exp(-days / decayDays);
}
