-- ConflictShard schema v1: one shard of the visibility layer (many (product, store) pairs).

-- Raw events as received, one row per ingest call and UTC day of the events, kept 7 days (the
-- alarm deletes older days). Idempotency keys live in one table per day, `ids_YYYYMMDD
-- (event_id TEXT PRIMARY KEY) WITHOUT ROWID`, created on demand and dropped whole when the day expires.
CREATE TABLE raw_batches (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  day TEXT NOT NULL,
  received_at TEXT NOT NULL,
  events INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX raw_batches_day ON raw_batches (day);

-- The detection state of each pair (src/visibility/state-codec.ts, packed).
CREATE TABLE pairs (
  id INTEGER PRIMARY KEY,
  pair_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  touched_at TEXT NOT NULL
);

-- Every conflict record this shard opened (the current one of each key is also in its pair state).
CREATE TABLE conflicts (
  conflict_id TEXT PRIMARY KEY,
  pair_key TEXT NOT NULL,
  status TEXT NOT NULL,
  next_escalation_at TEXT,
  body TEXT NOT NULL,
  dirty INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX conflicts_escalation ON conflicts (next_escalation_at) WHERE next_escalation_at IS NOT NULL;
CREATE INDEX conflicts_dirty ON conflicts (dirty) WHERE dirty = 1;

CREATE TABLE flags (
  flag_id TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  dirty INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX flags_dirty ON flags (dirty) WHERE dirty = 1;

-- Rollup deltas not yet added to D1: one row per ingest call (a JSON array of rollup rows), summed at flush.
CREATE TABLE rollup_pending (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL
);

-- Audit entries not yet written to D1.
CREATE TABLE audit_pending (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL
);

-- Alert items not yet accepted by the alerts queue (the outbox survives a failed send).
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  body TEXT NOT NULL
);

-- Pairs holding back decisions until the ground truth catches up: when the earliest has waited
-- long enough, and the earliest event time held (ms since the epoch).
CREATE TABLE pending_pairs (
  pair_key TEXT PRIMARY KEY,
  due_ms INTEGER NOT NULL,
  min_ts_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
