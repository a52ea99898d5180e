/** Where a (product, store) pair lives: its key, and which of N shard objects holds it. */
import { hashString } from "../rng.ts";

/** The key of a (product, store) pair; the unit separator cannot occur in either id. */
export function shardKeyOf(productId: string, storeId: string): string {
  return `${storeId}\u001f${productId}`;
}

/**
 * The shard (0 … count−1) that owns a key: FNV-1a 32-bit hash modulo the shard count, so keys
 * spread evenly and a key always lands on the same shard for a given count.
 * @example shardIndex(shardKeyOf("sku-1", "store-9"), 32) // the same number on every machine
 */
export function shardIndex(key: string, count: number): number {
  if (!Number.isInteger(count) || count < 1) throw new Error(`shardIndex: shard count must be a positive integer, got ${count}`);
  return hashString(key) % count;
}
