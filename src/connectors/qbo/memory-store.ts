/**
 * In-memory implementations of the sync pipeline's storage (for tests, the CLI and the local
 * emulator's own checks). The Worker's are over D1, R2 and the CompanyLog Durable Object.
 */
import type { CanonicalEvent } from "../../events/canonical.ts";
import { type Retraction, parseRetractions, retractionKey, retractionKeyOf } from "../../events/retraction.ts";
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

/** A company's event log in memory: idempotent by event id, folding into a MemoryLedger, with retractions. */
export class MemoryEventLog implements EventAppender {
  readonly events = new Map<string, CanonicalEvent>();
  readonly ledger = new MemoryLedger();
  /** Events by the entity they come from (retraction key). */
  private readonly bySource = new Map<string, CanonicalEvent[]>();
  appendCalls = 0;

  async append(events: CanonicalEvent[]): Promise<{ accepted: number; duplicates: number }> {
    this.appendCalls++;
    for (const event of events) {
      if (this.events.has(event.event_id)) continue;
      this.events.set(event.event_id, event);
      const key = retractionKeyOf(event);
      this.bySource.set(key, [...(this.bySource.get(key) ?? []), event]);
    }
    return this.ledger.append(events);
  }

  async retract(retractions: Retraction[]): Promise<{ entities: number; duplicates: number; events: number }> {
    const parsed = parseRetractions(retractions);
    const candidates = parsed.flatMap((r) => this.bySource.get(retractionKey(r.source, r.source_entity_id)) ?? []);
    const result = this.ledger.retract(parsed, candidates);
    const distinct = new Set(parsed.map((r) => retractionKey(r.source, r.source_entity_id))).size;
    return { ...result, duplicates: distinct - result.entities };
  }

  /** Whether an entity was retracted. */
  isRetracted(source: string, sourceEntityId: string): boolean {
    return this.ledger.retracted.has(retractionKey(source, sourceEntityId));
  }
}
