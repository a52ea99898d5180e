/**
 * Publishing teams: registration (the key is shown once and stored as its SHA-256), contract
 * versions, and the lookups the events route needs on every request (cached per isolate for
 * TEAM_CACHE_MS, so a contract change reaches every isolate within that time).
 */
import { reviseTeam, teamRegistrationSchema, type TeamContract, type TeamRegistration } from "../../src/visibility/contract.ts";

export const TEAM_CACHE_MS = 30_000;

interface TeamRow {
  team: string;
  role: string;
  price_tolerance_pct: number;
  contract_version: number;
  registration_json: string;
  key_hash: string;
  key_prefix: string;
  created_at: string;
  updated_at: string;
}

const byKeyHash = new Map<string, { team: TeamContract | null; at: number }>();
let tolerances: { value: Record<string, number>; at: number } | null = null;

/** Forgets what this isolate cached (after a registration or contract change). */
export function forgetTeams(): void {
  byKeyHash.clear();
  tolerances = null;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new team key: `vk_` and 32 random bytes, base64url. */
export function newTeamKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return `vk_${btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

function contractOf(row: Pick<TeamRow, "registration_json" | "contract_version">): TeamContract {
  return { ...teamRegistrationSchema.parse(JSON.parse(row.registration_json)), contract_version: row.contract_version };
}

/** The team a key belongs to, or null. */
export async function teamForKey(db: D1Database, key: string): Promise<TeamContract | null> {
  const hash = await sha256Hex(key);
  const cached = byKeyHash.get(hash);
  if (cached && Date.now() - cached.at < TEAM_CACHE_MS) return cached.team;
  const row = await db.prepare("SELECT registration_json, contract_version FROM visibility_teams WHERE key_hash = ?").bind(hash).first<TeamRow>();
  const team = row ? contractOf(row) : null;
  byKeyHash.set(hash, { team, at: Date.now() });
  if (byKeyHash.size > 1000) byKeyHash.delete(byKeyHash.keys().next().value!);
  return team;
}

/** The price tolerance of every registered team (team disagreements need the other team's). */
export async function teamTolerances(db: D1Database): Promise<Record<string, number>> {
  if (tolerances && Date.now() - tolerances.at < TEAM_CACHE_MS) return tolerances.value;
  const { results } = await db.prepare("SELECT team, price_tolerance_pct FROM visibility_teams").all<{ team: string; price_tolerance_pct: number }>();
  const value = Object.fromEntries(results.map((r) => [r.team, r.price_tolerance_pct]));
  tolerances = { value, at: Date.now() };
  return value;
}

export interface RegisteredTeam {
  team: string;
  role: TeamContract["role"];
  price_tolerance_pct: number;
  contract_version: number;
  contract: TeamContract["contract"];
  key_prefix: string;
  created_at: string;
  updated_at: string;
}

function view(row: TeamRow): RegisteredTeam {
  const t = contractOf(row);
  return {
    team: t.team,
    role: t.role,
    price_tolerance_pct: t.price_tolerance_pct,
    contract_version: t.contract_version,
    contract: t.contract,
    key_prefix: row.key_prefix,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export async function getTeam(db: D1Database, team: string): Promise<RegisteredTeam | null> {
  const row = await db.prepare("SELECT * FROM visibility_teams WHERE team = ?").bind(team).first<TeamRow>();
  return row ? view(row) : null;
}

export async function listTeams(db: D1Database): Promise<RegisteredTeam[]> {
  const { results } = await db.prepare("SELECT * FROM visibility_teams ORDER BY team").all<TeamRow>();
  return results.map(view);
}

export async function contractHistory(db: D1Database, team: string): Promise<{ version: number; registration: TeamRegistration; created_at: string }[]> {
  const { results } = await db
    .prepare("SELECT version, registration_json, created_at FROM visibility_contracts WHERE team = ? ORDER BY version")
    .bind(team)
    .all<{ version: number; registration_json: string; created_at: string }>();
  return results.map((r) => ({ version: r.version, registration: JSON.parse(r.registration_json) as TeamRegistration, created_at: r.created_at }));
}

/**
 * Registers a team or revises it. `rotateKey` issues a new key (always for a new team); the
 * contract gets a new version only when it changed.
 */
export async function saveTeam(
  db: D1Database,
  registration: TeamRegistration,
  options: { rotateKey: boolean; now: string },
): Promise<{ team: RegisteredTeam; key: string | null; created: boolean }> {
  const existing = await db.prepare("SELECT * FROM visibility_teams WHERE team = ?").bind(registration.team).first<TeamRow>();
  const previous = existing ? contractOf(existing) : null;
  const next = reviseTeam(previous, registration);
  const key = !existing || options.rotateKey ? newTeamKey() : null;
  const keyHash = key ? await sha256Hex(key) : null;
  const { contract_version: _v, ...stored } = next;
  const statements: D1PreparedStatement[] = [
    db
      .prepare(
        `INSERT INTO visibility_teams (team, role, price_tolerance_pct, contract_version, registration_json, key_hash, key_prefix, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (team) DO UPDATE SET role = excluded.role, price_tolerance_pct = excluded.price_tolerance_pct,
           contract_version = excluded.contract_version, registration_json = excluded.registration_json,
           key_hash = COALESCE(?, visibility_teams.key_hash), key_prefix = COALESCE(?, visibility_teams.key_prefix), updated_at = excluded.updated_at`,
      )
      .bind(
        next.team,
        next.role,
        next.price_tolerance_pct,
        next.contract_version,
        JSON.stringify(stored),
        keyHash ?? existing!.key_hash,
        key ? key.slice(0, 10) : existing!.key_prefix,
        existing?.created_at ?? options.now,
        options.now,
        keyHash,
        key ? key.slice(0, 10) : null,
      ),
  ];
  if (!previous || next.contract_version !== previous.contract_version) {
    statements.push(
      db.prepare("INSERT OR IGNORE INTO visibility_contracts (team, version, registration_json, created_at) VALUES (?, ?, ?, ?)").bind(next.team, next.contract_version, JSON.stringify(stored), options.now),
    );
  }
  await db.batch(statements);
  forgetTeams();
  const saved = await getTeam(db, next.team);
  return { team: saved!, key, created: !existing };
}
