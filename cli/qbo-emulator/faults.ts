/**
 * Faults the emulator can inject, to prove the connector survives them: throttling (429 with
 * Retry-After), server errors (500 SystemFault), slow answers, access tokens that expire early
 * (401), and webhooks that are dropped, duplicated or delivered out of order.
 *
 * Two ways to ask: rates (each API request draws from a seeded generator, so a run is
 * repeatable) and a script (the next requests get exactly these faults, in order).
 */
import { type Random, seededRandom } from "../../src/rng.ts";

export type ApiFault = "429" | "500" | "401" | "slow";

export interface FaultPlan {
  /** Share of API requests answered 429 ThrottleExceeded. */
  throttle: number;
  /** Share of API requests answered 500 SystemFault. */
  error: number;
  /** Share of API requests answered after `slowMs`. */
  slow: number;
  slowMs: number;
  /** Seconds sent in Retry-After with a 429. */
  retryAfterSeconds: number;
  /** Share of webhook notifications never sent. */
  drop: number;
  /** Share of webhook notifications sent twice. */
  duplicate: number;
  /** Deliver each flush's webhooks in reverse order. */
  reorder: boolean;
  /** Faults for the next API requests, in order, before rates apply. */
  script: ApiFault[];
}

export const NO_FAULTS: FaultPlan = { throttle: 0, error: 0, slow: 0, slowMs: 2_000, retryAfterSeconds: 1, drop: 0, duplicate: 0, reorder: false, script: [] };

/**
 * Parses `--faults 429=0.1,500=0.05,slow=0.1,slow-ms=1500,drop=0.3,dup=0.2,reorder,script=429|500|401`.
 * Throws naming the part it cannot read.
 */
export function parseFaults(text: string): FaultPlan {
  const plan: FaultPlan = { ...NO_FAULTS, script: [] };
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.split("=", 2) as [string, string | undefined];
    const share = () => {
      const n = Number(value);
      if (!(n >= 0 && n <= 1)) throw new Error(`--faults: ${name} must be a share between 0 and 1, got "${value}"`);
      return n;
    };
    const positive = () => {
      const n = Number(value);
      if (!(Number.isFinite(n) && n >= 0)) throw new Error(`--faults: ${name} must be a number ≥ 0, got "${value}"`);
      return n;
    };
    switch (name) {
      case "429":
        plan.throttle = share();
        break;
      case "500":
        plan.error = share();
        break;
      case "slow":
        plan.slow = share();
        break;
      case "slow-ms":
        plan.slowMs = positive();
        break;
      case "retry-after":
        plan.retryAfterSeconds = positive();
        break;
      case "drop":
        plan.drop = share();
        break;
      case "dup":
        plan.duplicate = share();
        break;
      case "reorder":
        plan.reorder = value === undefined || value === "true" || value === "1";
        break;
      case "script":
        plan.script = (value ?? "").split("|").map((f) => {
          if (!["429", "500", "401", "slow"].includes(f)) throw new Error(`--faults: script entries are 429, 500, 401 or slow, got "${f}"`);
          return f as ApiFault;
        });
        break;
      default:
        throw new Error(`--faults: unknown fault "${name}" (known: 429, 500, slow, slow-ms, retry-after, drop, dup, reorder, script)`);
    }
  }
  return plan;
}

/** Decides, request by request and notification by notification, which fault applies. */
export class FaultInjector {
  plan: FaultPlan;
  private readonly random: Random;
  readonly injected: Record<ApiFault | "drop" | "duplicate", number> = { "429": 0, "500": 0, "401": 0, slow: 0, drop: 0, duplicate: 0 };

  constructor(plan: Partial<FaultPlan> = {}, seed: number | string = "faults") {
    this.plan = { ...NO_FAULTS, ...plan, script: [...(plan.script ?? [])] };
    this.random = seededRandom(seed);
  }

  set(plan: Partial<FaultPlan>): void {
    this.plan = { ...this.plan, ...plan, script: [...(plan.script ?? this.plan.script)] };
  }

  /** The fault for the next API request, if any. */
  nextApiFault(): ApiFault | undefined {
    const scripted = this.plan.script.shift();
    const fault = scripted ?? this.drawApiFault();
    if (fault) this.injected[fault]++;
    return fault;
  }

  private drawApiFault(): ApiFault | undefined {
    const x = this.random();
    if (x < this.plan.throttle) return "429";
    if (x < this.plan.throttle + this.plan.error) return "500";
    if (x < this.plan.throttle + this.plan.error + this.plan.slow) return "slow";
    return undefined;
  }

  /** How many times to send a notification: 0 (dropped), 1, or 2 (duplicated). */
  copies(): number {
    if (this.random() < this.plan.drop) {
      this.injected.drop++;
      return 0;
    }
    if (this.random() < this.plan.duplicate) {
      this.injected.duplicate++;
      return 2;
    }
    return 1;
  }
}
