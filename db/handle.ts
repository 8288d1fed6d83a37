import { env } from "../app/env.server";
import { connect, type DatabaseHandle } from "./connect";
import { queryLogWriter } from "./query-log";

// One database handle per process. It lives on globalThis because the server entry and the
// app bundle (and the dev server's module reloads) each evaluate this module separately, and a
// second PGlite handle on the same folder would lose writes.
const holder = globalThis as typeof globalThis & { __cairnDatabase?: Promise<DatabaseHandle> };

export function databaseHandle(): Promise<DatabaseHandle> {
  if (!holder.__cairnDatabase) {
    const e = env();
    const onQuery = e.CAIRN_QUERY_LOG ? queryLogWriter(e.CAIRN_QUERY_LOG) : undefined;
    const pending = connect(
      e.DATABASE_URL ? { url: e.DATABASE_URL, maxConnections: e.DATABASE_POOL_SIZE, onQuery } : { dataDir: e.CAIRN_DATA_DIR },
    );
    // A failed start must not be cached: the next caller tries again.
    pending.catch(() => {
      if (holder.__cairnDatabase === pending) holder.__cairnDatabase = undefined;
    });
    holder.__cairnDatabase = pending;
  }
  return holder.__cairnDatabase;
}

/** Installs a handle opened elsewhere (tests open one per file from a migrated template). */
export function installDatabaseHandle(handle: DatabaseHandle) {
  holder.__cairnDatabase = Promise.resolve(handle);
}

export async function closeDatabase() {
  const pending = holder.__cairnDatabase;
  holder.__cairnDatabase = undefined;
  if (pending) await (await pending).close();
}
