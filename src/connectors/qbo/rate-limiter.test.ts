import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../test/fake-clock.ts";
import { RealmRateLimiter } from "./rate-limiter.ts";

describe("RealmRateLimiter", () => {
  it("never lets more than 10 requests of a realm run at once, and admits the rest in order", async () => {
    const clock = new FakeClock();
    const limiter = new RealmRateLimiter({ now: clock.now, sleep: clock.sleep });
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const tasks = Array.from({ length: 25 }, (_, i) =>
      limiter.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
      }),
    );
    // Let admissions settle, then finish requests one by one.
    for (let finished = 0; finished < 25; finished++) {
      await new Promise((r) => setTimeout(r, 0));
      expect(running).toBeLessThanOrEqual(10);
      gates.shift()!();
    }
    await Promise.all(tasks);
    expect(peak).toBe(10);
    expect(started).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it("admits at most 500 requests in any 60 s: the 501st waits until the first leaves the window", async () => {
    const clock = new FakeClock(0);
    const limiter = new RealmRateLimiter({ now: clock.now, sleep: clock.sleep });
    const admittedAt: number[] = [];
    for (let i = 0; i < 1_001; i++) {
      const release = await limiter.acquire();
      admittedAt.push(clock.t);
      release();
    }
    // Hand count: requests 1–500 at 0 s; 501–1000 when the first 500 leave the window at 60 s; 1001 at 120 s.
    expect(admittedAt.slice(0, 500).every((t) => t === 0)).toBe(true);
    expect(admittedAt.slice(500, 1_000).every((t) => t === 60_000)).toBe(true);
    expect(admittedAt[1_000]).toBe(120_000);
    expect(clock.slept).toEqual([60_000, 60_000]);
  });

  it("spreads a steady stream: with 2 per second, request 3 waits until second 1", async () => {
    const clock = new FakeClock(0);
    const limiter = new RealmRateLimiter({ perWindow: 2, windowMs: 1_000, now: clock.now, sleep: clock.sleep });
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.run(async () => {
        times.push(clock.t);
        clock.t += 100; // each request takes 0.1 s
      });
    }
    // Starts: 0, 100; third when 0 leaves (1000); fourth when 100 leaves (1100); fifth when 1000 leaves (2000).
    expect(times).toEqual([0, 100, 1_000, 1_100, 2_000]);
  });

  it("gives a slot back once even if release is called twice, and reports usage", async () => {
    const clock = new FakeClock(0);
    const limiter = new RealmRateLimiter({ concurrent: 1, now: clock.now, sleep: clock.sleep });
    const release = await limiter.acquire();
    expect(limiter.usage()).toEqual({ inFlight: 1, inWindow: 1 });
    release();
    release();
    expect(limiter.usage()).toEqual({ inFlight: 0, inWindow: 1 });
    const a = await limiter.acquire();
    let secondAdmitted = false;
    const b = limiter.acquire().then((r) => {
      secondAdmitted = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 0));
    expect(secondAdmitted).toBe(false);
    a();
    (await b)();
    expect(secondAdmitted).toBe(true);
  });

  it("refuses impossible limits", () => {
    const clock = new FakeClock();
    expect(() => new RealmRateLimiter({ concurrent: 0, now: clock.now, sleep: clock.sleep })).toThrow("RealmRateLimiter: concurrent must be an integer ≥ 1, got 0");
  });
});
