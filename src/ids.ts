/** Deterministic identifiers: the same inputs name the same incident in every scan. */

/**
 * 64-bit FNV-1a over the parts, as 16 hex characters.
 * @example stableId("REFUND_SPIKE", "2025-02-03") // always the same 16 hex digits
 */
export function stableId(...parts: string[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ 0x5bd1e995;
  const text = parts.join("\u001f");
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h1 >>> 13);
  }
  return (h1 >>> 0).toString(16).padStart(8, "0") + (h2 >>> 0).toString(16).padStart(8, "0");
}
