import type { Logger } from "drizzle-orm";

// The statements the app sent through lookupDb (db/connect.ts), whose plans Postgres keeps for
// any values. tests/setup/database.ts hands `lookupStatements` to the Postgres connection; a test
// wraps the code it looks at in `collectLookups`. Shared through globalThis like the query counter.

export type LookupStatement = { query: string; parameters: unknown[] };

const state = globalThis as typeof globalThis & { __cairnLookupLog?: LookupStatement[] | null };

export const lookupStatements: Logger = {
  logQuery(query, parameters) {
    state.__cairnLookupLog?.push({ query, parameters });
  },
};

/** Runs `fn` and returns the lookupDb statements it sent, each distinct text once. */
export async function collectLookups(fn: () => Promise<unknown>): Promise<LookupStatement[]> {
  if (state.__cairnLookupLog) throw new Error("collectLookups calls can't be nested");
  const seen: LookupStatement[] = [];
  state.__cairnLookupLog = seen;
  try {
    await fn();
  } finally {
    state.__cairnLookupLog = null;
  }
  return [...new Map(seen.map((s) => [s.query, s])).values()];
}
