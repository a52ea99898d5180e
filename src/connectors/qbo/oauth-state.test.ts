import { describe, expect, it } from "vitest";
import { OAuthStateError, signOAuthState, verifyOAuthState } from "./oauth-state.ts";

const SECRET = "a-signing-secret-of-some-length";
const NOW = Date.parse("2026-01-15T12:00:00Z");
const state = { company: "demo", nonce: "n-4f1c", exp: NOW + 600_000 };

describe("OAuth state", () => {
  it("round-trips a signed state until it expires", async () => {
    const token = await signOAuthState(state, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/); // 32-byte HMAC = 43 base64url characters
    expect(await verifyOAuthState(token, SECRET, NOW + 599_999)).toEqual(state);
    await expect(verifyOAuthState(token, SECRET, NOW + 600_000)).rejects.toMatchObject({ reason: "expired" });
  });

  it("rejects a state signed with another secret, a changed payload, and garbage", async () => {
    const token = await signOAuthState(state, SECRET);
    await expect(verifyOAuthState(token, `${SECRET}!`, NOW)).rejects.toMatchObject({ reason: "bad_signature" });
    const [, signature] = token.split(".");
    const forged = `${btoa(JSON.stringify({ ...state, company: "victim" })).replace(/=+$/, "")}.${signature}`;
    await expect(verifyOAuthState(forged, SECRET, NOW)).rejects.toMatchObject({ reason: "bad_signature" });
    await expect(verifyOAuthState("no-dot", SECRET, NOW)).rejects.toBeInstanceOf(OAuthStateError);
    await expect(verifyOAuthState("a.b.c", SECRET, NOW)).rejects.toMatchObject({ reason: "malformed" });
  });

  it("refuses a short signing secret", async () => {
    await expect(signOAuthState(state, "short")).rejects.toThrow("the signing secret must be at least 16 characters");
  });
});
