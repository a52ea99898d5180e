/** Routing to the ConflictShard Durable Objects. */
import type { ConflictShard } from "../../durable-objects/conflict-shard.ts";
import { shardIndex, shardKeyOf } from "../../src/visibility/shard-key.ts";
import type { Bindings } from "../env.ts";
import { numberVar } from "../env.ts";

/** The default shard count: see docs/decisions.md ("Visibility layer") for why 8. */
export const DEFAULT_SHARDS = 8;

export function shardCount(env: Pick<Bindings, "VISIBILITY_SHARDS">): number {
  return Math.floor(numberVar(env.VISIBILITY_SHARDS, DEFAULT_SHARDS));
}

export function shardOf(env: Pick<Bindings, "VISIBILITY_SHARDS">, productId: string, storeId: string): number {
  return shardIndex(shardKeyOf(productId, storeId), shardCount(env));
}

export function shardStub(env: Bindings, index: number): DurableObjectStub<ConflictShard> {
  return env.CONFLICT_SHARD.get(env.CONFLICT_SHARD.idFromName(`shard-${index}`));
}
