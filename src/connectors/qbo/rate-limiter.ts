/**
 * Intuit's per-realm limits for the Accounting API: at most 500 requests in any 60 seconds and
 * at most 10 requests in flight at once. One limiter per realm (the realm's Durable Object owns
 * it), so every request for that company waits its turn here instead of earning a 429.
 *
 * Admission is first come, first served: callers are admitted one at a time, in the order they
 * asked, each waiting until both a concurrency slot and room in the sliding window are free.
 * Time comes in through `now` and `sleep`, so tests drive it with a fake clock.
 */
export interface RateLimiterOptions {
  /** Requests allowed in any window (Intuit: 500). */
  perWindow?: number;
  /** Window length in ms (Intuit: 60 s). */
  windowMs?: number;
  /** Requests in flight at once (Intuit: 10). */
  concurrent?: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Gives the slot back; calling it twice is harmless. */
export type Release = () => void;

export class RealmRateLimiter {
  readonly perWindow: number;
  readonly windowMs: number;
  readonly concurrent: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private active = 0;
  /** Start times of the requests in the current window, oldest first. */
  private readonly starts: number[] = [];
  private readonly slotWaiters: (() => void)[] = [];
  private gate: Promise<void> = Promise.resolve();

  constructor(options: RateLimiterOptions) {
    this.perWindow = options.perWindow ?? 500;
    this.windowMs = options.windowMs ?? 60_000;
    this.concurrent = options.concurrent ?? 10;
    for (const [name, value] of [
      ["perWindow", this.perWindow],
      ["windowMs", this.windowMs],
      ["concurrent", this.concurrent],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`RealmRateLimiter: ${name} must be an integer ≥ 1, got ${value}`);
    }
    this.now = options.now;
    this.sleep = options.sleep;
  }

  /** Waits for a slot; the caller must call the returned release when its request is done. */
  acquire(): Promise<Release> {
    const admitted = this.gate.then(() => this.admit());
    // The next caller waits for this one's admission, not for its request.
    this.gate = admitted.then(
      () => undefined,
      () => undefined,
    );
    return admitted;
  }

  /** Runs `task` inside a slot. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  /** Requests in flight and requests started in the current window (for status reports). */
  usage(): { inFlight: number; inWindow: number } {
    this.prune();
    return { inFlight: this.active, inWindow: this.starts.length };
  }

  private async admit(): Promise<Release> {
    for (;;) {
      if (this.active >= this.concurrent) {
        await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
        continue;
      }
      this.prune();
      if (this.starts.length >= this.perWindow) {
        // Room opens when the oldest request of the window leaves it.
        await this.sleep(Math.max(1, this.starts[0]! + this.windowMs - this.now()));
        continue;
      }
      this.active++;
      this.starts.push(this.now());
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.active--;
        this.slotWaiters.shift()?.();
      };
    }
  }

  private prune(): void {
    const horizon = this.now() - this.windowMs;
    while (this.starts.length > 0 && this.starts[0]! <= horizon) this.starts.shift();
  }
}
