-- ConflictShard schema v1: one shard of the visibility layer (many (product, store) pairs).

-- Raw events, kept 7 days (the alarm deletes older ones); the primary key makes ingestion idempotent.
CREATE TABLE events (
  event_id TEXT PRIMARY KEY,
  pair_key TEXT NOT NULL,
  kind TEXT NOT NULL,
  team TEXT NOT NULL,
  ts TEXT NOT NULL,
  received_at TEXT NOT NULL,
  body TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX events_ts ON events (ts);

-- The detection state of each pair (src/visibility/shard.ts ShardState, JSON).
CREATE TABLE pairs (
  pair_key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  touched_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX pairs_touched ON pairs (touched_at);

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

-- Rollup deltas not yet added to D1.
CREATE TABLE rollup_pending (
  day TEXT NOT NULL,
  dimension TEXT NOT NULL,
  value TEXT NOT NULL,
  decision_events INTEGER NOT NULL,
  conflicting_events INTEGER NOT NULL,
  unverified_events INTEGER NOT NULL,
  ground_truth_events INTEGER NOT NULL,
  PRIMARY KEY (day, dimension, value)
) WITHOUT ROWID;

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

CREATE TABLE meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
