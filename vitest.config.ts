import { defineConfig } from "vitest/config";

// Two projects: the pure core in plain Node, and the edge adapters inside the Workers runtime.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "core",
          environment: "node",
          include: ["src/**/*.test.ts", "cli/**/*.test.ts", "bench/**/*.test.ts", "golden/**/*.test.ts", "notebooks/components/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
      "./vitest.workers.config.ts",
    ],
  },
});
