/**
 * The emulator's company is the simulated demo business: connecting QuickBooks for the `demo`
 * company after `npm start` uploaded the demo's events doubles nothing, and advancing the emulator
 * writes the demo's next simulated day.
 */
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../test/fake-clock.ts";
import { QboClient } from "../../src/connectors/qbo/client.ts";
import { MemoryBronze, MemoryEventLog, MemorySyncStore } from "../../src/connectors/qbo/memory-store.ts";
import { authorizeUrl, exchangeCode, qboEndpoints } from "../../src/connectors/qbo/oauth.ts";
import { backfill, cdcSweep } from "../../src/connectors/qbo/sync.ts";
import { validateEvent } from "../../src/events/canonical.ts";
import { DEMO_REALM, generateDemoCompany, liveDemoCompany, type SimEvent } from "../../src/sim/index.ts";
import { expectedEvents } from "./expectations.ts";
import { createEmulator, EMULATOR_DEFAULTS, emulatorUrls } from "./index.ts";

const BASE = "http://qbo.emulator";
const endpoints = qboEndpoints(emulatorUrls(BASE));
const INGESTED_AT = "2026-11-01T12:00:00.000Z";

/** What `npm start` seeds: the demo's events, validated and appended as the upload does. */
function uploadedDemo(): { log: MemoryEventLog; events: SimEvent[] } {
  const { events } = generateDemoCompany();
  const log = new MemoryEventLog();
  const valid = events.map((e) => {
    const v = validateEvent(e, INGESTED_AT);
    if (!v.ok) throw new Error(`${e.event_id}: ${v.rejection.field} ${v.rejection.reason}`);
    return v.event;
  });
  void log.append(valid);
  return { log, events };
}

async function connectedEmulator() {
  // Three weeks after the demo's six months ended (2026-10-31).
  const clock = new FakeClock(Date.parse("2026-11-23T15:00:00Z"));
  const emulator = createEmulator({ now: clock.now, sleep: clock.sleep, fetch: async () => new Response(null, { status: 200 }), autoApprove: true });
  const oauth = { endpoints, clientId: EMULATOR_DEFAULTS.clientId, clientSecret: EMULATOR_DEFAULTS.clientSecret, fetch: emulator.fetch, now: clock.now };
  const redirect = await emulator.fetch(authorizeUrl({ endpoints, clientId: oauth.clientId, redirectUri: "http://localhost:8787/cb", state: "s" }));
  const callback = new URL(redirect.headers.get("location")!);
  const tokens = await exchangeCode({ ...oauth, code: callback.searchParams.get("code")!, redirectUri: "http://localhost:8787/cb" });
  const realmId = callback.searchParams.get("realmId")!;
  const client = new QboClient({
    realmId,
    apiBase: BASE,
    fetch: emulator.fetch,
    tokens: { accessToken: async () => tokens.access_token, refreshAfterRejection: async () => tokens.access_token },
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    timeoutMs: 0,
  });
  return { emulator, client, realmId, clock };
}

