import cluster from "node:cluster";
import type { Server } from "node:http";
import path from "node:path";
// The Express adapter's own conversions, around Remix's handler (see "Every other request" below).
import { createRemixRequest, sendRemixResponse } from "@remix-run/express/dist/server.js";
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/node";
import express from "express";
import { DATABASE_UNAVAILABLE } from "../app/components/error-page";
import { appUrl, EnvError, loadDotEnv, parseEnv, type Env } from "../app/env.server";
import { runInRequestScope } from "../app/request-scope.server";
import { closeDatabase, databaseHandle } from "../db/handle";
import { isDatabaseUnavailable } from "../db/unavailable";
import { sameOriginOnly, securityHeaders } from "./security";

let config: Env;
try {
  loadDotEnv();
  config = parseEnv(process.env);
} catch (error) {
  console.error(error instanceof EnvError ? error.message : error);
  process.exit(1);
}
const dev = config.NODE_ENV !== "production";

// One process does everything, unless WEB_CONCURRENCY asks for more (production, on Postgres):
// then this primary process migrates, runs the hourly housekeeping and the mail worker, and
// forks that many workers that answer requests on the one port (node:cluster hands each new
// connection to the next worker). Workers share nothing but the database, as separate
// instances behind a load balancer do.
if (dev && config.WEB_CONCURRENCY > 1) console.warn("WEB_CONCURRENCY is ignored by the development server: one process.");
const role: "single" | "primary" | "worker" =
  dev || config.WEB_CONCURRENCY === 1 ? "single" : cluster.isPrimary ? "primary" : "worker";

