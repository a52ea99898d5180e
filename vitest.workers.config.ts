import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineProject } from "vitest/config";

// The edge adapters, tested inside workerd with the real bindings (D1 with migrations applied
// exactly as in production, R2, Durable Objects, Queues).
export default defineProject(async () => {
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
