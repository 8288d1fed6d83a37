import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { Logger } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres, { type Sql } from "postgres";
import { lockDataDir } from "./lock";
import * as schema from "./schema";

/** The one database type the app uses, whichever driver is underneath. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseHandle = {
  db: Database;
  kind: "postgres" | "pglite";
  /** Applies the committed SQL migrations that have not run yet. */
  migrate: () => Promise<void>;
  close: () => Promise<void>;
  /** PGlite only: the whole data folder as a tarball (tests copy a migrated template with it). */
  dumpDataDir?: () => Promise<Blob>;
};

export type ConnectOptions = (
  | { url: string; maxConnections?: number }
  | {
      /** A folder, or "memory://" for a throwaway in-memory database. */
      dataDir: string;
      /** A tarball made by PGlite's dumpDataDir() to start from (tests use a migrated template). */
      loadDataDir?: Blob;
    }
) & {
  /** Sees every query drizzle runs (tests count them). */
  logger?: Logger;
  /**
   * Postgres only: sees every statement sent to the server, BEGIN and COMMIT included, with the
   * connection's number (the benchmark's query log, db/query-log.ts).
   */
  onQuery?: (connection: number, query: string, parameters: unknown[]) => void;
};

/**
 * Settings for every Postgres session the app opens. JIT compilation is off: it pays off for
 * long analytical queries, but the app's are short and planned on estimates that can look large
 * (a generate_series of weeks, say), where compiling costs hundreds of milliseconds and saves
 * none (docs/performance.md).
 */
export const SESSION_SETTINGS = { jit: "off", plan_cache_mode: "force_custom_plan" } as const;

/**
 * The client drizzle is given: postgres.js with every statement prepared. drizzle sends its
 * queries unprepared, which postgres.js does in two round trips (describe the parameters, then
 * bind and run) with the SQL parsed every time. Prepared, a statement the connection has seen
 * before is one round trip with no parsing. Plans stay per call (`plan_cache_mode` above): a
 * plan made once for every coach would fit the average coach, not the busiest. A connection
 * keeps one prepared statement per distinct SQL text; drizzle's texts carry no values, so there
 * are as many as the app has query shapes. `?prepare=false` in DATABASE_URL (for a pooler in
 * transaction mode) turns it off.
 */
function preparingClient(client: Sql): Sql {
  const unsafe: Sql["unsafe"] = (query, parameters, queryOptions) => client.unsafe(query, parameters, { ...queryOptions, prepare: true });
  return new Proxy(client, { get: (target, key, receiver) => (key === "unsafe" ? unsafe : Reflect.get(target, key, receiver)) });
}

// Resolved from this file, not the bundle: migrations run from the server entry and db scripts.
export const migrationsFolder = path.resolve(import.meta.dirname ?? ".", "../migrations");

export async function connect(options: ConnectOptions): Promise<DatabaseHandle> {
  if ("url" in options) {
    // postgres.js opens connections when queries need them and replaces broken ones the same way,
    // so after an outage the next query simply connects again: nothing here caches a failure.
    // A server that doesn't answer at all fails a query after 10 s instead of the default 30.
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      connect_timeout: 10,
      onnotice: () => {},
      debug: options.onQuery,
      connection: SESSION_SETTINGS,
    });
    const db = drizzlePostgres(preparingClient(client), { schema, logger: options.logger });
    return {
      db,
      kind: "postgres",
      migrate: () => migratePostgres(db, { migrationsFolder }),
      close: () => client.end({ timeout: 5 }),
    };
  }

  const inMemory = options.dataDir.startsWith("memory://");
  let release = () => {};
  if (!inMemory) {
    fs.mkdirSync(path.dirname(path.resolve(options.dataDir)), { recursive: true });
    release = lockDataDir(options.dataDir);
  }
  let client: PGlite;
  try {
    client = await PGlite.create(inMemory ? undefined : options.dataDir, {
      loadDataDir: options.loadDataDir,
    });
  } catch (error) {
    release();
    throw error;
  }
  const db = drizzlePglite(client, { schema, logger: options.logger });
  return {
    db,
    kind: "pglite",
    migrate: () => migratePglite(db, { migrationsFolder }),
    dumpDataDir: async () => (await client.dumpDataDir("gzip")) as Blob,
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}
