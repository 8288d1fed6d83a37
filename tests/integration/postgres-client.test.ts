import { eq, sql } from "drizzle-orm";
import { describe, expect, inject, it } from "vitest";
import { connect, DEFAULT_POOL_SIZE, type DatabaseHandle } from "../../db/connect";
import { databaseHandle } from "../../db/handle";
import { users } from "../../db/schema";
import { adminUrl } from "../setup/global-setup";

// On Postgres the app prepares every statement drizzle sends (one round trip, no parsing, once a
// connection has seen it) and still plans each call for its own values (db/connect.ts).

const config = inject("testDatabase");

describe.skipIf(config.kind !== "postgres")(`the Postgres client${config.kind === "postgres" ? "" : " — skipped: embedded database"}`, () => {
  it("prepares drizzle's statements once per connection and plans every call for its values", async () => {
    const { db } = await databaseHandle();
    const [current] = (await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[];
    const own = await connect({ url: adminUrl(config.kind === "postgres" ? config.serverUrl : "", current!.name), maxConnections: 1 });
    try {
      for (const email of ["first@example.test", "second@example.test", "third@example.test"]) {
        await own.db.select({ id: users.id }).from(users).where(eq(users.email, email));
      }
      const prepared = (await own.db.execute(sql`select statement from pg_prepared_statements`)) as unknown as { statement: string }[];
      const lookups = prepared.filter((p) => p.statement.includes('from "users" where "users"."email" = $1'));
      // Three calls, one statement prepared: the later calls reused it.
      expect(lookups).toHaveLength(1);
      const [mode] = (await own.db.execute(sql`select current_setting('plan_cache_mode') as mode`)) as unknown as { mode: string }[];
      expect(mode!.mode).toBe("force_custom_plan");

      // lookupDb: its connections keep one plan per statement, for any values (decision 009), and
      // prepare statements without parameters too, which postgres.js would otherwise send unprepared.
      const [lookupMode] = (await own.lookupDb.execute(sql`select current_setting('plan_cache_mode') as mode`)) as unknown as { mode: string }[];
      expect(lookupMode!.mode).toBe("force_generic_plan");
      for (let i = 0; i < 2; i++) await own.lookupDb.select({ n: sql<number>`count(*)` }).from(users);
      const lookupPrepared = (await own.lookupDb.execute(sql`select statement from pg_prepared_statements`)) as unknown as { statement: string }[];
      expect(lookupPrepared.filter((p) => p.statement.includes('select count(*) from "users"'))).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
  it("opens at most the pool's size of connections per pool and queues further statements on them", async () => {
    const { db } = await databaseHandle();
    const [current] = (await db.execute(sql`select current_database() as name`)) as unknown as { name: string }[];
    const url = adminUrl(config.kind === "postgres" ? config.serverUrl : "", current!.name);
    /** The server processes that answered twelve statements sent at once, per pool. */
    const backends = async (handle: DatabaseHandle) =>
      Promise.all(
        [handle.db, handle.lookupDb].map(async (pool) => {
          const rows = await Promise.all(
            Array.from({ length: 12 }, () => pool.execute(sql`select pg_backend_pid() as pid, pg_sleep(0.02)`) as unknown as Promise<{ pid: number }[]>),
          );
          return new Set(rows.map(([row]) => row!.pid)).size;
        }),
      );
    for (const [options, size] of [[{}, DEFAULT_POOL_SIZE], [{ maxConnections: 3 }, 3]] as const) {
      const own = await connect({ url, ...options });
      try {
        expect(await backends(own)).toEqual([size, size]);
      } finally {
        await own.close();
      }
    }
  });
});
