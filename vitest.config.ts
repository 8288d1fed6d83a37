import { defineConfig, mergeConfig } from "vitest/config";
import viteConfig from "./vite.config";

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      pool: "forks",
      testTimeout: 20_000,
      hookTimeout: 60_000,
      env: { NODE_ENV: "test" },
      projects: [
        // Pure functions: no database.
        { extends: true, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
        // Against a real database: each file gets its own copy of a migrated template.
        {
          extends: true,
          test: {
            name: "integration",
            include: ["tests/integration/**/*.test.ts"],
            globalSetup: ["tests/setup/global-setup.ts"],
            setupFiles: ["tests/setup/database.ts"],
          },
        },
        // The production server in child processes (needs the build: `npm run test:system`):
        // database outages, stopping, several instances. One file at a time: each runs servers.
        {
          extends: true,
          test: {
            name: "system",
            include: ["tests/system/**/*.test.ts"],
            testTimeout: 120_000,
            hookTimeout: 180_000,
            poolOptions: { forks: { singleFork: true } },
          },
        },
      ],
    },
  }),
);
