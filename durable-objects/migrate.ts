/**
 * Schema migrations of a Durable Object's SQLite storage: each migration not yet recorded in
 * `_schema` runs in its own transaction with its version, so a half-applied one never sticks.
 * Called from the constructor under `blockConcurrencyWhile`.
 */
export interface DoMigration {
  version: number;
  sql: string;
}

export function applyMigrations(storage: DurableObjectStorage, migrations: readonly DoMigration[]): void {
  const sql = storage.sql;
  sql.exec("CREATE TABLE IF NOT EXISTS _schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  const applied = new Set(sql.exec<{ version: number }>("SELECT version FROM _schema").toArray().map((r) => r.version));
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    storage.transactionSync(() => {
      sql.exec(migration.sql);
      sql.exec("INSERT INTO _schema (version, applied_at) VALUES (?, ?)", migration.version, new Date().toISOString());
    });
  }
}
