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
  /**
   * The same database, for statements whose best plan doesn't depend on their values: lookups
   * by a key (a session, a thread, a client's plans). On Postgres its connections keep one plan
   * per statement (LOOKUP_SETTINGS) where `db` plans every call. Outside transactions only: a
   * transaction runs on one connection of `db`. On PGlite it is `db`.
   */
  lookupDb: Database;
  kind: "postgres" | "pglite";
  /** Applies the committed SQL migrations that have not run yet. */
  migrate: () => Promise<void>;
  close: () => Promise<void>;
  /** PGlite only: the whole data folder as a tarball (tests copy a migrated template with it). */
  dumpDataDir?: () => Promise<Blob>;
};

export type ConnectOptions = (
  | {
      url: string;
      /** Connections in each of the two pools (default DEFAULT_POOL_SIZE). */
      maxConnections?: number;
    }
  | {
      /** A folder, or "memory://" for a throwaway in-memory database. */
      dataDir: string;
      /** A tarball made by PGlite's dumpDataDir() to start from (tests use a migrated template). */
      loadDataDir?: Blob;
    }
) & {
  /** Sees every query drizzle runs (tests count them). */
  logger?: Logger;
  /** Also sees the queries lookupDb runs (tests EXPLAIN their kept plans). */
  lookupLogger?: Logger;
  /**
   * Postgres only: sees every statement sent to the server, BEGIN and COMMIT included, with the
   * connection's number (the benchmark's query log, db/query-log.ts).
   */
  onQuery?: (connection: number, query: string, parameters: unknown[], pool: QueryPool) => void;
};

/**
 * Settings for every Postgres session the app opens. JIT compilation is off: it pays off for
 * long analytical queries, but the app's are short and planned on estimates that can look large
 * (a generate_series of weeks, say), where compiling costs hundreds of milliseconds and saves
 * none (docs/performance.md).
 */
export const SESSION_SETTINGS = { jit: "off", plan_cache_mode: "force_custom_plan" } as const;

/**
 * Settings for the connections of `lookupDb`: a prepared statement is planned once per
 * connection, for any values (a generic plan), and that plan is kept. Planning is a large part of
 * a short statement's cost (0.3 ms of the session lookup's 0.4; 1 ms of a thread's header), and a
 * lookup by a key has one best plan whatever the key. Statements whose plan depends on their
 * values (a coach's queue: 5 cases or 600) stay on `db`. tests/integration/lookup-plans.test.ts
 * EXPLAINs the generic plan of each statement sent here.
 */
export const LOOKUP_SETTINGS = { ...SESSION_SETTINGS, plan_cache_mode: "force_generic_plan" } as const;

/** Which pool a statement went through: "lookup" is lookupDb's. */
export type QueryPool = "default" | "lookup";

/**
 * The client drizzle is given: postgres.js with every statement prepared. drizzle sends its
 * queries unprepared, which postgres.js does in two round trips (describe the parameters, then
 * bind and run) with the SQL parsed every time. Prepared, a statement the connection has seen
 * before is one round trip with no parsing. On `db` plans stay per call (`plan_cache_mode` above):
 * a plan made once for every coach would fit the average coach, not the busiest. A connection
 * keeps one prepared statement per distinct SQL text; drizzle's texts carry no values, so there
 * are as many as the app has query shapes. `?prepare=false` in DATABASE_URL (for a pooler in
 * transaction mode) turns it off.
 */
function preparingClient(client: Sql, options: { alwaysExtended?: boolean } = {}): Sql {
  // postgres.js sends a statement without parameters unprepared (the simple protocol, which
  // allows several statements in one string); `alwaysExtended` prepares those too, for the
  // lookup pool, which runs one statement at a time and whose point is the kept plan.
  const extra = options.alwaysExtended ? { simple: false } : {};
  const unsafe: Sql["unsafe"] = (query, parameters, queryOptions) => client.unsafe(query, parameters, { ...queryOptions, ...extra, prepare: true });
  return new Proxy(client, { get: (target, key, receiver) => (key === "unsafe" ? unsafe : Reflect.get(target, key, receiver)) });
}

/**
 * Connections per pool, per process (DATABASE_POOL_SIZE; decision 011). A Node process runs one
 * piece of JavaScript at a time, and the app's statements take a millisecond or two: two
 * connections a pool keep Postgres busy for it, and further statements queue on them, sent
 * together in one write. Ten a pool woke a Postgres process per statement on this 2-core
 * machine, which cost 5–30 % of the throughput of the benchmark's pages.
 */
export const DEFAULT_POOL_SIZE = 2;

// Resolved from this file, not the bundle: migrations run from the server entry and db scripts.
export const migrationsFolder = path.resolve(import.meta.dirname ?? ".", "../migrations");

export async function connect(options: ConnectOptions): Promise<DatabaseHandle> {
  if ("url" in options) {
    // postgres.js opens connections when queries need them and replaces broken ones the same way,
    // so after an outage the next query simply connects again: nothing here caches a failure.
    // A server that doesn't answer at all fails a query after 10 s instead of the default 30.
    const open = (pool: QueryPool, connection: Record<string, string>) =>
      postgres(options.url, {
        max: options.maxConnections ?? DEFAULT_POOL_SIZE,
        connect_timeout: 10,
        onnotice: () => {},
        debug: options.onQuery && ((id, query, parameters) => options.onQuery!(id, query, parameters, pool)),
        connection,
      });
    const client = open("default", SESSION_SETTINGS);
    const lookupClient = open("lookup", LOOKUP_SETTINGS);
    const db = drizzlePostgres(preparingClient(client), { schema, logger: options.logger });
    const { logger, lookupLogger } = options;
    const lookupDb = drizzlePostgres(preparingClient(lookupClient, { alwaysExtended: true }), {
      schema,
      logger: lookupLogger
        ? { logQuery: (query, parameters) => [logger, lookupLogger].forEach((l) => l?.logQuery(query, parameters)) }
        : logger,
    });
    return {
      db,
      lookupDb,
      kind: "postgres",
      migrate: () => migratePostgres(db, { migrationsFolder }),
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), lookupClient.end({ timeout: 5 })]);
      },
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
    // One connection, planning every statement: there is no second pool to keep plans in.
    lookupDb: db,
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
