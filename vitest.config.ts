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
      ],
    },
  }),
);
