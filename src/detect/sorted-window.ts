/**
 * A sliding window of the last `capacity` values kept in sorted order, for running medians,
 * quantiles, ranks and the median absolute deviation in O(capacity) per update (binary search
 * plus one array shift) instead of a sort per point.
 */
export class SortedWindow {
  private readonly sorted: number[] = [];
  private readonly arrival: number[] = [];
  private head = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`SortedWindow: capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.sorted.length;
  }

  /** Adds a value, dropping the oldest when full. */
  push(value: number): void {
    if (!Number.isFinite(value)) throw new Error(`SortedWindow.push: ${value} is not a finite number`);
    this.arrival.push(value);
    this.sorted.splice(lowerBound(this.sorted, value), 0, value);
    if (this.arrival.length - this.head > this.capacity) {
      const oldest = this.arrival[this.head++]!;
      this.sorted.splice(lowerBound(this.sorted, oldest), 1);
      if (this.head > 4096) {
        this.arrival.splice(0, this.head);
        this.head = 0;
      }
    }
  }

  /** Linear-interpolated quantile, q in [0, 1]. */
  quantile(q: number): number {
    const s = this.sorted;
    if (s.length === 0) throw new Error("SortedWindow.quantile: the window is empty");
    const pos = q * (s.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
  }

  median(): number {
    return this.quantile(0.5);
  }

  /** Share of the window strictly below `value`. */
  rankBelow(value: number): number {
    return lowerBound(this.sorted, value) / this.sorted.length;
  }

  /** Median of |x − center| over the window, by merging outwards from `center` (no sort). */
  medianAbsoluteDeviation(center: number): number {
    const s = this.sorted;
    const n = s.length;
    if (n === 0) throw new Error("SortedWindow.medianAbsoluteDeviation: the window is empty");
    let left = lowerBound(s, center) - 1;
    let right = left + 1;
    const k = n >> 1;
    let previous = 0;
    let current = 0;
    for (let c = 0; c <= k; c++) {
      const a = left >= 0 ? center - s[left]! : Number.POSITIVE_INFINITY;
      const b = right < n ? s[right]! - center : Number.POSITIVE_INFINITY;
      previous = current;
      if (a <= b) {
        current = a;
        left--;
      } else {
        current = b;
        right++;
      }
    }
    return n % 2 === 1 ? current : (previous + current) / 2;
  }

  /** The values in arrival order. */
  values(): number[] {
    return this.arrival.slice(this.head);
  }
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
