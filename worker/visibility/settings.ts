/** Visibility settings kept in D1 and edited through the API: the authority matrix. */
import { authorityMatrixSchema, DEFAULT_AUTHORITY_MATRIX, type AuthorityMatrix } from "../../src/visibility/escalation.ts";

export const AUTHORITY_MATRIX_KEY = "authority_matrix";

/** The configured matrix, or the proposal's default when none was set. */
export async function loadAuthorityMatrix(db: D1Database): Promise<AuthorityMatrix> {
  const row = await db.prepare("SELECT value_json FROM visibility_settings WHERE key = ?").bind(AUTHORITY_MATRIX_KEY).first<{ value_json: string }>();
  if (!row) return DEFAULT_AUTHORITY_MATRIX;
  const parsed = authorityMatrixSchema.safeParse(JSON.parse(row.value_json));
  // A stored matrix was validated on the way in; if it no longer parses (schema change), fall back loudly.
  if (!parsed.success) throw new Error(`visibility_settings.authority_matrix no longer validates: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
