import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Real databases, real processes: fail loudly instead of retrying flakes away.
    retry: 0,
    reporters: ["default", "./tests/support/summary-reporter.ts"],
  },
});
