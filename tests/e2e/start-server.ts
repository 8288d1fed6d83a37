import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { loadDotEnv } from "../../app/env.server";
import { connect } from "../../db/connect";
import { closeDatabase, installDatabaseHandle } from "../../db/handle";
import { seedDemo } from "../../db/seed";

// Playwright's webServer: gives the end-to-end run a database of its own, migrated and seeded
// with the demo practice, then serves the production build on it in demo mode.
//   DATABASE_URL set → a fresh database `cairn_e2e_<pid>` on that server, dropped on exit.
//   otherwise        → a fresh embedded (PGlite) folder in the temp directory, removed on exit.
// Playwright stops us with SIGTERM (config.webServer.gracefulShutdown); we stop the server,
// wait for it, then clean up.

const E2E_PORT = 3999; // playwright.config.ts uses the same port
const root = path.resolve(import.meta.dirname, "../..");

function databaseUrlFor(serverUrl: string, database: string) {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

type Database = { env: Record<string, string>; describe: string; connect: () => ReturnType<typeof connect>; cleanUp: () => Promise<void> };

async function createDatabase(): Promise<Database> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) {
    const name = `cairn_e2e_${process.pid}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE "${name}"`);
    const url = databaseUrlFor(serverUrl, name);
    return {
      env: { DATABASE_URL: url },
      describe: `Postgres database ${name}`,
      connect: () => connect({ url, maxConnections: 2 }),
      cleanUp: async () => {
        try {
          await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } finally {
          await admin.end({ timeout: 5 });
        }
      },
    };
  }
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-e2e-"));
  // The lock file sits beside the data folder, so both live inside `folder`.
  const dataDir = path.join(folder, "pglite");
  return {
    // An empty DATABASE_URL counts as unset, and keeps a .env file from supplying one.
    env: { DATABASE_URL: "", CAIRN_DATA_DIR: dataDir },
    describe: `embedded database in ${dataDir}`,
    connect: () => connect({ dataDir }),
    cleanUp: async () => fs.rmSync(folder, { recursive: true, force: true }),
  };
}

loadDotEnv(path.join(root, ".env"));
let database: Database;
try {
  database = await createDatabase();
} catch (error) {
  console.error("e2e: could not create a database for the run:", error instanceof Error ? error.message : error);
  process.exit(1);
}

let child: ChildProcess | undefined;
let childExited: Promise<number> = Promise.resolve(0);
let finishing: Promise<void> | undefined;

function finish(code: number) {
  finishing ??= (async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const stopped = await Promise.race([childExited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 10_000))]);
    if (!stopped) {
      child?.kill("SIGKILL");
      await childExited;
    }
    await closeDatabase().catch(() => {});
    try {
      await database.cleanUp();
    } catch (error) {
      console.error(`e2e: could not remove the ${database.describe}:`, error);
      code ||= 1;
    }
    process.exit(code);
  })();
  return finishing;
}

process.on("SIGTERM", () => void finish(0));
process.on("SIGINT", () => void finish(0));

try {
  // Migrate and seed through the app's own modules; the handle is process-wide (db/handle.ts),
  // so it is closed before the server starts: an embedded folder allows one process at a time.
  const handle = await database.connect();
  installDatabaseHandle(handle);
  await handle.migrate();
  await seedDemo();
  await closeDatabase();
} catch (error) {
  console.error(`e2e: could not prepare the ${database.describe}:`, error);
  await finish(1);
}

if (!finishing) {
  console.log(`e2e: serving the production build on port ${E2E_PORT} with a fresh ${database.describe}`);
  child = spawn(path.join(root, "node_modules/.bin/tsx"), ["server/index.ts"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      ...database.env,
      NODE_ENV: "production",
      PORT: String(E2E_PORT),
      HOST: "127.0.0.1",
      // Links in emails must point at the address the browser uses, or cookies land elsewhere.
      APP_URL: `http://127.0.0.1:${E2E_PORT}`,
      CAIRN_DEMO: "1",
      SMTP_URL: "",
      SESSION_COOKIE_SECURE: "auto",
      TRUST_PROXY: "0",
    },
  });
  const started = child;
  childExited = new Promise((resolve) => started.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  // A server that stops by itself (a crash, a port in use) ends the run with its exit code.
  void childExited.then((code) => finish(code || (finishing ? 0 : 1)));
}
