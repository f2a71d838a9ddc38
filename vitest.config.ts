import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["schemas/**/*.test.ts", "workflows/**/*.test.ts", "services/**/*.test.ts", "sim/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // 2 cores: real servers per file; keep parallelism modest so startup stays fast.
    maxWorkers: 2,
  },
});
