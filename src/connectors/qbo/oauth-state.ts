/**
 * The OAuth `state` parameter (CSRF protection): a signed, expiring token that names the company
 * the connection is for. Format: `base64url(JSON payload) "." base64url(HMAC-SHA256(secret, first part))`.
 * The callback accepts only a state this server signed, that has not expired and (checked by the
 * caller against its store) whose nonce has not been used before.
 */
import { base64ToBytes, bytesToBase64Url, fromUtf8, utf8 } from "./encoding.ts";
import { timingSafeEqual } from "./webhooks.ts";

export interface OAuthState {
  /** The company the realm that completes the flow is bound to. */
  company: string;
  /** Random, single use. */
  nonce: string;
  /** Expiry, epoch milliseconds. */
  exp: number;
}

/** How long an admin has to approve access on Intuit's page. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

export class OAuthStateError extends Error {
  constructor(
    readonly reason: "malformed" | "bad_signature" | "expired",
    message: string,
  ) {
    super(message);
    this.name = "OAuthStateError";
  }
}

export async function signOAuthState(state: OAuthState, secret: string): Promise<string> {
  if (!state.company || !state.nonce || !Number.isFinite(state.exp)) throw new Error("signOAuthState: company, nonce and exp are required");
  const body = bytesToBase64Url(utf8.encode(JSON.stringify({ company: state.company, nonce: state.nonce, exp: state.exp })));
  return `${body}.${bytesToBase64Url(await hmac(secret, body))}`;
}

/** The state's payload when it is genuine and unexpired at `nowMs`; throws {@link OAuthStateError} otherwise. */
export async function verifyOAuthState(token: string, secret: string, nowMs: number): Promise<OAuthState> {
  const parts = token.split(".");
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new OAuthStateError("malformed", "state: is not a state this server issued");
  const given = base64ToBytes(parts[1]);
  if (!given || !timingSafeEqual(given, await hmac(secret, parts[0]))) throw new OAuthStateError("bad_signature", "state: signature does not match");
  let payload: OAuthState;
  try {
    const bytes = base64ToBytes(parts[0]);
    payload = JSON.parse(fromUtf8.decode(bytes)) as OAuthState;
  } catch {
    throw new OAuthStateError("malformed", "state: payload is not readable");
  }
  if (typeof payload.company !== "string" || typeof payload.nonce !== "string" || typeof payload.exp !== "number") {
    throw new OAuthStateError("malformed", "state: payload lacks company, nonce or exp");
  }
  if (payload.exp <= nowMs) throw new OAuthStateError("expired", "state: expired, start the connection again");
  return payload;
}

async function hmac(secret: string, message: string): Promise<Uint8Array> {
  if (secret.length < 16) throw new Error("OAuth state: the signing secret must be at least 16 characters");
  const key = await crypto.subtle.importKey("raw", utf8.encode(`bre-qbo-oauth-state\u0000${secret}`), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(message)));
}
