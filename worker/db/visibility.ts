/**
 * D1 tables of the visibility layer. The ConflictShard Durable Objects own detection and each
 * conflict's lifecycle; these tables are what the API, the pages, the OKR and the pattern miner
 * read across shards (conflicts are mirrored here within a second of any change).
 */
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Registered publishers. The key is never stored, only its SHA-256. */
export const visibilityTeams = sqliteTable(
  "visibility_teams",
  {
    team: text("team").primaryKey(),
    role: text("role", { enum: ["decision", "ground_truth"] }).notNull(),
    priceTolerancePct: real("price_tolerance_pct").notNull(),
    contractVersion: integer("contract_version").notNull(),
    /** The registration as validated (role, tolerance, contract), JSON. */
    registrationJson: text("registration_json").notNull(),
    keyHash: text("key_hash").notNull(),
    /** The key's first characters, to tell keys apart in logs without revealing them. */
    keyPrefix: text("key_prefix").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [uniqueIndex("visibility_teams_key").on(t.keyHash)],
);

/** Every contract version a team has had. */
export const visibilityContracts = sqliteTable(
  "visibility_contracts",
  {
    team: text("team").notNull(),
    version: integer("version").notNull(),
    registrationJson: text("registration_json").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.team, t.version] })],
);

export const visibilityConflicts = sqliteTable(
  "visibility_conflicts",
  {
    conflictId: text("conflict_id").primaryKey(),
    type: text("type").notNull(),
    productId: text("product_id").notNull(),
    storeId: text("store_id").notNull(),
    category: text("category"),
    /** Sorted team names wrapped in commas (`,inventory,magic-apron,`) so `LIKE '%,team,%'` finds a team. */
    teams: text("teams").notNull(),
    decisionTeam: text("decision_team").notNull(),
    status: text("status").notNull(),
    firstSeen: text("first_seen").notNull(),
    lastSeen: text("last_seen").notNull(),
    detectedAt: text("detected_at").notNull(),
    occurrences: integer("occurrences").notNull(),
    active: integer("active", { mode: "boolean" }).notNull(),
    escalationLevel: integer("escalation_level").notNull(),
    resolvedAt: text("resolved_at"),
    shard: integer("shard").notNull(),
    /** The whole record as the shard holds it (src/visibility/conflict.ts). */
    bodyJson: text("body_json").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("visibility_conflicts_detected").on(t.detectedAt),
    index("visibility_conflicts_first_seen").on(t.firstSeen),
    index("visibility_conflicts_status").on(t.status, t.detectedAt),
    index("visibility_conflicts_pair").on(t.productId, t.storeId),
  ],
);

/**
 * When each conflict's alert was delivered (the end of its time to detect). Written by the alert
 * sender, apart from the shard's mirror, so an alert never waits for the mirror.
 */
export const visibilityAlerted = sqliteTable("visibility_alerted", {
  conflictId: text("conflict_id").primaryKey(),
  alertedAt: text("alerted_at").notNull(),
});

/** Every lifecycle step: detection, transitions, escalations. */
export const visibilityAudit = sqliteTable(
  "visibility_audit",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    conflictId: text("conflict_id").notNull(),
    at: text("at").notNull(),
    action: text("action").notNull(),
    actor: text("actor").notNull(),
    fromStatus: text("from_status"),
    toStatus: text("to_status"),
    reason: text("reason").notNull(),
    escalationLevel: integer("escalation_level"),
    notifiedJson: text("notified_json").notNull().default("[]"),
  },
  (t) => [index("visibility_audit_conflict").on(t.conflictId, t.seq)],
);

/** Stale or missing ground truth, one row per episode and pair. */
export const visibilityFlags = sqliteTable(
  "visibility_flags",
  {
    flagId: text("flag_id").primaryKey(),
    productId: text("product_id").notNull(),
    storeId: text("store_id").notNull(),
    reason: text("reason").notNull(),
    firstSeen: text("first_seen").notNull(),
    active: integer("active", { mode: "boolean" }).notNull(),
    bodyJson: text("body_json").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("visibility_flags_first_seen").on(t.firstSeen)],
);

/** Additive daily counters (src/visibility/okr/rollup.ts), summed over all shards. */
export const visibilityRollup = sqliteTable(
  "visibility_rollup",
  {
    day: text("day").notNull(),
    dimension: text("dimension").notNull(),
    value: text("value").notNull(),
    decisionEvents: integer("decision_events").notNull().default(0),
    conflictingEvents: integer("conflicting_events").notNull().default(0),
    unverifiedEvents: integer("unverified_events").notNull().default(0),
    groundTruthEvents: integer("ground_truth_events").notNull().default(0),
    rejectedEvents: integer("rejected_events").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.dimension, t.value] })],
);

/** One OKR row per day, recomputed by the daily cron until the day's 24 h deadlines have passed. */
export const visibilityOkrDaily = sqliteTable("visibility_okr_daily", {
  day: text("day").primaryKey(),
  bodyJson: text("body_json").notNull(),
  computedAt: text("computed_at").notNull(),
});

/** Every alert message: the local sink in development, the delivery log with Slack. */
export const visibilityAlerts = sqliteTable(
  "visibility_alerts",
  {
    alertId: text("alert_id").primaryKey(),
    createdAt: text("created_at").notNull(),
    destination: text("destination", { enum: ["slack", "local"] }).notNull(),
    status: text("status", { enum: ["sent", "dead"] }).notNull(),
    attempts: integer("attempts").notNull(),
    conflictCount: integer("conflict_count").notNull(),
    escalationCount: integer("escalation_count").notNull(),
    conflictIdsJson: text("conflict_ids_json").notNull(),
    messageJson: text("message_json").notNull(),
    error: text("error"),
  },
  (t) => [index("visibility_alerts_created").on(t.createdAt)],
);

/** Recurring conflict patterns raised as incidents (src/visibility/pattern-incident.ts). */
export const visibilityIncidents = sqliteTable(
  "visibility_incidents",
  {
    incidentId: text("incident_id").primaryKey(),
    severity: text("severity").notNull(),
    confidence: text("confidence").notNull(),
    /** The day the pattern was first raised; later runs keep it. */
    detectedAt: text("detected_at").notNull(),
    lastRaisedAt: text("last_raised_at").notNull(),
    windowStart: text("window_start").notNull(),
    windowEnd: text("window_end").notNull(),
    /** Set by people; the miner never overwrites it. */
    status: text("status", { enum: ["open", "acknowledged", "resolved"] }).notNull().default("open"),
    bodyJson: text("body_json").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("visibility_incidents_detected").on(t.detectedAt)],
);

/** Settings edited through the API (the authority matrix). */
export const visibilitySettings = sqliteTable("visibility_settings", {
  key: text("key").primaryKey(),
  valueJson: text("value_json").notNull(),
  updatedAt: text("updated_at").notNull(),
});
