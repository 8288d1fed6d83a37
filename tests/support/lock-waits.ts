import { sql } from "drizzle-orm";
import type { db } from "../../db/client";

type Reader = Pick<typeof db, "select">;

/**
 * Whether another session of this database is waiting for a lock now. Inside a transaction
 * Postgres answers pg_stat_activity from the snapshot it took on the first read, so this drops
 * that snapshot first.
 */
export async function someoneWaits(tx: Reader) {
  await tx.select({ cleared: sql`pg_stat_clear_snapshot()` }).from(sql`(select 1) as one`);
  const [row] = await tx
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(sql`pg_stat_activity`)
    .where(sql`datname = current_database() and wait_event_type = 'Lock'`);
  return row!.n > 0;
}

/**
 * Waits until another session of this database waits for a lock (polling through `tx`, every
 * 25 ms), or throws after 10 s: the tests that start two changes at once use it to know the
 * second has reached the first's lock before letting the first commit.
 */
export async function untilSomeoneWaits(tx: Reader) {
  for (let i = 0; i < 400; i++) {
    if (await someoneWaits(tx)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the second change never waited for the first");
}
