import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { mkdirSync } from "node:fs";
import { defineProject } from "vitest/config";

// The edge adapters, tested inside workerd with the real bindings (D1 with migrations applied
// exactly as in production, R2, Durable Objects, Queues).
export default defineProject(async () => {
  // wrangler.toml names dist/pages as the assets folder; tests run before (or without) a build.
  mkdirSync("dist/pages", { recursive: true });
  const migrations = await readD1Migrations("migrations/d1");
  return {
    plugins: [
      cloudflareTest({
        main: "./worker/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ADMIN_SECRET: "test-admin-secret",
            QBO_WEBHOOK_VERIFIER_TOKEN: "test-verifier-token",
            // Small, so the oversized-body test does not need megabytes.
            MAX_UPLOAD_BYTES: "2000000",
            TEST_MIGRATIONS: migrations,
            // QuickBooks pointed at an in-test emulator (test/qbo-*.test.ts route fetches to it).
            QBO_CLIENT_ID: "emulator-client-id",
            QBO_CLIENT_SECRET: "emulator-client-secret",
            QBO_REDIRECT_URI: "http://localhost:8787/v1/connect/quickbooks/callback",
            QBO_TOKEN_ENCRYPTION_KEY: "test-qbo-token-key-0123456789abcdef",
            QBO_API_BASE: "http://qbo.emulator",
            QBO_AUTHORIZE_URL: "http://qbo.emulator/connect/oauth2",
            QBO_TOKEN_URL: "http://qbo.emulator/oauth2/v1/tokens/bearer",
            QBO_REVOKE_URL: "http://qbo.emulator/v2/oauth2/tokens/revoke",
            LOG_LEVEL: "error",
          },
        },
      }),
    ],
    test: {
      name: "workers",
      include: ["worker/**/*.test.ts", "durable-objects/**/*.test.ts", "test/**/*.test.ts"],
      setupFiles: ["./test/apply-migrations.ts"],
      testTimeout: 60_000,
    },
  };
});
