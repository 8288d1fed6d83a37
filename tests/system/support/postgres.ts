import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { connect } from "../../../db/connect";

// Postgres for the system tests and the load test: a database of the test's own on the
// machine's server, or a whole server of the test's own (initdb) that a test can stop and start.

/** `url` with its database replaced by `database`. */
export function databaseUrl(url: string, database: string) {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.toString();
}

async function reachable(url: string) {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * The Postgres server to create test databases on: DATABASE_URL's server when it is set,
 * else the usual local one when it answers; null when there is none (the caller skips).
 */
export async function findPostgresServer(): Promise<string | null> {
  const candidates = [process.env.DATABASE_URL, "postgres://postgres@127.0.0.1:5432/postgres"].filter(Boolean) as string[];
  for (const url of candidates) if (await reachable(databaseUrl(url, "postgres"))) return databaseUrl(url, "postgres");
  return null;
}

export type TestDatabase = { name: string; url: string; drop: () => Promise<void> };

/** A fresh, migrated database on `serverUrl`; `drop()` removes it (connections and all). */
export async function createMigratedDatabase(serverUrl: string, prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  const url = databaseUrl(serverUrl, name);
  const handle = await connect({ url, maxConnections: 1 });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  return {
    name,
    url,
    drop: async () => {
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end({ timeout: 5 });
      }
    },
  };
}

/** The folder holding initdb and pg_ctl, newest version first; null when Postgres isn't installed. */
export function postgresBinDir(): string | null {
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  if (fromEnv && fs.existsSync(path.join(fromEnv, "initdb"))) return fromEnv;
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base)
    ? fs
        .readdirSync(base)
        .filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return path.join(base, versions[0], "bin");
  const which = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" });
  const initdb = which.stdout.trim();
  return which.status === 0 && initdb ? path.dirname(initdb) : null;
}

export type OwnPostgres = {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: (database?: string) => string;
  start: () => void;
  /** `pg_ctl stop -m fast`: open connections are ended, as in a restart or a failover. */
  stop: () => void;
  remove: () => void;
};

/**
 * A Postgres server of the caller's own on `port`, in a temporary folder (data, socket, log).
 * Postgres refuses to run as root, so as root its programs run as the `postgres` user.
 */
export function initOwnPostgres(binDir: string, port: number): OwnPostgres {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-pg-"));
  const dataDir = path.join(folder, "data");
  const logFile = path.join(folder, "postgres.log");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    fs.chownSync(folder, uid, gid);
  }
  const run = (program: string, args: string[]) => {
    const command = asRoot ? "runuser" : path.join(binDir, program);
    const fullArgs = asRoot ? ["-u", "postgres", "--", path.join(binDir, program), ...args] : args;
    const result = spawnSync(command, fullArgs, { encoding: "utf8", cwd: folder });
    if (result.status !== 0) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-2000) : "";
      throw new Error(`${program} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}${log}`);
    }
  };
  run("initdb", ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
  const remove = () => {
    process.off("exit", remove);
    try {
      run("pg_ctl", ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
    } catch {
      // already stopped
    }
    fs.rmSync(folder, { recursive: true, force: true });
  };
  // Should the test process end early, the server and its folder go with it.
  process.once("exit", remove);
  return {
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => run("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]),
    stop: () => run("pg_ctl", ["-D", dataDir, "-m", "fast", "-w", "-t", "60", "stop"]),
    remove,
  };
}
