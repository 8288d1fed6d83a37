import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import { appUrl, EnvError, loadDotEnv, parseEnv } from "../app/env.server";
import { closeDatabase, databaseHandle } from "../db/handle";
import { sameOriginOnly, securityHeaders } from "./security";

let config;
try {
  loadDotEnv();
  config = parseEnv(process.env);
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
const dev = config.NODE_ENV !== "production";

// The database first: a locked embedded folder or a bad DATABASE_URL stops us here, before
// we listen. Then pending migrations, so the app never runs against an older schema.
try {
  const handle = await databaseHandle();
  await handle.migrate();
} catch (error) {
  console.error(`Cairn could not start its database: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const app = express();
app.disable("x-powered-by");
if (config.TRUST_PROXY) app.set("trust proxy", true);
app.use(securityHeaders({ dev }));
app.use(sameOriginOnly({ appUrl: config.APP_URL }));

app.get("/healthz", async (_req, res) => {
  try {
    const { db } = await databaseHandle();
    await db.execute("select 1");
    res.type("text/plain").send("ok");
  } catch {
    res.status(503).type("text/plain").send("database unavailable");
  }
});

let build: ServerBuild | (() => Promise<ServerBuild>);
if (dev) {
  const vite = await import("vite");
  const viteServer = await vite.createServer({ server: { middlewareMode: true } });
  app.use(viteServer.middlewares);
  build = () => viteServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
} else {
  const root = path.resolve(import.meta.dirname, "..");
  app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
  app.use(express.static(path.join(root, "build/client"), { maxAge: "1h" }));
  build = (await import(path.join(root, "build/server/index.js"))) as ServerBuild;
}

app.all(
  "*",
  createRequestHandler({
    build,
    mode: dev ? "development" : "production",
    getLoadContext: (req, res) => ({
      cspNonce: res.locals.cspNonce as string,
      requestId: res.locals.requestId as string,
      clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
    }),
  }),
);

// Modules that use the database are loaded only now, after the environment was checked and the
// database opened, so a bad setting ends in a clear message rather than an import-time crash.
const { deleteExpiredSessions } = await import("../app/auth/session.server");
const { pruneSignInAttempts } = await import("../app/auth/throttle.server");
const { startMailWorker } = await import("./mail-worker");
const { sendCheckInReminders } = await import("../app/models/attention.server");

// Housekeeping, once at start and hourly: expired sessions and day-old sign-in attempts go, and
// clients overdue for a check-in get their reminder (at most one per period).
const housekeeping = async () => {
  try {
    await deleteExpiredSessions();
    await pruneSignInAttempts();
    await sendCheckInReminders();
  } catch (error) {
    console.error("housekeeping failed", error);
  }
};
void housekeeping();
const housekeepingTimer = setInterval(housekeeping, 60 * 60 * 1000);
housekeepingTimer.unref();

const stopMail = config.SMTP_URL ? startMailWorker({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }) : () => {};

const server = app.listen(config.PORT, config.HOST, () => {
  const where = config.DATABASE_URL ? "Postgres (DATABASE_URL)" : `embedded database in ${config.CAIRN_DATA_DIR}`;
  console.log(`Cairn is running on ${appUrl()} — ${where}${config.CAIRN_DEMO ? ", demo mode" : ""}`);
  if (config.CAIRN_DEMO) {
    console.log(`Sign in at ${appUrl()}/login as admin@cairn.test with the password cairn-demo;`);
    console.log("the login page lists every demo account, and /dev/outbox shows the emails Cairn sends.");
  }
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: shutting down`);
  stopMail();
  server.close();
  server.closeAllConnections();
  await closeDatabase().catch(() => {});
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
