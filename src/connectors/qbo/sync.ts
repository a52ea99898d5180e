/**
 * Moving QuickBooks data into the event log: webhook notifications, the CDC sweep and the
 * backfill all end in the same pipeline —
 *
 *   read (API) → bronze (raw text, content-addressed) → skip versions already processed →
 *   map → validate → append to the company's log → remember the processed version.
 *
 * An entity QBO voided or deleted is retracted from the log: its events stop counting in the
 * ledger (revenue, AR, …) though they stay in the log.
 *
 * Every step is idempotent: bronze keys are content hashes, event ids are deterministic,
 * retracting twice changes nothing, and a version is only remembered after its events are
 * appended and its removal retracted, so a crash anywhere is repaired by running the same work
 * again. Lost notifications are repaired by the CDC sweep; repeated or
 * reordered ones are skipped by version (SyncToken, then LastUpdatedTime).
 *
 * Storage is behind small interfaces: the Worker implements them over D1, R2 and the CompanyLog
 * Durable Object; tests and the CLI use in-memory ones.
 */
import { type CanonicalEvent, type Rejection, validateEvent } from "../../events/canonical.ts";
import type { Retraction } from "../../events/retraction.ts";
import { MAX_QUERY_PAGE, type QboClient, qboQuote } from "./client.ts";
import { utf8 } from "./encoding.ts";
import {
  isDeletedStub,
  lastUpdatedOf,
  type QboEntity,
  QBO_ENTITY_TYPES,
  type QboEntityType,
  syncTokenOf,
} from "./entities.ts";
import { QboNotFoundError } from "./errors.ts";
import { linkedKey, linkedNeeds, mapQboEntity, type QboRemoval, retractionOf } from "./mapping.ts";
import { coalesceChanges, type EntityChange } from "./webhooks.ts";

/** The version of an entity the log already reflects. */
export interface EntityVersion {
  syncToken: number;
  lastUpdated?: string;
  deleted: boolean;
}

export interface QboSyncStore {
  /** Processed versions of these entities (`Type:Id` keys); absent keys were never seen. */
  versions(realmId: string, keys: readonly string[]): Promise<Map<string, EntityVersion>>;
  /** Remembers processed versions, with the entity body when `keepBody` said so. */
  saveVersions(realmId: string, entries: readonly { key: string; version: EntityVersion; body?: QboEntity }[]): Promise<void>;
  /** The last processed body of an entity (kept for customers, to name their changed fields). */
  previous(realmId: string, key: string): Promise<QboEntity | undefined>;
}

/** One raw answer as received, with what it is about. */
export interface BronzeRecord {
  key: string;
  body: string;
  metadata: Record<string, string>;
}

export interface BronzeWriter {
  put(record: BronzeRecord): Promise<void>;
}

export interface EventAppender {
  append(events: CanonicalEvent[]): Promise<{ accepted: number; duplicates: number }>;
  /** Retracts entities (their events stop counting); `entities`: newly retracted ones. */
  retract(retractions: Retraction[]): Promise<{ entities: number; duplicates: number; events: number }>;
}

export interface SyncDeps {
  realmId: string;
  client: QboClient;
  store: QboSyncStore;
  bronze: BronzeWriter;
  log: EventAppender;
  now: () => number;
  homeCurrency?: string;
  /** Called for things worth a log line (skips, removals, rejections). */
  note?: (event: string, fields: Record<string, unknown>) => void;
}

export interface SyncReport {
  /** Entity versions read from QBO (CDC, query, read). */
  entities_seen: number;
  /** Versions newer than the log's, mapped and appended. */
  entities_processed: number;
  /** Versions the log already reflected (duplicates, out-of-order, replays). */
  entities_skipped: number;
  events_appended: number;
  events_duplicate: number;
  events_rejected: number;
  rejections: (Rejection & { entity: string })[];
  removals: QboRemoval[];
  /** Removed entities newly retracted from the log, and how many of their events stopped counting. */
  entities_retracted: number;
  events_retracted: number;
  bronze_objects: number;
}

