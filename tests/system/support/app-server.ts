import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

// The production server as `npm start` runs it (tsx server/index.ts, NODE_ENV=production), in a
// child process of the test, on a port of its own.

export const root = path.resolve(import.meta.dirname, "../../..");

/**
 * Builds the app when build/ is missing or older than the code it is built from, so the system
 * tests and the load run never test a stale build.
 */
export async function ensureBuild() {
  const built = path.join(root, "build/server/index.js");
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const newest = (file: string): number => {
    const stat = fs.statSync(file);
    if (!stat.isDirectory()) return stat.mtimeMs;
    return Math.max(stat.mtimeMs, ...fs.readdirSync(file).map((entry) => newest(path.join(file, entry))));
  };
  const sources = ["app", "db", "public", "remix.config.js", "vite.config.ts", "package.json"].map((p) => path.join(root, p)).filter((p) => fs.existsSync(p));
  if (builtAt > Math.max(...sources.map(newest))) return;
  console.log(builtAt ? "build/ is older than the code: building" : "no build/ yet: building");
  // Without Vitest's variables: under them vite.config.ts leaves the Remix plugin out.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("VITEST")));
  const build = spawn("npm", ["run", "build"], { cwd: root, env: { ...env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  build.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  build.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => build.once("exit", resolve));
  if (code !== 0) throw new Error(`npm run build failed:\n${output}`);
}

/** A port in [from, to] that nothing listens on at the moment. */
export async function freePort(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port between ${from} and ${to}`);
}

export type AppServer = {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output: () => string;
  /** Resolves with the exit code (or the signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it hasn't ended within `graceMs`. */
  stop: (graceMs?: number) => Promise<void>;
};

/** Serves on `databaseUrl`, or without one on the embedded database in `dataDir`. */
export async function startAppServer(options: { port: number; databaseUrl?: string; dataDir?: string; env?: Record<string, string> }): Promise<AppServer> {
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["server/index.ts"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      // An empty DATABASE_URL counts as unset, and keeps a .env file from supplying one.
      DATABASE_URL: options.databaseUrl ?? "",
      ...(options.dataDir ? { CAIRN_DATA_DIR: options.dataDir } : {}),
      PORT: String(options.port),
      HOST: "127.0.0.1",
      APP_URL: url,
      SMTP_URL: "",
      CAIRN_DEMO: "",
      TRUST_PROXY: "0",
      SESSION_COOKIE_SECURE: "auto",
      ...options.env,
    },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  // Should the test process itself end early, the server ends with it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => {
    ended = true;
    process.off("exit", killOnExit);
  });

  const server: AppServer = {
    url,
    port: options.port,
    process: child,
    output: () => output,
    exited,
    stop: async (graceMs = 15_000) => {
      if (ended) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };

  // Ready once it listens and its health check answers.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (ended) throw new Error(`the server on port ${options.port} stopped while starting:\n${output}`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await server.stop();
  throw new Error(`the server on port ${options.port} did not start within 60 s:\n${output}`);
}
