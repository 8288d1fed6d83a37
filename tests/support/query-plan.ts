import { sql, type SQLWrapper } from "drizzle-orm";
import { db } from "../../db/client";

// The plan Postgres makes for a statement, to check that a query can use the index written for
// it. Sequential scans are switched off (set local, for the explaining transaction alone): the
// tests' small tables would otherwise be read whole, and an index the query can't use would
// leave only the sequential scan this makes very expensive.

export type PlanNode = { "Node Type"?: string; "Index Name"?: string; "Index Cond"?: string; Plans?: PlanNode[] };

/** The index scans in `statement`'s plan (not run), each with its condition. */
export async function indexScans(statement: SQLWrapper): Promise<PlanNode[]> {
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    return tx.execute(sql`explain (format json) ${statement}`);
  });
  // postgres.js answers the rows, PGlite an object holding them.
  const rows = (Array.isArray(result) ? result : (result as unknown as { rows: unknown[] }).rows) as Record<string, unknown>[];
  const raw = Object.values(rows[0]!)[0];
  const [{ Plan }] = (typeof raw === "string" ? JSON.parse(raw) : raw) as [{ Plan: PlanNode }];
  const scans = (node: PlanNode): PlanNode[] => [...(node["Index Name"] ? [node] : []), ...(node.Plans ?? []).flatMap(scans)];
  return scans(Plan);
}

/** The names of the indexes `statement`'s plan reads. */
export async function indexesUsed(statement: SQLWrapper): Promise<string[]> {
  return [...new Set((await indexScans(statement)).map((node) => node["Index Name"]!))].sort();
}
