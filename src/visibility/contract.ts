/**
 * Team contracts: each publishing team registers what it sends (which optional fields it always
 * fills, which values it may use, its price tolerance), and the layer holds every event to it.
 * A malformed event is rejected on its own with its index, field and reason; the rest of the
 * batch is kept. Contracts are versioned: a changed contract gets the next version, and every
 * answer names the version it was checked against.
 */
import { z } from "zod";
import {
  AVAILABILITIES,
  EVENT_FIELDS,
  OPTIONAL_FIELDS,
  teamName,
  visibilityEventSchema,
  type VisibilityEvent,
} from "./event.ts";
import { fastParseEvent } from "./fast-parse.ts";

export const TEAM_ROLES = ["decision", "ground_truth"] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

/** The proposal's MVP threshold: a quoted price more than 5 % off the ground truth is a conflict. */
export const DEFAULT_PRICE_TOLERANCE_PCT = 5;
/** Raw events live 7 days (the proposal's retention); older ones are refused at the door. */
export const RETENTION_HOURS = 7 * 24;

const label = z.string().trim().min(1, "must not be empty").max(128, "must be at most 128 characters");
const currencyCode = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD");

export const contractSchema = z
  .strictObject({
    /** Optional event fields this team promises to fill on every event. */
    required_fields: z.array(z.enum(OPTIONAL_FIELDS)).default([]),
    /** Allowed `surface` values; absent means any. */
    surfaces: z.array(label).min(1).max(100).optional(),
    /** Allowed currencies; absent means any ISO 4217 code. */
    currencies: z.array(currencyCode).min(1).max(50).optional(),
    /** Allowed availability values; absent means all three. */
    availability: z.array(z.enum(AVAILABILITIES)).min(1).optional(),
    /** Plausible price range: catches cents sent as dollars and zero prices. */
    price_min: z.number().finite().nonnegative().optional(),
    price_max: z.number().finite().positive().optional(),
    /** How far in the future an event's `ts` may be (clock skew), in seconds. */
    max_future_skew_seconds: z.number().int().min(0).max(86_400).default(300),
    /** How old an event may be when it arrives, in hours (at most the 7-day retention). */
    max_age_hours: z.number().int().min(1).max(RETENTION_HOURS).default(RETENTION_HOURS),
    /** Whether fields outside the event schema are ignored (true) or reject the event (false). */
    allow_unknown_fields: z.boolean().default(false),
  })
  .refine((c) => c.price_min === undefined || c.price_max === undefined || c.price_min <= c.price_max, {
    message: "price_min must not exceed price_max",
    path: ["price_min"],
  });
export type Contract = z.output<typeof contractSchema>;

/** The body of `POST /v1/visibility/teams`. */
export const teamRegistrationSchema = z.strictObject({
  team: teamName,
  role: z.enum(TEAM_ROLES, { error: () => `must be one of: ${TEAM_ROLES.join(", ")}` }),
  price_tolerance_pct: z.number().finite().min(0).max(100).default(DEFAULT_PRICE_TOLERANCE_PCT),
  contract: contractSchema.default(contractSchema.parse({})),
});
export type TeamRegistrationInput = z.input<typeof teamRegistrationSchema>;
export type TeamRegistration = z.output<typeof teamRegistrationSchema>;

/** A registered team as the layer keeps it (its key is stored elsewhere, hashed). */
export interface TeamContract extends TeamRegistration {
  contract_version: number;
}

/**
 * The team record after a (re-)registration: version 1 for a new team; the same version when
 * nothing changed; the next version when the role, tolerance or contract changed.
 */
