/**
 * Compact persistence of a pair's detection state. A ShardState as JSON repeats long keys in every
 * ground-truth point and decision; packed, each is an array, and conflicts are stored by id (their
 * records live in their own table). About a third of the size, which is what a Durable Object
 * rewrites for every pair an event touches.
 */
import type { ConflictRecord } from "./conflict.ts";
import { AVAILABILITIES, type Availability } from "./event.ts";
import type { DecisionPoint, GroundTruthFlag, GroundTruthPoint, ShardState, Verdict } from "./shard.ts";

const VERDICTS: readonly Verdict[] = ["consistent", "grace", "conflict", "unverified", "late"];

type PackedStatement = [event_id: string, team: string, surface: string | null, price: number, currency: string, availability: number, quantity: number | null, ts: string];
type PackedDecision = [...PackedStatement, price_verdict: number, availability_verdict: number, truth: [number, string, 0 | 1] | null];

interface PackedState {
  v: 1;
  p: string;
  s: string;
  c: string | null;
  g: PackedStatement[];
  d: PackedDecision[];
  /** Conflict key → id of its current record. */
  k: Record<string, string>;
  f: GroundTruthFlag | null;
  /** Pending decisions with their arrival times (absent when none). */
  w?: [PackedDecision, number][];
}

function packStatement(x: GroundTruthPoint | DecisionPoint): PackedStatement {
  return [x.event_id, x.team, x.surface, x.price, x.currency, AVAILABILITIES.indexOf(x.availability), x.quantity, x.ts];
}

function unpackStatement(x: PackedStatement) {
  const availability: Availability | undefined = AVAILABILITIES[x[5]];
  if (availability === undefined) throw new Error(`unpackState: unknown availability index ${x[5]}`);
  return { event_id: x[0], team: x[1], surface: x[2], price: x[3], currency: x[4], availability, quantity: x[6], ts: x[7], ts_ms: Date.parse(x[7]) };
}

function packDecision(d: DecisionPoint): PackedDecision {
  return [
    ...packStatement(d),
    VERDICTS.indexOf(d.price_verdict),
    VERDICTS.indexOf(d.availability_verdict),
    d.truth ? [d.truth.price, d.truth.currency, d.truth.available ? 1 : 0] : null,
  ];
}

function unpackDecision(d: PackedDecision): DecisionPoint {
  const truth = d[10];
  return {
    ...unpackStatement(d.slice(0, 8) as PackedStatement),
    price_verdict: VERDICTS[d[8]] ?? "unverified",
    availability_verdict: VERDICTS[d[9]] ?? "unverified",
    truth: truth ? { price: truth[0], currency: truth[1], available: truth[2] === 1 } : null,
  };
}

export function packState(state: ShardState): string {
  const packed: PackedState = {
    v: 1,
    p: state.product_id,
    s: state.store_id,
    c: state.category,
    g: state.ground_truth.map(packStatement),
    d: Object.values(state.decisions).map(packDecision),
    k: Object.fromEntries(Object.entries(state.conflicts).map(([key, c]) => [key, c.conflict_id])),
    f: state.flag,
    ...(state.pending.length > 0 ? { w: state.pending.map((d): [PackedDecision, number] => [packDecision(d), d.arrived_ms]) } : {}),
  };
  return JSON.stringify(packed);
}

/**
 * The state back from its packed form. `conflict` looks up a record by id; a key whose record is
 * gone is dropped (the next contradiction opens a new conflict), never invented.
 */
export function unpackState(text: string, conflict: (id: string) => ConflictRecord | null): ShardState {
  const packed = JSON.parse(text) as PackedState;
  if (packed.v !== 1) throw new Error(`unpackState: unknown state version ${String(packed.v)}`);
  const decisions: Record<string, DecisionPoint> = {};
  for (const d of packed.d) {
    const decision = unpackDecision(d);
    decisions[decision.team] = decision;
  }
  const conflicts: Record<string, ConflictRecord> = {};
  for (const [key, id] of Object.entries(packed.k)) {
    const record = conflict(id);
    if (record) conflicts[key] = record;
  }
  return {
    product_id: packed.p,
    store_id: packed.s,
    category: packed.c,
    ground_truth: packed.g.map(unpackStatement),
    decisions,
    conflicts,
    flag: packed.f,
    pending: (packed.w ?? []).map(([d, arrived]) => ({ ...unpackDecision(d), arrived_ms: arrived })),
  };
}
