import { databaseHandle } from "./handle";

export type { Database } from "./connect";

/**
 * The app's database. Models import this; nothing else opens a connection. `lookupDb` is for
 * lookups by a key, whose plans Postgres may keep (db/connect.ts, LOOKUP_SETTINGS).
 */
export const { db, lookupDb } = await databaseHandle();
