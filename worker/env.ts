import type { Logger } from "./logger.ts";
import type { QboVars } from "./qbo/config.ts";

/** Secrets come from `.dev.vars` locally and `wrangler secret put` in production. */
export interface Secrets {
  ADMIN_SECRET: string;
  QBO_WEBHOOK_VERIFIER_TOKEN: string;
}

/**
 * Optional variables: LOG_LEVEL (debug|info|warn|error, default info); SLACK_WEBHOOK_URL (visibility
 * alerts go to Slack when set, else only to the local sink); VISIBILITY_DASHBOARD_URL (the link in
 * alert messages).
 */
export interface OptionalVars {
  LOG_LEVEL?: string;
  SLACK_WEBHOOK_URL?: string;
  VISIBILITY_DASHBOARD_URL?: string;
}

export type Bindings = Env & Secrets & OptionalVars & QboVars;

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    logger: Logger;
  };
}

/** The development defaults that `.dev.vars.example` ships and production refuses. */
export const DEV_DEFAULT_SECRETS: Readonly<Partial<Secrets & QboVars>> = {
  ADMIN_SECRET: "dev-admin-secret",
  QBO_WEBHOOK_VERIFIER_TOKEN: "dev-verifier-token",
  QBO_TOKEN_ENCRYPTION_KEY: "dev-qbo-token-key-not-for-production-0000",
  QBO_CLIENT_SECRET: "emulator-client-secret",
};

export function isProduction(env: Pick<Bindings, "ENVIRONMENT">): boolean {
  return (env.ENVIRONMENT as string) === "production";
}

export function numberVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