export function reviseTeam(previous: TeamContract | null, registration: TeamRegistration): TeamContract {
  if (previous && previous.team !== registration.team) {
    throw new Error(`reviseTeam: previous record is for team "${previous.team}", not "${registration.team}"`);
  }
  if (!previous) return { ...registration, contract_version: 1 };
  const { contract_version: _version, ...before } = previous;
  const unchanged = canonicalJson(before) === canonicalJson(registration);
  return { ...registration, contract_version: unchanged ? previous.contract_version : previous.contract_version + 1 };
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface VisibilityRejection {
  /** Position of the record in its batch (0-based). */
  index: number;
  /** The event id when the record had a readable one. */
  event_id?: string;
  /** The offending field, or `(record)` for the whole record. */
  field: string;
  reason: string;
}

export type EventValidation =
  | { ok: true; event: VisibilityEvent }
  | { ok: false; rejection: Omit<VisibilityRejection, "index"> };

/**
 * Checks one record against the event schema, then against the publishing team (its name and
 * role) and its contract. `receivedAt` (ISO) comes from the caller's clock.
 */
export function validateVisibilityEvent(record: unknown, team: TeamContract, receivedAt: string): EventValidation {
  const eventId = readableEventId(record);
  const reject = (field: string, reason: string): EventValidation => ({
    ok: false,
    rejection: { ...(eventId !== undefined ? { event_id: eventId } : {}), field, reason },
  });

  if (record === null || typeof record !== "object" || Array.isArray(record)) {
    return reject("(record)", `must be an object, got ${record === null ? "null" : Array.isArray(record) ? "array" : typeof record}`);
  }
  let event = fastParseEvent(record as Record<string, unknown>);
  if (event === null) {
    const parsed = visibilityEventSchema.safeParse(record);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return reject(issue.path.length > 0 ? issue.path.join(".") : "(record)", humanReason(issue.message));
    }
    event = parsed.data;
  }
  const { contract } = team;

  if (!contract.allow_unknown_fields) {
    const unknown = Object.keys(record).find((key) => !EVENT_FIELDS.has(key));
    if (unknown !== undefined) return reject(unknown, "is not a field of the event schema (the contract does not allow unknown fields)");
  }
  if (event.team !== team.team) return reject("team", `must be "${team.team}", the team this key belongs to`);
  if (event.kind !== team.role) return reject("kind", `must be "${team.role}": team "${team.team}" is registered as a ${team.role} publisher`);
  for (const field of contract.required_fields) {
    if (event[field] === undefined) return reject(field, `is required by the contract of team "${team.team}" (v${team.contract_version})`);
  }
  if (contract.surfaces && event.surface !== undefined && !contract.surfaces.includes(event.surface)) {
    return reject("surface", `must be one of the contract's surfaces: ${contract.surfaces.join(", ")}`);
  }
  if (contract.currencies && !contract.currencies.includes(event.currency)) {
    return reject("currency", `must be one of the contract's currencies: ${contract.currencies.join(", ")}`);
  }
  if (contract.availability && !contract.availability.includes(event.availability)) {
    return reject("availability", `must be one of the contract's values: ${contract.availability.join(", ")}`);
  }
  if (contract.price_min !== undefined && event.price < contract.price_min) {
    return reject("price", `must be at least ${contract.price_min} (the contract's price_min)`);
  }
  if (contract.price_max !== undefined && event.price > contract.price_max) {
    return reject("price", `must be at most ${contract.price_max} (the contract's price_max)`);
  }
  const received = Date.parse(receivedAt);
  if (Number.isNaN(received)) throw new Error(`validateVisibilityEvent: receivedAt "${receivedAt}" is not an ISO timestamp`);
  const aheadSeconds = (Date.parse(event.ts) - received) / 1000;
  if (aheadSeconds > contract.max_future_skew_seconds) {
    return reject("ts", `is ${Math.round(aheadSeconds)} s in the future (the contract allows ${contract.max_future_skew_seconds} s of clock skew)`);
  }
  if (-aheadSeconds > contract.max_age_hours * 3600) {
    return reject("ts", `is older than ${contract.max_age_hours} h (the contract's max_age_hours)`);
  }
  return { ok: true, event };
}

export interface BatchValidation {
  accepted: VisibilityEvent[];
  rejected: VisibilityRejection[];
  contract_version: number;
}

/** A record as a batch reader yields it: parsed, or unreadable with the parse error. */
export type BatchItem = { index: number; record: unknown } | { index: number; error: string };

/**
 * Validates a batch. Each bad record is rejected with its index; a repeated `event_id` inside the
 * same batch is rejected as a duplicate (retries across batches are absorbed by the shards).
 */
export function validateVisibilityBatch(items: Iterable<BatchItem>, team: TeamContract, receivedAt: string): BatchValidation {
  const accepted: VisibilityEvent[] = [];
  const rejected: VisibilityRejection[] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    if ("error" in item) {
      rejected.push({ index: item.index, field: "(record)", reason: item.error });
      continue;
    }
    const result = validateVisibilityEvent(item.record, team, receivedAt);
    if (!result.ok) {
      rejected.push({ index: item.index, ...result.rejection });
      continue;
    }
    const first = seen.get(result.event.event_id);
    if (first !== undefined) {
      rejected.push({ index: item.index, event_id: result.event.event_id, field: "event_id", reason: `repeats the event at index ${first} of this batch` });
      continue;
    }
    seen.set(result.event.event_id, item.index);
    accepted.push(result.event);
  }
  return { accepted, rejected, contract_version: team.contract_version };
}

/** Wraps plain records (an already-parsed JSON array) as batch items. */
export function batchItems(records: readonly unknown[]): BatchItem[] {
  return records.map((record, index) => ({ index, record }));
}

function readableEventId(record: unknown): string | undefined {
  if (record && typeof record === "object" && !Array.isArray(record)) {
    const id = (record as { event_id?: unknown }).event_id;
    if (typeof id === "string" && id.length > 0 && id.length <= 128) return id;
  }
  return undefined;
}

function humanReason(message: string): string {
  if (/received undefined$/.test(message)) return "is required";
  const expected = /^Invalid input: expected (\w+), received (\w+)$/.exec(message);
  if (expected) return `must be ${/^[aeiou]/.test(expected[1]!) ? "an" : "a"} ${expected[1]}, got ${expected[2]}`;
  return message;
}
