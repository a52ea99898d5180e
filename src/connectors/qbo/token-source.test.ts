import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.ts";
import type { TokenSet } from "./oauth.ts";
import { RefreshingTokenSource, type TokenVault } from "./token-source.ts";

function tokens(n: number, clock: FakeClock, ttlMs = 3_600_000): TokenSet {
  return {
    access_token: `access-${n}`,
    refresh_token: `refresh-${n}`,
    token_type: "bearer",
    access_expires_at: new Date(clock.t + ttlMs).toISOString(),
    refresh_expires_at: new Date(clock.t + 100 * 86_400_000).toISOString(),
    obtained_at: new Date(clock.t).toISOString(),
  };
}

function setup(initial: (clock: FakeClock) => TokenSet | undefined) {
  const clock = new FakeClock();
  const saved: TokenSet[] = [];
  let stored = initial(clock);
  const vault: TokenVault = {
    load: async () => stored,
    save: async (t) => {
      saved.push(t);
      stored = t;
    },
  };
  const calls: string[] = [];
  const source = new RefreshingTokenSource({
    vault,
    now: clock.now,
    refresh: async (refreshToken) => {
      calls.push(refreshToken);
      await new Promise((r) => setTimeout(r, 5)); // a network round trip, during which others ask
      return tokens(calls.length + 1, clock);
    },
  });
  return { clock, source, calls, saved };
}

describe("RefreshingTokenSource", () => {
  it("hands out the stored token while it has more than 5 minutes left", async () => {
    const { source, calls } = setup((c) => tokens(1, c));
    expect(await source.accessToken()).toBe("access-1");
    expect(calls).toEqual([]);
  });

  it("refreshes once for many concurrent callers, saving the rotated refresh token first", async () => {
    const { source, calls, saved, clock } = setup((c) => tokens(1, c, 60_000)); // 1 minute left
    const results = await Promise.all(Array.from({ length: 20 }, () => source.accessToken()));
    expect(new Set(results)).toEqual(new Set(["access-2"]));
    expect(calls).toEqual(["refresh-1"]);
    expect(saved.map((t) => t.refresh_token)).toEqual(["refresh-2"]);
    expect(source.refreshes).toBe(1);
    clock.t += 1000;
    expect(await source.accessToken()).toBe("access-2");
  });

  it("after a 401, refreshes only if the rejected token is still the current one", async () => {
    const { source, calls } = setup((c) => tokens(1, c));
    const first = await source.accessToken();
    const [a, b] = await Promise.all([source.refreshAfterRejection(first), source.refreshAfterRejection(first)]);
    expect([a, b]).toEqual(["access-2", "access-2"]);
    // A request that still carried token 1 and got its 401 late: no second refresh.
    expect(await source.refreshAfterRejection(first)).toBe("access-2");
    expect(calls).toEqual(["refresh-1"]);
  });

  it("says the company must be connected again when there are no tokens or the refresh token expired", async () => {
    await expect(setup(() => undefined).source.accessToken()).rejects.toMatchObject({ code: "QBO_NOT_CONNECTED" });
    const { source, clock } = setup((c) => tokens(1, c));
    clock.t += 101 * 86_400_000;
    await expect(source.accessToken()).rejects.toThrow(/refresh token has expired/);
  });

  it("lets the next caller try again after a failed refresh", async () => {
    const clock = new FakeClock();
    let fail = true;
    const stale = tokens(1, clock, 0);
    const source = new RefreshingTokenSource({
      vault: { load: async () => stale, save: async () => undefined },
      now: clock.now,
      refresh: async () => {
        if (fail) throw new Error("token endpoint down");
        return tokens(2, clock);
      },
    });
    await expect(source.accessToken()).rejects.toThrow("token endpoint down");
    fail = false;
    expect(await source.accessToken()).toBe("access-2");
  });
});
