/**
 * Repeat-purchase drop-off: the implicit churn of customers who stop buying without telling
 * anyone (spec: churn_proxy "OR repeat_purchase_dropoff_rate").
 *
 * A customer is a repeat buyer once they have paid on two different days. A repeat buyer whose
 * last purchase was on day L drops off on day `L + horizon`, if no purchase came in between, where
 * `horizon = clamp(max(3 × median gap, 1.5 × longest gap), 14, 90)` days — three typical
 * cycles (and at least 1.5 × the longest gap seen, so an irregular buyer is not dropped during one
 * of their usual pauses), never less than two weeks nor more than a quarter. The drop-off is dated the day it
 * becomes knowable, so the series never looks ahead; a later purchase makes the customer active
 * again (the drop-off already counted stays, as it was true on that day).
 *
 * @example
 * // purchases on days 0, 10, 20 → gaps 10, 10 → horizon max(30, 15) = 30 → drops off on day 50 if silent
 */
import type { DailyAggregates } from "./series.ts";

export const DROPOFF_MIN_HORIZON_DAYS = 14;
export const DROPOFF_MAX_HORIZON_DAYS = 90;
const CYCLES = 3;

export interface Dropoffs {
  /** Customers that dropped off on each day. */
  dropped: string[][];
  /** Repeat buyers active at the end of each day (bought within their horizon). */
  activeRepeat: Int32Array;
}

interface CustomerHistory {
  days: number[];
  /** Day index at which the current silence becomes a drop-off, or −1 when not a repeat buyer. */
  dueDropoff: number;
  active: boolean;
}

const cache = new WeakMap<DailyAggregates, Dropoffs>();

/** Drop-offs per day (computed once per aggregates object; treat the result as read-only). */
export function repeatPurchaseDropoffs(aggregates: DailyAggregates): Dropoffs {
  let cached = cache.get(aggregates);
  if (!cached) cache.set(aggregates, (cached = computeDropoffs(aggregates)));
  return cached;
}

function computeDropoffs(aggregates: DailyAggregates): Dropoffs {
  const n = aggregates.length;
  const dropped: string[][] = Array.from({ length: n }, () => []);
  const activeRepeat = new Int32Array(n);
  const customers = new Map<string, CustomerHistory>();
  const due = new Map<number, string[]>();
  let active = 0;
  for (let i = 0; i < n; i++) {
    // Purchases first: buying on the day a drop-off was due keeps the customer.
    const buyers = [...aggregates.customerRevenue[i]!].filter(([, revenue]) => revenue > 0).map(([id]) => id).sort();
    for (const id of buyers) {
      let history = customers.get(id);
      if (!history) customers.set(id, (history = { days: [], dueDropoff: -1, active: false }));
      history.days.push(i);
      if (history.days.length < 2) continue;
      if (!history.active) {
        history.active = true;
        active++;
      }
      history.dueDropoff = i + dropoffHorizon(history.days);
      if (history.dueDropoff < n) {
        let list = due.get(history.dueDropoff);
        if (!list) due.set(history.dueDropoff, (list = []));
        list.push(id);
      }
    }
    for (const id of due.get(i) ?? []) {
      const history = customers.get(id)!;
      if (history.active && history.dueDropoff === i) {
        history.active = false;
        active--;
        dropped[i]!.push(id);
      }
    }
    due.delete(i);
    activeRepeat[i] = active;
  }
  return { dropped, activeRepeat };
}

/** `clamp(max(3 × median gap, 1.5 × longest gap), 14, 90)` days over the purchase days seen so far (≥ 2 days). */
export function dropoffHorizon(purchaseDays: readonly number[]): number {
  if (purchaseDays.length < 2) throw new Error("dropoffHorizon: needs at least two purchase days");
  const gaps = purchaseDays.slice(1).map((d, k) => d - purchaseDays[k]!).sort((a, b) => a - b);
  const mid = gaps.length >> 1;
  const median = gaps.length % 2 === 1 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
  const longest = gaps[gaps.length - 1]!;
  return Math.min(DROPOFF_MAX_HORIZON_DAYS, Math.max(DROPOFF_MIN_HORIZON_DAYS, Math.round(Math.max(CYCLES * median, 1.5 * longest))));
}
