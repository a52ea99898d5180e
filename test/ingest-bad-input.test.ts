/** Bad uploads get the envelope and change nothing: no events, no job, no bronze object. */
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { adminToken, authed, call, envelopeOf, event, ndjson } from "./helpers.ts";

const COMPANY = "badinput";

async function unchanged(token: string): Promise<void> {
  const page = (await (await authed(`/v1/events?company=${COMPANY}`, token)).json()) as { events: unknown[] };
  expect(page.events).toEqual([]);
  const jobs = await env.DB.prepare("SELECT COUNT(*) AS n FROM ingest_jobs WHERE company_id = ?").bind(COMPANY).first<{ n: number }>();
  expect(jobs?.n).toBe(0);
  const objects = await env.BRONZE.list({ prefix: `bronze/uploads/${COMPANY}/` });
  expect(objects.objects).toEqual([]);
  const temp = await env.BRONZE.list({ prefix: "tmp/" });
  expect(temp.objects).toEqual([]);
}

function upload(token: string, body: BodyInit, contentType: string) {
  return authed(`/v1/ingest/upload?company=${COMPANY}`, token, { method: "POST", headers: { "content-type": contentType }, body });
}

describe("bad uploads", () => {
  it("rejects malformed JSON", async () => {
    const token = await adminToken();
    const response = await upload(token, `[${JSON.stringify(event())}, {"event_id": "x",`, "application/json");
    expect(response.status).toBe(400);
    expect((await envelopeOf(response)).error.code).toBe("MALFORMED_BODY");
    await unchanged(token);
  });

  it("rejects a wrong content type", async () => {
    const token = await adminToken();
    const response = await upload(token, "hello", "text/plain");
    expect(response.status).toBe(415);
    expect((await envelopeOf(response)).error.message).toMatch(/application\/x-ndjson/);
    await unchanged(token);
  });

  it("rejects an oversized body", async () => {
    const token = await adminToken();
    const big = ndjson(Array.from({ length: 9000 }, (_, i) => event({ event_id: `big-${i}` })));
    expect(big.length).toBeGreaterThan(2_000_000);
    const response = await upload(token, big, "application/x-ndjson");
    expect(response.status).toBe(413);
    expect((await envelopeOf(response)).error.code).toBe("PAYLOAD_TOO_LARGE");
    await unchanged(token);
  });

  it("rejects a batch of only unknown event types and missing fields, naming each", async () => {
    const token = await adminToken();
    const { entity_id: _drop, ...missing } = event({ event_id: "m-1" });
    const response = await upload(token, ndjson([event({ event_type: "order_teleported" }), missing]), "application/x-ndjson");
    expect(response.status).toBe(422);
    const { error } = await envelopeOf(response);
    expect(error.code).toBe("NO_VALID_EVENTS");
    const details = error.details as { rejections: { index: number; field: string; reason: string }[] };
    expect(details.rejections).toEqual([
      expect.objectContaining({ index: 0, field: "event_type", reason: expect.stringMatching(/not a known event type/) }),
      expect.objectContaining({ index: 1, field: "entity_id", reason: "is required" }),
    ]);
    await unchanged(token);
  });

  it("rejects unauthenticated and forged-token uploads", async () => {
    const token = await adminToken();
    const body = ndjson([event()]);
    const anonymous = await call(`/v1/ingest/upload?company=${COMPANY}`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
    expect(anonymous.status).toBe(401);
    await envelopeOf(anonymous);
    const now = Math.floor(Date.now() / 1000);
    const forgedToken = await sign({ sub: "admin", role: "admin", iss: "bre-workspace", aud: "bre-admin", iat: now, exp: now + 600 }, "wrong", "HS256");
    const forged = await authed(`/v1/ingest/upload?company=${COMPANY}`, forgedToken, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
    expect(forged.status).toBe(401);
    await envelopeOf(forged);
    await unchanged(token);
  });

  it("keeps the valid events beside invalid ones and reports each rejection", async () => {
    const token = await adminToken();
    const records = [event({ event_id: "ok-1" }), "not an object", event({ event_id: "bad-amount", amount: "12" }), event({ event_id: "ok-2" })];
    const lines = `${ndjson(records)}\n{broken json`;
    const response = await authed("/v1/ingest/upload?company=mixed", token, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body: lines });
    expect(response.status).toBe(201);
    const result = (await response.json()) as { accepted: number; rejected: number; rejections: { index: number; field: string; reason: string }[] };
    expect(result.accepted).toBe(2);
    expect(result.rejected).toBe(3);
    expect(result.rejections.map((r) => [r.index, r.field])).toEqual([
      [1, "(record)"],
      [2, "amount"],
      [4, "(record)"],
    ]);
    expect(result.rejections[2]!.reason).toMatch(/not valid JSON/);
    const page = (await (await authed("/v1/events?company=mixed", token)).json()) as { events: { event_id: string }[] };
    expect(page.events.map((e) => e.event_id)).toEqual(["ok-1", "ok-2"]);
  });

  it("accepts a JSON array and CSV with dotted columns", async () => {
    const token = await adminToken();
    const json = await authed("/v1/ingest/upload?company=formats", token, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([event({ event_id: "j-1" }), event({ event_id: "j-2" })]),
    });
    expect(((await json.json()) as { accepted: number }).accepted).toBe(2);
    const csv = [
      "event_id,event_type,event_time,source,source_entity_id,entity_type,entity_id,amount,currency,related_entity_ids.customer_id,attributes.days_late",
      "c-1,order_late,2025-02-03T10:00:00Z,csv,o-1,order,o-1,,,cust-1,4",
      'c-2,order_late,2025-02-04T10:00:00Z,csv,o-2,order,o-2,,,"cust-2",2',
    ].join("\r\n");
    const csvResponse = await authed("/v1/ingest/upload?company=formats", token, { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
    expect(csvResponse.status).toBe(201);
    expect(((await csvResponse.json()) as { accepted: number }).accepted).toBe(2);
    const page = (await (await authed("/v1/events?company=formats&type=order_late", token)).json()) as { events: { attributes: { days_late: number }; related_entity_ids: { customer_id: string } }[] };
    expect(page.events.map((e) => [e.related_entity_ids.customer_id, e.attributes.days_late])).toEqual([
      ["cust-1", 4],
      ["cust-2", 2],
    ]);
  });
});
