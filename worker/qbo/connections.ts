/**
 * QuickBooks connections in D1: realm → company, status and health. The realm's Durable Object
 * holds the tokens; this table is what routes, the webhook receiver and cron look up.
 */
import { and, eq, inArray, isNull, lt } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { companies, qboConnections, qboOauthStates } from "../db/schema.ts";

export type ConnectionRow = typeof qboConnections.$inferSelect;

export async function connectionsByRealm(db: D1Database, realmIds: readonly string[]): Promise<Map<string, ConnectionRow>> {
  if (realmIds.length === 0) return new Map();
  const rows = await drizzle(db).select().from(qboConnections).where(inArray(qboConnections.realmId, [...realmIds].slice(0, 90))).all();
  return new Map(rows.map((r) => [r.realmId, r]));
}

export async function connectionsOfCompany(db: D1Database, companyId: string | undefined): Promise<ConnectionRow[]> {
  const query = drizzle(db).select().from(qboConnections);
  return companyId ? query.where(eq(qboConnections.companyId, companyId)).all() : query.all();
}

export async function activeRealms(db: D1Database): Promise<string[]> {
  const rows = await drizzle(db).select({ realmId: qboConnections.realmId }).from(qboConnections).where(eq(qboConnections.status, "connected")).all();
  return rows.map((r) => r.realmId);
}

export async function upsertConnection(db: D1Database, row: { realmId: string; companyId: string; environment: string; now: string }): Promise<void> {
  const d = drizzle(db);
  await d.batch([
    d.insert(companies).values({ companyId: row.companyId, createdAt: row.now }).onConflictDoNothing(),
    d
      .insert(qboConnections)
      .values({ realmId: row.realmId, companyId: row.companyId, status: "connected", environment: row.environment, connectedAt: row.now, updatedAt: row.now, backfillStatus: "pending", backfillDone: "" })
      .onConflictDoUpdate({
        target: qboConnections.realmId,
        set: { companyId: row.companyId, status: "connected", environment: row.environment, connectedAt: row.now, updatedAt: row.now, backfillStatus: "pending", backfillDone: "", lastError: null, lastErrorAt: null },
      }),
  ]);
}

export async function updateConnection(db: D1Database, realmId: string, set: Partial<Omit<ConnectionRow, "realmId">>): Promise<void> {
  await drizzle(db)
    .update(qboConnections)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(qboConnections.realmId, realmId));
}

export async function noteWebhook(db: D1Database, realmIds: readonly string[], at: string): Promise<void> {
  if (realmIds.length === 0) return;
  await drizzle(db).update(qboConnections).set({ lastWebhookAt: at }).where(inArray(qboConnections.realmId, [...realmIds])).run();
}

/** Marks a backfilled type done; returns whether every type is now done. */
export async function markBackfilled(db: D1Database, realmId: string, type: string, allTypes: readonly string[]): Promise<boolean> {
  const row = await drizzle(db).select({ done: qboConnections.backfillDone }).from(qboConnections).where(eq(qboConnections.realmId, realmId)).get();
  const done = new Set((row?.done ?? "").split(",").filter(Boolean));
  done.add(type);
  const complete = allTypes.every((t) => done.has(t));
  await updateConnection(db, realmId, { backfillDone: [...done].sort().join(","), backfillStatus: complete ? "done" : "running" });
  return complete;
}

export async function saveOauthState(db: D1Database, nonce: string, companyId: string, expiresAt: string): Promise<void> {
  await drizzle(db).insert(qboOauthStates).values({ nonce, companyId, expiresAt });
}

/** Consumes a state nonce: true the first time, false if unknown or already used. */
export async function consumeOauthState(db: D1Database, nonce: string, now: string): Promise<boolean> {
  const result = await drizzle(db)
    .update(qboOauthStates)
    .set({ usedAt: now })
    .where(and(eq(qboOauthStates.nonce, nonce), isNull(qboOauthStates.usedAt)))
    .run();
  return (result.meta.changes ?? 0) === 1;
}

/** Drops states that expired more than a day ago. */
export async function pruneOauthStates(db: D1Database, nowMs: number): Promise<void> {
  await drizzle(db).delete(qboOauthStates).where(lt(qboOauthStates.expiresAt, new Date(nowMs - 86_400_000).toISOString())).run();
}
