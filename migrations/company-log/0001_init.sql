-- CompanyLog schema v1: the append-only canonical event log of one company and its ledger.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  day TEXT NOT NULL,
  event_time TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX events_type_day ON events (event_type, day);
CREATE INDEX events_entity ON events (entity_id);

-- Daily aggregates: additive, keyed by UTC day and aggregate key (see src/metrics/ledger.ts).
CREATE TABLE daily_aggregates (
  day TEXT NOT NULL,
  key TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (day, key)
) WITHOUT ROWID;

CREATE TABLE customer_revenue (
  day TEXT NOT NULL,
  customer_id TEXT NOT NULL,
  revenue REAL NOT NULL,
  PRIMARY KEY (day, customer_id)
) WITHOUT ROWID;

-- What each invoice, order, ticket and bill has told us so far.
CREATE TABLE entity_state (
  key TEXT PRIMARY KEY,
  state TEXT NOT NULL
) WITHOUT ROWID;
