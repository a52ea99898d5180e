/**
 * Layer 3: regime changes in one metric ("the mean delivery delay shifted from 2 to 5 days
 * starting Feb 12"), found online so the backtest never looks ahead.
 *
 * The metric (its weekday-adjusted values from Layer 1) is standardised once by the median and
 * robust scale of its first `warmupDays` values; nothing is reported before the warm-up ends.
 * - BOCPD ({@link Bocpd}; Adams & MacKay 2007) runs over the standardised values with the
 *   TCPDBench default prior (m 0, κ 1, α 1, β 1) and hazard 1/λ; day i fires when
 *   P(run length < windowDays | values ≤ i) ≥ `probability`.
 * - PELT ({@link pelt}; Killick et al. 2012) segments the trailing `peltWindowDays` ending at day i
 *   (mean cost, MBIC penalty); day i fires when the last segment starts within the last
 *   `windowDays` days and is at least two days long (a regime, not a one-day spike).
 * Either way the shift must move the mean by at least `minShift` times the day's Layer 1 scale σ̂
 * (the trailing baseline's noise), so a regime change is judged against what is normal now; its
 * direction and the segment means before and after are kept. The layer fires on a day when any
 * enabled method does; `agreed` tells when all enabled methods fired that day.
 */
import { Bocpd } from "./bocpd.ts";
import { robustBaseline } from "./mad.ts";
import { mbicPenalty, pelt } from "./pelt.ts";

export type ChangepointMethod = "bocpd" | "pelt";

export interface ChangepointOptions {
  methods: readonly ChangepointMethod[];
  warmupDays: number;
  windowDays: number;
  lambda: number;
  probability: number;
  peltWindowDays: number;
  minShift: number;
}

export const DEFAULT_CHANGEPOINT: ChangepointOptions = {
  methods: ["bocpd", "pelt"],
  warmupDays: 30,
  windowDays: 7,
  lambda: 100,
  probability: 0.5,
  peltWindowDays: 90,
  minShift: 2,
};

export interface ChangeSignal {
  fired: boolean[];
  /** +1 up, −1 down, 0 none, per day. */
  direction: (-1 | 0 | 1)[];
  /** The method that fired, the first day of the new regime, and the means either side. */
  detail: ({ method: ChangepointMethod; changeIndex: number; before: number; after: number } | null)[];
  /** BOCPD's P(change within the window) per day (null before the warm-up). */
  probability: (number | null)[];
  /** Whether every enabled method fired (in the same direction) that day. */
  agreed: boolean[];
}

/**
 * `values`: the metric per day (null where it has no value); `scaleFloor`: smallest σ allowed for
 * the standardisation; `noise`: the Layer 1 σ̂ per day (null where unscored), the unit of `minShift`.
 */
export function changepointLayer(values: readonly (number | null)[], scaleFloor: number, noise: readonly (number | null)[], options: ChangepointOptions): ChangeSignal {
  const n = values.length;
  const out: ChangeSignal = {
    fired: new Array(n).fill(false),
    direction: new Array(n).fill(0),
    detail: new Array(n).fill(null),
    probability: new Array(n).fill(null),
    agreed: new Array(n).fill(false),
  };
  const present: number[] = [];
  for (let i = 0; i < n; i++) if (values[i] !== null && values[i] !== undefined) present.push(i);
  if (present.length <= options.warmupDays) return out;
  const warmup = present.slice(0, options.warmupDays).map((i) => values[i]!);
  const { median: center, scale } = robustBaseline(warmup, Math.max(scaleFloor, 1e-9));
  const y = (i: number) => (values[i]! - center) / scale;

  const bocpd = options.methods.includes("bocpd") ? new Bocpd({ lambda: options.lambda, prior: { mean: 0, kappa: 1, alpha: 1, beta: 1 } }) : null;
  // Positions (in `present`) of each day, to read the standardised history quickly.
  const standardised = present.map(y);
  for (let k = 0; k < present.length; k++) {
    const i = present[k]!;
    bocpd?.update(standardised[k]!);
    if (k < options.warmupDays) continue;
    const sigma = noise[i];
    if (sigma === null || sigma === undefined || !(sigma > 0)) continue;
    const shiftOk = (before: number, after: number) => (Math.abs(after - before) * scale) / sigma >= options.minShift;
    const hits: { method: ChangepointMethod; changeIndex: number; before: number; after: number }[] = [];
    if (bocpd) {
      const p = bocpd.recentChangeProbability(options.windowDays);
      out.probability[i] = p;
      if (p >= options.probability) {
        // The new regime: the points since the most probable recent change.
        const run = Math.min(options.windowDays, k + 1);
        const after = mean(standardised.slice(k - run + 1, k + 1));
        const before = mean(standardised.slice(Math.max(0, k - run - 30 + 1), k - run + 1));
        if (shiftOk(before, after)) hits.push({ method: "bocpd", changeIndex: present[k - run + 1]!, before, after });
      }
    }
    if (options.methods.includes("pelt")) {
      const from = Math.max(0, k - options.peltWindowDays + 1);
      const window = standardised.slice(from, k + 1);
      const starts = pelt(window, { penalty: mbicPenalty(window.length), cost: "mean", mbic: true });
      const last = starts[starts.length - 1];
      if (last !== undefined && window.length - last >= 2 && window.length - last <= options.windowDays) {
        const previous = starts.length > 1 ? starts[starts.length - 2]! : 0;
        const before = mean(window.slice(previous, last));
        const after = mean(window.slice(last));
        if (shiftOk(before, after)) hits.push({ method: "pelt", changeIndex: present[from + last]!, before, after });
      }
    }
    if (hits.length === 0) continue;
    const first = hits[0]!;
    out.fired[i] = true;
    out.direction[i] = first.after > first.before ? 1 : -1;
    out.detail[i] = { method: first.method, changeIndex: first.changeIndex, before: center + first.before * scale, after: center + first.after * scale };
    out.agreed[i] = hits.length === options.methods.length && hits.every((h) => h.after > h.before === first.after > first.before);
  }
  return out;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}
