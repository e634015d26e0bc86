import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // After every test: every MemoryStore and dependency graph used must be structurally sound.
    setupFiles: ["test/helpers/structural-validator.setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores here and in CI: more workers only add contention to trace replays.
    maxWorkers: 2,
  },
});
