-- QboRealm schema v1: one QuickBooks company (realm).
-- Connection: which company it feeds, its tokens sealed with AES-GCM (never in clear).
CREATE TABLE connection (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  realm_id TEXT NOT NULL,
  company_id TEXT NOT NULL,
  sealed_tokens TEXT,
  connected_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_refresh_at TEXT,
  refreshes INTEGER NOT NULL DEFAULT 0
);

-- The version of each entity the log already reflects (idempotency of webhooks and sweeps).
CREATE TABLE entity_versions (
  key TEXT PRIMARY KEY,
  sync_token INTEGER NOT NULL,
  last_updated TEXT,
  deleted INTEGER NOT NULL DEFAULT 0,
  body TEXT,
  updated_at TEXT NOT NULL
);

-- Cursors and small state (sweep cursor, …).
CREATE TABLE state (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
