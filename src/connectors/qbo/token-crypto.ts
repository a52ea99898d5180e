/**
 * QuickBooks tokens encrypted at rest: AES-256-GCM with a key derived (HKDF-SHA-256) from a
 * secret, and the realm id as additional authenticated data, so a sealed value copied to another
 * realm's row does not open. Sealed form: `v1.<base64url iv>.<base64url ciphertext+tag>`.
 * The 12-byte IV comes from the caller (`crypto.getRandomValues`): randomness is an argument.
 */
import { base64ToBytes, bytesToBase64Url, fromUtf8, utf8 } from "./encoding.ts";

const VERSION = "v1";

/** The runtime's CryptoKey (named through WebCrypto so no DOM or Node typings are needed). */
export type TokenKey = Awaited<ReturnType<typeof crypto.subtle.deriveKey>>;

export class TokenCryptoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TokenCryptoError";
  }
}

/** The AES-GCM key for `secret` (at least 32 characters: it guards every company's QuickBooks access). */
export async function importTokenKey(secret: string): Promise<TokenKey> {
  if (typeof secret !== "string" || secret.length < 32) {
    throw new TokenCryptoError("importTokenKey: the token encryption secret must be at least 32 characters");
  }
  const material = await crypto.subtle.importKey("raw", utf8.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: utf8.encode("bre-qbo-token-key"), info: utf8.encode(VERSION) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

export async function sealJson(value: unknown, key: TokenKey, iv: Uint8Array, associatedData: string): Promise<string> {
  if (iv.length !== 12) throw new TokenCryptoError(`sealJson: the IV must be 12 bytes, got ${iv.length}`);
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8.encode(associatedData) },
    key,
    utf8.encode(JSON.stringify(value)),
  );
  return `${VERSION}.${bytesToBase64Url(iv)}.${bytesToBase64Url(new Uint8Array(ciphertext))}`;
}

export async function openJson<T>(sealed: string, key: TokenKey, associatedData: string): Promise<T> {
  const [version, ivText, dataText] = sealed.split(".");
  const iv = ivText ? base64ToBytes(ivText) : undefined;
  const data = dataText ? base64ToBytes(dataText) : undefined;
  if (version !== VERSION || !iv || !data) throw new TokenCryptoError("openJson: not a sealed value of this version");
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv, additionalData: utf8.encode(associatedData) }, key, data);
  } catch (error) {
    throw new TokenCryptoError("openJson: cannot decrypt (wrong key, wrong realm, or the value was altered)", { cause: error });
  }
  return JSON.parse(fromUtf8.decode(plain)) as T;
}
