import type { Logger } from "drizzle-orm";

// Counts the SQL statements the app's database runs. tests/setup/database.ts hands
// `queryCounter` to drizzle as its logger; a test wraps the code it measures in `countQueries`.
// The tally lives on globalThis so the setup file and the test share it whatever module copy
// each of them loaded.

const state = globalThis as typeof globalThis & { __cairnQueryLog?: string[] | null };

export const queryCounter: Logger = {
  logQuery(query) {
    state.__cairnQueryLog?.push(query);
  },
};

/** Runs `fn` and returns its result with the statements it ran (one entry per query). */
export async function countQueries<T>(fn: () => Promise<T>): Promise<{ result: T; count: number; queries: string[] }> {
  if (state.__cairnQueryLog) throw new Error("countQueries calls can't be nested");
  const queries: string[] = [];
  state.__cairnQueryLog = queries;
  try {
    const result = await fn();
    return { result, count: queries.length, queries };
  } finally {
    state.__cairnQueryLog = null;
  }
}