/** Events per append call (the CompanyLog takes at most 5,000). */
const APPEND_BATCH = 1_000;
/** Retractions per call (the CompanyLog takes at most 1,000). */
const RETRACT_BATCH = 500;
/** Entity types whose last body is kept (for `changed_fields`). */
const KEEP_BODY: ReadonlySet<QboEntityType> = new Set(["Customer"]);
const MAX_LISTED_REJECTIONS = 100;

export function emptyReport(): SyncReport {
  return {
    entities_seen: 0,
    entities_processed: 0,
    entities_skipped: 0,
    events_appended: 0,
    events_duplicate: 0,
    events_rejected: 0,
    rejections: [],
    removals: [],
    entities_retracted: 0,
    events_retracted: 0,
    bronze_objects: 0,
  };
}

export function mergeReports(a: SyncReport, b: SyncReport): SyncReport {
  return {
    entities_seen: a.entities_seen + b.entities_seen,
    entities_processed: a.entities_processed + b.entities_processed,
    entities_skipped: a.entities_skipped + b.entities_skipped,
    events_appended: a.events_appended + b.events_appended,
    events_duplicate: a.events_duplicate + b.events_duplicate,
    events_rejected: a.events_rejected + b.events_rejected,
    rejections: [...a.rejections, ...b.rejections].slice(0, MAX_LISTED_REJECTIONS),
    removals: [...a.removals, ...b.removals],
    entities_retracted: a.entities_retracted + b.entities_retracted,
    events_retracted: a.events_retracted + b.events_retracted,
    bronze_objects: a.bronze_objects + b.bronze_objects,
  };
}

/**
 * Whether `candidate` is newer than what the log reflects. A deletion is final; otherwise the
 * higher SyncToken wins, and LastUpdatedTime decides when SyncTokens are missing.
 */
export function isNewerVersion(stored: EntityVersion | undefined, candidate: EntityVersion): boolean {
  if (!stored) return true;
  if (stored.deleted) return false;
  if (candidate.deleted) return true;
  if (candidate.syncToken >= 0 && stored.syncToken >= 0) return candidate.syncToken > stored.syncToken;
  return (candidate.lastUpdated ?? "") > (stored.lastUpdated ?? "");
}

export function versionOf(entity: QboEntity): EntityVersion {
  return { syncToken: syncTokenOf(entity), lastUpdated: lastUpdatedOf(entity), deleted: isDeletedStub(entity) };
}

/**
 * Webhook work: one read per changed entity (after coalescing repeats), skipping notifications
 * older than what the log already reflects. Deletions need no read.
 */
export async function syncChanges(deps: SyncDeps, changes: readonly EntityChange[]): Promise<SyncReport> {
  const relevant = coalesceChanges(changes).filter((c) => c.realmId === deps.realmId);
  const keys = relevant.map((c) => linkedKey(c.entityType!, c.entityId));
  const stored = await deps.store.versions(deps.realmId, keys);
  const batch: Fetched[] = [];
  let report = emptyReport();
  for (const change of relevant) {
    const type = change.entityType!;
    const key = linkedKey(type, change.entityId);
    const known = stored.get(key);
    if (known?.deleted || (known?.lastUpdated && change.lastUpdated && change.lastUpdated < known.lastUpdated && change.operation !== "Delete")) {
      report.entities_skipped++;
      deps.note?.("qbo_notification_stale", { key, notified: change.lastUpdated, stored: known.lastUpdated });
      continue;
    }
    if (change.operation === "Delete") {
      batch.push({ type, entity: deletedStub(change.entityId, change.lastUpdated ?? new Date(deps.now()).toISOString()) });
      continue;
    }
    if (change.operation === "Merge" && change.deletedId) {
      batch.push({ type, entity: deletedStub(change.deletedId, change.lastUpdated ?? new Date(deps.now()).toISOString()) });
    }
    const read = await readOrDeleted(deps, type, change.entityId);
    if (read.raw) {
      await writeBronze(deps, read.raw, { source: "webhook", entity_type: type, entity_ids: change.entityId, operation: change.operation, webhook_event_id: change.notificationId, intuit_tid: read.intuitTid });
      report.bronze_objects++;
    }
    batch.push({ type, entity: read.entity });
  }
  if (batch.length > 0) report = mergeReports(report, await processEntities(deps, batch, "webhook"));
  return report;
}

