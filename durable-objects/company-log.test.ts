import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type CanonicalEvent, validateEvent } from "../src/events/canonical.ts";
import type { Retraction } from "../src/events/retraction.ts";
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

  it("retracts voided or deleted entities: their events stop counting, late ones never count, the ledger stays the in-memory fold's", async () => {
    const stub = companyLog(env as never, "log-retract");
    const base = validated(refundSpikeEvents("r"));
    // An invoice issued 03-01 due 03-05 and never paid (overdue from 03-06), a bill paid 20 days after posting.
    const extra = validated([
      { event_id: "inv-x-issued", event_type: "invoice_issued", event_time: "2025-03-01T09:00:00Z", source: "qbo", source_entity_id: "Invoice:x", entity_type: "invoice", entity_id: "x", amount: 400, currency: "USD", attributes: { due_date: "2025-03-05" } },
      { event_id: "bill-b-posted", event_type: "expense_posted", event_time: "2025-02-01T09:00:00Z", source: "qbo", source_entity_id: "Bill:b", entity_type: "expense", entity_id: "b", amount: 80, currency: "USD" },
      { event_id: "bp-p-paid", event_type: "expense_paid", event_time: "2025-02-21T09:00:00Z", source: "qbo", source_entity_id: "BillPayment:p", entity_type: "payment", entity_id: "p", amount: 80, currency: "USD", related_entity_ids: { bill_ids: ["b"] } },
    ]);
    const late = validated([
      { event_id: "inv-x-paid", event_type: "invoice_paid", event_time: "2025-03-20T09:00:00Z", source: "qbo", source_entity_id: "Invoice:x", entity_type: "invoice", entity_id: "x", amount: 400, currency: "USD", attributes: { days_to_pay: 19 } },
    ]);
    const retractions: Retraction[] = [
      { source: "test", source_entity_id: "inv-5", reason: "voided" },
      { source: "test", source_entity_id: base.find((e) => e.event_type === "refund_issued")!.source_entity_id, reason: "deleted" },
      { source: "qbo", source_entity_id: "Invoice:x", reason: "voided", at: "2025-03-10T00:00:00Z" },
      { source: "qbo", source_entity_id: "BillPayment:p", reason: "deleted" },
      { source: "qbo", source_entity_id: "Invoice:never-seen", reason: "deleted" },
    ];
    await stub.append([...base, ...extra]);
    const overdue = async () => (await stub.snapshot()).daily.filter((r) => r.key === "state:ar_overdue_amount");
    expect(await overdue()).toEqual([{ day: "2025-03-06", key: "state:ar_overdue_amount", value: 400 }]);

    // One event each of the invoice, the refund, invoice x and the bill payment; none of the unseen invoice.
    expect(await stub.retract(retractions)).toEqual({ entities: 5, duplicates: 0, events: 4 });
    expect(await stub.retract(retractions.slice(0, 2))).toEqual({ entities: 0, duplicates: 2, events: 0 });
    expect(await stub.append(late)).toEqual({ accepted: 1, duplicates: 0 });
    expect(await overdue()).toEqual([]);

    // The same history in memory, and a ledger that never saw the retracted entities: all equal.
    const memory = new MemoryLedger();
    memory.append([...base, ...extra]);
    memory.retract(retractions, [...base, ...extra]);
    memory.append(late);
    const snapshot = await stub.snapshot();
    expect(snapshot).toEqual(memory.snapshot());
    const gone = new Set(retractions.map((r) => `${r.source}|${r.source_entity_id}`));
    const never = new MemoryLedger();
    never.append([...base, ...extra, ...late].filter((e: CanonicalEvent) => !gone.has(`${e.source}|${e.source_entity_id}`)));
    expect(snapshot).toEqual(never.snapshot());

    // The log keeps every event; evidence no longer cites the retracted ones.
    expect((await stub.stats()).events).toBe(base.length + extra.length + late.length);
    const day5 = base.find((e) => e.source_entity_id === "inv-5")!;
    const evidence = await stub.evidence({ types: ["invoice_paid"], from: day5.event_time.slice(0, 10), to: day5.event_time.slice(0, 10), limit: 100 });
    expect(evidence.map((e) => e.event_id)).not.toContain(day5.event_id);
    expect(evidence).toHaveLength(19);
    expect((await stub.listEvents({ ids: ["inv-x-paid"] })).events).toHaveLength(1);

    // (Awaited with then: `expect(rpcPromise).rejects` reads properties of the RPC promise, each a
    // pipelined call that rejects unhandled.)
    const error = await stub.retract([{ source: "qbo", source_entity_id: "Invoice:1", reason: "refunded" as never }]).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch('retract: parseRetractions: [0].reason must be "voided" or "deleted"');
    expect((await stub.stats()).events).toBe(base.length + extra.length + late.length);
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
