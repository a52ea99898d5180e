-- CompanyLog schema v2: retractions. When the source voids or deletes an entity, its events stay
-- in the log (append-only) but stop counting in the ledger (see src/events/retraction.ts).
-- Each event names its source entity (`source|source_entity_id`), so a retraction finds them.
ALTER TABLE events ADD COLUMN source_key TEXT;
UPDATE events SET source_key = json_extract(body, '$.source') || '|' || json_extract(body, '$.source_entity_id');
-- 1: the event's entity was retracted, so it no longer counts (and is no longer evidence).
ALTER TABLE events ADD COLUMN retracted INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_source_key ON events (source_key);

CREATE TABLE retractions (
  key TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  at TEXT,
  retracted_at TEXT NOT NULL
) WITHOUT ROWID;
