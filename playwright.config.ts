import fs from "node:fs";
import { defineConfig, devices, type ReporterDescription } from "@playwright/test";

// End-to-end tests: real journeys in Chromium against the production build (`npm run build`
// first; `npm run test:e2e` does both), served by tests/e2e/start-server.ts on a database of
// its own (a fresh Postgres database when DATABASE_URL is set, else a fresh embedded folder).

const PORT = 3999; // tests/e2e/start-server.ts listens here
const baseURL = `http://127.0.0.1:${PORT}`;

// The system's Chromium when there is one (Debian's matches Playwright's major version);
// otherwise Playwright's own download (`npx playwright install chromium`).
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const executablePath = fs.existsSync(chromiumPath) ? chromiumPath : undefined;

const reporter: ReporterDescription[] = process.env.CI
  ? [["list"]]
  : [["list"], ["html", { outputFolder: "playwright-report", open: "never" }]];

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  // Two cores: one browser at a time next to the server and its database.
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  reporter,
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath,
          args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
          ],
        },
      },
    },
  ],
  webServer: {
    command: "node_modules/.bin/tsx tests/e2e/start-server.ts",
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    // First start of an embedded database, migrations and the demo seed take a while here.
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
    // Without this Playwright SIGKILLs the process group and the e2e database is left behind.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
  },
});
