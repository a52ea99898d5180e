import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { validateEvent } from "../src/events/canonical.ts";
import { MemoryLedger } from "../src/metrics/ledger.ts";
import { refundSpikeEvents } from "../test/fixtures.ts";
import { companyLog } from "../worker/http.ts";

const validated = (records: Record<string, unknown>[]) =>
  records.map((r) => {
    const v = validateEvent(r, "2025-04-01T00:00:00Z");
    if (!v.ok) throw new Error(JSON.stringify(v.rejection));
    return v.event;
  });

describe("CompanyLog", () => {
  it("appends idempotently by event id and keeps the same ledger as the in-memory fold", async () => {
    const stub = companyLog(env as never, "log-test");
    const events = validated(refundSpikeEvents());
    // 2,000+ events in batches that do not line up with the 16-rows-per-statement chunks
    let accepted = 0;
    for (let i = 0; i < events.length; i += 777) accepted += (await stub.append(events.slice(i, i + 777))).accepted;
    expect(accepted).toBe(events.length);
    const replay = await stub.append(events.slice(0, 500));
    expect(replay).toEqual({ accepted: 0, duplicates: 500 });
    // the same id twice in one batch: the first copy wins
    const twin = { ...events[0]!, event_id: "twin" };
    expect(await stub.append([twin, { ...twin, amount: 999 }])).toEqual({ accepted: 1, duplicates: 1 });

    const memory = new MemoryLedger();
    memory.append([...events, twin]);
    expect(await stub.snapshot()).toEqual(memory.snapshot());
    expect(await stub.stats()).toEqual({ events: events.length + 1, first_day: "2025-01-01", last_day: "2025-03-31" });
  });

  it("serves evidence by type and window, and pages through the log", async () => {
    const stub = companyLog(env as never, "log-evidence");
    await stub.append(validated(refundSpikeEvents("x")));
    const refunds = await stub.evidence({ types: ["refund_issued"], from: "2025-03-02", to: "2025-03-02", limit: 100 });
    expect(refunds.length).toBeGreaterThanOrEqual(9);
    expect(refunds.every((e) => e.event_type === "refund_issued" && e.event_time.startsWith("2025-03-02"))).toBe(true);
    expect(await stub.evidence({ types: ["refund_issued"], from: "2025-03-02", to: "2025-03-05", limit: 5 })).toHaveLength(5);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await stub.listEvents({ type: "refund_issued", from: "2025-01-01", to: "2025-01-10", cursor, limit: 7 });
      seen.push(...page.events.map((e) => e.event_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    const expected = refundSpikeEvents("x").filter((e) => e.event_type === "refund_issued" && String(e.event_time) < "2025-01-11").map((e) => e.event_id);
    expect(seen).toEqual(expected);
  });

  it("refuses an append larger than its batch limit without writing anything", async () => {
    const stub = companyLog(env as never, "log-limit");
    const events = validated(Array.from({ length: 5001 }, (_, i) => ({ ...refundSpikeEvents()[0]!, event_id: `big-${i}` })));
    const error = await stub.append(events).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/at most 5000 events per call/);
    expect((await stub.stats()).events).toBe(0);
  });
});
