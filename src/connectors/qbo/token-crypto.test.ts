import { describe, expect, it } from "vitest";
import { importTokenKey, openJson, sealJson, TokenCryptoError } from "./token-crypto.ts";

const SECRET = "0123456789abcdef0123456789abcdef-token-key";
const IV = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
const tokens = { access_token: "eyJ.access", refresh_token: "AB11refresh" };

describe("token encryption at rest", () => {
  it("seals and opens tokens; the sealed text contains neither token", async () => {
    const key = await importTokenKey(SECRET);
    const sealed = await sealJson(tokens, key, IV, "realm:4620816365");
    expect(sealed.startsWith("v1.AQIDBAUGBwgJCgsM.")).toBe(true); // base64url of bytes 1..12
    expect(sealed).not.toContain("AB11refresh");
    expect(sealed).not.toContain("eyJ");
    expect(await openJson(sealed, key, "realm:4620816365")).toEqual(tokens);
  });

  it("will not open under another realm, another key, or after a single flipped character", async () => {
    const key = await importTokenKey(SECRET);
    const sealed = await sealJson(tokens, key, IV, "realm:1");
    await expect(openJson(sealed, key, "realm:2")).rejects.toBeInstanceOf(TokenCryptoError);
    await expect(openJson(sealed, await importTokenKey(`${SECRET}x`), "realm:1")).rejects.toThrow(/cannot decrypt/);
    const last = sealed.at(-2) === "A" ? "B" : "A";
    await expect(openJson(`${sealed.slice(0, -2)}${last}${sealed.at(-1)}`, key, "realm:1")).rejects.toThrow(/cannot decrypt/);
    await expect(openJson("v0.x.y", key, "realm:1")).rejects.toThrow("not a sealed value of this version");
  });

  it("same plaintext with different IVs gives different ciphertexts", async () => {
    const key = await importTokenKey(SECRET);
    const other = Uint8Array.from({ length: 12 }, (_, i) => 12 - i);
    expect(await sealJson(tokens, key, IV, "r")).not.toBe(await sealJson(tokens, key, other, "r"));
  });

  it("refuses a weak secret and a wrong IV length", async () => {
    await expect(importTokenKey("short")).rejects.toThrow("at least 32 characters");
    const key = await importTokenKey(SECRET);
    await expect(sealJson(tokens, key, new Uint8Array(8), "r")).rejects.toThrow("the IV must be 12 bytes, got 8");
  });
});
