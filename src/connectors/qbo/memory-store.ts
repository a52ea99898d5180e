/**
 * In-memory implementations of the sync pipeline's storage (for tests, the CLI and the local
 * emulator's own checks). The Worker's are over D1, R2 and the CompanyLog Durable Object.
 */
import type { CanonicalEvent } from "../../events/canonical.ts";
import { MemoryLedger } from "../../metrics/ledger.ts";
import type { QboEntity } from "./entities.ts";
import type { BronzeRecord, BronzeWriter, EntityVersion, EventAppender, QboSyncStore } from "./sync.ts";

export class MemorySyncStore implements QboSyncStore {
  readonly entries = new Map<string, { version: EntityVersion; body?: QboEntity }>();

  async versions(realmId: string, keys: readonly string[]): Promise<Map<string, EntityVersion>> {
    const out = new Map<string, EntityVersion>();
    for (const key of keys) {
      const entry = this.entries.get(`${realmId}|${key}`);
      if (entry) out.set(key, entry.version);
    }
    return out;
  }

  async saveVersions(realmId: string, entries: readonly { key: string; version: EntityVersion; body?: QboEntity }[]): Promise<void> {
    for (const entry of entries) {
      const k = `${realmId}|${entry.key}`;
      this.entries.set(k, { version: entry.version, body: entry.body ?? this.entries.get(k)?.body });
    }
  }

  async previous(realmId: string, key: string): Promise<QboEntity | undefined> {
    return this.entries.get(`${realmId}|${key}`)?.body;
  }
}

export class MemoryBronze implements BronzeWriter {
  readonly objects = new Map<string, BronzeRecord>();
  async put(record: BronzeRecord): Promise<void> {
    if (!this.objects.has(record.key)) this.objects.set(record.key, record);
  }
}

/** A company's event log in memory: idempotent by event id, folding into a MemoryLedger. */
export class MemoryEventLog implements EventAppender {
  readonly events = new Map<string, CanonicalEvent>();
  readonly ledger = new MemoryLedger();
  appendCalls = 0;

  async append(events: CanonicalEvent[]): Promise<{ accepted: number; duplicates: number }> {
    this.appendCalls++;
    for (const event of events) if (!this.events.has(event.event_id)) this.events.set(event.event_id, event);
    return this.ledger.append(events);
  }
}
