/**
 * QuickBooks settings from the environment (`.dev.vars` locally, secrets in production):
 * QBO_CLIENT_ID, QBO_CLIENT_SECRET, QBO_REDIRECT_URI, QBO_ENVIRONMENT (sandbox|production),
 * QBO_TOKEN_ENCRYPTION_KEY (encrypts tokens at rest and signs the OAuth state), and the overrides
 * QBO_API_BASE, QBO_AUTHORIZE_URL, QBO_TOKEN_URL, QBO_REVOKE_URL, QBO_MINOR_VERSION.
 */
import { DEFAULT_MINOR_VERSION } from "../../src/connectors/qbo/client.ts";
import { type QboEndpoints, qboEndpoints, QboConfigError } from "../../src/connectors/qbo/oauth.ts";

export interface QboVars {
  QBO_CLIENT_ID?: string;
  QBO_CLIENT_SECRET?: string;
  QBO_REDIRECT_URI?: string;
  QBO_ENVIRONMENT?: string;
  QBO_TOKEN_ENCRYPTION_KEY?: string;
  QBO_API_BASE?: string;
  QBO_AUTHORIZE_URL?: string;
  QBO_TOKEN_URL?: string;
  QBO_REVOKE_URL?: string;
  QBO_MINOR_VERSION?: string;
}

export interface QboConfig {
  endpoints: QboEndpoints;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  tokenKey: string;
  minorVersion: number;
}

/** The full configuration, or a QboConfigError naming every missing setting. */
export function qboConfig(env: QboVars): QboConfig {
  const missing = (["QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "QBO_REDIRECT_URI", "QBO_TOKEN_ENCRYPTION_KEY"] as const).filter((k) => !env[k]?.trim());
  if (missing.length > 0) {
    throw new QboConfigError(`QuickBooks is not configured: set ${missing.join(", ")} (see docs/quickbooks.md; locally, npm start fills .dev.vars for the emulator)`);
  }
  if (env.QBO_TOKEN_ENCRYPTION_KEY!.length < 32) throw new QboConfigError("QBO_TOKEN_ENCRYPTION_KEY must be at least 32 characters");
  const minor = env.QBO_MINOR_VERSION ? Number(env.QBO_MINOR_VERSION) : DEFAULT_MINOR_VERSION;
  if (!Number.isInteger(minor) || minor < 1) throw new QboConfigError(`QBO_MINOR_VERSION must be a positive integer, got "${env.QBO_MINOR_VERSION}"`);
  return {
    endpoints: qboEndpoints(env),
    clientId: env.QBO_CLIENT_ID!.trim(),
    clientSecret: env.QBO_CLIENT_SECRET!.trim(),
    redirectUri: env.QBO_REDIRECT_URI!.trim(),
    tokenKey: env.QBO_TOKEN_ENCRYPTION_KEY!,
    minorVersion: minor,
  };
}
