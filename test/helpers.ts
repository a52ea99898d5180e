/** Shared helpers for Workers-runtime tests: calls through the real Worker entry. */
import { exports } from "cloudflare:workers";

const worker = (exports as unknown as { default: { fetch(request: Request): Promise<Response> } }).default;

export const ADMIN_SECRET = "test-admin-secret";

export async function call(path: string, init: RequestInit = {}): Promise<Response> {
  return worker.fetch(new Request(`http://workspace.test${path}`, init));
}

export async function adminToken(): Promise<string> {
  const response = await call("/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secret: ADMIN_SECRET }),
  });
  if (!response.ok) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export async function authed(path: string, token: string, init: RequestInit = {}): Promise<Response> {
  return call(path, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` } });
}

export interface Envelope {
  error: { code: string; message: string; request_id: string; timestamp: string; details?: unknown };
}

/** Asserts the error envelope shape and returns it. */
export async function envelopeOf(response: Response): Promise<Envelope> {
  const body = (await response.json()) as Envelope;
  if (!body.error || typeof body.error.code !== "string" || typeof body.error.message !== "string") {
    throw new Error(`not an error envelope: ${JSON.stringify(body)}`);
  }
  if (body.error.request_id !== response.headers.get("x-request-id")) {
    throw new Error("the envelope's request_id differs from the X-Request-ID header");
  }
  return body;
}

export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_id: "evt-1",
    event_type: "refund_issued",
    event_time: "2025-02-03T10:00:00Z",
    source: "test",
    source_entity_id: "r-1",
    entity_type: "payment",
    entity_id: "r-1",
    amount: 25,
    currency: "USD",
    related_entity_ids: { customer_id: "c-1" },
    ...overrides,
  };
}

export function ndjson(records: unknown[]): string {
  return records.map((r) => JSON.stringify(r)).join("\n");
}