/**
 * The CDC sweep: everything changed since `since` (at most 30 days back), deletions included.
 * A type whose CDC group came back full is re-read with paged queries.
 */
export async function cdcSweep(deps: SyncDeps, since: string, types: readonly QboEntityType[] = QBO_ENTITY_TYPES): Promise<SyncReport> {
  const result = await deps.client.cdc(types, since);
  await writeBronze(deps, result.raw, { source: "cdc", entity_type: [...result.changes.keys()].join(","), changed_since: since, intuit_tid: result.intuitTid });
  const batch: Fetched[] = [];
  for (const [type, list] of result.changes) {
    if (result.truncated.includes(type)) continue;
    for (const entity of list) batch.push({ type, entity });
  }
  let report = { ...emptyReport(), bronze_objects: 1 };
  report = mergeReports(report, await processEntities(deps, batch, "cdc"));
  for (const type of result.truncated) {
    report = mergeReports(report, await pull(deps, type, `Metadata.LastUpdatedTime >= '${since.replace(/'/g, "")}'`));
  }
  return report;
}

/** The initial backfill: every entity of every type, page by page (1,000 rows a page). */
export async function backfill(deps: SyncDeps, types: readonly QboEntityType[] = QBO_ENTITY_TYPES, pageSize?: number): Promise<SyncReport> {
  let report = emptyReport();
  for (const type of types) report = mergeReports(report, await pull(deps, type, undefined, pageSize));
  return report;
}

/**
 * One page of a backfill (`STARTPOSITION start`, up to `pageSize` rows), for work split across
 * queue messages; `next` is the following page's start, absent after the last page.
 */
export async function backfillPage(
  deps: SyncDeps,
  type: QboEntityType,
  start: number,
  options: { where?: string; pageSize?: number } = {},
): Promise<{ report: SyncReport; next?: number }> {
  const size = options.pageSize ?? 1000;
  const where = options.where ? ` WHERE ${options.where}` : "";
  const page = await deps.client.query(`SELECT * FROM ${type}${where} ORDERBY Id STARTPOSITION ${start} MAXRESULTS ${size}`);
  let report = emptyReport();
  if (page.rows.length > 0) {
    await writeBronze(deps, page.raw, { source: "query", entity_type: type, start_position: String(start), intuit_tid: page.intuitTid });
    report.bronze_objects++;
    report = mergeReports(report, await processEntities(deps, page.rows.map((entity) => ({ type, entity })), "query"));
  }
  return page.rows.length < size ? { report } : { report, next: start + size };
}

async function pull(deps: SyncDeps, type: QboEntityType, where: string | undefined, pageSize?: number): Promise<SyncReport> {
  let report = emptyReport();
  for await (const page of deps.client.queryAll(type, { where, pageSize })) {
    if (page.rows.length === 0) continue;
    await writeBronze(deps, page.raw, { source: "query", entity_type: type, start_position: String(page.startPosition), intuit_tid: page.intuitTid });
    report.bronze_objects++;
    report = mergeReports(report, await processEntities(deps, page.rows.map((entity) => ({ type, entity })), "query"));
  }
  return report;
}

interface Fetched {
  type: QboEntityType;
  entity: QboEntity;
}

