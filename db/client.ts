import { databaseHandle } from "./handle";

export type { Database } from "./connect";

/** The app's database. Models import this; nothing else opens a connection. */
export const { db } = await databaseHandle();
