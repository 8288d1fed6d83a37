import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import remixConfig from "./remix.config.js";

const isVitest = Boolean(process.env.VITEST);

export default defineConfig({
  plugins: [tailwindcss(), !isVitest && remix(remixConfig)],
  resolve: {
    alias: { "~": path.resolve(import.meta.dirname, "app") },
  },
  optimizeDeps: { exclude: ["@node-rs/argon2"] },
  ssr: { external: ["@node-rs/argon2", "@electric-sql/pglite"] },
  build: { target: "es2022" },
  server: { port: Number(process.env.PORT ?? 3000) },
});
