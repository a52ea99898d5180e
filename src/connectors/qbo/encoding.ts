/** Base64 and base64url over bytes, with the runtime's `btoa`/`atob` (Workers and Node alike). */

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Standard or URL-safe base64, padded or not → bytes; undefined when it is not base64. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(standard)) return undefined;
  const bare = standard.replace(/=+$/, "");
  if (bare.length % 4 === 1) return undefined;
  try {
    const binary = atob(bare.padEnd(bare.length + ((4 - (bare.length % 4)) % 4), "="));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** URL-safe base64 without padding (RFC 4648 §5). */
export function bytesToBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export const utf8 = new TextEncoder();
export const fromUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
