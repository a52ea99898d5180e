/**
 * Aligns the ledger's sparse daily rows on a dense day range and offers the trailing-window
 * operations gold metrics are made of. Every operation at day i reads only days ≤ i, which is
 * what makes the scan a backtest without look-ahead.
 */
import { dayRange } from "../time.ts";
import type { LedgerSnapshot } from "./ledger.ts";

/** A metric's values by day; `null` where it has no defined value (e.g. a zero denominator). */
export type MetricSeries = (number | null)[];

export class DailyAggregates {
  readonly days: string[];
  private readonly index: Map<string, number>;
  private readonly columns = new Map<string, Float64Array>();
  readonly customerRevenue: Map<string, number>[];

  constructor(snapshot: LedgerSnapshot, firstDay: string, lastDay: string) {
    this.days = firstDay <= lastDay ? dayRange(firstDay, lastDay) : [];
    this.index = new Map(this.days.map((d, i) => [d, i]));
    this.customerRevenue = this.days.map(() => new Map());
    for (const row of snapshot.daily) {
      const i = this.index.get(row.day);
      if (i === undefined) continue;
      this.column(row.key)[i] += row.value;
    }
    for (const row of snapshot.customerRevenue) {
      const i = this.index.get(row.day);
      if (i === undefined) continue;
      const perDay = this.customerRevenue[i]!;
      perDay.set(row.customer_id, (perDay.get(row.customer_id) ?? 0) + row.revenue);
    }
    // Entity-state deltas dated before the range still shape the running totals inside it.
    const first = this.days[0];
    if (first) {
      for (const row of snapshot.daily) {
        if (row.key.startsWith("state:") && row.day < first) this.column(row.key)[0] += row.value;
      }
    }
  }

  get length(): number {
    return this.days.length;
  }

  indexOf(day: string): number | undefined {
    return this.index.get(day);
  }

  /** Daily values of an aggregate key (zeros where nothing happened). */
  column(key: string): Float64Array {
    let column = this.columns.get(key);
    if (!column) {
      column = new Float64Array(this.days.length);
      this.columns.set(key, column);
    }
    return column;
  }

  /** The aggregate keys starting with `prefix` (e.g. every product's refund count), sorted. */
  keysWithPrefix(prefix: string): string[] {
    return [...this.columns.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  /** Sum of `key` over the trailing `window` days ending at each day (inclusive). */
  rollingSum(key: string, window: number): Float64Array {
    return rollingSum(this.column(key), window);
  }

  /** Running total of `key` (for entity-state deltas such as open orders). */
  runningTotal(key: string): Float64Array {
    const values = this.column(key);
    const out = new Float64Array(values.length);
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      total += values[i]!;
      out[i] = Math.abs(total) < 1e-9 ? 0 : total;
    }
    return out;
  }
}

export function rollingSum(values: ArrayLike<number>, window: number): Float64Array {
  const out = new Float64Array(values.length);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    total += values[i]!;
    if (i >= window) total -= values[i - window]!;
    out[i] = Math.abs(total) < 1e-9 ? 0 : total;
  }
  return out;
}

/** numerator / denominator day by day; `null` where the denominator is 0. */
export function ratio(numerator: ArrayLike<number>, denominator: ArrayLike<number>): MetricSeries {
  const out: MetricSeries = [];
  for (let i = 0; i < numerator.length; i++) {
    const d = denominator[i]!;
    out.push(d === 0 ? null : numerator[i]! / d);
  }
  return out;
}