/** The shared tail of every path: skip known versions, resolve links, map, validate, append, remember. */
async function processEntities(deps: SyncDeps, fetched: readonly Fetched[], source: string): Promise<SyncReport> {
  const report = emptyReport();
  report.entities_seen = fetched.length;
  // The newest copy of each entity in the batch (a page and a linked read may both hold one).
  const latest = new Map<string, Fetched>();
  for (const item of fetched) {
    const key = linkedKey(item.type, item.entity.Id);
    const current = latest.get(key);
    if (!current || isNewerVersion(versionOf(current.entity), versionOf(item.entity))) latest.set(key, item);
  }
  const stored = await deps.store.versions(deps.realmId, [...latest.keys()]);
  const fresh = [...latest].filter(([key, item]) => isNewerVersion(stored.get(key), versionOf(item.entity)));
  report.entities_skipped = fetched.length - fresh.length;
  if (fresh.length === 0) return report;

  // Entities the mapping needs (the payments that closed an invoice): from this batch, else read.
  // What is read that way is processed too: its own notification may have been lost.
  const linked = new Map<string, QboEntity>();
  for (const [key, item] of latest) linked.set(key, item.entity);
  const extra: [string, Fetched][] = [];
  const needs = new Map<string, { entityType: QboEntityType; id: string }>();
  for (const [, item] of fresh) {
    for (const need of linkedNeeds(item.type, item.entity)) {
      const key = linkedKey(need.entityType, need.id);
      if (!linked.has(key)) needs.set(key, need);
    }
  }
  const reads = await readLinked(deps, [...needs.values()]);
  report.bronze_objects += reads.bronzeObjects;
  for (const [key, need] of needs) {
    const entity = reads.entities.get(key)!;
    linked.set(key, entity);
    extra.push([key, { type: need.entityType, entity }]);
  }
  if (extra.length > 0) {
    const storedExtra = await deps.store.versions(deps.realmId, extra.map(([key]) => key));
    report.entities_seen += extra.length;
    for (const [key, item] of extra) {
      if (isNewerVersion(storedExtra.get(key), versionOf(item.entity))) fresh.push([key, item]);
      else report.entities_skipped++;
    }
  }

  const ingestedAt = new Date(deps.now()).toISOString();
  const events: CanonicalEvent[] = [];
  const retractions: Retraction[] = [];
  const remember: { key: string; version: EntityVersion; body?: QboEntity }[] = [];
  for (const [key, item] of fresh) {
    const previous = KEEP_BODY.has(item.type) ? await deps.store.previous(deps.realmId, key) : undefined;
    const mapping = mapQboEntity(item.type, item.entity, { realmId: deps.realmId, homeCurrency: deps.homeCurrency, previous, linked });
    if (mapping.removal) {
      report.removals.push(mapping.removal);
      retractions.push(retractionOf(mapping.removal));
      deps.note?.("qbo_entity_removed", { key, kind: mapping.removal.kind, source });
    }
    mapping.events.forEach((record) => {
      const result = validateEvent(record, ingestedAt);
      if (result.ok) events.push(result.event);
      else {
        report.events_rejected++;
        if (report.rejections.length < MAX_LISTED_REJECTIONS) report.rejections.push({ index: events.length, entity: key, ...result.rejection });
        deps.note?.("qbo_event_rejected", { key, ...result.rejection });
      }
    });
    remember.push({ key, version: versionOf(item.entity), ...(KEEP_BODY.has(item.type) && !isDeletedStub(item.entity) ? { body: item.entity } : {}) });
  }
  for (let i = 0; i < events.length; i += APPEND_BATCH) {
    const result = await deps.log.append(events.slice(i, i + APPEND_BATCH));
    report.events_appended += result.accepted;
    report.events_duplicate += result.duplicates;
  }
  // After the appends: a removed entity whose events came in this batch (a page holding an
  // invoice and, later, its void) is retracted with them.
  for (let i = 0; i < retractions.length; i += RETRACT_BATCH) {
    const result = await deps.log.retract(retractions.slice(i, i + RETRACT_BATCH));
    report.entities_retracted += result.entities;
    report.events_retracted += result.events;
  }
  // Only now: a crash before this line makes the same work run again, harmlessly.
  await deps.store.saveVersions(deps.realmId, remember);
  report.entities_processed = fresh.length;
  return report;
}

