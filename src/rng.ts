/**
 * Seeded pseudo-random numbers. The core never calls Math.random(): randomness is an argument,
 * so the same seed gives the same simulation, forest and output.
 */

/** A generator of floats in [0, 1). */
export type Random = () => number;

/**
 * sfc32 (Chris Doty-Humphrey's Small Fast Counter), seeded through splitmix32 so that nearby
 * seeds give unrelated streams. Period about 2^128; passes PractRand to 2^42 bytes.
 * @example const rand = seededRandom(42); rand(); // 0.2400…, the same on every machine
 */
export function seededRandom(seed: number | string): Random {
  let h = typeof seed === "number" ? seed >>> 0 : hashString(seed);
  const next32 = () => {
    h = (h + 0x9e3779b9) | 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
  let a = next32();
  let b = next32();
  let c = next32();
  let d = next32();
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** 32-bit FNV-1a hash of a string, for deriving seeds from names. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Runs `fn` with Math.random replaced by a seeded generator, for third-party code (such as
 * ml-isolation-forest) that draws from Math.random. Synchronous only, so nothing else can observe
 * the swap.
 */
export function withSeededMathRandom<T>(random: Random, fn: () => T): T {
  const original = Math.random;
  Math.random = random;
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}
