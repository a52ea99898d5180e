import { describe, expect, it } from "vitest";
import {
  batchItems,
  reviseTeam,
  teamRegistrationSchema,
  validateVisibilityBatch,
  validateVisibilityEvent,
  type TeamContract,
} from "./contract.ts";

const RECEIVED = "2025-03-03T12:00:00.000Z";
const apron: TeamContract = { ...teamRegistrationSchema.parse({ team: "magic-apron", role: "decision" }), contract_version: 1 };
const decision = {
  event_id: "ma-1",
  team: "magic-apron",
  kind: "decision",
  surface: "assistant",
  product_id: "sku-1",
  store_id: "store-9",
  price: 12.99,
  currency: "USD",
  availability: "in_stock",
  ts: "2025-03-03T11:59:58Z",
};

describe("validateVisibilityEvent", () => {
  it("accepts a decision and normalises its time", () => {
    const result = validateVisibilityEvent(decision, apron, RECEIVED);
    expect(result).toEqual({ ok: true, event: { ...decision, ts: "2025-03-03T11:59:58.000Z" } });
  });

  it("registers with the proposal's 5 % tolerance and a permissive contract by default", () => {
    expect(apron.price_tolerance_pct).toBe(5);
    expect(apron.contract).toEqual({ required_fields: [], max_future_skew_seconds: 300, max_age_hours: 168, allow_unknown_fields: false });
  });

  it.each([
    [{ event_id: undefined }, "event_id", /is required/],
    [{ kind: "rumour" }, "kind", /must be one of: decision, ground_truth/],
    [{ price: -1 }, "price", /must not be negative/],
    [{ price: "12.99" }, "price", /must be a number, got string/],
    [{ currency: "usd" }, "currency", /ISO 4217/],
    [{ availability: "maybe" }, "availability", /in_stock, out_of_stock, limited/],
    [{ quantity: 2.5 }, "quantity", /whole number/],
    [{ ts: "2025-02-30T10:00:00Z" }, "ts", /not a real calendar/],
    [{ store_id: "" }, "store_id", /must not be empty/],
    [{ team: "search" }, "team", /must be "magic-apron", the team this key belongs to/],
    [{ kind: "ground_truth" }, "kind", /registered as a decision publisher/],
    [{ session: "abc" }, "session", /not a field of the event schema/],
    [{ ts: "2025-03-03T12:06:00Z" }, "ts", /360 s in the future \(the contract allows 300 s/],
    [{ ts: "2025-02-24T11:59:59Z" }, "ts", /older than 168 h/],
  ])("rejects %j on field %s", (patch, field, reason) => {
    const result = validateVisibilityEvent({ ...decision, ...patch }, apron, RECEIVED);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rejection.field).toBe(field);
    expect(result.rejection.reason).toMatch(reason);
  });

  it("holds a team to its contract: required fields, allowed values, price range", () => {
    const strict: TeamContract = {
      ...teamRegistrationSchema.parse({
        team: "magic-apron",
        role: "decision",
        contract: { required_fields: ["quantity"], surfaces: ["assistant"], currencies: ["USD", "CAD"], price_min: 0.5, price_max: 5000 },
      }),
      contract_version: 3,
    };
    const reasons = [
      { ...decision },
      { ...decision, quantity: 4, surface: "email" },
      { ...decision, quantity: 4, currency: "EUR" },
      { ...decision, quantity: 4, price: 0.1 },
      { ...decision, quantity: 4, price: 129900 },
    ].map((record) => {
      const r = validateVisibilityEvent(record, strict, RECEIVED);
      return r.ok ? "ok" : `${r.rejection.field}: ${r.rejection.reason}`;
    });
    expect(reasons).toEqual([
      'quantity: is required by the contract of team "magic-apron" (v3)',
      "surface: must be one of the contract's surfaces: assistant",
      "currency: must be one of the contract's currencies: USD, CAD",
      "price: must be at least 0.5 (the contract's price_min)",
      "price: must be at most 5000 (the contract's price_max)",
    ]);
    expect(validateVisibilityEvent({ ...decision, quantity: 4 }, strict, RECEIVED).ok).toBe(true);
  });

  it("lets a contract allow unknown fields (and drops them)", () => {
    const lax: TeamContract = { ...teamRegistrationSchema.parse({ team: "magic-apron", role: "decision", contract: { allow_unknown_fields: true } }), contract_version: 1 };
    const result = validateVisibilityEvent({ ...decision, session: "abc" }, lax, RECEIVED);
    expect(result.ok && "session" in result.event).toBe(false);
    expect(result.ok).toBe(true);
  });
});

describe("validateVisibilityBatch", () => {
  it("keeps the good events and rejects each bad one with its index, event id, field and reason", () => {
    const items = [
      ...batchItems([decision, { ...decision, event_id: "ma-2", price: "free" }, { ...decision, event_id: "ma-3" }, { ...decision }]),
      { index: 4, error: "line 5 is not valid JSON" },
    ];
    const result = validateVisibilityBatch(items, apron, RECEIVED);
    expect(result.accepted.map((e) => e.event_id)).toEqual(["ma-1", "ma-3"]);
    expect(result.rejected).toEqual([
      { index: 1, event_id: "ma-2", field: "price", reason: "must be a number, got string" },
      { index: 3, event_id: "ma-1", field: "event_id", reason: "repeats the event at index 0 of this batch" },
      { index: 4, field: "(record)", reason: "line 5 is not valid JSON" },
    ]);
    expect(result.contract_version).toBe(1);
  });

  it("rejects records that are not objects", () => {
    const result = validateVisibilityBatch(batchItems([null, [1], "x"]), apron, RECEIVED);
    expect(result.rejected.map((r) => r.reason)).toEqual(["must be an object, got null", "must be an object, got array", "must be an object, got string"]);
  });
});

describe("reviseTeam", () => {
  it("versions a contract: 1 when new, the same when unchanged, the next one when changed", () => {
    const registration = teamRegistrationSchema.parse({ team: "magic-apron", role: "decision", contract: { surfaces: ["assistant"] } });
    const v1 = reviseTeam(null, registration);
    expect(v1.contract_version).toBe(1);
    expect(reviseTeam(v1, teamRegistrationSchema.parse({ team: "magic-apron", role: "decision", contract: { surfaces: ["assistant"] } })).contract_version).toBe(1);
    const v2 = reviseTeam(v1, teamRegistrationSchema.parse({ team: "magic-apron", role: "decision", price_tolerance_pct: 3, contract: { surfaces: ["assistant"] } }));
    expect(v2.contract_version).toBe(2);
    expect(v2.price_tolerance_pct).toBe(3);
  });

  it("refuses to revise another team's record", () => {
    const v1 = reviseTeam(null, teamRegistrationSchema.parse({ team: "search", role: "decision" }));
    expect(() => reviseTeam(v1, teamRegistrationSchema.parse({ team: "magic-apron", role: "decision" }))).toThrow(/reviseTeam: previous record is for team "search"/);
  });

  it("validates registrations: slug names, known roles, a sane price range", () => {
    expect(teamRegistrationSchema.safeParse({ team: "Magic Apron", role: "decision" }).success).toBe(false);
    expect(teamRegistrationSchema.safeParse({ team: "inventory", role: "oracle" }).success).toBe(false);
    const inverted = teamRegistrationSchema.safeParse({ team: "search", role: "decision", contract: { price_min: 10, price_max: 1 } });
    expect(inverted.success).toBe(false);
    expect(inverted.error?.issues[0]?.message).toBe("price_min must not exceed price_max");
  });
});