// The database first: a locked embedded folder or a bad DATABASE_URL stops us here, before
// we listen. Then pending migrations, so the app never runs against an older schema (workers
// start after their primary has run them).
try {
  const handle = await databaseHandle();
  if (role !== "worker") await handle.migrate();
} catch (error) {
  console.error(`Cairn could not start its database: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

// Set once SIGTERM or SIGINT arrives: see shutdown() at the end.
let stopping = false;
/** How long requests in flight get to finish once stopping. */
const SHUTDOWN_GRACE_MS = 10_000;
/** What a cluster's primary sends a worker to stop it as SIGTERM would. */
const STOP_MESSAGE = "cairn:stop";

/**
 * The web server: Remix behind the security middleware, answering on PORT. Every process but a
 * cluster's primary runs one.
 */
async function startWebServer(): Promise<Server> {
  const app = express();
  app.disable("x-powered-by");
  if (config.TRUST_PROXY) app.set("trust proxy", true);
  app.use(securityHeaders({ dev }));
  app.use(sameOriginOnly({ appUrl: config.APP_URL }));
  // While stopping, a request that still arrives on an open keep-alive connection is answered,
  // and its connection closed after the answer.
  app.use((_req, res, next) => {
    if (stopping) res.setHeader("Connection", "close");
    next();
  });

  // For load balancers: 503 when the database can't be reached, and while stopping, so no new
  // traffic is sent to an instance on its way out.
  app.get("/healthz", async (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    if (stopping) {
      res.status(503).type("text/plain").send("shutting down");
      return;
    }
    try {
      const { db } = await databaseHandle();
      await db.execute("select 1");
      res.type("text/plain").send("ok");
    } catch {
      res.status(503).set("Retry-After", "60").type("text/plain").send("database unavailable");
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
    // The other public files (the favicon) all have an extension; a page's address never does, so
    // pages skip the file lookup (a disk access per request) and go straight to Remix.
    const publicFiles = express.static(path.join(root, "build/client"), { maxAge: "1h" });
    app.use((req, res, next) => (path.extname(req.path) ? publicFiles(req, res, next) : next()));
    build = (await import(path.join(root, "build/server/index.js"))) as ServerBuild;
  }

  // Every other request goes to Remix. When the database can't be reached, a loader or action
  // fails; app/entry.server.tsx's handleError recognises the error (db/unavailable.ts) and marks
  // the request's context, and the answer becomes a 503 saying so: pages and form posts render the
  // error page through Remix, data requests get a 503 the browser's error page understands. What is
  // left are routes without a page of their own (the home redirect, sign-out): their bare 500 is
  // replaced here by a plain page with the same words.
  const handleRemix = createRequestHandler(build, dev ? "development" : "production");
  app.all("*", async (req, res, next) => {
    try {
      const context: AppLoadContext = {
        cspNonce: res.locals.cspNonce as string,
        requestId: res.locals.requestId as string,
        clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
        databaseUnavailable: false,
      };
      let response = await runInRequestScope(req.method, () => handleRemix(createRemixRequest(req, res), context));
      if (context.databaseUnavailable && response.status === 500) response = await databaseUnavailablePage(context.requestId);
      await sendRemixResponse(res, response);
    } catch (error) {
      next(error);
    }
  });

  /** A page outside Remix for "the database can't be reached", in the app's own stylesheet. */
  async function databaseUnavailablePage(requestId: string) {
    const serverBuild = typeof build === "function" ? await build() : build;
    const links = serverBuild.routes.root?.module.links?.() ?? [];
    const stylesheets = links
      .filter((link) => "rel" in link && link.rel === "stylesheet" && "href" in link && typeof link.href === "string")
      .map((link) => `<link rel="stylesheet" href="${escapeHtml((link as { href: string }).href)}">`);
    const html = `<!DOCTYPE html>
  <html lang="en" class="h-full"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(DATABASE_UNAVAILABLE.title)} · Cairn</title>${stylesheets.join("")}<link rel="icon" href="/favicon.svg" type="image/svg+xml"></head>
  <body class="min-h-full"><header class="border-b border-stone-200 bg-white"><div class="mx-auto flex max-w-6xl px-4 py-3">
  <a href="/" class="flex items-center gap-2 text-lg font-semibold text-brand-800 no-underline"><img src="/favicon.svg" alt="" width="24" height="24">Cairn</a>
  </div></header><main id="main" class="mx-auto max-w-6xl px-4 py-6">
  <section class="card mx-auto my-8 max-w-xl space-y-3" aria-labelledby="error-title">
  <h1 id="error-title">${escapeHtml(DATABASE_UNAVAILABLE.title)}</h1>
  <p>${escapeHtml(DATABASE_UNAVAILABLE.body)}</p>
  <p class="text-sm text-stone-600">If you contact support, mention request id <code class="font-mono">${escapeHtml(requestId)}</code>.</p>
  <p><a href="/">Go to your home page</a></p>
  </section></main></body></html>`;
    return new Response(html, {
      status: 503,
      statusText: "Service Unavailable",
      headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", "Retry-After": "60" },
    });
  }

  function escapeHtml(text: string) {
    return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  return new Promise((resolve) => {
    const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
  });
}

// Modules that use the database are loaded only now, after the environment was checked and the
// database opened, so a bad setting ends in a clear message rather than an import-time crash.
// Housekeeping, once at start and hourly: expired sessions and day-old sign-in attempts go, and
// clients overdue for a check-in get their reminder (at most one per period). Then the mail
// worker. One set per deployment process: a cluster's workers leave them to their primary.
async function startBackgroundJobs() {
  const { deleteExpiredSessions } = await import("../app/auth/session.server");
  const { pruneSignInAttempts } = await import("../app/auth/throttle.server");
  const { startMailWorker } = await import("./mail-worker");
  const { sendCheckInReminders } = await import("../app/models/attention.server");
  const housekeeping = async () => {
    try {
      await deleteExpiredSessions();
      await pruneSignInAttempts();
      await sendCheckInReminders();
    } catch (error) {
      console.error("housekeeping failed:", isDatabaseUnavailable(error) ? "the database is unavailable; next run in an hour" : error);
    }
  };
  let housekeepingRun: Promise<void> = housekeeping();
  const housekeepingTimer = setInterval(() => {
    housekeepingRun = housekeeping();
  }, 60 * 60 * 1000);
  housekeepingTimer.unref();
  const stopMail = config.SMTP_URL ? startMailWorker({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM }) : async () => {};
  return async () => {
    clearInterval(housekeepingTimer);
    await Promise.allSettled([stopMail(), housekeepingRun]);
  };
}

function announce() {
  const where = config.DATABASE_URL ? "Postgres (DATABASE_URL)" : `embedded database in ${config.CAIRN_DATA_DIR}`;
  const processes = role === "primary" ? `, ${config.WEB_CONCURRENCY} server processes` : "";
  console.log(`Cairn is running on ${appUrl()} — ${where}${processes}${config.CAIRN_DEMO ? ", demo mode" : ""}`);
  if (config.CAIRN_DEMO) {
    console.log(`Sign in at ${appUrl()}/login as admin@cairn.test with the password cairn-demo;`);
    console.log("the login page lists every demo account, and /dev/outbox shows the emails Cairn sends.");
  }
}

// A cluster's primary keeps WEB_CONCURRENCY workers running: one that dies is replaced after a
// second, unless workers keep dying (more than 10 in a minute), which stops the whole server
// with exit code 1 rather than restart a crash in a loop.
const RESTARTS_PER_MINUTE = 10;
const recentExits: number[] = [];

const answering = new Set<number>();

function startWorkers(count: number) {
  let announced = false;
  cluster.on("listening", (worker) => {
    answering.add(worker.id);
    if (announced) console.log(`server process ${worker.process.pid} is answering`);
    else if (answering.size === count) {
      announced = true;
      announce();
    }
  });
  cluster.on("exit", (worker, code, signal) => {
    answering.delete(worker.id);
    if (stopping) return;
    const now = Date.now();
    recentExits.push(now);
    while (recentExits[0]! < now - 60_000) recentExits.shift();
    console.error(`server process ${worker.process.pid} stopped (${signal ?? `exit code ${code}`})`);
    if (recentExits.length > RESTARTS_PER_MINUTE) {
      console.error(`server processes stopped ${recentExits.length} times within a minute; stopping Cairn`);
      void shutdown("workers failing", 1);
      return;
    }
    setTimeout(() => {
      if (!stopping) cluster.fork();
    }, 1000).unref();
  });
  for (let i = 0; i < count; i++) cluster.fork();
}

/**
 * Asks every answering worker to stop as on SIGTERM and waits for them; one still starting (it
 * has no requests, and may not listen for the message yet) gets SIGTERM. Stragglers are killed.
 */
async function stopWorkers() {
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  const exited = Promise.all(workers.map((w) => (w.isDead() ? undefined : new Promise((resolve) => w.once("exit", resolve)))));
  for (const worker of workers) {
    if (answering.has(worker.id) && worker.isConnected()) worker.send(STOP_MESSAGE);
    else if (!worker.isDead()) worker.process.kill("SIGTERM");
  }
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), SHUTDOWN_GRACE_MS + 5000);
  });
  if ((await Promise.race([exited, late])) === "late") {
    for (const worker of workers) if (!worker.isDead()) worker.process.kill("SIGKILL");
  }
  clearTimeout(timer);
}

const stopBackground = role === "worker" ? async () => {} : await startBackgroundJobs();
let server: Server | undefined;
if (role === "primary") {
  startWorkers(config.WEB_CONCURRENCY);
} else {
  server = await startWebServer();
  if (role === "single") announce();
}

// Stopping (SIGTERM from a process manager or a deploy, SIGINT from Ctrl-C): stop accepting
// connections, let the requests in flight finish (a form being saved is saved and answered),
// close keep-alive connections as they fall idle, then stop the timers and the mail worker, close
// the database and exit 0. Requests still running after SHUTDOWN_GRACE_MS have their connections
// closed; a second signal does that at once. A cluster's primary asks its workers to do the
// same (STOP_MESSAGE, not a signal: Ctrl-C already signals every process of the group, and a
// second signal would cut their requests short) and waits for them.

async function shutdown(reason: string, exitCode = 0) {
  if (stopping) {
    if (reason === STOP_MESSAGE) return;
    console.log(`${reason} again: closing the remaining connections now`);
    server?.closeAllConnections();
    if (role === "primary") for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGKILL");
    return;
  }
  stopping = true;
  if (role !== "worker") console.log(`${reason}: not accepting new connections; finishing the requests in flight`);
  if (server) await drain(server, reason);
  if (role === "primary") await stopWorkers();
  await stopBackground();
  await closeDatabase().catch((error: unknown) => console.error("closing the database failed", error));
  if (role !== "worker") console.log(`${reason}: stopped`);
  process.exit(exitCode);
}

async function drain(listening: Server, reason: string) {
  const drained = new Promise<void>((resolve) => listening.close(() => resolve()));
  // A connection between two requests would hold close() open until its keep-alive timeout.
  listening.closeIdleConnections();
  const sweep = setInterval(() => listening.closeIdleConnections(), 100);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), SHUTDOWN_GRACE_MS);
  });
  if ((await Promise.race([drained, late])) === "late") {
    console.error(`${reason}: requests still running after ${SHUTDOWN_GRACE_MS / 1000} s; closing their connections`);
    listening.closeAllConnections();
    await drained;
  }
  clearTimeout(timer);
  clearInterval(sweep);
}

process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
if (role === "worker") process.on("message", (message) => message === STOP_MESSAGE && void shutdown(STOP_MESSAGE));