/** Ids per `WHERE Id IN (…)` query when reading linked entities (keeps the URL short). */
const LINKED_IDS_PER_QUERY = 100;

/**
 * Reads the linked entities a batch needs: one read for a single entity, otherwise one query per
 * type and 100 ids (a backfill page of paid invoices needs hundreds of payments; reading them one
 * by one would cost a request each against the 500-a-minute limit). An id the query does not
 * return no longer exists, like a read answering Fault 610: its entity is a deletion stub.
 */
async function readLinked(deps: SyncDeps, needs: readonly { entityType: QboEntityType; id: string }[]): Promise<{ entities: Map<string, QboEntity>; bronzeObjects: number }> {
  const entities = new Map<string, QboEntity>();
  let bronzeObjects = 0;
  if (needs.length === 1) {
    const need = needs[0]!;
    const read = await readOrDeleted(deps, need.entityType, need.id);
    if (read.raw) {
      await writeBronze(deps, read.raw, { source: "read", entity_type: need.entityType, entity_ids: need.id, intuit_tid: read.intuitTid });
      bronzeObjects++;
    }
    entities.set(linkedKey(need.entityType, need.id), read.entity);
    return { entities, bronzeObjects };
  }
  const byType = new Map<QboEntityType, string[]>();
  for (const need of needs) byType.set(need.entityType, [...(byType.get(need.entityType) ?? []), need.id]);
  for (const [type, ids] of byType) {
    for (let i = 0; i < ids.length; i += LINKED_IDS_PER_QUERY) {
      const chunk = ids.slice(i, i + LINKED_IDS_PER_QUERY);
      const page = await deps.client.query(`SELECT * FROM ${type} WHERE Id IN (${chunk.map(qboQuote).join(", ")}) STARTPOSITION 1 MAXRESULTS ${MAX_QUERY_PAGE}`);
      if (page.rows.length > 0) {
        await writeBronze(deps, page.raw, { source: "read", entity_type: type, entity_ids: chunk.join(","), intuit_tid: page.intuitTid });
        bronzeObjects++;
      }
      for (const row of page.rows) entities.set(linkedKey(type, row.Id), row);
      const at = new Date(deps.now()).toISOString();
      for (const id of chunk) if (!entities.has(linkedKey(type, id))) entities.set(linkedKey(type, id), deletedStub(id, at));
    }
  }
  return { entities, bronzeObjects };
}

async function readOrDeleted(deps: SyncDeps, type: QboEntityType, id: string): Promise<{ entity: QboEntity; raw?: string; intuitTid?: string }> {
  try {
    const result = await deps.client.read(type, id);
    return { entity: result.entity, raw: result.raw, intuitTid: result.intuitTid };
  } catch (error) {
    // Reading a deleted entity answers Fault 610: the entity is gone.
    if (error instanceof QboNotFoundError) return { entity: deletedStub(id, new Date(deps.now()).toISOString()) };
    throw error;
  }
}

function deletedStub(id: string, at: string): QboEntity {
  return { Id: id, status: "Deleted", domain: "QBO", MetaData: { LastUpdatedTime: at } };
}

async function writeBronze(deps: SyncDeps, body: string, metadata: Record<string, string | undefined>): Promise<void> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(body)));
  const sha256 = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  const meta: Record<string, string> = {
    realm_id: deps.realmId,
    schema_version: "bronze_v1",
    api_version: `minorversion=${deps.client.minorVersion}`,
    ingested_at: new Date(deps.now()).toISOString(),
    sha256,
  };
  for (const [k, v] of Object.entries(metadata)) if (v !== undefined && v !== "") meta[k] = v.slice(0, 512);
  await deps.bronze.put({ key: bronzeKey(deps.realmId, sha256), body, metadata: meta });
}

/** Content address of a raw QBO answer: the same bytes are stored once. */
export function bronzeKey(realmId: string, sha256: string): string {
  return `bronze/qbo/${realmId}/${sha256}.json`;
}
