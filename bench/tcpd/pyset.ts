/**
 * Iteration order of a CPython `set` of non-negative ints (hash(i) = i), built by `add` calls in
 * the given order. TCPDBench's F1 walks its annotation sets in this order and its greedy
 * matching depends on it (../shared/bench/tcpd/README.md, "Order subtlety"). Emulates
 * `Objects/setobject.c`: 8 slots to start, linear probing of up to 9 further slots when they fit
 * before the end of the table, then `perturb >>= 5; i = (5i + 1 + perturb) & mask`; after an insert
 * with `fill·5 ≥ mask·3` the table is rebuilt with the smallest power of two > 4·used slots
 * (old slots reinserted in slot order).
 */
const LINEAR_PROBES = 9;
const PERTURB_SHIFT = 5;

export function pythonSetOrder(additions: Iterable<number>): number[] {
  let table: (number | undefined)[] = new Array(8).fill(undefined);
  let used = 0;
  const insertClean = (slots: (number | undefined)[], key: number): void => {
    const mask = slots.length - 1;
    let perturb = key;
    let i = key & mask;
    for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        if (slots[i + j] === undefined) {
          slots[i + j] = key;
          return;
        }
      }
      perturb = Math.floor(perturb / 2 ** PERTURB_SHIFT);
      i = (i * 5 + 1 + perturb) & mask;
    }
  };
  const contains = (key: number): boolean => {
    const mask = table.length - 1;
    let perturb = key;
    let i = key & mask;
    for (;;) {
      const probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
      for (let j = 0; j <= probes; j++) {
        const slot = table[i + j];
        if (slot === undefined) return false;
        if (slot === key) return true;
      }
      perturb = Math.floor(perturb / 2 ** PERTURB_SHIFT);
      i = (i * 5 + 1 + perturb) & mask;
    }
  };
  for (const key of additions) {
    if (!Number.isInteger(key) || key < 0) throw new Error(`pythonSetOrder: only non-negative integers are supported, got ${key}`);
    if (contains(key)) continue;
    insertClean(table, key);
    used++;
    const mask = table.length - 1;
    if (used * 5 >= mask * 3) {
      const minUsed = used > 50_000 ? used * 2 : used * 4;
      let size = 8;
      while (size <= minUsed) size <<= 1;
      const next: (number | undefined)[] = new Array(size).fill(undefined);
      for (const k of table) if (k !== undefined) insertClean(next, k);
      table = next;
    }
  }
  return table.filter((k): k is number => k !== undefined);
}
