import { defineConfig, mergeConfig } from "vitest/config";
import viteConfig from "./vite.config";

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
      globalSetup: ["tests/setup/global-setup.ts"],
      setupFiles: ["tests/setup/database.ts"],
      pool: "forks",
      testTimeout: 20_000,
      hookTimeout: 60_000,
      env: { NODE_ENV: "test" },
    },
  }),
);
