/** Six significant decimals keep the JSON readable and stable across platforms. */
export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

export function round6OrNull(value: number | null | undefined): number | null {
  return value === null || value === undefined || !Number.isFinite(value) ? null : round6(value);
}

/** Cents, for money. */
export function roundCents(value: number): number {
  return Math.round(value * 100) / 100;
}
