import { describe, expect, it } from "vitest";
import { qboFixtureBytes, qboFixtureJson, qboFixtureText } from "../../../test/node/qbo-fixtures.ts";
import { base64ToBytes } from "./encoding.ts";
import {
  cloudEventsWebhookBody,
  coalesceChanges,
  type EntityChange,
  intuitSignature,
  legacyWebhookBody,
  parseWebhookBody,
  timingSafeEqual,
  verifyIntuitSignature,
  WebhookPayloadError,
} from "./webhooks.ts";

interface Vector {
  name: string;
  body_file: string;
  body_len: number;
  verifier_token: string;
  intuit_signature: string;
}
const vectors = qboFixtureJson("webhook-signature-vectors.json") as unknown as Vector[];

describe("intuit-signature", () => {
  it.each(vectors.map((v) => [v.name, v] as const))("matches the %s test vector byte for byte", async (_name, v) => {
    const body = qboFixtureBytes(v.body_file);
    expect(body.length).toBe(v.body_len);
    expect(await intuitSignature(body, v.verifier_token)).toBe(v.intuit_signature);
    expect(await verifyIntuitSignature(body, v.intuit_signature, v.verifier_token)).toBe(true);
  });

  it("rejects a changed body, another token, a truncated or non-base64 signature, and a missing header", async () => {
    const v = vectors[0]!;
    const body = qboFixtureBytes(v.body_file);
    const tampered = new Uint8Array(body);
    tampered[20] = tampered[20]! ^ 1;
    expect(await verifyIntuitSignature(tampered, v.intuit_signature, v.verifier_token)).toBe(false);
    expect(await verifyIntuitSignature(body, v.intuit_signature, `${v.verifier_token}x`)).toBe(false);
    expect(await verifyIntuitSignature(body, v.intuit_signature.slice(0, 20), v.verifier_token)).toBe(false);
    expect(await verifyIntuitSignature(body, "not base64 at all!", v.verifier_token)).toBe(false);
    expect(await verifyIntuitSignature(body, undefined, v.verifier_token)).toBe(false);
    expect(await verifyIntuitSignature(body, "", v.verifier_token)).toBe(false);
  });

  it("signs the raw bytes: re-serialised JSON with the same meaning does not verify", async () => {
    const v = vectors[0]!;
    const reserialised = JSON.stringify(JSON.parse(qboFixtureText(v.body_file)), null, 1);
    expect(await verifyIntuitSignature(reserialised, v.intuit_signature, v.verifier_token)).toBe(false);
  });

  it("refuses to verify with an empty verifier token (a misconfiguration, not a bad request)", async () => {
    await expect(verifyIntuitSignature("{}", "abc=", "")).rejects.toThrow(/verifyIntuitSignature: the verifier token is empty/);
  });

  it("compares in constant time over the expected length", () => {
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(timingSafeEqual(Uint8Array.of(1, 2, 4), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(timingSafeEqual(Uint8Array.of(1, 2, 3, 0), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(base64ToBytes("AQID")).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe("parseWebhookBody", () => {
  it("reads the legacy eventNotifications format (.NET SDK body)", () => {
    const changes = parseWebhookBody(qboFixtureText("intuit-dotnet-sdk/webhook.eventNotifications.vendor-update_customer-create.raw"));
    expect(changes).toEqual([
      { realmId: "1269959970", entityName: "Vendor", entityType: "Vendor", entityId: "40", operation: "Update", lastUpdated: "2016-10-05T03:09:04.000Z", format: "legacy" },
      { realmId: "1269959970", entityName: "Customer", entityType: "Customer", entityId: "43", operation: "Create", lastUpdated: "2016-10-05T03:07:04.000Z", format: "legacy" },
    ]);
  });

  it("reads the Java SDK body whose lastUpdated has a -0700 offset without a colon", () => {
    const [change] = parseWebhookBody(qboFixtureText("intuit-java-sdk/webhook.eventNotifications.customer-create.raw"));
    // 2015-10-05T14:42:19-0700 is 21:42:19 UTC.
    expect(change).toMatchObject({ realmId: "1185883450", entityType: "Customer", entityId: "1", lastUpdated: "2015-10-05T21:42:19.000Z" });
  });

  it("reads CloudEvents (Intuit sample app and .NET SDK), keeping entities it does not read as untyped", () => {
    const [customer] = parseWebhookBody(qboFixtureText("intuit-sampleapp-cloudevents/webhook.cloudevents.customer-created.readme-example.json"));
    expect(customer).toEqual({
      realmId: "310687",
      entityName: "customer",
      entityType: "Customer",
      entityId: "1234",
      operation: "Create",
      lastUpdated: "2025-09-10T21:31:25.179Z",
      format: "cloudevents",
      notificationId: "88cd52aa-33b6-4351-9aa4-47572edbd068",
    });
    const [klass] = parseWebhookBody(qboFixtureText("intuit-dotnet-sdk/webhook.cloudevents.class-created.raw"));
    // Nanosecond precision is cut to milliseconds.
    expect(klass).toMatchObject({ entityName: "class", entityId: "1234", operation: "Create", lastUpdated: "2025-10-07T19:59:07.034Z" });
    expect(klass!.entityType).toBeUndefined();
  });

  it("names the field that makes a body unusable", () => {
    const bad = (body: string) => () => parseWebhookBody(body);
    expect(bad("not json")).toThrow(WebhookPayloadError);
    expect(bad("{}")).toThrow(/neither an eventNotifications object nor a CloudEvents array/);
    expect(bad('{"eventNotifications":[{"dataChangeEvent":{"entities":[]}}]}')).toThrow("eventNotifications[0].realmId: is required");
    expect(bad('{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Invoice","id":"1","operation":"Explode"}]}}]}')).toThrow(
      /entities\[0\]\.operation: "Explode" is not one of/,
    );
    expect(bad('[{"specversion":"1.0","type":"qbo.invoice.updated.v1","intuitaccountid":"1"}]')).toThrow("[0].intuitentityid: is required");
    expect(bad('[{"specversion":"1.0","type":"invoice.updated","intuitaccountid":"1","intuitentityid":"2"}]')).toThrow(/is not qbo.<entity>.<verb>/);
  });

  it("round-trips the bodies the emulator sends, in both formats", () => {
    const change = { name: "Invoice", id: "130", operation: "Void" as const, lastUpdated: "2026-01-02T03:04:05.000Z" };
    expect(parseWebhookBody(legacyWebhookBody("42", [change]))).toEqual([
      { realmId: "42", entityName: "Invoice", entityType: "Invoice", entityId: "130", operation: "Void", lastUpdated: change.lastUpdated, format: "legacy" },
    ]);
    expect(parseWebhookBody(cloudEventsWebhookBody("42", [{ ...change, eventId: "e-1" }]))).toEqual([
      { realmId: "42", entityName: "invoice", entityType: "Invoice", entityId: "130", operation: "Void", lastUpdated: change.lastUpdated, format: "cloudevents", notificationId: "e-1" },
    ]);
  });
});

describe("coalesceChanges", () => {
  const change = (id: string, operation: EntityChange["operation"], lastUpdated: string): EntityChange => ({
    realmId: "1",
    entityName: "Invoice",
    entityType: "Invoice",
    entityId: id,
    operation,
    lastUpdated,
    format: "legacy",
  });

  it("keeps one change per entity, the latest, whatever the order and however often it was sent", () => {
    const batch = [
      change("7", "Update", "2026-01-01T10:00:02Z"),
      change("7", "Create", "2026-01-01T10:00:00Z"),
      change("7", "Update", "2026-01-01T10:00:02Z"),
      change("8", "Create", "2026-01-01T09:00:00Z"),
      change("7", "Update", "2026-01-01T10:00:01Z"),
    ];
    const expected = [change("7", "Update", "2026-01-01T10:00:02Z"), change("8", "Create", "2026-01-01T09:00:00Z")];
    expect(coalesceChanges(batch)).toEqual(expected);
    expect(coalesceChanges([...batch].reverse())).toEqual(expected);
  });

  it("lets a deletion win a tie and drops entities the connector does not read", () => {
    const other: EntityChange = { ...change("9", "Create", "2026-01-01T00:00:00Z"), entityName: "Class", entityType: undefined };
    expect(coalesceChanges([change("7", "Update", "2026-01-01T10:00:00Z"), change("7", "Delete", "2026-01-01T10:00:00Z"), other])).toEqual([
      change("7", "Delete", "2026-01-01T10:00:00Z"),
    ]);
  });
});
