/**
 * Sends signed QuickBooks webhooks to the Worker when the emulated company changes, in the legacy
 * `eventNotifications` format, as CloudEvents, or alternating. Like Intuit it batches changes,
 * signs each body (`intuit-signature` = base64 HMAC-SHA256 of the raw body with the verifier
 * token) and retries deliveries the receiver did not accept. Faults drop, duplicate and reorder.
 */
import { cloudEventsWebhookBody, intuitSignature, legacyWebhookBody } from "../../src/connectors/qbo/webhooks.ts";
import type { FaultInjector } from "./faults.ts";
import type { StoreChange } from "./store.ts";

export type WebhookFormat = "legacy" | "cloudevents" | "alternate";

export interface Delivery {
  format: "legacy" | "cloudevents";
  entities: number;
  status: number;
  error?: string;
  attempt: number;
}

export interface WebhookSenderOptions {
  /** Where to POST; without it notifications are only counted. */
  url?: string;
  verifierToken: string;
  realmId: string;
  format: WebhookFormat;
  fetch: typeof fetch;
  faults: FaultInjector;
  /** Ids for CloudEvents (the caller's randomness). */
  newId: () => string;
  /** Entities per body (Intuit groups several changes into one notification). */
  maxEntitiesPerBody?: number;
  /** Delivery attempts per body before it is given up (Intuit retries failed deliveries). */
  maxAttempts?: number;
}

interface Outgoing {
  changes: StoreChange[];
  attempt: number;
}

export class WebhookSender {
  private pending: StoreChange[] = [];
  private retries: Outgoing[] = [];
  private bodies = 0;
  readonly deliveries: Delivery[] = [];
  /** Changes the faults swallowed (never sent). */
  readonly dropped: StoreChange[] = [];

  constructor(private readonly options: WebhookSenderOptions) {}

  enqueue(change: StoreChange): void {
    this.pending.push(change);
  }

  get pendingCount(): number {
    return this.pending.length + this.retries.length;
  }

  /** Sends everything pending (one or more bodies); returns this flush's deliveries. */
  async flush(): Promise<Delivery[]> {
    const changes = this.pending;
    this.pending = [];
    const copies: StoreChange[] = [];
    for (const change of changes) {
      const n = this.options.faults.copies();
      if (n === 0) this.dropped.push(change);
      for (let i = 0; i < n; i++) copies.push(change);
    }
    const size = this.options.maxEntitiesPerBody ?? 10;
    let outgoing: Outgoing[] = [...this.retries];
    this.retries = [];
    for (let i = 0; i < copies.length; i += size) outgoing.push({ changes: copies.slice(i, i + size), attempt: 1 });
    if (this.options.faults.plan.reorder) outgoing = outgoing.reverse().map((o) => ({ ...o, changes: [...o.changes].reverse() }));
    const results: Delivery[] = [];
    for (const body of outgoing) results.push(await this.send(body));
    return results;
  }

  private async send(outgoing: Outgoing): Promise<Delivery> {
    const format = this.options.format === "alternate" ? (this.bodies % 2 === 0 ? "legacy" : "cloudevents") : this.options.format;
    this.bodies++;
    const entities = outgoing.changes.map((c) => ({ name: c.type, id: c.id, operation: c.operation, lastUpdated: c.lastUpdated }));
    const body =
      format === "legacy"
        ? legacyWebhookBody(this.options.realmId, entities)
        : cloudEventsWebhookBody(this.options.realmId, entities.map((e) => ({ ...e, eventId: this.options.newId() })));
    const delivery: Delivery = { format, entities: entities.length, status: 0, attempt: outgoing.attempt };
    if (this.options.url) {
      try {
        const response = await this.options.fetch(this.options.url, {
          method: "POST",
          headers: { "content-type": "application/json", "intuit-signature": await intuitSignature(body, this.options.verifierToken) },
          body,
        });
        delivery.status = response.status;
        await response.arrayBuffer();
      } catch (error) {
        delivery.error = (error as Error).message;
      }
      const accepted = delivery.status >= 200 && delivery.status < 300;
      if (!accepted && outgoing.attempt < (this.options.maxAttempts ?? 3)) this.retries.push({ changes: outgoing.changes, attempt: outgoing.attempt + 1 });
    } else {
      delivery.status = 204;
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}