describe("the emulator's company is the simulated demo business", () => {
  it("connecting QuickBooks after the demo upload doubles nothing: every synced fact is a duplicate and the ledger is unchanged", async () => {
    const { log, events } = uploadedDemo();
    const before = log.ledger.snapshot();
    const { emulator, client, realmId, clock } = await connectedEmulator();
    expect(realmId).toBe(DEMO_REALM);

    const report = await backfill({ realmId, client, store: new MemorySyncStore(), bronze: new MemoryBronze(), log, now: clock.now });
    expect(report.events_rejected).toBe(0);
    // Every QuickBooks fact the books imply was already in the log under the same id.
    const synced = expectedEvents(emulator.store, realmId);
    expect(synced.size).toBeGreaterThan(6_000);
    expect(report.events_appended).toBe(0);
    expect(report.events_duplicate).toBe(synced.size);
    const uploaded = new Set(events.map((e) => e.event_id));
    expect([...synced.keys()].filter((id) => !uploaded.has(id))).toEqual([]);
    // Hence the aggregates every metric is computed from are exactly those of the upload.
    expect(log.ledger.snapshot()).toEqual(before);

    // The upload holds QuickBooks facts the books cannot reproduce, and only two kinds:
    const uploadOnly = events.filter((e) => e.source === "qbo" && !synced.has(e.event_id));
    const lowStock = uploadOnly.filter((e) => e.event_type === "inventory_low");
    // - stock alerts: the books keep no quantities (each alert is a fact of its day, not a state);
    // - payments, after day 0, of bills posted before it (the books start with day 0's documents).
    const bills = new Set(emulator.store.list("Bill").map((b) => b.Id));
    const earlierBills = uploadOnly.filter((e) => e.event_type === "expense_paid" && (e.related_entity_ids.bill_ids ?? []).every((id) => !bills.has(id)));
    expect(lowStock.length + earlierBills.length).toBe(uploadOnly.length);
    expect(lowStock.length).toBeGreaterThan(0);
    expect(earlierBills.length).toBeGreaterThan(0);
  });

  it("an invoice voided in QuickBooks after the upload stops counting, though its facts came from the upload", async () => {
    const { log, events } = uploadedDemo();
    const { emulator, client, realmId, clock } = await connectedEmulator();
    const deps = { realmId, client, store: new MemorySyncStore(), bronze: new MemoryBronze(), log, now: clock.now };
    await backfill(deps);
    const revenue = () => [...log.ledger.daily].filter(([k]) => k.endsWith("|sum:revenue")).reduce((s, [, v]) => s + v, 0);
    const before = revenue();
    const paid = emulator.store.list("Invoice").find((i) => i.Balance === 0 && (i.TotalAmt as number) > 0)!;
    const uploadedFacts = events.filter((e) => e.source_entity_id === `Invoice:${paid.Id}`).map((e) => e.event_id);
    expect(uploadedFacts).toEqual([`qbo:${realmId}:Invoice:${paid.Id}:issued`, `qbo:${realmId}:Invoice:${paid.Id}:paid`]);
    clock.t += 60_000;
    emulator.store.void("Invoice", paid.Id);
    const sweep = await cdcSweep(deps, new Date(clock.t - 600_000).toISOString());
    expect(sweep).toMatchObject({ entities_retracted: 1, events_retracted: 2 });
    expect(Math.round((before - revenue()) * 100) / 100).toBe(paid.TotalAmt);
  });

  it("advancing writes the demo's next simulated day: its QuickBooks facts are the simulator's", async () => {
    const { emulator, realmId } = await connectedEmulator();
    const days: SimEvent[][] = [];
    const before = new Set(expectedEvents(emulator.store, realmId).keys());
    expect(emulator.status().next_business_day).toBe("2026-11-01");
    const advanced = [await emulator.advance(1), await emulator.advance(1), await emulator.advance(1)];
    expect(advanced.map((a) => a.day)).toEqual(["2026-11-01", "2026-11-02", "2026-11-03"]);
    expect(emulator.status().next_business_day).toBe("2026-11-04");
    const after = expectedEvents(emulator.store, realmId);
    const added = [...after.keys()].filter((id) => !before.has(id)).sort();
    expect(added.length).toBeGreaterThan(50);
    // The same three days straight from a simulator with the same seed and realm.
    const live = liveDemoCompany({ realm: realmId });
    for (let i = 0; i < 3; i++) days.push(live.next().events);
    const bills = new Set(emulator.store.list("Bill").map((b) => b.Id));
    const simulated = days
      .flat()
      .filter((e) => e.source === "qbo" && e.event_type !== "inventory_low")
      .filter((e) => e.event_type !== "expense_paid" || (e.related_entity_ids.bill_ids ?? []).some((id) => bills.has(id)))
      .map((e) => e.event_id)
      .sort();
    expect(added).toEqual(simulated);
    // Dated by the simulated calendar, not by the clock (23 November): a fact of 2 November is on 2 November.
    const days3 = new Set(["2026-11-01", "2026-11-02", "2026-11-03"]);
    for (const id of added) expect(days3.has(after.get(id)!.event_time.slice(0, 10)), id).toBe(true);
  });
});
